"""Collections and experts for the tests, made through the showcases services."""

from __future__ import annotations

from accounts.models import User
from showcases.models import Collection, Expert
from showcases.services import collection_create, expert_save
from tests.accounts.factories import moderator, user
from tests.practices.factories import practice_published


def collection(
    *,
    title: str = "Koleksi uji",
    kind: str = "curated",
    practices=None,
    labels=None,
    actor=None,
    is_published: bool = True,
    **fields,
) -> Collection:
    """A collection of the given published practices (two new ones by default), with optional labels."""
    if practices is None:
        practices = [practice_published(title=f"{title} praktik {i}") for i in (1, 2)]
    labels = labels or [""] * len(practices)
    return collection_create(
        actor=actor or moderator(),
        title=title,
        kind=kind,
        items=list(zip(practices, labels, strict=True)),
        is_published=is_published,
        **fields,
    )


def expert(*, email: str | None = None, affiliation: str = "Universitas Airlangga", **fields) -> Expert:
    """An active expert: an account (password set, to log in) with its expert profile, made by a lead."""
    person = user(email=email) if email else user()
    made = expert_save(
        actor=moderator(lead=True),
        email=person.email,
        affiliation=affiliation,
        expertise=fields.pop("expertise", "Kebijakan publik"),
        is_active=fields.pop("is_active", True),
    )
    if fields:
        User.objects.filter(pk=person.pk).update(**fields)
    return made
