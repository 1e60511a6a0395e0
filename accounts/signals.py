"""Signals the accounts side sends for the layers above it to act on.

`security_notice`: a message a person must get and cannot switch off (kinds `invitation`, `password_reset`,
`two_factor_reset`). The apps below `notifications` (accounts, agencies) cannot call `notify` themselves, so they
send this signal inside their transaction; `notifications.receivers` writes the notification and its email
outbox row in that same transaction.

    security_notice.send(
        sender=<the sending module or class>,
        kind="password_reset",
        recipient=<a User, or an email address for someone without an account yet>,
        context={...},          # what the kind's template needs
        target_url="/akun/...",  # a path without language prefix
        language=None,           # email-only recipients: the language to write in; users have their own
        dedupe_key="",           # optional, unique per send
    )
"""

from django.conf import settings
from django.dispatch import Signal
from django.urls import reverse
from django.utils import translation

security_notice = Signal()

# The kinds sent through `security_notice`: mandatory, never switched off by a notification setting.
SECURITY_KINDS = frozenset({"invitation", "password_reset", "two_factor_reset"})


def notice_path(name: str, **kwargs) -> str:
    """A notice's `target_url`: the path of a named URL without a language prefix (the Indonesian URL)."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, kwargs=kwargs or None)
