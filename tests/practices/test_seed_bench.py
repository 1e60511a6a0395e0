import pytest
from django.core.management import call_command

from practices.models import Indicator, Practice

pytestmark = pytest.mark.django_db


def test_seed_bench_creates_published_searchable_practices_and_clears_them(capsys):
    call_command("seed_bench", "--practices", "60", "--batch", "25")
    published = Practice.objects.published().filter(slug__startswith="bench-")
    assert published.count() == 60
    assert Indicator.objects.filter(revision__practice__in=published).count() == 120
    assert not published.filter(live_revision__isnull=True).exists()
    common = published.extra(where=["search_vector @@ plainto_tsquery('indonesian', 'layanan')"]).count()
    assert 12 <= common < 60  # the common word: in at least a fifth of the practices
    call_command("seed_bench", "--practices", "60")  # resumes: nothing more to create
    assert published.count() == 60
    call_command("seed_bench", "--practices", "0", "--clear")
    assert not Practice.objects.filter(slug__startswith="bench-").exists()
