"""Reads about practices and themes."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import Theme


def theme_list() -> QuerySet[Theme]:
    return Theme.objects.all()
