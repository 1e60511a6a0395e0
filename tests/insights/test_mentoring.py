from decimal import Decimal

import pytest
from django.urls import reverse

from agencies.models import Agency, Membership, RBIndexScore
from agencies.services.rbindex import rb_category
from insights.selectors.mentoring import agencies_needing_mentoring, mentor_suggestions
from practices.models import Theme
from practices.selectors.public import practices_like_you
from tests.accounts.factories import UserFactory
from tests.agencies.factories import member
from tests.i18n import en_url
from tests.practices.factories import published_practice

pytestmark = pytest.mark.django_db


def _score(code, year, value):
    value = Decimal(value)
    RBIndexScore.objects.create(
        agency=Agency.objects.get(code=code), year=year, score=value, category=rb_category(value)
    )


@pytest.fixture
def fixture():
    # Kabupaten Bandung (32.04) needs mentoring: its latest score (2024) is C, an older one was B.
    _score("32.04", 2023, "65")
    _score("32.04", 2024, "45")
    # Regencies with higher scores and practices: same province (Kab. Bogor 32.01), same island (Kab. Semarang
    # 33.22), far away (Kab. Aceh Besar 11.06). Kab. Garut 32.05 scores lower; Kota Bandung 32.73 is a city.
    for code, score in [("32.01", "70"), ("33.22", "90"), ("11.06", "95"), ("32.05", "40"), ("32.73", "99")]:
        _score(code, 2024, score)
        published_practice(agency_code=code, slug=f"p-{code.replace('.', '-')}", theme="kemiskinan")
    published_practice(agency_code="33.22", slug="p-33-22-inv", theme="investasi")
    _score("32.02", 2024, "85")  # higher, same province, but no published practice


def test_suggestions_order_and_filters(fixture):
    bandung = Agency.objects.get(code="32.04")
    suggestions = mentor_suggestions(agency=bandung)
    assert [s.agency.code for s in suggestions] == ["32.01", "33.22", "11.06"]
    assert [s.distance for s in suggestions] == [0, 1, 2]
    investasi = Theme.objects.get(code="investasi")
    assert [s.agency.code for s in mentor_suggestions(agency=bandung, theme_ids=[investasi.pk])] == ["33.22"]
    assert mentor_suggestions(agency=Agency.objects.get(code="33.22")) == []  # AA needs no mentor


def test_moderators_see_agencies_needing_mentoring(fixture):
    assert [(s.agency.code, s.category) for s in agencies_needing_mentoring()] == [("32.05", "C"), ("32.04", "C")]


def test_mentoring_page_ladder(client, fixture):
    url = reverse("insights:mentoring")
    assert client.get(url).status_code == 302  # anonymous → login
    client.force_login(member("32.04"))  # a plain member
    assert client.get(url).status_code == 404
    client.force_login(member("32.04", role=Membership.Role.ADMIN))
    page = client.get(url).content.decode()
    assert "Kabupaten Bogor" in page and "Kabupaten Garut" not in page
    moderator = UserFactory(ministry_role="moderator")
    moderator.save()
    client.force_login(moderator)
    assert "Kabupaten Garut" in client.get(en_url("insights:mentoring")).content.decode()


def test_agencies_like_you(fixture):
    source = published_practice(agency_code="32.04", slug="bdg", theme="investasi")
    like = practices_like_you(practice=source, limit=10)
    assert all(p.agency.kind == "kabupaten" and p.agency.code != "32.04" for p in like)
    assert like[0].slug == "p-33-22-inv"  # shares the theme
    assert "p-32-73" not in [p.slug for p in like]  # a city is not a regency
