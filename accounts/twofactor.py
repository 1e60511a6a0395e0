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

from .models import RecoveryCode, RecoveryCodeDevice
from .recoverycodes import COUNT, recovery_code_digest, recovery_code_new
from .signals import notice_path, security_notice

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


def recovery_codes_left(*, user) -> int | None:
    """How many unused recovery codes the person has; None when they never had any."""
    device = RecoveryCodeDevice.objects.filter(user=user).first()
    return None if device is None else device.codes.count()


@transaction.atomic
def recovery_codes_generate(*, user, request=None) -> list[str]:
    """Ten new one-time codes for `user`, replacing any earlier ones (those stop working at once).

    The codes are returned to be shown this once; only their digests are stored. The device row is locked so
    that two regenerations at once leave one set of ten, not twenty.
    """
    device = RecoveryCodeDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        device = RecoveryCodeDevice.objects.create(user=user, name="recovery", confirmed=True)
    device.codes.all().delete()
    codes = [recovery_code_new() for _ in range(COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=recovery_code_digest(code.replace("-", ""))) for code in codes
    )
    audit_record(actor=user, action=Action.RECOVERY_CODES_GENERATED, target=user, request=request)
    return codes


def recovery_code_verify(*, user, code: str, request=None) -> RecoveryCodeDevice | None:
    """Spend one of the user's recovery codes: the device to log the session in with, or None (audited both
    ways). A code works once: `RecoveryCodeDevice.verify_token` deletes it in the statement that finds it."""
    device = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None and device.verify_token(code):
        left = device.codes.count()
        audit_record(actor=user, action=Action.RECOVERY_CODE_USED, target=user, data={"left": left}, request=request)
        return device
    audit_record(actor=user, action=Action.OTP_FAILED, data={"stage": "recovery_code"}, request=request)
    return None


@transaction.atomic
def two_factor_reset(*, target, by, request=None) -> int:
    """A lead moderator removes another person's authenticator and recovery codes (a lost phone).

    Who may do it is `accounts.access.two_factor_reset_target_get`. The person is told by the mandatory
    `two_factor_reset` notice, written in this transaction; a moderator must enrol again at the next page they
    open (TwoFactorMiddleware). Returns how many devices were removed.
    """
    removed, _ = TOTPDevice.objects.filter(user=target).delete()
    recovery, _ = RecoveryCodeDevice.objects.filter(user=target).delete()
    audit_record(
        actor=by,
        action=Action.OTP_RESET,
        target=target,
        data={"totp_devices": removed, "recovery_rows": recovery},
        request=request,
    )
    security_notice.send(
        sender=two_factor_reset,
        kind="two_factor_reset",
        recipient=target,
        context={"by": by.get_full_name(), "name": target.get_full_name()},
        target_url=notice_path("accounts:2fa_setup"),
    )
    return removed
