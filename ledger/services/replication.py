"""The replication ledger: agency B applying agency A's practice, stage by stage.

Every write locks the replication (or the source practice) before checking its state, keeps the source's
denormalised counters (`replication_count`, `provinces_reached`) in the same transaction, and tells the
other agency through `_notify`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.roles import agency_people
from common.cache import public_cache_invalidate
from notifications.services.notify import notify
from practices.models import Indicator, Practice, PracticeRevision

from ..access import (
    agency_member_require,
    replication_replicator_require,
    replication_source_require,
    replication_start_require,
)
from ..models import Replication, ReplicationResult, ReplicationStep


def _notify(*, recipients, kind: str, context: dict, target_url: str) -> None:
    """Tell people about a ledger or Q&A event: outbox rows in the caller's transaction (emails after commit)."""
    notify(recipients=recipients, kind=kind, context=context, target_url=target_url)


def _province_id(agency: Agency) -> int | None:
    if agency.region_id is None:
        return None
    return agency.region.province_id or agency.region_id


def practice_replication_counters_update(*, practice_id: int) -> Practice:
    """Recompute the source's counters from the ledger (called inside the writers' transactions).

    N = distinct agencies whose replication reached "launched"; M = distinct provinces of those agencies
    (a province's own government counts for its province; central agencies reach no province).
    """
    practice = Practice.objects.select_for_update().get(pk=practice_id)
    agencies = Agency.objects.filter(
        replications__source_id=practice_id, replications__stage__in=Replication.COUNTED_STAGES
    ).select_related("region")
    agencies = list(agencies.distinct())
    provinces = {p for p in (_province_id(a) for a in agencies) if p is not None}
    practice.replication_count = len(agencies)
    practice.provinces_reached = len(provinces)
    practice.save(update_fields=["replication_count", "provinces_reached", "updated_at"])
    public_cache_invalidate()  # counts and stages are on public pages (cards, the practice, its agency)
    return practice


@transaction.atomic
def replication_start(
    *, source: Practice, by, date: datetime.date, note: str = "", evidence_url: str = ""
) -> Replication:
    """Agency B (the user's agency) declares interest in replicating `source`, a published practice of another
    agency. One replication per (source, agency): a second start is refused (the unique constraint backs it).
    """
    agency_id = agency_member_require(user=by, message=_("Hanya anggota instansi yang dapat melakukan langkah ini."))
    source = Practice.objects.select_for_update().select_related("agency").get(pk=source.pk)
    if source.status != Practice.Status.PUBLISHED:
        raise ValidationError(_("Hanya praktik yang sudah terbit yang dapat direplikasi."), code="not_published")
    replication_start_require(user=by, source=source)
    if Replication.objects.filter(source=source, agency_id=agency_id).exists():
        raise ValidationError(_("Instansi Anda sudah tercatat mereplikasi praktik ini."), code="duplicate")
    try:
        with transaction.atomic():
            replication = Replication.objects.create(
                source=source, agency_id=agency_id, stage=Replication.Stage.INTEREST, started_by=by
            )
    except IntegrityError as exc:  # a concurrent start by a colleague
        raise ValidationError(_("Instansi Anda sudah tercatat mereplikasi praktik ini."), code="duplicate") from exc
    step = ReplicationStep(
        replication=replication,
        stage=Replication.Stage.INTEREST,
        date=date,
        note=note,
        evidence_url=evidence_url,
        recorded_by=by,
    )
    step.full_clean()
    step.save()
    _notify_source(replication=replication, kind="replication_started")
    public_cache_invalidate()  # the practice and agency pages list who replicates
    return replication


@transaction.atomic
def replication_advance(
    *,
    replication_id: int,
    to_stage: str,
    by,
    date: datetime.date,
    note: str = "",
    evidence_url: str = "",
    results: dict[int, Decimal] | None = None,
) -> Replication:
    """Record that the replication reached `to_stage` (a later stage; skipping one is allowed, going back is not).

    Only members of the replicating agency may record stages. The row is locked before the stage is checked,
    so two colleagues recording at once cannot both move it. At the "results" stage, `results` maps indicators
    of the source's live revision to the values the replicating agency measured (same name and unit).
    """
    replication = Replication.objects.select_for_update().select_related("source", "agency").get(pk=replication_id)
    replication_replicator_require(
        user=by, replication=replication, message=_("Hanya instansi replikator yang mencatat tahap replikasi.")
    )
    if to_stage not in Replication.STAGE_ORDER:
        raise ValidationError(_("Tahap tidak dikenal."), code="invalid_stage")
    if Replication.STAGE_ORDER.index(to_stage) <= replication.stage_index:
        raise ValidationError(
            _("Tahap replikasi hanya bisa maju: sekarang “%(stage)s”.")
            % {"stage": Replication.Stage(replication.stage).label},
            code="backwards",
        )
    step = ReplicationStep(
        replication=replication, stage=to_stage, date=date, note=note, evidence_url=evidence_url, recorded_by=by
    )
    step.full_clean()
    step.save()
    if results:
        _results_record(step=step, replication=replication, results=results, date=date)
    replication.stage = to_stage
    replication.save(update_fields=["stage", "updated_at"])
    practice_replication_counters_update(practice_id=replication.source_id)
    _notify_source(replication=replication, kind="replication_stage")
    return replication


