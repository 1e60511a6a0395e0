from decimal import Decimal

import pytest

from agencies.models import Agency
from practices.models import Indicator, IndicatorValue, Practice, PracticeRevision, Theme
from practices.services.publishing import practice_publish

pytestmark = pytest.mark.django_db


def _revision(**content) -> PracticeRevision:
    practice = Practice.objects.create(agency=Agency.objects.get(code="35.78"), slug="contoh")
    revision = PracticeRevision.objects.create(
        practice=practice, number=1, primary_theme=Theme.objects.get(code="kemiskinan"), **content
    )
    practice.working_revision = revision
    practice.save()
    return revision


def test_publish_moves_live_revision_and_makes_it_searchable_with_indonesian_stemming():
    revision = _revision(title="Pengentasan kemiskinan berbasis data desa", summary="Ringkas.")
    practice = practice_publish(practice=revision.practice, revision=revision)
    assert practice.status == Practice.Status.PUBLISHED and practice.live_revision_id == revision.pk
    assert list(practice.themes.values_list("code", flat=True)) == ["kemiskinan"]
    # "miskin" is the stem of "kemiskinan" under the indonesian configuration.
    hits = Practice.objects.published().extra(
        where=["search_vector @@ plainto_tsquery('indonesian', %s)"], params=["miskin"]
    )
    assert list(hits) == [practice]


def test_reached_target_is_derived_from_the_latest_value_and_direction():
    revision = _revision(title="Angka kemiskinan turun")
    indicator = Indicator.objects.create(
        revision=revision, name="Angka kemiskinan", unit="%", target_value=Decimal("8"), higher_is_better=False
    )
    IndicatorValue.objects.create(indicator=indicator, value=Decimal("7.5"), date="2024-01-01")
    IndicatorValue.objects.create(indicator=indicator, value=Decimal("9.1"), date="2025-01-01")
    assert practice_publish(practice=revision.practice, revision=revision).reached_target is False
    IndicatorValue.objects.create(indicator=indicator, value=Decimal("7.9"), date="2025-06-01")
    assert practice_publish(practice=revision.practice, revision=revision).reached_target is True
