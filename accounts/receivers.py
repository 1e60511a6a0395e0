"""Receivers of Django's auth signals for the accounts app's own bookkeeping: the list of a person's sessions."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import session_seen_note


@receiver(user_logged_in, dispatch_uid="accounts_session_listed")
def _session_listed(sender, request, user, **kwargs):
    # Signing in made a new session key: list it now (the middleware keeps its "last seen" afterwards).
    if request is not None and hasattr(request, "session"):
        session_seen_note(request=request, user=user)
