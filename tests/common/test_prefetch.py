"""Related rows read in the parent's query (common.prefetch): the same instances, values and order as
`prefetch_related` gives, and no query when they are read."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import OuterRef

from common.prefetch import rows_array, rows_prefetched
from practices.models import Indicator, IndicatorValue, Practice, Theme
from tests.practices.factories import practice_published

pytestmark = pytest.mark.django_db


def _as_fields(objects) -> list[dict]:
    return [{f.attname: getattr(o, f.attname) for f in type(o)._meta.concrete_fields} for o in objects]


def test_rows_read_with_the_parent_equal_a_prefetch(django_assert_num_queries):
    practice = practice_published(
        other_themes=("investasi", "digitalisasi"),
        indicator={
            "name": "Angka kemiskinan",
            "unit": "%",
            "target_value": Decimal("9.5"),
            # Out of date order, an exact decimal and a large one: the read keeps order and every digit.
            "values": [("2024-06-30", "10.1234"), ("2023-01-01", "12345678901234.5678"), ("2024-01-01", "0.0001")],
        },
    )
    expected_themes = list(Theme.objects.filter(practices=practice))
    indicator = Indicator.objects.get(revision=practice.live_revision)
    expected_values = list(indicator.values.all())
    assert len(expected_themes) == 3 and len(expected_values) == 3

    with django_assert_num_queries(1):
        parent = Practice.objects.annotate(rows=rows_array(Theme.objects.filter(practices=OuterRef("pk")))).get(
            pk=practice.pk
        )
        themes = rows_prefetched(parent, "themes", Theme, parent.rows)
        shown = list(parent.themes.all())  # read from the kept rows, as after prefetch_related
    assert shown == themes == expected_themes
    assert _as_fields(shown) == _as_fields(expected_themes)

    with django_assert_num_queries(1):
        (row,) = Indicator.objects.filter(pk=indicator.pk).annotate(
            rows=rows_array(IndicatorValue.objects.filter(indicator=OuterRef("pk")))
        )
        rows_prefetched(row, "values", IndicatorValue, row.rows)
        values = list(row.values.all())
    assert _as_fields(values) == _as_fields(expected_values)
    assert [v.date for v in values] == [date(2023, 1, 1), date(2024, 1, 1), date(2024, 6, 30)]
    assert [v.value for v in values] == [Decimal("12345678901234.5678"), Decimal("0.0001"), Decimal("10.1234")]


def test_no_rows_and_chosen_columns(django_assert_num_queries):
    practice = practice_published()
    indicator_less = Practice.objects.annotate(
        rows=rows_array(Indicator.objects.filter(revision__practice=OuterRef("pk")))
    ).get(pk=practice.pk)
    assert indicator_less.rows == []
    assert rows_prefetched(indicator_less, "themes", Theme, None) == []
    with django_assert_num_queries(0):
        assert list(indicator_less.themes.all()) == []

    parent = Practice.objects.annotate(
        rows=rows_array(Theme.objects.filter(practices=OuterRef("pk")), fields=["id", "code"])
    ).get(pk=practice.pk)
    (theme,) = rows_prefetched(parent, "themes", Theme, parent.rows)
    assert theme.code == "kemiskinan"
    assert theme.get_deferred_fields() == {f.attname for f in Theme._meta.concrete_fields} - {"id", "code"}
    assert theme.name_id == Theme.objects.get(code="kemiskinan").name_id  # a deferred column loads on access
