"""Two-factor login with TOTP (django-otp): enrolment, verification, and who must use it."""

from __future__ import annotations

import base64
from binascii import unhexlify
from urllib.parse import quote, urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from audit.services import Action, audit_record

SESSION_SETUP_KEY = "accounts_2fa_setup_key"


def user_has_totp(*, user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def totp_setup_key(*, session) -> str:
    """The hex secret being enrolled, kept in the session until confirmed so that nothing is written on GET."""
    key = session.get(SESSION_SETUP_KEY)
    if not key:
        key = random_hex(20)
        session[SESSION_SETUP_KEY] = key
    return key


def totp_provisioning_uri(*, user, key: str) -> str:
    """The otpauth:// URI that authenticator apps read (from the QR code or typed)."""
    secret = base64.b32encode(unhexlify(key)).decode("ascii")
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{user.email}")
    return f"otpauth://totp/{label}?" + urlencode({"secret": secret, "issuer": issuer, "digits": 6, "period": 30})


def totp_secret_for_humans(*, key: str) -> str:
    secret = base64.b32encode(unhexlify(key)).decode("ascii")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def totp_device_confirm(*, user, key: str, token: str, request=None) -> TOTPDevice | None:
    """Create the user's confirmed TOTP device when `token` matches `key` (one step of drift allowed).

    Returns None, and writes nothing but an audit event, when the token is wrong.
    """
    totp = TOTP(unhexlify(key), step=30, t0=0, digits=6)
    if not token.isdigit() or not totp.verify(int(token), tolerance=1):
        audit_record(actor=user, action=Action.OTP_FAILED, data={"stage": "enrolment"}, request=request)
        return None
    device = TOTPDevice.objects.create(user=user, name="default", key=key, confirmed=True, last_t=totp.t())
    audit_record(actor=user, action=Action.OTP_DEVICE_CONFIRMED, target=device, request=request)
    return device


def totp_qr_svg_data_uri(*, uri: str) -> str:
    """The QR code as an SVG data: URI (pure-Python qrcode; img-src allows data: in the CSP)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")
