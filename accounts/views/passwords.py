"""Forgotten and changed passwords: Django's views, with the reset request answered the same for any address."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from common.ratelimit import ratelimit, ratelimit_hit, ratelimited_response

from ..forms import PasswordResetRequestForm
from ..services.passwords import password_changed, password_reset_request


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
# It emails a typed address: per client IP (or user), and per address below; closed when Redis is down.
@ratelimit(key="password-reset", rate="10/h", methods=["POST"], fail_closed=True)
def password_reset(request):
    """Ask for a reset link. Known or not, an address gets the same answer (a redirect to the same page) after
    the same work; only an active account's address is then sent a link, by the worker."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        who = "e" + hashlib.sha256(email.encode()).hexdigest()[:32]
        allowed, retry_after = ratelimit_hit(
            key="password-reset-address", rate="3/h", request=request, fail_closed=True, who=who
        )
        if not allowed:
            return ratelimited_response(request, retry_after=retry_after)
        password_reset_request(email=email, request=request)
        return redirect("accounts:password_reset_done")
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/password_reset_form.html", {"form": form}, status=status)


@require_http_methods(["GET"])
def password_reset_done(request):
    return render(request, "registration/password_reset_done.html")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's: the link's token works once (it hashes the password it replaces). Then every session of the
    person ends (whoever had the old password is signed out) and the reset is audited."""

    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(user=form.user, request=self.request, reset=True)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's: the current session stays signed in (`update_session_auth_hash`); the person's other sessions
    end (`password_changed`)."""

    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(user=form.user, request=self.request)
        messages.success(self.request, _("Kata sandi diubah. Sesi Anda di perangkat lain telah diakhiri."))
        return response
