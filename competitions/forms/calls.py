"""Forms of the calls: the lead's call form with its rubric and stages (formsets preloaded with KIPP's
defaults), an agency admin's entry, the lead's reviewer invitation. Forms validate; services write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from common.forms import LocalizedDecimalField, PortalFormMixin
from practices.models import Theme

from ..models import OBJECTION_DAYS_DEFAULT, Stage

MARKDOWN_HELP = _("Bisa memakai Markdown: baris kosong untuk paragraf baru, “- ” untuk daftar, **tebal**, *miring*.")
JAKARTA_HELP = _("Waktu Indonesia Barat (Asia/Jakarta), mis. 2027-03-31 23:59.")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


class JakartaDateTimeField(forms.DateTimeField):
    """A date and time typed in Asia/Jakarta (the current time zone: settings.TIME_ZONE)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATETIME_FORMATS)
        kwargs.setdefault("widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
        kwargs.setdefault("help_text", JAKARTA_HELP)
        kwargs.setdefault("error_messages", {"invalid": _("Tulis tanggal dan jam, mis. 2027-03-31 23:59.")})
        super().__init__(**kwargs)


class CallForm(PortalFormMixin, forms.Form):
    title = forms.CharField(label=_("Judul"), max_length=200)
    description = forms.CharField(
        label=_("Deskripsi"), required=False, widget=forms.Textarea(attrs={"rows": 6}), help_text=MARKDOWN_HELP
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Tema yang dapat ikut"),
        queryset=Theme.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kosongkan bila semua tema dapat ikut."),
    )
    agency_kinds = forms.MultipleChoiceField(
        label=_("Jenis instansi yang dapat ikut"),
        choices=Agency.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kosongkan bila semua jenis instansi dapat ikut."),
    )
    opens_at = JakartaDateTimeField(label=_("Pendaftaran dibuka"))
    closes_at = JakartaDateTimeField(label=_("Batas pendaftaran"))
    objection_days = forms.IntegerField(
        label=_("Lama masa sanggah (hari)"), min_value=1, max_value=30, initial=OBJECTION_DAYS_DEFAULT
    )

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("Batas pendaftaran harus setelah pendaftaran dibuka."))
        return data


class CriterionForm(PortalFormMixin, forms.Form):
    name = forms.CharField(label=_("Kriteria"), max_length=200, required=False)
    description = forms.CharField(label=_("Penjelasan"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    weight = forms.IntegerField(label=_("Bobot (%)"), min_value=1, max_value=100, required=False)
    max_score = forms.IntegerField(label=_("Nilai tertinggi"), min_value=1, max_value=100, required=False, initial=10)

    def clean(self):
        data = super().clean()
        if data.get("name") and not data.get("weight"):
            self.add_error("weight", _("Tulis bobot kriteria ini."))
        return data


class StageForm(PortalFormMixin, forms.Form):
    name = forms.CharField(label=_("Nama tahap"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Jenis"), choices=Stage.Kind.choices, initial=Stage.Kind.SCORING)
    is_scored = forms.BooleanField(label=_("Dinilai dengan rubrik"), required=False, initial=True)
    min_reviews = forms.IntegerField(label=_("Penilaian minimum per peserta"), min_value=1, max_value=9, initial=2)
    advance_top_n = forms.IntegerField(label=_("Lolos: N teratas"), min_value=1, required=False)
    advance_min_score = LocalizedDecimalField(
        label=_("Lolos: nilai minimum"), min_value=0, max_value=100, decimal_places=2, required=False
    )


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, max_num=20, absolute_max=30)
StageFormSet = forms.formset_factory(StageForm, extra=1, max_num=10, absolute_max=15)


def formset_rows(formset) -> list[dict]:
    """The filled rows of a valid formset, in order (empty rows dropped)."""
    return [form.cleaned_data for form in formset.forms if form.cleaned_data and form.cleaned_data.get("name")]


class EntryForm(PortalFormMixin, forms.Form):
    practice = forms.TypedChoiceField(label=_("Praktik instansi Anda"), coerce=int)

    def __init__(self, *args, practices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practice"].choices = [
            (p.pk, p.title or (p.working_revision.title if p.working_revision else "") or str(p.pk)) for p in practices
        ]
        self.fields["practice"].error_messages["invalid_choice"] = _("Pilih salah satu praktik instansi Anda.")


class ReviewerInviteForm(PortalFormMixin, forms.Form):
    email = forms.EmailField(label=_("Email"))
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=150, required=False)
    affiliation = forms.CharField(
        label=_("Afiliasi (untuk pakar baru)"),
        max_length=200,
        required=False,
        help_text=_("Moderator kementerian dan pakar yang sudah terdaftar cukup dengan email."),
    )