def _results_record(*, step: ReplicationStep, replication: Replication, results: dict, date) -> None:
    if step.stage != Replication.Stage.RESULTS:
        raise ValidationError(_("Nilai indikator hanya dicatat pada tahap hasil."), code="results_stage")
    allowed = set(
        Indicator.objects.filter(revision_id=replication.source.live_revision_id).values_list("pk", flat=True)
    )
    unknown = set(results) - allowed
    if unknown:
        raise ValidationError(_("Indikator tidak dikenal untuk praktik asal ini."), code="unknown_indicator")
    ReplicationResult.objects.bulk_create(
        [ReplicationResult(step=step, indicator_id=pk, value=value, date=date) for pk, value in results.items()]
    )


@transaction.atomic
def replication_step_respond(*, step_id: int, by, response: str) -> ReplicationStep:
    """The source agency answers a step (accepts a study visit, shares documents). Rewriting it is allowed."""
    step = ReplicationStep.objects.select_for_update().select_related("replication__source").get(pk=step_id)
    replication_source_require(user=by, replication=step.replication)
    if not response.strip():
        raise ValidationError(_("Tanggapan tidak boleh kosong."), code="empty")
    step.response = response.strip()
    step.responded_by = by
    step.responded_at = timezone.now()
    step.save(update_fields=["response", "responded_by", "responded_at"])
    replication = step.replication
    _notify(
        recipients=agency_people(agency_id=replication.agency_id),
        kind="replication_response",
        context={"replication_id": replication.pk, "stage": step.stage, "source": replication.source.title},
        target_url=reverse("ledger:replication_list", kwargs={"slug": replication.source.slug}),
    )
    return step


@transaction.atomic
def replication_practice_create(*, replication_id: int, by) -> Practice:
    """Turn a launched replication into a draft practice of the replicating agency, linked to its source.

    Title and summary are copied as a starting point; the agency then writes and submits it through the
    usual workflow. Only once per replication.
    """
    replication = Replication.objects.select_for_update().select_related("source", "agency").get(pk=replication_id)
    replication_replicator_require(
        user=by, replication=replication, message=_("Hanya instansi replikator yang dapat membuat praktiknya.")
    )
    if replication.stage not in Replication.COUNTED_STAGES:
        raise ValidationError(_("Replikasi harus sudah diluncurkan."), code="not_launched")
    if replication.became_id is not None:
        raise ValidationError(_("Replikasi ini sudah menjadi praktik."), code="already")
    source = replication.source
    base = slugify(f"{source.slug}-{replication.agency.slug}")[:100] or "replikasi"
    slug, n = base, 1
    while Practice.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    practice = Practice.objects.create(agency=replication.agency, slug=slug, source=source, created_by=by)
    live = source.live_revision
    revision = PracticeRevision.objects.create(
        practice=practice,
        number=1,
        created_by=by,
        title=(_("Replikasi: %(title)s") % {"title": source.title})[:200],
        summary=source.summary,
        primary_theme_id=source.primary_theme_id,
        stage=PracticeRevision.Stage.IMPLEMENTED,
    )
    if live is not None:
        revision.other_themes.set(live.other_themes.all())
    practice.working_revision = revision
    practice.save(update_fields=["working_revision", "updated_at"])
    replication.became = practice
    replication.save(update_fields=["became", "updated_at"])
    return practice


def _notify_source(*, replication: Replication, kind: str) -> None:
    _notify(
        recipients=agency_people(agency_id=replication.source.agency_id),
        kind=kind,
        context={
            "replication_id": replication.pk,
            "agency": replication.agency.name,
            "stage": replication.stage,
            "source": replication.source.title,
        },
        target_url=reverse("ledger:replication_list", kwargs={"slug": replication.source.slug}),
    )
