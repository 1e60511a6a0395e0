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
from audit.services import audit_record
from common.cache import public_cache_invalidate_tags
from notifications.services.notify import notify
from practices.cache_tags import practice_public_cache_invalidate, practice_tag
from practices.models import Indicator, Practice, PracticeRevision
from practices.services.lineage import practice_source_set

from ..access import (
    agency_member_require,
    replication_mark_require,
    replication_replicator_require,
    replication_source_require,
    replication_start_require,
)
from ..models import Replication, ReplicationResult, ReplicationStep, source_language_text


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
    # The counts show on the source's page and on its cards: the lists of its themes and province, the
    # unfiltered ones, its agency's page, the home page (the kept headline follows by trigger). Nothing else.
    practice_public_cache_invalidate(practice=practice)
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
    # The source's page lists who replicates it; its counts change only from "launched" (the counters above).
    public_cache_invalidate_tags([practice_tag(source.slug)])
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
    skip_reason: str = "",
) -> Replication:
    """Record that the replication reached `to_stage`: the next stage, or a later one only with a `skip_reason`
    (the stages jumped over are stored on the step with it, and the timeline shows both). Never backwards.

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
    skipped = _stages_between(replication.stage, to_stage)
    if skipped and not skip_reason.strip():
        raise ValidationError(
            {
                "skip_reason": _(
                    "Tahap maju satu per satu. Untuk langsung ke “%(stage)s” (melewati %(skipped)s), tuliskan "
                    "alasannya."
                )
                % {"stage": Replication.Stage(to_stage).label, "skipped": _stage_labels(skipped)}
            },
            code="skip_without_reason",
        )
    step = ReplicationStep(
        replication=replication,
        stage=to_stage,
        date=date,
        note=note,
        evidence_url=evidence_url,
        recorded_by=by,
        skipped_stages=skipped,
        skip_reason=skip_reason.strip() if skipped else "",
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


def _stages_between(current: str, to_stage: str) -> list[str]:
    """The stages strictly between `current` and `to_stage` (what a jump leaves unrecorded)."""
    order = Replication.STAGE_ORDER
    return order[order.index(current) + 1 : order.index(to_stage)]


def _stage_labels(stages: list[str]) -> str:
    return ", ".join(f"“{Replication.Stage(stage).label}”" for stage in stages)


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


# Marking a new practice as a replication (the ledger's panel on the submit page) -------------------------------


@transaction.atomic
def replication_mark_from_practice(*, practice_id: int, source_id: int, by) -> Replication:
    """Record that the new practice is agency B's replication of `source`: the agency's replication of that
    source is created or advanced to "launched" with `became` = the practice, `Practice.source` is set
    (`practice_source_set`), and the source's counters follow, all in one transaction.

    Stages not recorded before are one explicit skip with `ReplicationStep.MARK_SKIP_REASON`, so the timeline
    stays honest. Its texts are stored in Indonesian and shown in the reader's language (`skip_reason_display`).
    Only members of the practice's agency; the source must be published, not the practice itself nor a
    practice of the same agency. Marking the same source again changes nothing; another source is refused
    until the mark is undone (`replication_mark_undo`). Locks: the practice, then the source, then the row.
    """
    practice = Practice.objects.select_for_update(of=("self",)).select_related("agency").get(pk=practice_id)
    replication_mark_require(user=by, practice=practice)
    source = Practice.objects.select_for_update(of=("self",)).select_related("agency").filter(pk=source_id).first()
    if source is None or source.status != Practice.Status.PUBLISHED or source.pk == practice.pk:
        raise ValidationError({"source": _("Praktik asal tidak ditemukan atau belum terbit.")}, code="source")
    if source.agency_id == practice.agency_id:
        raise ValidationError({"source": _("Instansi tidak dapat mereplikasi praktiknya sendiri.")}, code="own")
    marked = Replication.objects.select_for_update().filter(became=practice).first()
    if marked is not None and marked.source_id == source.pk and practice.source_id == source.pk:
        return marked  # marked already: idempotent
    if (marked is not None and marked.source_id != source.pk) or practice.source_id not in (None, source.pk):
        raise ValidationError(
            {"source": _("Praktik ini sudah ditandai sebagai replikasi praktik lain. Batalkan tanda itu dulu.")},
            code="marked_other",
        )
    replication = Replication.objects.select_for_update().filter(source=source, agency_id=practice.agency_id).first()
    if replication is None:
        try:
            with transaction.atomic():
                replication = Replication.objects.create(
                    source=source, agency_id=practice.agency_id, stage=Replication.Stage.INTEREST, started_by=by
                )
        except IntegrityError as exc:  # a colleague started it at the same moment
            raise ValidationError(_("Buku replikasi sedang diubah; coba lagi."), code="concurrent") from exc
        skipped = Replication.STAGE_ORDER[: Replication.STAGE_ORDER.index(Replication.Stage.LAUNCHED)]
        created = True
    else:
        if replication.became_id not in (None, practice.pk):
            raise ValidationError(
                {
                    "source": _("Replikasi instansi Anda atas praktik ini sudah menjadi praktik lain: %(title)s.")
                    % {"title": replication.became}
                },
                code="became_other",
            )
        launched = Replication.STAGE_ORDER.index(Replication.Stage.LAUNCHED)
        skipped = None if replication.stage_index >= launched else _stages_between(replication.stage, "launched")
        created = False
    if skipped is not None:  # not yet launched: one step to "launched", naming what it jumps over
        step = ReplicationStep(
            replication=replication,
            stage=Replication.Stage.LAUNCHED,
            date=timezone.localdate(),
            note=source_language_text(ReplicationStep.MARK_NOTE) % {"title": practice},
            recorded_by=by,
            skipped_stages=skipped,
            skip_reason=source_language_text(ReplicationStep.MARK_SKIP_REASON) if skipped else "",
            marked_from_practice=True,
        )
        step.full_clean()
        step.save()
        replication.stage = Replication.Stage.LAUNCHED
    replication.became = practice
    replication.save(update_fields=["stage", "became", "updated_at"])
    practice_source_set(practice_id=practice.pk, source_id=source.pk)
    public_cache_invalidate_tags([practice_tag(practice.slug)])  # its page names its source
    practice_replication_counters_update(practice_id=source.pk)
    audit_record(
        actor=by,
        action="replication.marked_from_practice",
        target=replication,
        data={"practice": practice.pk, "source": source.pk, "created": created, "skipped": skipped or []},
    )
    _notify_source(replication=replication, kind="replication_started" if created else "replication_stage")
    return replication


@transaction.atomic
def replication_mark_undo(*, practice_id: int, by) -> None:
    """Undo a mark while the practice is an unpublished draft: the steps the mark recorded are removed (the
    replication too when it had no other), `became` and `Practice.source` are cleared, the counters follow.

    Refused once the replication recorded a later stage (its results belong to the ledger)."""
    practice = (
        Practice.objects.select_for_update(of=("self",))
        .select_related("agency", "working_revision")
        .get(pk=practice_id)
    )
    replication_mark_require(user=by, practice=practice)
    draft = practice.working_revision_id and practice.working_revision.state == PracticeRevision.State.DRAFT
    if practice.status != Practice.Status.UNPUBLISHED or not draft:
        raise ValidationError(_("Tanda replikasi hanya bisa dibatalkan selama praktik masih draf."), code="not_draft")
    replication = Replication.objects.select_for_update().filter(became=practice).first()
    source_id = practice.source_id
    replication_id = replication.pk if replication is not None else None
    if replication is not None:
        source_id = replication.source_id
        steps = list(replication.steps.order_by("created_at", "id"))
        marked = [step for step in steps if step.marked_from_practice]
        if marked and steps[-1] not in marked:
            raise ValidationError(
                _("Replikasi ini sudah mencatat tahap sesudahnya; tanda tidak bisa dibatalkan."), code="advanced"
            )
        kept = [step for step in steps if not step.marked_from_practice]
        ReplicationStep.objects.filter(pk__in=[step.pk for step in marked]).delete()
        if kept:
            replication.stage = kept[-1].stage
            replication.became = None
            replication.save(update_fields=["stage", "became", "updated_at"])
        else:
            replication.delete()
    practice_source_set(practice_id=practice.pk, source_id=None)
    public_cache_invalidate_tags([practice_tag(practice.slug)])
    if source_id is not None:
        practice_replication_counters_update(practice_id=source_id)
    audit_record(
        actor=by,
        action="replication.mark_undone",
        target=practice,
        data={"source": source_id, "replication": replication_id},
    )
