"""People for the tests. A user is a row (factory_boy); a ministry role is given through the accounts service."""

from __future__ import annotations

import factory

from accounts.models import User
from accounts.services.users import user_ministry_role_set

PASSWORD = "rahasia-uji-123"  # noqa: S105 - test accounts only


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.go.id")
    full_name = factory.Faker("name", locale="id_ID")
    # Hashed at build time, so the saved row has it (force_login sessions then survive the next request).
    password = factory.django.Password(PASSWORD)


def user(**fields) -> User:
    """A person with no agency and no ministry role (the public with an account)."""
    person = UserFactory(**fields)
    person.save()  # keep the hash that force_login's session records
    return person


def moderator(lead: bool = False, **fields) -> User:
    """A ministry moderator (or lead moderator)."""
    role = User.MinistryRole.LEAD if lead else User.MinistryRole.MODERATOR
    return user_ministry_role_set(user=user(**fields), role=role)
