from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from common.backup import BackupError, restore_drill


class Command(BaseCommand):
    help = (
        "Restore the backup in DIR into a new empty database, compare the row count of every table with the "
        "backup's, and drop that database. Exits non-zero when a count differs or the restore fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--keep", action="store_true", help="Leave the restored database for inspection.")

    def handle(self, *args, directory: Path, keep: bool, **options):
        try:
            result = restore_drill(directory, keep=keep)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for table, expected, restored in result.mismatches:
            self.stderr.write(f"  {table}: backup {expected}, restored {restored}")
        summary = (
            f"restore drill into {result.database}: {result.tables} tables, {result.rows} rows, "
            f"restored in {result.restore_seconds} s; {len(result.mismatches)} tables differ"
        )
        if not result.ok:
            raise CommandError(summary)
        self.stdout.write(summary + (" (kept)" if keep else " (dropped)"))
