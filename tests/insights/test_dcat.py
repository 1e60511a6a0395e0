"""The DCAT-AP catalogue (JSON-LD): expanded offline with pyld, it has a catalogue, four datasets with their
distributions, licences and dates; every download URL it names answers; harvesters find it from the pages."""

import json

import pytest
from django.core.cache import cache
from pyld import jsonld

from common.opendata import LICENSE_URL
from practices.models import Theme
from tests.practices.factories import practice_published

pytestmark = pytest.mark.django_db

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _no_network(url, options=None):
    raise AssertionError(f"the catalogue must not need a remote context: {url}")


def expanded_catalogue(client, path="/data/katalog.jsonld") -> tuple[dict, list[dict]]:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    assert f'<{LICENSE_URL}>; rel="license"' in response["Link"]
    document = json.loads(response.content)
    return document, jsonld.expand(document, {"documentLoader": _no_network})


def nodes_of(expanded: list[dict], kind: str) -> list[dict]:
    """Every node of `kind` in the expanded tree (datasets and distributions are nested in the catalogue)."""
    found = []

    def walk(value):
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            if kind in value.get("@type", []):
                found.append(value)
            for key, item in value.items():
                if key != "@type":
                    walk(item)

    walk(expanded)
    return found


def texts(node: dict, prop: str) -> dict[str, str]:
    return {v["@language"]: v["@value"] for v in node[prop]}


def ids(node: dict, prop: str) -> list[str]:
    return [v["@id"] for v in node.get(prop, [])]


def test_catalogue_expands_as_dcat_ap(client):
    practice = practice_published(title="Posyandu", theme="kemiskinan")
    document, expanded = expanded_catalogue(client)
    [catalogue] = nodes_of(expanded, DCAT + "Catalog")
    assert texts(catalogue, DCT + "title") == {"id": "Data terbuka RBX Portal", "en": "RBX Portal open data"}
    assert ids(catalogue, DCT + "license") == [LICENSE_URL]
    assert ids(catalogue, DCT + "conformsTo") == ["http://data.europa.eu/r5r/"]
    [publisher] = catalogue[DCT + "publisher"]
    assert "https://www.menpan.go.id/" == publisher["@id"]
    assert "Kementerian Pendayagunaan" in texts(publisher, "http://xmlns.com/foaf/0.1/name")["id"]

    datasets = nodes_of(expanded, DCAT + "Dataset")
    assert len(datasets) == 4
    titles = {texts(d, DCT + "title")["en"] for d in datasets}
    assert titles == {
        "Bureaucratic reform best practices", "Directory of government agencies", "Replication ledger",
        "Who-does-what map",
    }  # fmt: skip
    for dataset in datasets:
        assert ids(dataset, DCT + "license") == [LICENSE_URL]
        assert set(texts(dataset, DCT + "description")) == {"id", "en"}
        assert dataset[DCAT + "contactPoint"][0]["http://www.w3.org/2006/vcard/ns#hasEmail"][0]["@id"].startswith(
            "mailto:"
        )
        distributions = dataset[DCAT + "distribution"]
        assert distributions and all(d["@type"] == [DCAT + "Distribution"] for d in distributions)
        formats = {fmt for d in distributions for fmt in ids(d, DCT + "format")}
        assert {"http://publications.europa.eu/resource/authority/file-type/CSV",
                "http://publications.europa.eu/resource/authority/file-type/XLSX"} <= formats  # fmt: skip
        for distribution in distributions:
            assert ids(distribution, DCAT + "accessURL") and ids(distribution, DCT + "license") == [LICENSE_URL]
    practices = next(d for d in datasets if d[DCT + "identifier"][0]["@value"] == "rbx-practices")
    issued = practices[DCT + "issued"][0]
    assert issued["@type"] == "http://www.w3.org/2001/XMLSchema#dateTime"
    practice.refresh_from_db()
    assert issued["@value"] == practice.published_at.astimezone().replace(microsecond=0).isoformat()
    who = next(d for d in datasets if d[DCT + "identifier"][0]["@value"] == "rbx-who-does-what")
    assert len(who[DCAT + "distribution"]) == 2 * Theme.objects.count()
    # The API is described as a data service serving the four datasets.
    [service] = nodes_of(expanded, DCAT + "DataService")
    assert len(service[DCAT + "servesDataset"]) == 4
    # N-Quads can be produced from it (what an RDF harvester does next).
    assert "<http://www.w3.org/ns/dcat#Catalog>" in jsonld.normalize(
        document, {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": _no_network}
    )


def test_every_download_url_of_the_catalogue_answers(client):
    practice_published(title="Posyandu", theme="kemiskinan")
    _document, expanded = expanded_catalogue(client)
    urls = {url for d in nodes_of(expanded, DCAT + "Distribution") for url in ids(d, DCAT + "downloadURL")}
    urls |= {url for d in nodes_of(expanded, DCAT + "Distribution") for url in ids(d, DCAT + "accessURL")}
    assert len(urls) >= 2 * Theme.objects.count() + 8
    for url in sorted(urls):
        assert url.startswith("http://testserver/"), url
        response = client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200, url


def test_catalogue_is_the_same_document_in_english_and_linked_from_the_pages(client):
    document, _expanded = expanded_catalogue(client)
    english, _ = expanded_catalogue(client, "/en/data/catalog.jsonld")
    assert english == document  # one document: both languages inside, Indonesian (unprefixed) URLs
    link = '<link rel="alternate" type="application/ld+json" href="/data/katalog.jsonld"'
    assert link in client.get("/").content.decode()
    assert link in client.get("/data/kamus/").content.decode()
    assert 'href="/en/data/catalog.jsonld"' in client.get("/en/").content.decode()  # the footer
