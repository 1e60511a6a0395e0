"""Small fixtures shared by the issue #6 tests: published practices with known agencies and themes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from agencies.models import Agency, Membership
from practices.models import Practice, PracticeRevision, Theme
from practices.services.publishing import practice_publish
from tests.factories import MembershipFactory


def published_practice(*, agency_code: str, slug: str, theme: str = "kemiskinan", title: str | None = None) -> Practice:
    practice = Practice.objects.create(agency=Agency.objects.get(code=agency_code), slug=slug)
    revision = PracticeRevision.objects.create(
        practice=practice, number=1, title=title or f"Praktik {slug}", summary="Ringkas.",
        primary_theme=Theme.objects.get(code=theme),
    )  # fmt: skip
    practice.working_revision = revision
    practice.save()
    return practice_publish(practice=practice, revision=revision)


def member(agency_code: str, role: str = Membership.Role.MEMBER):
    user = MembershipFactory(agency=Agency.objects.get(code=agency_code), role=role).user
    user.save()  # the factory sets the password without saving; force_login's session hash needs it stored
    return user


@pytest.fixture(autouse=True)
def indonesian():
    """Requests activate a language in the test thread; start every test in the source language."""
    with translation.override("id"):
        yield


def en_url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs or None)
