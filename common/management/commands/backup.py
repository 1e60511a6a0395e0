from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from common.backup import BackupError, backup_make


class Command(BaseCommand):
    help = (
        "Back the portal up into DIR: pg_dump (custom format) of the database, the row count of every table in the "
        "same snapshot, and a manifest of the media storage's keys with sizes and SHA-256."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        try:
            info = backup_make(directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"backup in {directory}: {len(info['row_counts'])} tables, {sum(info['row_counts'].values())} rows, "
            f"dump {info['dump_bytes']} bytes in {info['dump_seconds']} s ({info['pg_dump']}); "
            f"media {info['media']['files']} files, {info['media']['bytes']} bytes"
        )
