"""The page where a user creates, regenerates and revokes their own API token."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from ..services.tokens import api_token_regenerate, api_token_revoke


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_token(request):
    """GET shows whether a token exists; POST creates a new one and shows it this once.

    The key is rendered in the POST response instead of after a redirect so that it is never stored in the
    session or the message cookie; the response is not cached.
    """
    token = Token.objects.filter(user=request.user).first()
    new_key = None
    if request.method == "POST":
        try:
            token = api_token_regenerate(user=request.user, request=request)
            new_key = token.key
        except PermissionDenied as exc:
            messages.error(request, str(exc))
    context = {"token": token, "new_key": new_key}
    return render(request, "accounts/token.html", context)


@login_required
@require_POST
def api_token_delete(request):
    if api_token_revoke(user=request.user, request=request):
        messages.success(request, _("Token API dicabut; aplikasi yang memakainya tidak bisa masuk lagi."))
    return redirect("accounts:api_token")
