from django.core.management.base import BaseCommand

from agencies.models import Agency, Region
from agencies.services.reference import LoadReport, reference_data_load
from practices.models import Theme
from practices.services.indexing import practice_search_vectors_refresh, search_vocabulary_names_add
from practices.services.reference import glossary_load, themes_load


class Command(BaseCommand):
    help = (
        "Load the shipped regions, 643 agencies, 12 RB themes and the search glossary "
        "(idempotent: re-running changes nothing)."
    )

    def handle(self, *args, **options):
        report = LoadReport()
        reference_data_load(report=report)
        themes_load(report=report)
        glossary_load(report=report)
        search_vocabulary_names_add()
        if {"agency", "region", "theme"} & set(report.updated):
            # A renamed agency, region or theme: the practices are found by the new name (and no longer the old).
            practice_search_vectors_refresh()
        self.stdout.write(
            f"regions: {Region.objects.count()}, agencies: {Agency.objects.count()}, themes: {Theme.objects.count()}"
        )
        if report.changed:
            self.stdout.write(f"created: {report.created or '-'}; updated: {report.updated or '-'}")
        else:
            self.stdout.write("nothing changed")
