"""Writes about user accounts."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from audit.services import Action, audit_record

User = get_user_model()


@transaction.atomic
def user_ensure(*, email: str, password: str | None = None, full_name: str = "") -> tuple[User, bool]:
    """Return the account for `email`, creating it when missing. Returns (user, created).

    A new account without a password gets an unusable one: the person sets it through a one-time link.
    A given password is (re)set, which is what scripts that pass --password expect.
    """
    email = email.strip().lower()
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(email=email, password=None, full_name=full_name)
        if not password:
            user.set_unusable_password()
            user.save(update_fields=["password"])
    if password:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user, created


def user_password_set_link(*, user: User) -> str:
    """An absolute one-time link with which `user` sets a password (Django's reset token: single use)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


@transaction.atomic
def user_ministry_role_set(*, user: User, role: str) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    user.ministry_role = role
    user.full_clean(exclude=["password"])
    user.save(update_fields=["ministry_role"])
    return user


@transaction.atomic
def user_profile_update(
    *, user: User, full_name: str, position: str, language: str, notification_language: str, request=None
) -> User:
    """Save what the account page edits. The interface language saved here is the person's choice
    (`language_chosen`): from now on it no longer follows the language they browse in."""
    user = User.objects.select_for_update().get(pk=user.pk)
    before = {"language": user.language, "notification_language": user.notification_language}
    user.full_name, user.position = full_name.strip(), position.strip()
    user.language, user.notification_language, user.language_chosen = language, notification_language, True
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "position", "language", "notification_language", "language_chosen"])
    audit_record(
        actor=user,
        action=Action.PROFILE_UPDATED,
        target=user,
        data={"before": before, "language": language, "notification_language": notification_language},
        request=request,
    )
    return user


def user_language_remember(*, user: User, language: str) -> bool:
    """Keep the language a person last used as their interface language, unless they chose one on the account
    page. One conditional UPDATE, and only when it changes (the middleware compares first); True if it did."""
    updated = (
        User.objects.filter(pk=user.pk, language_chosen=False).exclude(language=language).update(language=language)
    )
    if updated:
        user.language = language
    return bool(updated)
