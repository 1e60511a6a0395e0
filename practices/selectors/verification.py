"""Reads of verification records: the review panel's list and the public badge's explanation."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from ..models import Attachment, Practice, Verification


def practice_verifications(*, practice: Practice) -> QuerySet[Verification]:
    """Every verification of the practice, newest first, with the revision each verified, its verifier and files
    (in three queries however many there are)."""
    return (
        Verification.objects.filter(practice=practice)
        .select_related("revision", "verifier", "verifier_agency")
        .prefetch_related(Prefetch("files", queryset=Attachment.objects.order_by("created_at", "id")))
        .order_by("-verified_on", "-id")
    )


def practice_public_verifications(*, practice: Practice) -> list[Verification]:
    """What the public badge explains: every record, newest first, with the revision it checked.

    Notes are public (they say what was checked); verifier names are not shown, only their role."""
    return list(
        Verification.objects.filter(practice=practice).select_related("revision").order_by("-verified_on", "-id")
    )
