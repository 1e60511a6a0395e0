"""The person's own account page: who they are, and the way to each of their settings (issue #16 grows it)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..twofactor import user_has_totp


@login_required
@require_GET
def account(request):
    return render(request, "accounts/account.html", {"has_totp": user_has_totp(user=request.user)})
