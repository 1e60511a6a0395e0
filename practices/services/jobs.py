"""Scheduled jobs of the review workflow: SLA reminders and escalations, the half-yearly freshness check, and the
sweeper that queues pre-screens again after a broker outage. Each is idempotent (a retried run sends nothing twice).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.selectors import lead_moderators
from agencies.roles import agency_people
from common.cache import public_cache_invalidate
from common.tasks import enqueue
from common.workdays import working_days_between
from notifications.services.notify import notify

from ..models import Practice, PracticeRevision, ReviewAssignment
from .notices import notification_context, review_url

S = PracticeRevision.State


def screenings_requeue() -> int:
    """Queue the pre-screen again for revisions submitted over 10 minutes ago that are still `submitted`."""
    cutoff = timezone.now() - timedelta(minutes=10)
    ids = list(
        PracticeRevision.objects.filter(state=S.SUBMITTED, submitted_at__lt=cutoff).values_list("pk", flat=True)[:200]
    )
    for pk in ids:
        if not enqueue("practices.tasks.revision_screen", pk):
            break  # the broker is down: the next run tries again
    return len(ids)


SLA_REMIND_WORKING_DAYS = 5
SLA_ESCALATE_WORKING_DAYS = 10
CHANGES_REMIND_DAYS = 30
FRESHNESS_INTERVAL_DAYS = 182
FRESHNESS_ANSWER_DAYS = 30


def reviews_sla_remind() -> dict[str, int]:
    """Remind reviewers of reviews waiting > 5 working days, escalate > 10 to the leads, and remind agencies of
    changes requested > 30 days ago. Each reminder is sent once (dedupe keys), so the job can run hourly."""
    now = timezone.now()
    counts = {"reminded": 0, "escalated": 0, "agency_reminded": 0}
    open_assignments = ReviewAssignment.objects.open().filter(
        revision__state__in=[S.SUBMITTED, S.IN_REVIEW], assigned_at__lt=now - timedelta(days=SLA_REMIND_WORKING_DAYS)
    )
    for assignment in open_assignments.select_related("revision__practice__agency", "reviewer"):
        revision, practice = assignment.revision, assignment.revision.practice
        waited = working_days_between(assignment.assigned_at, now)
        if waited > SLA_REMIND_WORKING_DAYS:
            counts["reminded"] += bool(
                notify(
                    recipients=[assignment.reviewer],
                    kind="sla_reminder",
                    context=notification_context(practice=practice, revision=revision, days=SLA_REMIND_WORKING_DAYS),
                    target_url=review_url(practice=practice),
                    dedupe_key=f"sla-remind:a{assignment.pk}",
                )
            )
        if waited > SLA_ESCALATE_WORKING_DAYS:
            counts["escalated"] += bool(
                notify(
                    recipients=lead_moderators(),
                    kind="sla_escalation",
                    context=notification_context(
                        practice=practice,
                        revision=revision,
                        days=SLA_ESCALATE_WORKING_DAYS,
                        reviewer=assignment.reviewer,
                    ),
                    target_url=review_url(practice=practice),
                    dedupe_key=f"sla-escalate:a{assignment.pk}",
                )
            )
    stale = PracticeRevision.objects.filter(
        state=S.CHANGES_REQUESTED, decided_at__lt=now - timedelta(days=CHANGES_REMIND_DAYS)
    ).select_related("practice__agency")
    for revision in stale:
        practice = revision.practice
        if practice.working_revision_id != revision.pk:
            continue
        counts["agency_reminded"] += bool(
            notify(
                recipients=agency_people(agency_id=practice.agency_id),
                kind="changes_reminder",
                context=notification_context(practice=practice, revision=revision, days=CHANGES_REMIND_DAYS),
                target_url=review_url(practice=practice),
                dedupe_key=f"changes-remind:r{revision.pk}:{revision.decided_at:%Y%m%d%H%M%S}",
            )
        )
    return counts


def practices_freshness_check() -> dict[str, int]:
    """Ask agencies to confirm practices unconfirmed for 6 months; mark those unanswered after 30 days."""
    now = timezone.now()
    counts = {"asked": 0, "lapsed": 0}
    due = Practice.objects.listed().filter(  # a stopped practice is not asked whether it still runs
        last_confirmed_at__lt=now - timedelta(days=FRESHNESS_INTERVAL_DAYS), confirmation_requested_at__isnull=True
    )
    for practice in due.select_related("agency", "live_revision"):
        with transaction.atomic():
            Practice.objects.filter(pk=practice.pk).update(confirmation_requested_at=now)
            notify(
                recipients=agency_people(agency_id=practice.agency_id),
                kind="freshness_request",
                context={"title": practice.title, "agency": practice.agency.name},
                target_url=review_url(practice=practice),
                dedupe_key=f"fresh-ask:p{practice.pk}:{now:%Y%m%d}",
            )
        counts["asked"] += 1
    lapsed = Practice.objects.listed().filter(
        confirmation_requested_at__lt=now - timedelta(days=FRESHNESS_ANSWER_DAYS), not_recently_confirmed=False
    )
    for practice in lapsed.select_related("agency"):
        with transaction.atomic():
            Practice.objects.filter(pk=practice.pk).update(not_recently_confirmed=True)
            notify(
                recipients=agency_people(agency_id=practice.agency_id, admins_only=True),
                kind="freshness_lapsed",
                context={"title": practice.title, "agency": practice.agency.name, "days": FRESHNESS_ANSWER_DAYS},
                target_url=review_url(practice=practice),
                dedupe_key=f"fresh-lapsed:p{practice.pk}:{practice.confirmation_requested_at:%Y%m%d}",
            )
        counts["lapsed"] += 1
    if counts["asked"] or counts["lapsed"]:
        public_cache_invalidate()  # "not confirmed since …" is on public pages and cards
    return counts
