"""The person's own account page: profile and languages, security (password, two-factor, recovery codes, API
token) and the sessions they are signed in with."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from ..forms import AccountForm
from ..selectors import user_sessions
from ..services.sessions import sessions_end
from ..services.users import user_profile_update
from ..twofactor import recovery_codes_left, user_has_totp


def _url_or_none(name: str) -> str | None:
    try:  # notifications:settings is built alongside this page (issue #16); the link appears once it exists
        return reverse(name)
    except NoReverseMatch:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    form = AccountForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = user_profile_update(
            user=request.user,
            full_name=data["full_name"],
            position=data["position"],
            language=data["language"],
            notification_language=data["notification_language"],
            request=request,
        )
        # The saved interface language is the page's from now on: the redirect goes to the account page in it,
        # and the language cookie (as Django's set_language writes it) keeps it for pages without a prefix.
        with translation.override(user.language):
            messages.success(request, _("Perubahan akun disimpan."))
            response = redirect(reverse("accounts:account"))
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return response
    has_totp = user_has_totp(user=request.user)
    context = {
        "form": form,
        "has_totp": has_totp,
        "recovery_left": recovery_codes_left(user=request.user) if has_totp else None,
        "token": Token.objects.select_related("grant").filter(user=request.user).first(),
        "sessions": user_sessions(user=request.user, current_key=request.session.session_key),
        "notification_settings_url": _url_or_none("notifications:settings"),
    }
    return render(request, "accounts/account.html", context, status=200 if request.method == "GET" else 400)


@login_required
@require_POST
def sessions_end_all(request):
    """Sign out everywhere else: every other session of the person ends; this one stays, so that the person
    sees the result (and can sign out here too with the button beside it)."""
    ended = sessions_end(user=request.user, keep_session_key=request.session.session_key, request=request)
    messages.success(request, _("Sesi lain diakhiri: %(count)d.") % {"count": ended})
    return redirect("accounts:account")
