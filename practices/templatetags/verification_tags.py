"""The verification panel of the review page and the public evidence badge with its explanation."""

from __future__ import annotations

from django import template

from ..access import verifier_role_for
from ..forms.verification import EvidenceLevelForm, VerificationForm
from ..models import Practice
from ..selectors.verification import practice_public_verifications, practice_verifications
from ..services.verification import EVIDENCE_LEVEL_REQUIREMENTS, evidence_level_missing

register = template.Library()


@register.simple_tag(takes_context=True)
def verification_panel_context(context, practice: Practice) -> dict:
    """The review panel's data: the records, and the forms this user may use (a bound form with errors from
    `views.verification` is reused)."""
    user = context["request"].user
    role = verifier_role_for(user=user, practice=practice)
    requirements = []
    for level, requirement in EVIDENCE_LEVEL_REQUIREMENTS.items():
        if requirement is not None:
            missing = evidence_level_missing(practice=practice, level=level)
            requirements.append(
                {"label": Practice.EvidenceLevel(level).label, "needs": requirement.needs, "met": not missing}
            )
    data = {
        "verifications": list(practice_verifications(practice=practice)),
        "requirements": requirements,
        "role": role,
        "form": None,
        "level_form": None,
    }
    if role is not None:
        data["form"] = context.get("verification_form") or VerificationForm(practice=practice)
    if role == "ministry":
        data["level_form"] = context.get("level_form") or EvidenceLevelForm(initial={"level": practice.evidence_level})
    return data


@register.inclusion_tag("practices/public/_evidence_badge.html")
def evidence_badge(practice: Practice) -> dict:
    """The evidence badge of a practice page; it opens what was verified, how and when."""
    return {"practice": practice, "verifications": practice_public_verifications(practice=practice)}
