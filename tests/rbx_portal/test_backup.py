"""`manage.py backup` and `manage.py restore_drill` against the real PostgreSQL of the test run."""

import hashlib
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from common import backup
from tests.practices.factories import practice_published

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.backup]


def _drill_databases() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE 'rbx_drill_%%'")
        return [row[0] for row in cursor.fetchall()]


def test_backup_then_restore_drill_finds_every_row(tmp_path, capsys):
    practice_published(title="Dicadangkan")
    name = default_storage.save("backup-check/bukti.txt", ContentFile(b"isi berkas"))
    before = set(_drill_databases())
    try:
        call_command("backup", str(tmp_path))
        info = json.loads((tmp_path / "backup.json").read_text())
        assert info["row_counts"]["public.practices_practice"] == 1
        assert info["row_counts"]["public.agencies_agency"] > 600
        assert (tmp_path / "database.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
        manifest = json.loads((tmp_path / "media-manifest.json").read_text())["files"]
        entry = next(f for f in manifest if f["name"] == name)
        assert entry == {"name": name, "size": 10, "sha256": hashlib.sha256(b"isi berkas").hexdigest()}

        call_command("restore_drill", str(tmp_path))
        out = capsys.readouterr().out
        assert "0 tables differ" in out and "(dropped)" in out
        assert set(_drill_databases()) == before  # the drill's database is gone

        # A backup whose counts do not match what it restores fails the drill (exit status 1 from manage.py).
        info["row_counts"]["public.practices_practice"] = 2
        (tmp_path / "backup.json").write_text(json.dumps(info))
        with pytest.raises(CommandError, match="1 tables differ"):
            call_command("restore_drill", str(tmp_path))
        assert set(_drill_databases()) == before
    finally:
        default_storage.delete(name)


def test_client_programs_are_at_least_the_server_version():
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    path = backup.pg_binary("pg_dump", server_major=major)
    assert path.endswith("pg_dump")
    with pytest.raises(backup.BackupError, match="no pg_dump of version 99"):
        backup.pg_binary("pg_dump", server_major=99)
