"""practices 0009: every file already stored is linked to the revision it was uploaded to, and back."""

import pytest

# The ledger's migration tests own the fixture that leaves the database as the other transactional tests
# expect it after the migrator dropped and rebuilt every table.
from tests.ledger.test_migrations import ledger_migrator  # noqa: F401

BEFORE = ("practices", "0008_ledger_models_leave")
AFTER = ("practices", "0009_revision_attachments")

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _files_before(apps) -> dict:
    """A practice with two revisions: two files uploaded to r1, one to r2, one whose revision is gone."""
    Agency = apps.get_model("agencies", "Agency")
    Practice = apps.get_model("practices", "Practice")
    PracticeRevision = apps.get_model("practices", "PracticeRevision")
    Attachment = apps.get_model("practices", "Attachment")
    agency = Agency.objects.create(code="T.9", kind="kementerian", name="Kementerian Uji", slug="kementerian-uji-9")
    practice = Practice.objects.create(agency=agency, slug="praktik-berkas", title="Praktik berkas")
    r1 = PracticeRevision.objects.create(practice=practice, number=1, state="superseded")
    r2 = PracticeRevision.objects.create(practice=practice, number=2, state="published")

    def stored(name, revision):
        return Attachment.objects.create(
            practice=practice,
            revision=revision,
            original_name=name,
            mime_type="application/pdf",
            size=10,
            sha256="0" * 64,
            file=f"attachments/{practice.pk}/{name}",
        ).pk

    return {
        "r1": r1.pk,
        "r2": r2.pk,
        "a": stored("a.pdf", r1),
        "b": stored("b.pdf", r1),
        "c": stored("c.pdf", r2),
        "orphan": stored("d.pdf", None),
    }


def test_existing_files_are_linked_to_their_revision_and_the_link_can_be_undone(ledger_migrator):  # noqa: F811
    migrator = ledger_migrator
    ids = _files_before(migrator.apply_initial_migration(BEFORE).apps)

    new_state = migrator.apply_tested_migration(AFTER)

    RevisionAttachment = new_state.apps.get_model("practices", "RevisionAttachment")
    links = set(RevisionAttachment.objects.values_list("revision_id", "attachment_id"))
    assert links == {(ids["r1"], ids["a"]), (ids["r1"], ids["b"]), (ids["r2"], ids["c"])}
    PracticeRevision = new_state.apps.get_model("practices", "PracticeRevision")
    assert sorted(PracticeRevision.objects.get(pk=ids["r1"]).files.values_list("original_name", flat=True)) == [
        "a.pdf",
        "b.pdf",
    ]

    old_state = migrator.apply_tested_migration(BEFORE)

    Attachment = old_state.apps.get_model("practices", "Attachment")
    assert Attachment.objects.count() == 4  # the files themselves are untouched
    assert Attachment.objects.get(pk=ids["c"]).revision_id == ids["r2"]
    assert "revisions" not in {f.name for f in Attachment._meta.get_fields()}
