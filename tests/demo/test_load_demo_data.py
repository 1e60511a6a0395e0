import pytest
from django.core.management import call_command

from practices.models import Practice

pytestmark = pytest.mark.django_db


def test_demo_practices_are_published_with_indicators_and_idempotent():
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from demo.management.commands.load_demo_data import DEMO_PRACTICES

    slugs = [row[0] for row in DEMO_PRACTICES]
    demo = Practice.objects.published().filter(slug__in=slugs)
    assert demo.count() == 8
    assert demo.values("primary_theme").distinct().count() >= 6
    assert all(p.live_revision.indicators.exists() for p in demo)
    assert demo.filter(search_vector__isnull=True).count() == 0
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Practice.objects.filter(slug__in=slugs).count() == 8
