"""Sends a logged-in user who still owes a second factor to the 2FA pages before anything else."""

import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .access import user_must_use_2fa
from .services.sessions import LAST_SEEN_EVERY, user_session_touch
from .services.users import user_language_remember
from .twofactor import user_has_totp

SESSION_NO_DEVICE = "accounts_2fa_no_device"

# What a user who has only passed the password step may still reach.
ALLOWED_VIEWS = frozenset(
    {"accounts:logout", "accounts:2fa_setup", "accounts:2fa_verify", "set_language", "healthz", "javascript-catalog"}
)


class TwoFactorMiddleware:
    """After the password: users with a confirmed TOTP device must enter a token (`/akun/2fa/verifikasi/`);
    moderators without one must enrol first (`/akun/2fa/`). Must come after django-otp's OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if view_name in ALLOWED_VIEWS:
            return None
        # A session whose user had no device at its first request is remembered, so that ordinary members do not
        # pay a query on every page; enrolling logs the device in, and a device added elsewhere counts from the
        # next login.
        if request.session.get(SESSION_NO_DEVICE) == user.pk and not user_must_use_2fa(user=user):
            return None
        if user_has_totp(user=user):
            target = "accounts:2fa_verify"
        elif user_must_use_2fa(user=user):
            target = "accounts:2fa_setup"
        else:
            request.session[SESSION_NO_DEVICE] = user.pk
            return None
        nxt = request.get_full_path() if request.method == "GET" else ""
        url = reverse(target)
        return redirect(f"{url}?{urlencode({'next': nxt})}" if nxt else url)


ADMIN_PREFIX = "/admin/"  # the admin is not translated: its language says nothing about the person's
SESSION_SEEN = "accounts_seen"  # [session key, epoch seconds] of the last write of the session's UserSession


class AccountActivityMiddleware:
    """After the view, for a signed-in person: keep their session in their list of sessions (its "last seen"
    written at most every few minutes), and remember the interface language they use (unless they chose one
    on the account page: `User.language_chosen`). Must come after AuthenticationMiddleware (and inside
    SessionMiddleware, which saves what is noted in the session here).

    Requests without a session cookie are left alone before `request.user` is read: reading it would mark the
    session accessed and add `Vary: Cookie` to public pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:  # signing in lists the session (accounts.receivers)
            return response
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        session_seen_note(request=request, user=user)
        language = getattr(request, "LANGUAGE_CODE", "")
        if (
            request.method == "GET"
            and response.status_code == 200
            and response.get("Content-Type", "").startswith("text/html")
            and not user.language_chosen
            and language != user.language
            and language in dict(settings.LANGUAGES)
            and not request.path_info.startswith(ADMIN_PREFIX)
        ):
            user_language_remember(user=user, language=language)
        return response


def session_seen_note(*, request, user) -> None:
    """Write the session's row when it is new to the list (a new key after sign-in or a password change) or
    last written more than LAST_SEEN_EVERY ago."""
    key = request.session.session_key
    seen = request.session.get(SESSION_SEEN)
    now = time.time()
    if key and seen and seen[0] == key and now - seen[1] < LAST_SEEN_EVERY.total_seconds():
        return
    if user_session_touch(user=user, request=request):
        request.session[SESSION_SEEN] = [key, now]
