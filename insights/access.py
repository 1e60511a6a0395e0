"""Who may see what on the read-only pages. Each answer is built on `agencies.roles.roles_for` and nothing else;
the views ask these functions and compare no role themselves."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from agencies.models import Agency
from agencies.roles import roles_for


@dataclass(frozen=True)
class MentoringScope:
    needing: bool  # the list of agencies needing mentoring (moderators)
    agency: Agency | None  # the agency whose mentors are suggested (its admin), or None


def mentoring_scope_for(*, user) -> MentoringScope:
    """What the mentoring page shows this person: moderators see the agencies needing mentoring, an agency
    admin the mentors suggested for their agency (one person may be both). Anyone else gets 404, so that the
    page does not announce itself."""
    roles = roles_for(user)
    agency = roles.membership.agency if roles.agency_admin else None
    if not roles.moderator and agency is None:
        raise Http404
    return MentoringScope(needing=roles.moderator, agency=agency)


def statistics_funnel_visible(*, user) -> bool:
    """The review funnel (queues, medians, overdue reviews, rejection reasons) is for moderators only."""
    return roles_for(user).moderator
