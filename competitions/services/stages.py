"""Stages: the lead's advance decision, which closes a stage.

`stage_advance` ranks the stage's entries (`selectors.reviews.stage_ranking`: the average of submitted totals),
takes the top N or everyone at or above a score (defaults from the stage), and records an `AdvanceDecision`
with the ranking as it was (entry, title, average, number of reviews, advanced or not). Advanced entries move
to the next stage, which opens; the others become `eliminated` and keep `Entry.stage` = the stage they left in.
The stage closes, and from then on its scores' outcome and the reviewers' comments for the author are visible
to the entry's agency (`selectors.reviews.entry_feedback`).

Hand-over to the finalists and the objection window (COMP-B, `services/results.py` / `objections.py`): when the
decided stage was the LAST stage of the call, no stage opens; the advanced entries stay `status=entered` with
`Entry.stage` = that last (now closed) stage, and the call stays `judging`. `call_ready_for_finalists(call)`
below says when that point is reached, and `call_finalist_candidates(call)` returns those entries; the
announce service marks them `finalist` and opens the window.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.roles import agency_people
from audit.services import audit_record
from common.cache import public_cache_invalidate
from notifications.services.notify import notify, stored_path

from ..access import call_manage_require
from ..models import AdvanceDecision, Call, Entry, Stage
from ..selectors.reviews import stage_ranking


def _advanced_ids(ranking: list[dict], *, rule: str, top_n: int | None, min_score: Decimal | None) -> set[int]:
    scored = [row for row in ranking if row["average"] is not None]
    if rule == AdvanceDecision.Rule.TOP_N:
        return {row["entry"].pk for row in scored[:top_n]}
    return {row["entry"].pk for row in scored if row["average"] >= min_score}


@transaction.atomic
def stage_advance(
    *,
    actor,
    stage_id: int,
    rule: str,
    top_n: int | None = None,
    min_score: Decimal | None = None,
    note: str = "",
) -> AdvanceDecision:
    """Decide who goes on from an open stage (lead moderators only) and close it. Refused while an entry has
    fewer submitted reviews than the stage's minimum.

    Audited as `stage.advanced` (and `stage.opened` for the next one); each entry's agency admins are told."""
    call_manage_require(user=actor)
    stage = Stage.objects.select_for_update().select_related("call").get(pk=stage_id)
    call = Call.objects.select_for_update().get(pk=stage.call_id)
    if stage.status != Stage.Status.OPEN or call.status != Call.Status.JUDGING:
        raise ValidationError(_("Tahap ini tidak sedang berjalan."))
    if rule == AdvanceDecision.Rule.TOP_N:
        top_n = top_n if top_n is not None else stage.advance_top_n
        if not top_n or top_n < 1:
            raise ValidationError({"top_n": _("Tulis berapa peserta teratas yang lolos.")})
        min_score = None
    elif rule == AdvanceDecision.Rule.MIN_SCORE:
        min_score = min_score if min_score is not None else stage.advance_min_score
        if min_score is None or not (0 <= min_score <= 100):
            raise ValidationError({"min_score": _("Tulis nilai minimum antara 0 dan 100.")})
        top_n = None
    else:
        raise ValidationError({"rule": _("Pilih aturan kelolosan.")})
    ranking = stage_ranking(stage=stage)
    short = [row for row in ranking if not row["enough"]]
    if short:
        raise ValidationError(
            _("%(n)s peserta belum mendapat %(min)s penilaian yang dikirim; lengkapi penilaian dulu.")
            % {"n": len(short), "min": stage.min_reviews}
        )
    advanced = _advanced_ids(ranking, rule=rule, top_n=top_n, min_score=min_score)
    snapshot = [
        {
            "rank": row["rank"],
            "entry": row["entry"].pk,
            "practice": row["entry"].practice.title or row["entry"].practice.working_revision.title,
            "agency": row["entry"].agency.name,
            "average": str(row["average"]) if row["average"] is not None else None,
            "reviews": row["reviews"],
            "advanced": row["entry"].pk in advanced,
        }
        for row in ranking
    ]
    decision = AdvanceDecision.objects.create(
        stage=stage, rule=rule, top_n=top_n, min_score=min_score, ranking=snapshot, note=note.strip(), decided_by=actor
    )
    decision.advanced.set(advanced)
    now = timezone.now()
    stage.status, stage.closed_at = Stage.Status.CLOSED, now
    stage.save(update_fields=["status", "closed_at"])
    next_stage = call.stages.filter(position__gt=stage.position).order_by("position").first()
    in_stage = [row["entry"] for row in ranking]
    eliminated = [e.pk for e in in_stage if e.pk not in advanced]
    Entry.objects.filter(pk__in=eliminated).update(status=Entry.Status.ELIMINATED)
    if next_stage is not None:
        next_stage.status, next_stage.opened_at = Stage.Status.OPEN, now
        next_stage.save(update_fields=["status", "opened_at"])
        Entry.objects.filter(pk__in=advanced).update(stage=next_stage)
    audit_record(
        actor=actor,
        action="stage.advanced",
        target=decision,
        data={
            "stage": stage.pk,
            "rule": rule,
            "top_n": top_n,
            "min_score": str(min_score) if min_score is not None else None,
            "advanced": sorted(advanced),
            "eliminated": sorted(eliminated),
        },
    )
    if next_stage is not None:
        audit_record(actor=actor, action="stage.opened", target=next_stage, data={"call": call.pk})
    for entry in in_stage:
        notify(
            recipients=agency_people(agency_id=entry.agency_id, admins_only=True),
            kind="call_stage_outcome",
            context={
                "call": call.title,
                "stage": stage.name,
                "title": entry.practice.title or entry.practice.working_revision.title,
                "advanced": entry.pk in advanced,
            },
            target_url=stored_path("competitions:entry_detail", entry.pk),
            dedupe_key=f"call-stage:{stage.pk}:{entry.pk}",
        )
    public_cache_invalidate()
    return decision


def call_ready_for_finalists(call: Call) -> bool:
    """Every stage decided (closed) and the call still judging: COMP-B's announce may run."""
    return call.status == Call.Status.JUDGING and not call.stages.exclude(status=Stage.Status.CLOSED).exists()


def call_finalist_candidates(call: Call):
    """The entries that came through the last stage (status entered, in the last stage): the finalists-to-be."""
    last = call.stages.order_by("-position").first()
    return Entry.objects.filter(call=call, stage=last, status=Entry.Status.ENTERED)
