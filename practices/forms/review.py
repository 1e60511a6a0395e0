from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from ..models import Practice, Review
from ..sections import SECTIONS
from ..selectors.moderation import moderator_choices
from ..workflow import DECISIONS

RUBRIC_LABELS = {
    "significance": _("Signifikansi"),
    "novelty": _("Kebaruan"),
    "adaptability": _("Kemampuan adaptasi/replikasi"),
    "sustainability": _("Keberlanjutan"),
    "evidence": _("Bukti"),
}


class AgencyDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Keputusan"),
        choices=[("approve", _("Ajukan ke kementerian")), ("return", _("Kembalikan ke penulis"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Catatan"), required=False, widget=forms.Textarea, max_length=5000)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Tuliskan alasan pengembalian agar penulis tahu apa yang harus diperbaiki."))
        return data


class SectionCommentsMixin:
    def _add_section_fields(self, label_prefix):
        for key, label in SECTIONS:
            self.fields[f"section_{key}"] = forms.CharField(
                label=format_lazy_pair(label_prefix, label), required=False, widget=forms.Textarea, max_length=5000
            )

    def section_comments(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"section_{key}", "") for key, _label in SECTIONS}

    def section_fields(self):
        return [self[f"section_{key}"] for key, _label in SECTIONS]


def format_lazy_pair(prefix, label):
    return format_lazy("{}: {}", prefix, label)


DECISION_LABELS = {"approve": _("Setujui dan terbitkan"), "request_changes": _("Minta perbaikan"), "reject": _("Tolak")}


class DecisionForm(SectionCommentsMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Keputusan"),
        choices=[(decision, DECISION_LABELS[decision]) for decision in DECISIONS],
        widget=forms.RadioSelect,
    )
    evidence_level = forms.ChoiceField(
        label=_("Tingkat bukti"),
        choices=Practice.EvidenceLevel.choices,
        initial=Practice.EvidenceLevel.SELF_REPORTED,
        required=False,
        help_text=_("Dipakai saat menyetujui."),
    )
    comment = forms.CharField(label=_("Catatan atau alasan"), required=False, widget=forms.Textarea, max_length=5000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_section_fields(_("Perbaikan"))

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        comment = (data.get("comment") or "").strip()
        if decision == "reject" and not comment:
            self.add_error("comment", _("Alasan penolakan wajib diisi."))
        if (
            decision == "request_changes"
            and not comment
            and not any(v.strip() for v in self.section_comments().values())
        ):
            self.add_error("comment", _("Tuliskan perbaikan yang diminta, minimal untuk satu bagian."))
        return data


class ReviewForm(SectionCommentsMixin, forms.Form):
    recommendation = forms.ChoiceField(label=_("Rekomendasi"), choices=Review.Recommendation.choices)
    comment = forms.CharField(label=_("Catatan"), required=False, widget=forms.Textarea, max_length=5000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion, weight in settings.REVIEW_RUBRIC_WEIGHTS.items():
            self.fields[f"score_{criterion}"] = forms.IntegerField(
                label=format_lazy_pair(RUBRIC_LABELS.get(criterion, criterion), f"{weight}%"),
                min_value=0,
                max_value=10,
                help_text=_("0–10"),
            )
        self._add_section_fields(_("Komentar"))

    def scores(self) -> dict[str, int]:
        return {c: self.cleaned_data[f"score_{c}"] for c in settings.REVIEW_RUBRIC_WEIGHTS}

    def score_fields(self):
        return [self[f"score_{c}"] for c in settings.REVIEW_RUBRIC_WEIGHTS]


class ReassignForm(forms.Form):
    practices = forms.TypedMultipleChoiceField(label=_("Praktik"), coerce=int, choices=[])
    reviewer = forms.ModelChoiceField(label=_("Alihkan ke"), queryset=User.objects.none())

    def __init__(self, *args, practice_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practices"].choices = [(pk, pk) for pk in practice_ids]
        self.fields["reviewer"].queryset = moderator_choices()


class ArchiveForm(forms.Form):
    reason = forms.CharField(label=_("Alasan"), widget=forms.Textarea, max_length=5000)
    stopped = forms.BooleanField(label=_("Praktik ini sudah dihentikan"), required=False)


class TwoReviewersForm(forms.Form):
    """A lead moderator's rule for one revision: two assigned reviewers must agree; optionally add one."""

    required = forms.BooleanField(label=_("Wajibkan dua peninjau sepakat"), required=False)
    reviewer = forms.ModelChoiceField(label=_("Tugaskan juga"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = moderator_choices()
