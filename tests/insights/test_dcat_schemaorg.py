"""schema.org JSON-LD on the practice page: it parses, carries the practice's facts, and no title can break
out of its script element."""

import json
import re

import pytest
from django.core.cache import cache

from common.opendata import LICENSE_URL
from tests.practices.factories import practice_published

pytestmark = pytest.mark.django_db

BLOCK = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def structured_data(client, url) -> tuple[str, dict]:
    html = client.get(url).content.decode()
    [block] = BLOCK.findall(html)
    return html, json.loads(block)


def test_practice_page_describes_the_practice(client):
    practice = practice_published(title="Mal Pelayanan Publik", summary="Satu atap.", agency="35.78", theme="investasi")
    practice.refresh_from_db()
    _html, data = structured_data(client, f"/praktik/{practice.slug}/")
    assert data["@context"] == "https://schema.org" and data["@type"] == "CreativeWork"
    assert data["name"] == "Mal Pelayanan Publik" and data["description"] == "Satu atap."
    assert data["url"] == f"http://testserver/praktik/{practice.slug}/" and data["identifier"] == str(practice.pk)
    assert data["author"]["@type"] == "GovernmentOrganization" and data["author"]["name"] == practice.agency.name
    assert data["author"]["url"] == f"http://testserver/instansi/{practice.agency.slug}/"
    assert data["publisher"]["@type"] == "GovernmentOrganization"
    assert data["license"] == LICENSE_URL and data["inLanguage"] == "id"
    assert data["datePublished"] == practice.published_at.astimezone().replace(microsecond=0).isoformat()
    assert data["dateModified"].endswith("+07:00")
    assert data["about"] == {
        "@type": "DefinedTerm", "name": "Peningkatan Investasi", "termCode": "investasi",
        "url": "http://testserver/tema/investasi/",
    }  # fmt: skip
    assert data["spatialCoverage"]["@type"] == "AdministrativeArea" and data["spatialCoverage"]["identifier"] == "35.78"
    assert data["spatialCoverage"]["containedInPlace"]["name"] == "Jawa Timur"
    _html, english = structured_data(client, f"/en/practices/{practice.slug}/")
    assert english["about"]["name"] == "Investment Growth" and english["url"] == data["url"]


def test_a_title_cannot_break_out_of_the_script_element(client):
    title = '</script><script>window.__xss=1</script><!-- & "quoted"'
    practice = practice_published(title=title, summary="<b>tebal</b> & </SCRIPT >", agency="32.04")
    html, data = structured_data(client, f"/praktik/{practice.slug}/")
    assert data["name"] == title and data["description"] == "<b>tebal</b> & </SCRIPT >"
    [block] = BLOCK.findall(html)
    assert "<" not in block and ">" not in block and "&" not in block
    assert "<script>window.__xss" not in html
