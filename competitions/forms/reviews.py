"""Forms of the stages and reviews: the reviewer's scoring form (one field per criterion of the call's rubric),
a conflict declaration, the lead's assignment and advance decision."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import LocalizedDecimalField, PortalFormMixin

from ..models import AdvanceDecision, Review


class ReviewForm(PortalFormMixin, forms.Form):
    """`score_<criterion id>` per criterion in a scored stage, `verdict` in a screening; comments in both."""

    verdict = forms.ChoiceField(label=_("Keputusan"), choices=Review.Verdict.choices, widget=forms.RadioSelect)
    comment_for_author = forms.CharField(
        label=_("Catatan untuk pengusul"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Dibaca instansi pengusul setelah tahap ini ditutup, tanpa nama Anda."),
    )
    private_note = forms.CharField(
        label=_("Catatan internal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hanya untuk pimpinan dan penilai; tidak pernah ditampilkan kepada pengusul."),
    )

    def __init__(self, *args, stage, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria) if stage.is_scored else []
        if stage.is_scored:
            del self.fields["verdict"]
            for criterion in reversed(self.criteria):
                field = LocalizedDecimalField(
                    label=_("%(name)s (bobot %(weight)s%%, 0–%(max)s)")
                    % {"name": criterion.name, "weight": criterion.weight, "max": criterion.max_score},
                    min_value=0,
                    max_value=criterion.max_score,
                    decimal_places=2,
                    help_text=criterion.description,
                )
                field.error_messages["required"] = _("Beri nilai untuk kriteria ini.")
                self.fields = {f"score_{criterion.pk}": field, **self.fields}
        else:
            self.fields["verdict"].error_messages["required"] = _("Pilih apakah peserta memenuhi syarat.")

    def scores(self) -> dict:
        return {c.pk: self.cleaned_data[f"score_{c.pk}"] for c in self.criteria}


class ConflictForm(PortalFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Alasan konflik kepentingan"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(PortalFormMixin, forms.Form):
    entry = forms.TypedChoiceField(label=_("Peserta yang dinilai"), coerce=int)
    reviewer = forms.TypedChoiceField(label=_("Penilai yang ditugaskan"), coerce=int)

    def __init__(self, *args, entries=(), reviewers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [
            (e.pk, f"{e.practice.title or e.practice.working_revision.title} · {e.agency.name}") for e in entries
        ]
        self.fields["reviewer"].choices = [
            (r.user_id, f"{r.user.get_full_name()} ({r.get_kind_display()})") for r in reviewers
        ]


class AdvanceForm(PortalFormMixin, forms.Form):
    rule = forms.ChoiceField(
        label=_("Aturan kelolosan"),
        choices=[(AdvanceDecision.Rule.TOP_N, _("N teratas")), (AdvanceDecision.Rule.MIN_SCORE, _("Nilai minimum"))],
        widget=forms.RadioSelect,
    )
    top_n = forms.IntegerField(label=_("N teratas"), min_value=1, required=False)
    min_score = LocalizedDecimalField(label=_("Nilai minimum"), min_value=0, max_value=100, required=False)
    note = forms.CharField(label=_("Catatan keputusan"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
