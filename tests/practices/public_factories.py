"""Published practices for the public-side tests, created as the portal does: ORM rows, then `practice_publish`."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from agencies.models import Agency
from common.cache import public_cache_invalidate
from practices.models import Indicator, IndicatorValue, Practice, PracticeRevision, Theme
from practices.services.publishing import practice_publish

_seq = itertools.count(1)


def make_practice(
    *,
    title: str = "Praktik uji",
    summary: str = "Ringkasan praktik uji.",
    agency: str = "35.78",
    theme: str = "kemiskinan",
    other_themes: tuple[str, ...] = (),
    publish: bool = True,
    indicator: dict | None = None,
    **content,
) -> Practice:
    n = next(_seq)
    practice = Practice.objects.create(agency=Agency.objects.get(code=agency), slug=f"praktik-terbit-{n}")
    extra = {k: v for k, v in content.items() if k in {f.name for f in PracticeRevision._meta.fields}}
    revision = PracticeRevision.objects.create(
        practice=practice,
        number=1,
        title=title,
        summary=summary,
        primary_theme=Theme.objects.get(code=theme),
        **extra,
    )
    if other_themes:
        revision.other_themes.set(Theme.objects.filter(code__in=other_themes))
    if indicator:
        values = indicator.pop("values", [])
        ind = Indicator.objects.create(revision=revision, **indicator)
        for day, value in values:
            IndicatorValue.objects.create(indicator=ind, value=Decimal(value), date=date.fromisoformat(day))
    practice.working_revision = revision
    practice.save()
    if publish:
        practice_publish(practice=practice, revision=revision)
        practice_fields = {k: v for k, v in content.items() if k in {"evidence_level", "replication_count", "featured"}}
        if practice_fields:
            Practice.objects.filter(pk=practice.pk).update(**practice_fields)
            practice.refresh_from_db()
            public_cache_invalidate()
    return practice
