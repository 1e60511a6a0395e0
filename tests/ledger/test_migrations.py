"""The replication ledger's move out of the practices app keeps its rows: a database holding replications,
their steps and results, and questions before the move reads them back through the ledger's models after it,
and the content types (with the admin's permissions) follow the models."""

import datetime
import os
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from ledger.models import Question, Replication, ReplicationResult, ReplicationStep

BEFORE = ("practices", "0007_practice_benchmark_indexes")
AFTER = ("ledger", "0001_initial")

# The migrator drops every table and migrates again: a transactional test, marked like the suite's others
# (tests/conftest.py) so that the flush after it does not recreate content types that the next test restores.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def ledger_migrator(migrator):
    """The library's `migrator`, leaving the database as the other transactional tests expect it.

    Its tables were recreated, so their id sequences restarted at 1: the tests after this one restore the
    reference data with its ids (serialized rollback) and then create rows that need ids past them.
    """
    yield migrator
    migrator.reset()  # the latest schema (the library does it too, after this)
    # The snapshot tests/conftest.py takes lives on the connection object of the session's start; like Django's
    # own serialized rollback (`hasattr`), do without it when this worker's connection is another one: then the
    # flush's post_migrate recreates content types and permissions, and the reference data is loaded again.
    serialized = getattr(connection, "_test_serialized_contents", None)
    call_command("flush", interactive=False, inhibit_post_migrate=serialized is not None, verbosity=0)
    if serialized is not None:
        connection.creation.deserialize_db_from_string(serialized)
    else:
        call_command("load_reference_data", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
            cursor.execute(sql)


def _world_before_the_move(apps) -> dict:
    """Two agencies, a practice with an indicator, a replication at the results stage, a question."""
    Agency = apps.get_model("agencies", "Agency")
    User = apps.get_model("accounts", "User")
    Practice = apps.get_model("practices", "Practice")
    PracticeRevision = apps.get_model("practices", "PracticeRevision")
    Indicator = apps.get_model("practices", "Indicator")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")

    owner = Agency.objects.create(code="T.1", kind="kementerian", name="Kementerian Uji", slug="kementerian-uji")
    replicator = Agency.objects.create(code="T.2", kind="lembaga", name="Lembaga Uji", slug="lembaga-uji")
    person = User.objects.create(email="penguji@uji.go.id")
    practice = Practice.objects.create(agency=owner, slug="praktik-uji", title="Praktik uji")
    revision = PracticeRevision.objects.create(practice=practice, number=1, title="Praktik uji")
    indicator = Indicator.objects.create(revision=revision, name="Waktu layanan", unit="hari")

    Replication = apps.get_model("practices", "Replication")
    ReplicationStep = apps.get_model("practices", "ReplicationStep")
    ReplicationResult = apps.get_model("practices", "ReplicationResult")
    Question = apps.get_model("practices", "Question")
    replication = Replication.objects.create(source=practice, agency=replicator, stage="results", started_by=person)
    step = ReplicationStep.objects.create(
        replication=replication,
        stage="results",
        date=datetime.date(2025, 3, 3),
        note="Diluncurkan di kantor pusat.",
        recorded_by=person,
        response="Selamat.",
    )
    ReplicationResult.objects.create(
        step=step, indicator=indicator, value=Decimal("2.5"), date=datetime.date(2025, 3, 3)
    )
    question = Question.objects.create(
        practice=practice,
        asker=person,
        asker_agency=replicator,
        text="Berapa biaya awalnya?",
        answer="Sekitar Rp50 juta.",
        answered_at=datetime.datetime(2025, 3, 4, 9, 0, tzinfo=datetime.UTC),
        is_public=True,
    )
    # The migrator silences post_migrate, so the content types Django would have created are made here.
    replication_type = ContentType.objects.create(app_label="practices", model="replication")
    ContentType.objects.create(app_label="practices", model="question")
    Permission.objects.create(content_type=replication_type, codename="view_replication", name="Can view replikasi")
    return {"practice": practice.pk, "replication": replication.pk, "step": step.pk, "question": question.pk}


def test_replications_and_questions_are_read_back_through_the_ledger_models(ledger_migrator):
    migrator = ledger_migrator
    old_state = migrator.apply_initial_migration(BEFORE)
    ids = _world_before_the_move(old_state.apps)

    new_state = migrator.apply_tested_migration(AFTER)
    # The live models read the latest schema (later migrations add columns): migrate on before reading.
    migrator.apply_tested_migration(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())

    replication = Replication.objects.select_related("source", "agency").get(pk=ids["replication"])
    assert (replication.source_id, replication.agency.code, replication.stage) == (ids["practice"], "T.2", "results")
    assert replication.started_by.email == "penguji@uji.go.id"
    step = ReplicationStep.objects.get(replication=replication)
    assert (step.pk, step.note, step.response) == (ids["step"], "Diluncurkan di kantor pusat.", "Selamat.")
    result = ReplicationResult.objects.select_related("indicator").get(step=step)
    assert (result.indicator.name, result.value) == ("Waktu layanan", Decimal("2.5000"))
    question = Question.objects.get(pk=ids["question"])
    assert (question.text, question.answer, question.is_public) == ("Berapa biaya awalnya?", "Sekitar Rp50 juta.", True)
    assert question.asker_agency.code == "T.2"
    assert list(Question.objects.filter(practice_id=ids["practice"]).faq()) == [question]

    # The historical models of the new state are the ledger's, on the same tables.
    assert new_state.apps.get_model("ledger", "Replication")._meta.db_table == "practices_replication"
    assert ("practices", "replication") not in new_state.models
    # Content types (and so permissions and admin log entries) moved with the models.
    ContentType = new_state.apps.get_model("contenttypes", "ContentType")
    Permission = new_state.apps.get_model("auth", "Permission")
    labels = set(ContentType.objects.filter(model__in=["replication", "question"]).values_list("app_label", "model"))
    assert labels == {("ledger", "replication"), ("ledger", "question")}
    assert Permission.objects.get(codename="view_replication").content_type.app_label == "ledger"


def test_the_move_can_be_reversed(ledger_migrator):
    """Rolling back to before the move gives the practices app its models and content types back."""
    migrator = ledger_migrator
    migrator.apply_initial_migration(AFTER)
    ContentType = migrator.apply_tested_migration(AFTER).apps.get_model("contenttypes", "ContentType")
    ContentType.objects.create(app_label="ledger", model="question")

    old_state = migrator.apply_tested_migration(BEFORE)

    assert old_state.apps.get_model("practices", "Question")._meta.db_table == "practices_question"
    ContentType = old_state.apps.get_model("contenttypes", "ContentType")
    assert ContentType.objects.filter(app_label="practices", model="question").exists()
    assert not ContentType.objects.filter(app_label="ledger").exists()
