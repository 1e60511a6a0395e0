"""Publishing a call's results: the winners among its finalists, with the ministerial decree.

The winners become `winner` entries with their rank and award label ("Juara 1", "Top 45") and are published as
an award collection (`showcases.services.collections.collection_create(kind="award")`) carrying the decree's
number, date and PDF; the call is `finished`. Publishing needs the objection window closed and every accepted
objection decided (a pending one must be checked first): a result must not be published over an open question.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.roles import agency_people
from audit.services import audit_record
from common.cache import public_cache_invalidate
from notifications.services.notify import notify, stored_path
from showcases.services.collections import collection_create

from ..access import results_manage_require
from ..models import Call, Entry, Objection


@dataclass(frozen=True)
class Winner:
    entry_id: int
    rank: int
    label: str


def results_blockers(*, call: Call) -> list[str]:
    """Why the results cannot be published yet (empty when they can)."""
    reasons = []
    if call.status != Call.Status.DELIBERATION:
        reasons.append(_("Hasil dapat diumumkan setelah masa sanggah berakhir."))
    open_objections = Objection.objects.filter(
        entry__call=call, status__in=[Objection.Status.PENDING, Objection.Status.ACCEPTED]
    ).count()
    if open_objections:
        reasons.append(
            _("Masih ada %(count)d sanggahan yang belum diperiksa atau diputuskan.") % {"count": open_objections}
        )
    return reasons


@transaction.atomic
def results_publish(
    *,
    call_id: int,
    by,
    winners: list[Winner],
    decree_number: str,
    decree_date: dt.date,
    decree_file,
    request=None,
) -> Call:
    """Publish the winners of a call in deliberation; returns the finished call (with `winners_collection`)."""
    results_manage_require(user=by)
    call = Call.objects.select_for_update().get(pk=call_id)
    blockers = results_blockers(call=call)
    if blockers:
        raise ValidationError(blockers)
    if not winners:
        raise ValidationError(_("Pilih sedikitnya satu pemenang."))
    if not decree_number.strip() or decree_date is None or not decree_file:
        raise ValidationError(_("Nomor, tanggal, dan berkas PDF surat keputusan wajib diisi."))
    ranks = [w.rank for w in winners]
    if len(set(ranks)) != len(ranks) or any(r < 1 for r in ranks):
        raise ValidationError(_("Setiap pemenang perlu peringkat yang berbeda, mulai dari 1."))
    ids = [w.entry_id for w in winners]
    entries = {
        e.pk: e
        for e in Entry.objects.select_for_update(of=("self",))
        .select_related("practice")
        .filter(call=call, pk__in=ids, status=Entry.Status.FINALIST)
    }
    missing = [i for i in ids if i not in entries]
    if missing:
        raise ValidationError(_("Pemenang harus finalis panggilan ini yang tidak didiskualifikasi."))
    ordered = sorted(winners, key=lambda w: w.rank)
    for winner in ordered:
        if not winner.label.strip():
            raise ValidationError(_("Setiap pemenang perlu label penghargaan (mis. “Juara 1”)."))
    collection = collection_create(
        actor=by,
        title=_("Pemenang %(call)s") % {"call": call.title},
        introduction=call.description,
        kind="award",
        items=[(entries[w.entry_id].practice, w.label.strip()) for w in ordered],
        decree_number=decree_number.strip(),
        decree_date=decree_date,
        decree_file=decree_file,
        source_label=call.title,
    )
    for winner in ordered:
        entry = entries[winner.entry_id]
        entry.status = Entry.Status.WINNER
        entry.award_label = winner.label.strip()
        entry.final_rank = winner.rank
        entry.save(update_fields=["status", "award_label", "final_rank"])
        audit_record(
            actor=by,
            action="entry.won",
            target=entry,
            data={"rank": winner.rank, "label": entry.award_label},
            request=request,
        )
    now = timezone.now()
    call.status = Call.Status.FINISHED
    call.results_published_at = now
    call.winners_collection = collection
    call.save(update_fields=["status", "results_published_at", "winners_collection", "updated_at"])
    audit_record(
        actor=by,
        action="call.results_published",
        target=call,
        data={"winners": [w.entry_id for w in ordered], "collection": collection.pk, "decree": decree_number},
        request=request,
    )
    for winner in ordered:
        entry = entries[winner.entry_id]
        notify(
            recipients=agency_people(agency_id=entry.agency_id),
            kind="call_results",
            context={"call": call.title, "practice": entry.practice.title, "label": entry.award_label},
            target_url=stored_path("competitions:results", call.slug),
        )
    public_cache_invalidate()  # the call's pages and the practices' awards
    return call
