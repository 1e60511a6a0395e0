"""The automated pre-screen of a submitted revision, run by a Celery job queued after commit.

The slow checks (links over HTTP, file hashes) run without any lock; the results are then written, a reviewer
assigned and the revision moved submitted → in_review (as "system") in one short transaction that first checks,
under the practice's row lock, that the revision is still the submitted working revision. So a retried or
duplicated job, or one that lost a race with a moderator's decision, changes nothing.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.postgres.search import TrigramSimilarity
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Greatest

from accounts.models import User
from common.tasks import enqueue_on_commit

from ..completeness import revision_completeness, revision_missing_items
from ..models import IndicatorValue, Practice, PracticeRevision, Screening
from ..sections import TEXT_FIELDS
from ..workflow import revision_transition
from .assignment import revision_assign

logger = logging.getLogger(__name__)
S = PracticeRevision.State

URL_RE = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)


def screening_queue_on_commit(*, revision_id: int) -> None:
    """Queue the pre-screen once the transaction that submitted the revision commits (never before); with the
    broker down, `screenings_requeue` picks the revision up later."""
    enqueue_on_commit("practices.tasks.revision_screen", revision_id)


def revision_near_duplicates(revision: PracticeRevision, *, limit: int = 5) -> list[dict]:
    """Other practices whose title or summary (live or working revision) is similar (pg_trgm)."""
    threshold = settings.SCREENING_DUPLICATE_THRESHOLD
    candidates = (
        PracticeRevision.objects.exclude(practice_id=revision.practice_id)
        .exclude(state=S.SUPERSEDED)
        .annotate(
            score=Greatest(
                TrigramSimilarity("title", revision.title or ""), TrigramSimilarity("summary", revision.summary or "")
            )
        )
        .filter(score__gte=threshold)
        .order_by("-score")
        .values("practice_id", "title", "score")[: limit * 4]
    )
    best: dict[int, dict] = {}
    for row in candidates:
        if row["practice_id"] not in best:
            best[row["practice_id"]] = {
                "practice_id": row["practice_id"],
                "title": row["title"],
                "score": round(float(row["score"]), 2),
            }
    return list(best.values())[:limit]


def revision_attachment_check(revision: PracticeRevision) -> list[dict]:
    """Every file the revision shows (carried ones included) still exists with the size and sha256 of upload."""
    results = []
    for attachment in revision.files.all():
        entry = {"id": attachment.pk, "name": attachment.original_name, "ok": True, "problem": ""}
        try:
            digest = hashlib.sha256()
            size = 0
            with attachment.file.open("rb") as fh:
                for chunk in iter(lambda fh=fh: fh.read(1024 * 1024), b""):
                    digest.update(chunk)
                    size += len(chunk)
        except (OSError, ValueError):
            entry.update(ok=False, problem="missing")
        else:
            if size != attachment.size:
                entry.update(ok=False, problem="size")
            elif digest.hexdigest() != attachment.sha256:
                entry.update(ok=False, problem="sha256")
        results.append(entry)
    return results


def revision_urls(revision: PracticeRevision) -> list[str]:
    urls: list[str] = []
    for name in TEXT_FIELDS:
        urls += URL_RE.findall(getattr(revision, name) or "")
    for indicator in revision.indicators.all():
        if indicator.evidence_url:
            urls.append(indicator.evidence_url)
    urls += [
        v
        for v in IndicatorValue.objects.filter(indicator__revision=revision).values_list("evidence_url", flat=True)
        if v
    ]
    seen: dict[str, None] = {}
    for url in urls:
        seen.setdefault(url.rstrip(".,;:"), None)
    return list(seen)[:30]


def _is_private(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved:
            return True
    return False


def link_check(url: str) -> dict:
    """HEAD (then GET when HEAD is refused) with a short timeout; never raises."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return {"url": url, "ok": False, "status": None, "error": "scheme"}
    if not settings.SCREENING_ALLOW_PRIVATE_LINKS and _is_private(parts.hostname):
        return {"url": url, "ok": None, "status": None, "error": "private"}
    timeout = settings.SCREENING_LINK_TIMEOUT
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": "RBX-Portal-linkcheck"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
                return {"url": url, "ok": True, "status": response.status, "error": ""}
        except urllib.error.HTTPError as exc:
            if method == "HEAD" and exc.code in (405, 501):
                continue
            return {"url": url, "ok": False, "status": exc.code, "error": ""}
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return {"url": url, "ok": False, "status": None, "error": type(exc).__name__}
    return {"url": url, "ok": False, "status": None, "error": ""}


def moderator_with_fewest_open_reviews() -> User | None:
    return (
        User.objects.moderators()
        .annotate(open_reviews=Count("review_assignments", filter=Q(review_assignments__completed_at__isnull=True)))
        .order_by("open_reviews", "ministry_role", "pk")  # ordinary moderators before leads on a tie
        .first()
    )


def revision_screen(*, revision_id: int) -> Screening | None:
    """Run the pre-screen for a submitted revision; None when there is nothing (any more) to screen."""
    revision = PracticeRevision.objects.select_related("practice").filter(pk=revision_id).first()
    if revision is None or revision.state != S.SUBMITTED:
        return None
    completeness = revision_completeness(revision)
    missing = [item.label for item in revision_missing_items(revision)]
    duplicates = revision_near_duplicates(revision)
    attachments = revision_attachment_check(revision)
    links = [link_check(url) for url in revision_urls(revision)]

    with transaction.atomic():
        practice = Practice.objects.select_for_update().get(pk=revision.practice_id)
        revision = PracticeRevision.objects.select_for_update().get(pk=revision_id)
        if practice.working_revision_id != revision.pk or revision.state != S.SUBMITTED:
            return None
        reviewer = moderator_with_fewest_open_reviews()
        screening = Screening.objects.create(
            revision=revision,
            completeness=completeness,
            missing=missing,
            duplicates=duplicates,
            attachments=attachments,
            links=links,
            assigned_to=reviewer,
        )
        if reviewer is not None:
            revision_assign(revision=revision, reviewer=reviewer, by=None)
        revision_transition(practice_id=practice.pk, to_state=S.IN_REVIEW, by=None, comment="")
    return screening
