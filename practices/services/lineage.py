"""Which published practice a practice replicates (`Practice.source`): the practices app owns the column, the
ledger decides when it changes (`ledger.services.replication`), and calls this inside its own transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Practice


@transaction.atomic
def practice_source_set(*, practice_id: int, source_id: int | None) -> Practice:
    """Point the practice at the published practice it replicates (None clears it). The caller checked who may.

    The source must be published and another agency's practice; the row is locked for the change."""
    practice = Practice.objects.select_for_update(of=("self",)).get(pk=practice_id)
    if source_id is not None:
        source = Practice.objects.published().filter(pk=source_id).first()
        if source is None or source.pk == practice.pk:
            raise ValidationError(_("Praktik asal tidak ditemukan atau belum terbit."), code="source")
        if source.agency_id == practice.agency_id:
            raise ValidationError(_("Instansi tidak dapat mereplikasi praktiknya sendiri."), code="source")
    if practice.source_id != source_id:
        practice.source_id = source_id
        practice.save(update_fields=["source", "updated_at"])
    return practice
