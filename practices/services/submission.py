"""Submission side: creating practices, saving draft sections, new revisions of published practices, submitting.

Every save of a section names the `version` of the revision it was based on; the revision row is locked with
`select_for_update()` and the save is refused (`RevisionVersionConflict`) when someone saved in between, so two
people editing the same draft cannot silently overwrite each other. Saving a draft demands nothing; submitting
demands everything in `completeness.REQUIRED_FIELDS`.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from agencies.models import Agency, Membership
from agencies.roles import agency_people
from common.richtext import richtext_clean_source
from notifications.services.notify import notify

from ..completeness import MissingItem, revision_missing_items
from ..models import Indicator, IndicatorValue, Practice, PracticeRevision
from ..sections import (
    INDICATOR_FIELDS,
    M2M_FIELDS,
    RICHTEXT_FIELDS,
    SECTION_FIELDS,
    TEXT_INDICATOR_FIELDS,
    VALUE_FIELDS,
)
from ..workflow import actor_roles, revision_transition
from .notices import notification_context, review_url
from .screening import screening_queue_on_commit

S = PracticeRevision.State

# The working revision can be edited by the agency only in these states.
EDITABLE_STATES = {S.DRAFT, S.CHANGES_REQUESTED}


class RevisionVersionConflict(ValidationError):
    """Someone saved the revision after the version this save was based on."""

    def __init__(self, *, current_version: int):
        self.current_version = current_version
        super().__init__(
            _(
                "Draf ini sudah disimpan orang lain sejak Anda membukanya. Perubahan Anda belum disimpan: "
                "isian Anda ditampilkan di bawah; bandingkan dengan versi terbaru, gabungkan, lalu simpan lagi."
            ),
            code="version_conflict",
        )


class SubmissionIncomplete(ValidationError):
    """The revision lacks required items; `missing` lists them in form order."""

    def __init__(self, *, missing: list[MissingItem]):
        self.missing = missing
        super().__init__(
            [ValidationError(item.label, code="missing") for item in missing],
        )


def _generated_slug(*, agency: Agency) -> str:
    base = slugify(agency.acronym or agency.slug or agency.code)[:60] or "praktik"
    while True:
        slug = f"{base}-{secrets.token_hex(4)}"
        if not Practice.objects.filter(slug=slug).exists():
            return slug


@transaction.atomic
def practice_create(*, agency: Agency, by) -> Practice:
    """A new, empty practice of `agency` with revision 1 as its draft working revision.

    The slug is generated (random suffix, checked unique; the unique constraint backs it); the public slug
    can be made readable when the practice is published.
    """
    practice = Practice.objects.create(agency=agency, slug=_generated_slug(agency=agency), created_by=by)
    revision = PracticeRevision.objects.create(practice=practice, number=1, created_by=by)
    practice.working_revision = revision
    practice.save(update_fields=["working_revision", "updated_at"])
    return practice


def _locked_working_revision(*, practice_id: int) -> tuple[Practice, PracticeRevision]:
    practice = Practice.objects.select_for_update().get(pk=practice_id)
    revision = PracticeRevision.objects.select_for_update().get(pk=practice.working_revision_id)
    return practice, revision


def _check_editable(*, revision: PracticeRevision, version: int, section: str | None = None) -> None:
    """Editable now, and `version` not stale. For a section save, stale means that THIS section was saved after
    `version` (`section_versions` holds the revision version each section's last save produced): two people
    editing different sections of one draft never conflict; the same section keeps the strict check."""
    if revision.state not in EDITABLE_STATES:
        raise ValidationError(
            _("Revisi ini berstatus “%(state)s” dan tidak bisa diubah saat ini.") % {"state": S(revision.state).label},
            code="not_editable",
        )
    if section is None:
        stale = version != revision.version
    else:
        stale = version > revision.version or (revision.section_versions or {}).get(section, 0) > version
    if stale:
        raise RevisionVersionConflict(current_version=revision.version)


@transaction.atomic
def revision_section_save(
    *,
    practice_id: int,
    section: str,
    version: int,
    data: dict[str, Any],
    by,
    indicators: list[dict[str, Any]] | None = None,
    values: list[dict[str, Any]] | None = None,
) -> PracticeRevision:
    """Save one section of the practice's working revision as a draft (no field is required here).

    `version` is the revision version the form was based on: under a row lock it must still be current, else
    `RevisionVersionConflict` is raised and nothing is written. Markdown fields are sanitised with nh3.
    `indicators` / `values` (impact section only) are rows with an optional `id` and a `DELETE` flag.
    """
    if section not in SECTION_FIELDS:
        raise ValidationError(_("Bagian tidak dikenal."), code="unknown_section")
    practice, revision = _locked_working_revision(practice_id=practice_id)
    _check_editable(revision=revision, version=version, section=section)

    m2m: dict[str, Any] = {}
    for name in SECTION_FIELDS[section]:
        if name not in data:
            continue
        value = data[name]
        if name in M2M_FIELDS:
            m2m[name] = value
            continue
        if name in RICHTEXT_FIELDS:
            value = richtext_clean_source(value or "")
        setattr(revision, name, value)
    if "coauthors" in m2m:
        agency_users = set(
            Membership.objects.active().filter(agency_id=practice.agency_id).values_list("user_id", flat=True)
        )
        if any(user.pk not in agency_users for user in m2m["coauthors"]):
            raise ValidationError(_("Penulis pendamping harus anggota instansi yang sama."), code="coauthor_agency")
    if "other_themes" in m2m and revision.primary_theme_id:
        # The primary theme is not repeated among the others.
        m2m["other_themes"] = [t for t in m2m["other_themes"] if t.pk != revision.primary_theme_id]

    revision.version += 1
    revision.section_versions = {**(revision.section_versions or {}), section: revision.version}
    revision.full_clean(exclude=["practice", "created_by", *M2M_FIELDS])
    revision.save()
    for name, value in m2m.items():
        getattr(revision, name).set(value)
    if indicators is not None:
        _indicators_save(revision=revision, rows=indicators)
    if values is not None:
        _values_save(revision=revision, rows=values)
    return revision


def _indicators_save(*, revision: PracticeRevision, rows: list[dict[str, Any]]) -> None:
    existing = {i.pk: i for i in revision.indicators.all()}
    for order, row in enumerate(rows):
        pk = row.get("id")
        indicator = existing.get(pk) if pk else None
        if row.get("DELETE"):
            if indicator is not None:
                indicator.delete()
            continue
        if indicator is None:
            if not (row.get("name") or "").strip():
                continue  # an untouched blank extra row
            indicator = Indicator(revision=revision)
        for name in INDICATOR_FIELDS:
            if name in row:
                value = row[name]
                if value is None and name in TEXT_INDICATOR_FIELDS:
                    value = ""
                setattr(indicator, name, value)
        indicator.order = order
        indicator.full_clean(exclude=["revision"])
        indicator.save()


def _values_save(*, revision: PracticeRevision, rows: list[dict[str, Any]]) -> None:
    indicators = {i.pk: i for i in revision.indicators.all()}
    existing = {v.pk: v for v in IndicatorValue.objects.filter(indicator__revision=revision)}
    for row in rows:
        pk = row.get("id")
        value = existing.get(pk) if pk else None
        if row.get("DELETE"):
            if value is not None:
                value.delete()
            continue
        indicator = row.get("indicator")
        if indicator is None or indicator.pk not in indicators:
            continue  # a blank extra row, or an indicator deleted in the same save
        if value is None:
            if row.get("value") is None or row.get("date") is None:
                continue
            value = IndicatorValue()
        value.indicator = indicators[indicator.pk]
        for name in VALUE_FIELDS:
            if name in row:
                setattr(value, name, row[name] if row[name] is not None else "")
        value.full_clean()
        value.save()


@transaction.atomic
def revision_start_from_live(*, practice_id: int, by) -> PracticeRevision:
    """Start editing a published (or rejected) practice: a new draft revision copied from the latest content.

    The copy (fields, themes, regions, co-authors, indicators and their values, links to the same files)
    becomes the working revision; the live revision stays public until the new one is approved. Calling it
    while a draft is already open returns that draft (a double click creates nothing).
    """
    practice, current = _locked_working_revision(practice_id=practice_id)
    if current.pk != practice.live_revision_id and current.state != S.REJECTED:
        return current  # a newer revision is already open (draft or in review)
    if current.state not in {S.PUBLISHED, S.REJECTED}:
        raise ValidationError(_("Revisi baru hanya bisa dibuat dari praktik yang terbit atau ditolak."))
    source = current
    number = (practice.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    copy = PracticeRevision.objects.get(pk=source.pk)
    copy.pk = None
    copy.id = None
    copy._state.adding = True
    copy.number = number
    copy.state = S.DRAFT
    copy.version = 1
    copy.section_versions = {}
    copy.created_by = by
    copy.submitted_at = copy.decided_at = None
    copy.save()
    copy.coauthors.set(source.coauthors.all())
    copy.other_themes.set(source.other_themes.all())
    copy.other_regions.set(source.other_regions.all())
    # The files are carried as links, never copied: the new revision starts with the evidence of the old one.
    copy.files.set(source.files.all())
    for indicator in source.indicators.prefetch_related("values"):
        values = list(indicator.values.all())
        indicator.pk = indicator.id = None
        indicator._state.adding = True
        indicator.revision = copy
        indicator.save()
        for value in values:
            value.pk = value.id = None
            value._state.adding = True
            value.indicator = indicator
            value.save()
    practice.working_revision = copy
    practice.save(update_fields=["working_revision", "updated_at"])
    return copy


def _destination(roles: set[str]) -> str:
    return S.SUBMITTED if "agency_admin" in roles else S.AGENCY_REVIEW


def submission_destination(*, practice: Practice, user) -> str:
    """Where `user`'s submission of `practice` goes: `AGENCY_REVIEW` (a member's, to their agency admin) or
    `SUBMITTED` (an agency admin's, to the ministry). The submit page says it; `practice_submit` does it."""
    return _destination(actor_roles(user=user, practice=practice))


@transaction.atomic
def practice_submit(*, practice_id: int, by) -> PracticeRevision:
    """Submit the working revision: a member sends it to their agency admin, an agency admin to the ministry,
    the first time and after changes were requested alike (`submission_destination`, which the page shows).

    Under the practice's row lock the revision must have every required item (else `SubmissionIncomplete`,
    listing them). Marking the practice as a replication is the ledger's (`replication_mark_from_practice`,
    from its panel on the submit page). The state change itself (and its `Transition` row) is
    `workflow.revision_transition`.
    """
    practice, revision = _locked_working_revision(practice_id=practice_id)
    roles = actor_roles(user=by, practice=practice)
    if "member" not in roles:
        raise PermissionDenied(_("Hanya anggota instansi pemilik yang dapat mengajukan praktik ini."))
    missing = revision_missing_items(revision)
    if missing:
        raise SubmissionIncomplete(missing=missing)
    revision = revision_transition(practice_id=practice.pk, to_state=_destination(roles), by=by)
    _submitted_side_effects(practice=practice, revision=revision)
    return revision


def _submitted_side_effects(*, practice: Practice, revision: PracticeRevision) -> None:
    """Tell the people concerned (outbox rows in this transaction) and queue the pre-screen after commit."""
    if revision.state == S.AGENCY_REVIEW:
        recipients, kind = agency_people(agency_id=practice.agency_id, admins_only=True), "agency_review"
    else:
        recipients, kind = agency_people(agency_id=practice.agency_id), "submitted"
        screening_queue_on_commit(revision_id=revision.pk)
    notify(
        recipients=recipients,
        kind=kind,
        context=notification_context(practice=practice, revision=revision),
        target_url=review_url(practice=practice),
    )
