from django.core.management.base import BaseCommand

from agencies.models import Agency, Region
from agencies.services.reference import LoadReport, reference_data_load
from practices.models import Theme
from practices.services.reference import themes_load


class Command(BaseCommand):
    help = "Load the shipped regions, 643 agencies and 12 RB themes (idempotent: re-running changes nothing)."

    def handle(self, *args, **options):
        report = LoadReport()
        reference_data_load(report=report)
        themes_load(report=report)
        self.stdout.write(
            f"regions: {Region.objects.count()}, agencies: {Agency.objects.count()}, themes: {Theme.objects.count()}"
        )
        if report.changed:
            self.stdout.write(f"created: {report.created or '-'}; updated: {report.updated or '-'}")
        else:
            self.stdout.write("nothing changed")
