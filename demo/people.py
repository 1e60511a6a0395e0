"""Demo people (sample content): an agency with several members, invitations in each state, a moderator with
two-factor and recovery codes, notification settings that differ from the defaults. Idempotent, like the rest
of the demo loader."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode, RecoveryCodeDevice, User
from accounts.recoverycodes import recovery_code_digest, recovery_code_normalize
from agencies.models import Agency, Invitation
from agencies.services.invitations import invitation_accept, invitation_create
from notifications.models import NotificationSetting
from notifications.services.preferences import notification_settings_save

# The demo moderator's authenticator secret (sample: anyone may add it to an app) and recovery codes. Real codes
# are random (`accounts.twofactor.recovery_codes_generate`); these are fixed so that the README can give them.
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"  # base32 GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
DEMO_RECOVERY_CODES = [f"DEMOA-AAAA{c}" for c in "234567BCDE"]

SURABAYA_STAFF = [
    ("staf.perencanaan@demo.rbx.go.id", "Contoh: Rudi Perencana (Kota Surabaya)", "Analis Kebijakan, Bappeda"),
    ("staf.ortala@demo.rbx.go.id", "Contoh: Lina Ortala (Kota Surabaya)", "Kepala Subbagian Organisasi"),
]
PENDING_MEMBER = "calon.anggota@demo.rbx.go.id"
EXPIRED_MEMBER = "undangan.kedaluwarsa@demo.rbx.go.id"
PENDING_MODERATOR = "calon.moderator@demo.rbx.go.id"


def load_demo_people(*, password: str) -> str:
    surabaya = Agency.objects.get(code="35.78")
    admin = User.objects.get(email="admin@demo.rbx.go.id")
    lead = User.objects.get(email="lead@demo.rbx.go.id")
    for email, name, position in SURABAYA_STAFF:  # invited by the agency admin, and accepted
        if not User.objects.filter(email=email).exists():
            invitation = invitation_create(email=email, agency=surabaya, role=Invitation.Role.MEMBER, by=admin)
            invitation_accept(invitation_id=invitation.pk, password=password, full_name=name, position=position)
    if not Invitation.objects.filter(email=PENDING_MEMBER).exists():
        invitation_create(email=PENDING_MEMBER, agency=surabaya, role=Invitation.Role.MEMBER, by=admin)
    if not Invitation.objects.filter(email=EXPIRED_MEMBER).exists():
        expired = invitation_create(email=EXPIRED_MEMBER, agency=surabaya, role=Invitation.Role.ADMIN, by=admin)
        Invitation.objects.filter(pk=expired.pk).update(
            expires_at=timezone.now() - timedelta(days=1), created_at=timezone.now() - timedelta(days=8)
        )
    if not Invitation.objects.filter(email=PENDING_MODERATOR).exists():
        invitation_create(email=PENDING_MODERATOR, agency=None, ministry_role=User.MinistryRole.MODERATOR, by=lead)
    moderator = User.objects.get(email="moderator@demo.rbx.go.id")
    if not TOTPDevice.objects.filter(user=moderator, confirmed=True).exists():
        TOTPDevice.objects.create(user=moderator, name="default", key=DEMO_TOTP_KEY_HEX, confirmed=True)
    device, _ = RecoveryCodeDevice.objects.get_or_create(
        user=moderator, defaults={"name": "recovery", "confirmed": True}
    )
    if not device.codes.exists():
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=device, digest=recovery_code_digest(recovery_code_normalize(code)))
            for code in DEMO_RECOVERY_CODES
        )
    members = surabaya.memberships.active().count()
    pending = Invitation.objects.pending().count()
    return f"demo people ready (Kota Surabaya: {members} members; {pending} pending invitations)"


def load_demo_notification_settings() -> str:
    """Notification settings that differ from the defaults (everything "immediate"), and an English speaker."""
    Group, Channel = NotificationSetting.Group, NotificationSetting.Channel
    member = User.objects.get(email="anggota@demo.rbx.go.id")
    notification_settings_save(
        user=member, channels={Group.REPLICATION: Channel.DAILY, Group.REMINDERS: Channel.IN_APP}
    )
    admin = User.objects.get(email="admin@demo.rbx.go.id")
    notification_settings_save(user=admin, channels={Group.QUESTIONS: Channel.WEEKLY})
    bandung = User.objects.get(email="anggota.bandung@demo.rbx.go.id")
    if bandung.notification_language != "en":
        bandung.notification_language = "en"
        bandung.save(update_fields=["notification_language"])
    return f"demo notification settings ready ({NotificationSetting.objects.count()} differ from the defaults)"
