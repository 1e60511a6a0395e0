from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from common.forms import EMPTY_CHOICE_LABEL

from ..models import Practice, Review
from ..models.review import RUBRIC_LABELS
from ..sections import SECTIONS
from ..selectors.moderation import moderator_choices
from ..workflow import DECISIONS


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


class SectionCommentsForm(forms.Form):
    """The one set of per-section comments on the review page: saved with a reviewer's assessment and sent as
    the requested changes with a "request changes" decision (the page's two buttons share it)."""

    prefix = "sections"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in SECTIONS:
            self.fields[f"section_{key}"] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
            )

    def section_comments(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"section_{key}", "") for key, _label in SECTIONS}

    def filled(self) -> bool:
        """Whether any comment is written (bound) or carried over (initial): the page opens the box then."""
        if self.is_bound:
            return any((self.data.get(self.add_prefix(name)) or "").strip() for name in self.fields)
        return any((value or "").strip() for value in self.initial.values())


DECISION_LABELS = {"approve": _("Setujui dan terbitkan"), "request_changes": _("Minta perbaikan"), "reject": _("Tolak")}


class GuardedRadioSelect(forms.RadioSelect):
    """Radio buttons with some choices shown but disabled (an approval the publish guard refuses)."""

    def __init__(self, *args, disabled_values=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.disabled_values = set(disabled_values)

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


class DecisionForm(forms.Form):
    """A moderator's decision. `guard` (services.guard.PublishGuard) adds the "not a duplicate" answer when the
    pre-screen flagged duplicates, and disables "approve" while required items are missing (the service
    refuses both anyway: the form only shows it before the click)."""

    prefix = "decision"

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
    not_duplicate = forms.BooleanField(
        label=_("Saya sudah memeriksa: praktik ini bukan duplikat praktik yang ditandai"), required=False
    )
    not_duplicate_reason = forms.CharField(
        label=_("Alasan bukan duplikat"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("Wajib saat menyetujui praktik yang ditandai kemungkinan duplikat; tercatat di riwayat."),
    )
    comment = forms.CharField(
        label=_("Catatan atau alasan"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args, guard=None, sections: SectionCommentsForm | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = sections
        if guard is None or not guard.needs_duplicate_answer:
            del self.fields["not_duplicate"]
            del self.fields["not_duplicate_reason"]
        if guard is not None and guard.blocked:
            self.fields["decision"].widget = GuardedRadioSelect(
                choices=self.fields["decision"].choices, disabled_values={"approve"}
            )

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        comment = (data.get("comment") or "").strip()
        if decision == "reject" and not comment:
            self.add_error("comment", _("Alasan penolakan wajib diisi."))
        if decision == "request_changes" and not comment and not self._any_section_comment():
            self.add_error("comment", _("Tuliskan perbaikan yang diminta, minimal untuk satu bagian."))
        if decision == "approve" and "not_duplicate" in self.fields:
            if not data.get("not_duplicate"):
                self.add_error("not_duplicate", _("Centang ini bila praktik ini memang bukan duplikat."))
            if not (data.get("not_duplicate_reason") or "").strip():
                self.add_error("not_duplicate_reason", _("Tuliskan alasan mengapa praktik ini bukan duplikat."))
        return data

    def _any_section_comment(self) -> bool:
        if self.sections is None or not self.sections.is_valid():
            return False
        return any(v.strip() for v in self.sections.section_comments().values())


class ReviewForm(forms.Form):
    """A reviewer's rubric scores, recommendation and note (the section comments are the page's one set)."""

    prefix = "review"

    recommendation = forms.ChoiceField(label=_("Rekomendasi"), choices=Review.Recommendation.choices)
    comment = forms.CharField(
        label=_("Catatan penilaian"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion, weight in settings.REVIEW_RUBRIC_WEIGHTS.items():
            self.fields[f"score_{criterion}"] = forms.IntegerField(
                label=format_lazy("{} ({}%)", RUBRIC_LABELS.get(criterion, criterion), weight),
                min_value=0,
                max_value=10,
                help_text=_("0–10"),
            )
        # The scores first, as a reviewer works: judge each criterion, then recommend.
        self.order_fields([f"score_{c}" for c in settings.REVIEW_RUBRIC_WEIGHTS])

    def scores(self) -> dict[str, int]:
        return {c: self.cleaned_data[f"score_{c}"] for c in settings.REVIEW_RUBRIC_WEIGHTS}

    def score_fields(self):
        return [self[f"score_{c}"] for c in settings.REVIEW_RUBRIC_WEIGHTS]


class ReassignForm(forms.Form):
    practices = forms.TypedMultipleChoiceField(label=_("Praktik"), coerce=int, choices=[])
    reviewer = forms.ModelChoiceField(
        label=_("Alihkan ke"), queryset=User.objects.none(), empty_label=EMPTY_CHOICE_LABEL
    )

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
    reviewer = forms.ModelChoiceField(
        label=_("Tugaskan juga"), queryset=User.objects.none(), required=False, empty_label=EMPTY_CHOICE_LABEL
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = moderator_choices()
