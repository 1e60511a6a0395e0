from axes.helpers import get_cool_off, get_failure_limit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token

from audit.services import Action, audit_record

from ..access import two_factor_reset_target_get, user_must_use_2fa
from ..forms import RecoveryCodeForm, TokenForm
from ..twofactor import (
    SESSION_SETUP_KEY,
    recovery_code_verify,
    recovery_codes_generate,
    recovery_codes_left,
    totp_device_confirm,
    totp_provisioning_uri,
    totp_qr_svg_data_uri,
    totp_secret_for_humans,
    totp_setup_key,
    two_factor_reset,
    user_has_totp,
)


def _next_url(request) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return nxt
    return ""


@never_cache
@login_required
def two_factor_setup(request):
    """Enrol an authenticator app: scan the QR code (or type the secret), then confirm with one token."""
    has_device = user_has_totp(user=request.user)
    if has_device and not request.user.is_verified():
        # Adding a device must not be a way round the second factor.
        return redirect("accounts:2fa_verify")
    if has_device:
        return render(request, "accounts/two_factor_setup.html", {"has_device": True})
    key = totp_setup_key(session=request.session)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = totp_device_confirm(user=request.user, key=key, token=form.cleaned_data["token"], request=request)
        if device is not None:
            request.session.pop(SESSION_SETUP_KEY, None)
            otp_login(request, device)
            # The recovery codes are made now and shown in this response only (never stored in the session).
            codes = recovery_codes_generate(user=request.user, request=request)
            context = {"codes": codes, "enrolled": True, "continue_url": _next_url(request) or reverse("home")}
            return render(request, "accounts/recovery_codes.html", context)
        form.add_error("token", _("Kode tidak cocok. Periksa jam di ponsel Anda lalu masukkan kode yang baru."))
    uri = totp_provisioning_uri(user=request.user, key=key)
    context = {
        "form": form,
        "has_device": False,
        "required": user_must_use_2fa(user=request.user),
        "otpauth_uri": uri,
        "secret": totp_secret_for_humans(key=key),
        "qr_data_uri": totp_qr_svg_data_uri(uri=uri),
        "next": _next_url(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The second step of login for users with a confirmed device: a token from the app, or one of the
    recovery codes (a separate form on the page; each code works once)."""
    if request.user.is_verified() or not user_has_totp(user=request.user):
        return redirect(_next_url(request) or "home")
    with_code = request.method == "POST" and "code" in request.POST
    form = TokenForm(request.POST if request.method == "POST" and not with_code else None)
    code_form = RecoveryCodeForm(request.POST if with_code else None)
    if with_code and code_form.is_valid():
        device = recovery_code_verify(user=request.user, code=code_form.cleaned_data["code"], request=request)
        if device is not None:
            otp_login(request, device)
            left = recovery_codes_left(user=request.user) or 0
            messages.warning(
                request,
                _(
                    "Anda masuk dengan kode pemulihan; sisa kode: %(left)d. Kode itu tidak bisa dipakai lagi. "
                    "Buat kode baru bila tinggal sedikit, dan minta moderator utama mengatur ulang verifikasi "
                    "dua langkah bila ponsel Anda hilang."
                )
                % {"left": left},
            )
            return redirect(_next_url(request) or "home")
        code_form.add_error("code", _("Kode pemulihan tidak cocok atau sudah dipakai."))
    elif request.method == "POST" and not with_code and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            audit_record(action=Action.OTP_VERIFIED, target=device, request=request)
            return redirect(_next_url(request) or "home")
        audit_record(action=Action.OTP_FAILED, data={"stage": "login"}, request=request)
        form.add_error("token", _("Kode tidak cocok atau sudah dipakai. Tunggu kode berikutnya lalu coba lagi."))
    context = {"form": form, "code_form": code_form, "next": _next_url(request)}
    return render(request, "accounts/two_factor_verify.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """How many recovery codes are left; POST makes ten new ones (the old ones stop working) and shows them in
    this response only. Needs a session verified with two-factor: whoever has only the password cannot
    replace the codes."""
    has_totp = user_has_totp(user=request.user)
    codes = None
    if request.method == "POST":
        if not has_totp or not request.user.is_verified():
            raise PermissionDenied(
                _("Kode pemulihan hanya dapat dibuat dari sesi yang sudah diverifikasi dua langkah.")
            )
        codes = recovery_codes_generate(user=request.user, request=request)
    context = {
        "codes": codes,
        "has_totp": has_totp,
        "left": recovery_codes_left(user=request.user),
        "continue_url": reverse("accounts:account"),
    }
    return render(request, "accounts/recovery_codes.html", context)


@login_required
@require_POST
def two_factor_reset_view(request, user_id: int):
    """A lead moderator removes a moderator's authenticator and recovery codes (lost phone); 404 for others."""
    target = two_factor_reset_target_get(user=request.user, user_id=user_id)
    two_factor_reset(target=target, by=request.user, request=request)
    messages.success(
        request,
        _("Verifikasi dua langkah %(name)s diatur ulang; ia akan mendaftarkan autentikator baru saat masuk.")
        % {"name": target.get_full_name()},
    )
    nxt = _next_url(request)
    if nxt:
        return redirect(nxt)
    try:  # the moderators' list (agencies:moderators) is built alongside this view (issue #16)
        return redirect("agencies:moderators")
    except NoReverseMatch:
        return redirect("accounts:account")


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE): 429 with the cool-off in minutes, in the user's language."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "accounts/lockout.html", context, status=429)
