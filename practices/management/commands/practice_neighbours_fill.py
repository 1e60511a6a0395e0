from django.core.management.base import BaseCommand

from practices.models import Practice
from practices.services.neighbours import practice_neighbours_compute, practice_neighbours_sweep


class Command(BaseCommand):
    help = (
        "Compute the stored similar practices and 'agencies like you' of practices that have none (as the beat "
        "sweep does, newest first), or of the practices named by --slug. Used after loading data in bulk "
        "(the benchmark seed) and safe to repeat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000, help="at most this many practices (default 1000)")
        parser.add_argument("--slug", action="append", default=[], help="these practices (repeatable)")

    def handle(self, *args, limit: int, slug: list[str], **options):
        if slug:
            ids = list(Practice.objects.published().filter(slug__in=slug).values_list("pk", flat=True))
            for pk in ids:
                practice_neighbours_compute(practice_id=pk)
            self.stdout.write(f"neighbours computed for {len(ids)} practice(s)")
            return
        result = practice_neighbours_sweep(limit=limit)
        self.stdout.write(f"neighbours: {result['filled']} filled, {result['refreshed']} refreshed")
