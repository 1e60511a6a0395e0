"""The page frame rendered once per process ({% constant %}, common/templatetags/chrome.py) shows the right
current section and language for each page, and nothing of the visitor."""

import pytest

from common.templatetags.chrome import constant_forget
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False  # the frame is kept only without DEBUG
    constant_forget()
    yield
    constant_forget()


def _current(html: str) -> list[str]:
    import re

    return re.findall(r'<a href="([^"]+)" aria-current="page">', html)


def test_each_section_and_language_marks_its_own_nav_item(client):
    for _ in range(2):  # the second round is served from the kept frame
        assert _current(client.get("/praktik/").content.decode()) == ["/praktik/"]
        assert _current(client.get("/tema/").content.decode()) == ["/tema/"]
        assert _current(client.get("/en/practices/").content.decode()) == ["/en/practices/"]
        home = client.get("/en/").content.decode()
        assert _current(home) == ["/en/"] and "Home" in home


def test_the_kept_frame_carries_no_visitor(client):
    client.get("/praktik/")  # kept for anonymous visitors
    client.force_login(UserFactory(full_name="Ratna Sari"))
    signed_in = client.get("/praktik/").content.decode()
    client.logout()
    anonymous = client.get("/praktik/").content.decode()
    assert "Ratna Sari" in signed_in and "Ratna Sari" not in anonymous and "Masuk" in anonymous


def test_a_block_inside_a_kept_part_can_still_be_overridden():
    """A kept part holding no {% block %} is skipped when {% extends %} looks for blocks; one holding a block
    keeps it reachable, so a child template still overrides it and reads `block.super`."""
    from django.template import Context, Engine

    engine = Engine(
        libraries={"chrome": "common.templatetags.chrome"},
        loaders=[
            (
                "django.template.loaders.locmem.Loader",
                {
                    "frame.html": '{% load chrome %}{% constant "a" %}<nav>fixed</nav>{% endconstant %}'
                    '{% constant "b" %}<p>{% block inner %}frame{% endblock %}</p>{% endconstant %}',
                    "page.html": '{% extends "frame.html" %}{% block inner %}page+{{ block.super }}{% endblock %}',
                },
            )
        ],
    )
    assert engine.get_template("page.html").render(Context()) == "<nav>fixed</nav><p>page+frame</p>"
