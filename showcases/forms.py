"""Forms of the collection, expert and expert-note pages. They validate what was typed; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import PortalFormMixin

from .models import Collection, ExpertNote

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MARKDOWN_HELP = _("Markdown sederhana: paragraf, daftar, **tebal**, *miring*, tautan.")


class CollectionForm(PortalFormMixin, forms.Form):
    title = forms.CharField(label=_("Judul"), max_length=200)
    kind = forms.ChoiceField(label=_("Jenis"), choices=Collection.Kind.choices, initial=Collection.Kind.CURATED)
    source_label = forms.CharField(
        label=_("Sumber"), max_length=120, required=False, help_text=_("Misalnya nama kompetisi: “KIPP 2027”.")
    )
    introduction = forms.CharField(
        label=_("Pengantar"),
        max_length=10000,
        required=False,
        help_text=MARKDOWN_HELP,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    decree_number = forms.CharField(
        label=_("Nomor surat keputusan"), max_length=120, required=False, help_text=_("Hanya koleksi penghargaan.")
    )
    decree_date = forms.DateField(label=_("Tanggal surat keputusan"), required=False, widget=DATE_INPUT)
    decree_file = forms.FileField(
        label=_("Berkas surat keputusan (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args, collection: Collection | None = None, **kwargs):
        if collection is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": collection.title,
                "kind": collection.kind,
                "source_label": collection.source_label,
                "introduction": collection.introduction,
                "decree_number": collection.decree_number,
                "decree_date": collection.decree_date,
            }
        super().__init__(*args, **kwargs)
        if collection is not None and collection.decree_file:
            self.fields["decree_file_clear"] = forms.BooleanField(
                label=_("Hapus berkas surat keputusan yang tersimpan"), required=False
            )

    def clean(self):
        data = super().clean()
        if data.get("kind") != Collection.Kind.AWARD:
            for name in ("decree_number", "decree_date", "decree_file"):
                if data.get(name):
                    self.add_error(
                        name, _("Surat keputusan hanya untuk koleksi penghargaan. Pilih jenis “Penghargaan”.")
                    )
        return data


class ItemForm(PortalFormMixin, forms.Form):
    """One row of the ordering page: its position number, label and note, or removal."""

    item = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    position = forms.IntegerField(label=_("Urutan"), min_value=1, max_value=10000)
    label = forms.CharField(label=_("Label"), max_length=80, required=False)
    note = forms.CharField(label=_("Catatan"), max_length=1000, required=False)
    remove = forms.BooleanField(label=_("Keluarkan dari koleksi"), required=False)


class BaseItemFormSet(forms.BaseFormSet):
    row_label = _("praktik")


ItemFormSet = forms.formset_factory(ItemForm, formset=BaseItemFormSet, extra=0, max_num=1000, validate_max=True)


class ItemAddForm(PortalFormMixin, forms.Form):
    practice = forms.CharField(
        label=_("Slug praktik"),
        max_length=120,
        help_text=_("Bagian alamat praktik setelah /praktik/, atau pilih dari hasil pencarian."),
    )
    label = forms.CharField(label=_("Label"), max_length=80, required=False, help_text=_("Misalnya “Juara 1”."))


class FeatureForm(PortalFormMixin, forms.Form):
    featured = forms.BooleanField(label=_("Tampilkan di beranda"), required=False)
    home_position = forms.IntegerField(
        label=_("Urutan di beranda"), min_value=0, max_value=32767, initial=0, help_text=_("Angka kecil tampil dulu.")
    )


class ExpertForm(PortalFormMixin, forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=150, required=False)
    affiliation = forms.CharField(label=_("Afiliasi"), max_length=200, help_text=_("Misalnya “Universitas Airlangga”."))
    expertise = forms.CharField(label=_("Bidang keahlian"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("Aktif"), required=False, initial=True)


class NoteForm(PortalFormMixin, forms.Form):
    transferable = forms.CharField(
        label=ExpertNote._meta.get_field("transferable").verbose_name,
        max_length=5000,
        help_text=_(
            "Apa dari praktik ini yang dapat diterapkan instansi lain. Markdown sederhana: paragraf, daftar, "
            "**tebal**, *miring*, tautan."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    preconditions = forms.CharField(
        label=ExpertNote._meta.get_field("preconditions").verbose_name,
        max_length=5000,
        required=False,
        help_text=_("Apa yang perlu ada lebih dulu: aturan, data, anggaran, kemampuan."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    risks = forms.CharField(
        label=ExpertNote._meta.get_field("risks").verbose_name,
        max_length=5000,
        required=False,
        help_text=_("Apa yang dapat gagal saat direplikasi, dan bagaimana mencegahnya."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class NoteModerationForm(PortalFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Keputusan"),
        choices=[("publish", _("Terbitkan")), ("reject", _("Tolak"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Alasan penolakan"),
        max_length=2000,
        required=False,
        help_text=_("Wajib bila ditolak; dikirim kepada penulis."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("reason", "").strip():
            self.add_error("reason", _("Tulis alasan penolakan untuk penulisnya."))
        return data


class PublishForm(PortalFormMixin, forms.Form):
    published = forms.TypedChoiceField(
        label=_("Status"),
        choices=[("1", _("Terbitkan")), ("0", _("Tarik dari publik"))],
        coerce=lambda value: value == "1",
    )
