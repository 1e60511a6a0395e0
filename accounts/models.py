from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from common.constraints import ConstraintErrorsOnFields

from .recoverycodes import recovery_code_digests, recovery_code_normalize


def email_normalize(email) -> str:
    """The one stored form of an email address: trimmed and lowercased (local parts are case-insensitive at every
    mail service the portal's users have; two accounts differing only in case would be a trap)."""
    return (email or "").strip().lower()


def axes_username(request, credentials) -> str:
    """The username django-axes counts failures under: normalised like sign-in, so changing the case of the
    address does not start a fresh count."""
    return email_normalize((credentials or {}).get("username") or request.POST.get("username"))


class UserManager(BaseUserManager):
    use_in_migrations = True

    def moderators(self, *, leads_only: bool = False):
        """Active ministry moderators (lead moderators included), or only the leads: the same rule as
        `User.is_moderator` / `is_lead_moderator`, for queries."""
        roles = [User.MinistryRole.LEAD] if leads_only else [User.MinistryRole.MODERATOR, User.MinistryRole.LEAD]
        return self.filter(is_active=True, ministry_role__in=roles)

    def get_by_natural_key(self, username):
        """Sign-in by email, whatever its case: addresses are stored lowercased (`email_normalize`)."""
        return self.get(email=email_normalize(username))

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=email_normalize(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(ConstraintErrorsOnFields, AbstractUser):
    """A person who logs in with an email address.

    Agency roles live on `agencies.Membership`; the ministry role (moderator or lead moderator) lives here
    because it belongs to the person, not to an agency.
    """

    class MinistryRole(models.TextChoices):
        NONE = "", _("Tidak ada")
        MODERATOR = "moderator", _("Moderator kementerian")
        LEAD = "lead", _("Moderator utama")

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("nama lengkap"), max_length=150, blank=True)
    ministry_role = models.CharField(
        _("peran kementerian"), max_length=16, choices=MinistryRole.choices, default="", blank=True
    )
    position = models.CharField(_("jabatan"), max_length=150, blank=True)
    # The interface language: the person's choice on the account page, else the one they last used.
    language = models.CharField(
        _("bahasa"), max_length=5, choices=[("id", "Bahasa Indonesia"), ("en", "English")], default="id"
    )
    # The language of notifications and emails; empty: the interface language (`user_notification_language`).
    notification_language = models.CharField(
        _("bahasa notifikasi"),
        max_length=5,
        choices=[("", _("Sama dengan bahasa tampilan")), ("id", "Bahasa Indonesia"), ("en", "English")],
        default="",
        blank=True,
    )
    # True once the person saved the account page's form: `language` is then their choice and no longer follows
    # the language they browse in (accounts.middleware.AccountActivityMiddleware).
    language_chosen = models.BooleanField(_("bahasa tampilan dipilih sendiri"), default=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    # A constraint about one field puts its message there (common.constraints).
    constraint_error_fields = {"email": "email"}

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_code="email",
                violation_error_message=_("Sudah ada akun dengan alamat email ini."),
            ),
            models.CheckConstraint(
                condition=models.Q(ministry_role__in=["", "moderator", "lead"]),
                name="user_ministry_role_valid",
                violation_error_message=_("Peran kementerian tidak dikenal."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    # The one place that answers "is this user a moderator" (a lead moderator is a moderator too).
    @property
    def is_moderator(self) -> bool:
        return self.is_active and self.ministry_role in {self.MinistryRole.MODERATOR, self.MinistryRole.LEAD}

    @property
    def is_lead_moderator(self) -> bool:
        return self.is_active and self.ministry_role == self.MinistryRole.LEAD


class TokenGrant(models.Model):
    """How an API token was made: from a session that had passed two-factor or not, and until when it works.

    A moderator's token expires (ACCOUNTS_MODERATOR_TOKEN_DAYS, 30) and decides through the API only when it
    was made from a 2FA-verified session and the moderator still has a confirmed device
    (`accounts.access.api_two_factor_require`). A member's token has no expiry. A token without a grant row (made
    before grants existed, or by DRF's admin) counts as made without two-factor.
    """

    token = models.OneToOneField("authtoken.Token", on_delete=models.CASCADE, related_name="grant")
    two_factor_verified = models.BooleanField(_("dibuat dari sesi terverifikasi dua faktor"), default=False)
    expires_at = models.DateTimeField(_("berlaku sampai"), null=True, blank=True)

    class Meta:
        verbose_name = _("izin token API")
        verbose_name_plural = _("izin token API")

    def __str__(self) -> str:
        return f"{self.token_id[:6]}…"


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A person's ten one-time recovery codes, as a django-otp device: entering one on the verification page logs
    the session in with this device (`request.user.is_verified()`), as a TOTP token does.

    Unlike django-otp's static plugin, which stores its tokens as typed, only keyed hashes are stored
    (`RecoveryCode.digest`, `accounts.twofactor.recovery_code_digests`); the codes are shown once, when made.
    """

    class Meta:
        verbose_name = _("kode pemulihan")
        verbose_name_plural = _("kode pemulihan")

    def get_throttle_factor(self):
        return 1

    def verify_token(self, token) -> bool:
        """Use one code: its row is deleted in the same statement that finds it, so two requests racing with
        the same code cannot both succeed (the second deletes nothing). Anything not shaped like a code (a
        6-digit TOTP token tried by `match_token`) is refused without counting as a failure."""
        code = recovery_code_normalize(token)
        if code is None:
            return False
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        with transaction.atomic():
            deleted, _rows = RecoveryCode.objects.filter(device=self, digest__in=recovery_code_digests(code)).delete()
            if deleted:
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
            else:
                self.throttle_increment()
        return bool(deleted)


class RecoveryCode(models.Model):
    """One unused recovery code, stored as its HMAC-SHA256 (a used code is deleted)."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kode pemulihan")
        verbose_name_plural = _("kode pemulihan")
        constraints = [
            models.UniqueConstraint(
                fields=["digest"],
                name="recovery_code_digest_unique",
                violation_error_message=_("Kode pemulihan ini sudah ada."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.device_id}:{self.digest[:6]}…"


class UserSession(models.Model):
    """Which signed-in sessions a person has (Django's session table has no user column): written when they
    sign in and, at most every few minutes, as they use the session (accounts.middleware); it goes with its
    session (logout, expiry clean-up, "sign out everywhere") through the foreign key's cascade."""

    session = models.OneToOneField("sessions.Session", on_delete=models.CASCADE, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    created_at = models.DateTimeField(_("masuk pada"), auto_now_add=True)
    last_seen = models.DateTimeField(_("terakhir aktif"))
    ip = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)
    user_agent = models.CharField(_("peramban"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("sesi masuk")
        verbose_name_plural = _("sesi masuk")
        indexes = [models.Index(fields=["user", "-last_seen"], name="user_session_user_seen")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.session_id[:6]}…"
