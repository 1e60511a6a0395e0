"""A constraint about one field puts its message on that field (common.constraints); the rest stay form-wide."""

from __future__ import annotations

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from agencies.models import Region

pytestmark = pytest.mark.django_db


def test_a_field_rule_lands_on_its_field_in_the_persons_words():
    city = Region(code="99.01", name="Kota Uji", level=Region.Level.CITY, province=None)
    with pytest.raises(ValidationError) as refused:
        city.full_clean()
    errors = refused.value.message_dict
    assert "province" in errors and NON_FIELD_ERRORS not in errors
    assert "harus punya" in errors["province"][0]
    assert "region_parent_matches_level" not in str(errors)
