"""A service's refusal shown where the person acts: on the form they sent, in their language, with their input
kept (the view re-renders the bound form)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


def error_text(exc: ValidationError | PermissionDenied) -> str:
    """The message of a ValidationError (all of its messages) or of a PermissionDenied."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("Tidak diizinkan.")


def form_error_add(form, exc: ValidationError | PermissionDenied, *, field: str | None = None) -> None:
    """Put a service's refusal on the form (on `field`, or above the form)."""
    form.add_error(field, error_text(exc))
