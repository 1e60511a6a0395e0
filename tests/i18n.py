"""URLs in English for the tests that check the /en/ pages (reverse() gives the active language's path)."""

from django.urls import reverse
from django.utils import translation


def en_url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs or None)
