"""Forms of the replication ledger and Q&A pages."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.formatting import number_display
from common.forms import LocalizedDecimalField

from .models import Replication


class ReplicationStepForm(forms.Form):
    # An <input type="date"> shows only an ISO value; the localised default ("15/01/2025") left it empty.
    date = forms.DateField(label=_("Tanggal"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(
        label=_("Catatan"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence_url = forms.URLField(label=_("Tautan bukti (opsional)"), required=False, assume_scheme="https")

    def __init__(self, *args, prefix_id: str = "", **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if prefix_id:
            self.auto_id = f"id_{prefix_id}_%s"

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("Tanggal tidak boleh di masa depan."))
        return date


class ReplicationAdvanceForm(ReplicationStepForm):
    stage = forms.ChoiceField(label=_("Tahap yang dicapai"), choices=[])
    skip_reason = forms.CharField(
        label=_("Alasan melewati tahap"),
        help_text=_("Wajib bila tahap yang dipilih bukan tahap berikutnya: tahap di antaranya tidak tercatat."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    field_order = ["stage", "skip_reason", "date", "note", "evidence_url"]

    def __init__(self, *args, replication: Replication, indicators=(), **kwargs):
        super().__init__(*args, prefix_id=f"adv{replication.pk}", **kwargs)
        self.replication = replication
        later = Replication.STAGE_ORDER[replication.stage_index + 1 :]
        labels = dict(Replication.Stage.choices)
        self.fields["stage"].choices = [(s, labels[s]) for s in later]
        # At the results stage the replicating agency reports the source's indicators, measured the same way.
        for indicator in indicators:
            self.fields[f"result_{indicator.pk}"] = LocalizedDecimalField(
                label=_("Hasil: %(name)s (%(unit)s)") % {"name": indicator.name, "unit": indicator.unit},
                help_text=_("Hanya untuk tahap “Hasil”. Target praktik asal: %(target)s")
                % {"target": number_display(indicator.target_value) or "–"},
                required=False,
                max_digits=18,
                decimal_places=4,
            )

    def results(self) -> dict:
        return {
            int(name.removeprefix("result_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("result_") and value is not None
        }

    def clean(self):
        cleaned = super().clean()
        if self.results() and cleaned.get("stage") != Replication.Stage.RESULTS:
            raise forms.ValidationError(_("Nilai indikator hanya diisi pada tahap “Hasil”."))
        stage = cleaned.get("stage")
        if stage and Replication.STAGE_ORDER.index(stage) > self.replication.stage_index + 1:
            if not (cleaned.get("skip_reason") or "").strip():
                self.add_error(
                    "skip_reason", _("Tahap maju satu per satu; tuliskan alasan bila melewati tahap di antaranya.")
                )
        return cleaned


class ReplicationMarkForm(forms.Form):
    """Which published practice the new practice replicates, among those the submit page lists as similar."""

    source = forms.TypedChoiceField(
        label=_("Praktik ini replikasi dari"), coerce=int, widget=forms.RadioSelect, choices=[]
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "id_mark_%s"
        self.fields["source"].choices = [
            (p.pk, _("“%(title)s” (%(agency)s)") % {"title": p.title, "agency": p.agency.name}) for p in candidates
        ]


class StepResponseForm(forms.Form):
    response = forms.CharField(label=_("Tanggapan"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, step_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_resp{step_id}_%s"


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Pertanyaan Anda"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Jawaban"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    is_public = forms.BooleanField(label=_("Tampilkan sebagai FAQ di halaman praktik"), required=False)

    def __init__(self, *args, question_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_q{question_id}_%s"
