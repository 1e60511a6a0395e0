from axes.helpers import get_cool_off, get_failure_limit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token

from audit.services import Action, audit_record

from ..access import user_must_use_2fa
from ..forms import TokenForm
from ..twofactor import (
    SESSION_SETUP_KEY,
    totp_device_confirm,
    totp_provisioning_uri,
    totp_qr_svg_data_uri,
    totp_secret_for_humans,
    totp_setup_key,
    user_has_totp,
)


def _next_url(request) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return nxt
    return ""


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
            messages.success(request, _("Verifikasi dua langkah aktif untuk akun Anda."))
            return redirect(_next_url(request) or "accounts:2fa_setup")
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
def two_factor_verify(request):
    """The second step of login for users with a confirmed device."""
    if request.user.is_verified() or not user_has_totp(user=request.user):
        return redirect(_next_url(request) or "home")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            audit_record(action=Action.OTP_VERIFIED, target=device, request=request)
            return redirect(_next_url(request) or "home")
        audit_record(action=Action.OTP_FAILED, data={"stage": "login"}, request=request)
        form.add_error("token", _("Kode tidak cocok atau sudah dipakai. Tunggu kode berikutnya lalu coba lagi."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE): 429 with the cool-off in minutes, in the user's language."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "accounts/lockout.html", context, status=429)
