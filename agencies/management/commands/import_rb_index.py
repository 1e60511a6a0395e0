from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.services.rbindex import rb_index_import


class Command(BaseCommand):
    help = "Import RB index scores from a CSV file (agency code, year, score); prints the rows refused and why."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        report = rb_index_import(text=text)
        self.stdout.write(f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}")
        for line, reason in report.refused:
            self.stdout.write(f"refused line {line}: {reason}")
        if report.refused:
            self.stderr.write(f"{len(report.refused)} row(s) refused")
