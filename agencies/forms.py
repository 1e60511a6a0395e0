"""Forms of the people pages: inviting someone, and accepting an invitation (a new account's password)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .models import Invitation

LANGUAGE_CHOICES = [("id", "Bahasa Indonesia"), ("en", "English")]


class InviteForm(forms.Form):
    """An agency admin invites a member or an admin of their agency."""

    email = forms.EmailField(
        label=_("Email dinas"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Tulis alamat email orang yang diundang."),
            "invalid": _("Tulis alamat email yang lengkap, misalnya nama@instansi.go.id."),
        },
    )
    role = forms.ChoiceField(
        label=_("Peran"), choices=Invitation.Role.choices, initial=Invitation.Role.MEMBER, widget=forms.RadioSelect
    )
    language = forms.ChoiceField(
        label=_("Bahasa email undangan"),
        choices=LANGUAGE_CHOICES,
        help_text=_("Untuk orang yang belum punya akun; yang sudah punya menerima email dalam bahasanya sendiri."),
    )


class ModeratorInviteForm(InviteForm):
    """A lead moderator invites a moderator or a lead moderator."""

    role = forms.ChoiceField(
        label=_("Peran"),
        choices=Invitation.MinistryRole.choices,
        initial=Invitation.MinistryRole.MODERATOR,
        widget=forms.RadioSelect,
    )


class AcceptForm(forms.Form):
    """A new account from an invitation: name, position and a password that passes the validators
    (as Django's SetPasswordForm: typed twice, checked against the address and the name)."""

    full_name = forms.CharField(
        label=_("Nama lengkap"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Tulis nama lengkap Anda.")},
    )
    position = forms.CharField(
        label=_("Jabatan"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    new_password1 = forms.CharField(
        label=_("Kata sandi baru"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minimal 8 karakter; tidak mirip alamat email atau nama Anda, tidak umum, dan tidak hanya angka."),
        error_messages={"required": _("Buat kata sandi.")},
    )
    new_password2 = forms.CharField(
        label=_("Ulangi kata sandi baru"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Tulis kata sandi yang sama sekali lagi.")},
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("Kedua kata sandi tidak sama. Tulis ulang keduanya."))
        elif first:
            candidate = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as exc:
                self.add_error("new_password1", exc)
        return cleaned
