"""Forms of the management area: one form per section, the impact formsets, uploads and submitting.

Forms only validate; the services write. Every section form carries the hidden `version` its page was based
on, so that the save service can refuse a save based on an older version.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from agencies.models import Membership, Region
from common.forms import PortalFormMixin, localized_formfield

from ..completeness import REQUIRED_FIELDS
from ..models import Attachment, Indicator, IndicatorValue, PracticeRevision, Theme
from ..models.revision import START_YEAR_MAX, START_YEAR_MIN
from ..sections import INDICATOR_FIELDS, RICHTEXT_FIELDS, SECTION_FIELDS, VALUE_FIELDS

MARKDOWN_HELP = _(
    "Bisa memakai Markdown: baris kosong untuk paragraf baru, “- ” untuk daftar, **tebal**, *miring*, "
    "[teks](https://alamat) untuk tautan. HTML lain dibuang saat disimpan."
)
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")


SUBMIT_REQUIRED = {name for _section, name in REQUIRED_FIELDS}


class SectionForm(PortalFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = PracticeRevision
        fields: list[str] = []
        formfield_callback = localized_formfield

    def __init__(self, *args, agency_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = name == "version"  # saving a draft demands nothing
            # ... but submitting does: the page marks these "(wajib)" (templates/includes/field.html).
            field.required_for_submit = name in SUBMIT_REQUIRED
            if name in RICHTEXT_FIELDS:
                field.help_text = MARKDOWN_HELP
                field.widget.attrs.setdefault("rows", 8)
        if "coauthors" in self.fields:
            # Co-authors come from the owning agency only.
            self.fields["coauthors"].queryset = (
                get_user_model()
                .objects.filter(memberships__agency_id=agency_id, memberships__state=Membership.State.ACTIVE)
                .order_by("full_name", "email")
            )
            self.fields["coauthors"].widget = forms.CheckboxSelectMultiple(choices=self.fields["coauthors"].choices)
        if "other_themes" in self.fields:
            self.fields["other_themes"].queryset = Theme.objects.all()
            self.fields["other_themes"].widget = forms.CheckboxSelectMultiple(
                choices=self.fields["other_themes"].choices
            )
        if "other_regions" in self.fields:
            self.fields["other_regions"].queryset = Region.objects.order_by("code")
            self.fields["other_regions"].widget.attrs["size"] = 12
            self.fields["other_regions"].help_text = _(
                "Provinsi atau kabupaten/kota lain tempat praktik ini juga berjalan. Tahan Ctrl (⌘ di Mac) untuk "
                "memilih lebih dari satu."
            )
        if "start_year" in self.fields:
            self.fields["start_year"].widget.attrs.update({"min": START_YEAR_MIN, "max": START_YEAR_MAX})
        if "cost" in self.fields:
            self.fields["cost"].help_text = _("Dalam rupiah, tanpa desimal, mis. 250.000.000.")
        if "summary" in self.fields:
            self.fields["summary"].widget.attrs["rows"] = 3

    def clean_summary(self):
        summary = self.cleaned_data.get("summary", "")
        if len(_SENTENCE_END.findall(summary.strip())) > 3:
            raise forms.ValidationError(_("Ringkasan paling banyak 3 kalimat; pindahkan rinciannya ke bagian lain."))
        return summary


def section_form_class(section: str) -> type[SectionForm]:
    return forms.modelform_factory(PracticeRevision, form=SectionForm, fields=SECTION_FIELDS[section])


class IndicatorForm(PortalFormMixin, forms.ModelForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Indicator
        fields = INDICATOR_FIELDS
        formfield_callback = localized_formfield
        help_texts = {"unit": _("Mis. hari, persen, orang, rupiah.")}
        error_messages = {
            "name": {"required": _("Isi nama indikator, atau kosongkan seluruh baris ini.")},
            "unit": {"required": _("Isi satuan indikator, mis. hari, persen, atau orang.")},
        }


class IndicatorValueForm(PortalFormMixin, forms.ModelForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    indicator = forms.ModelChoiceField(queryset=Indicator.objects.none(), label=_("Indikator"))

    class Meta:
        model = IndicatorValue
        fields = ["indicator", *VALUE_FIELDS]
        formfield_callback = localized_formfield
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, indicators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators if indicators is not None else Indicator.objects.none()


class RowsFormSet(forms.BaseFormSet):
    """Rows that can be removed once saved: a new, blank row has nothing to delete, so no box."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if forms.formsets.DELETION_FIELD_NAME in form.fields:
            form.fields[forms.formsets.DELETION_FIELD_NAME].label = _("Hapus baris ini")


IndicatorFormSet = forms.formset_factory(
    IndicatorForm, formset=RowsFormSet, extra=1, can_delete=True, can_delete_extra=False, max_num=50, validate_max=True
)
IndicatorFormSet.row_label = _("Indikator")
IndicatorValueFormSet = forms.formset_factory(
    IndicatorValueForm,
    formset=RowsFormSet,
    extra=1,
    can_delete=True,
    can_delete_extra=False,
    max_num=500,
    validate_max=True,
)
IndicatorValueFormSet.row_label = _("Baris nilai capaian")


def formset_rows(formset) -> list[dict]:
    """The rows of a valid formset for the service: changed forms and deletions, untouched extras skipped."""
    rows = []
    for form in formset.forms:
        if not form.has_changed() and not form.cleaned_data.get("id"):
            continue
        rows.append({**form.cleaned_data, "DELETE": form.cleaned_data.get("DELETE", False)})
    return rows


class AttachmentForm(PortalFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Berkas"),
        help_text=_("PDF, JPEG, PNG, WebP, docx, xlsx, pptx, odt, atau ods; paling besar 20 MB per berkas."),
    )
    title = forms.CharField(label=_("Keterangan"), max_length=200, required=False)
    purpose = forms.ChoiceField(label=_("Kegunaan"), choices=Attachment.Purpose.choices)
    alt_text = forms.CharField(
        label=_("Teks alternatif gambar sampul"),
        max_length=300,
        required=False,
        help_text=_(
            "Wajib untuk gambar sampul: apa yang tampak pada gambar, dalam satu kalimat (misalnya “Petugas melayani "
            "warga di loket Mal Pelayanan Publik”). Dibacakan untuk pembaca yang tidak dapat melihat gambar."
        ),
    )
    indicator = forms.ModelChoiceField(
        label=_("Bukti untuk indikator (opsional)"),
        queryset=Indicator.objects.none(),
        required=False,
        empty_label=_("— bukan untuk indikator tertentu —"),
    )

    def __init__(self, *args, indicators=None, **kwargs):
        super().__init__(*args, **kwargs)
        if indicators is not None:
            self.fields["indicator"].queryset = indicators

    def clean(self):
        cleaned = super().clean()
        # The service refuses it too; here the error lands on the field, with what was typed kept.
        if cleaned.get("purpose") == Attachment.Purpose.COVER and not (cleaned.get("alt_text") or "").strip():
            self.add_error(
                "alt_text",
                _("Tulis teks alternatif untuk gambar sampul: singkat, apa yang tampak pada gambar."),
            )
        return cleaned


class SubmitForm(forms.Form):
    """The submit button (no fields: marking a replication is the ledger's panel on the same page)."""
