from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import User, email_normalize
from .recoverycodes import recovery_code_normalize


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": _("Email atau kata sandi salah. Periksa keduanya lalu coba lagi."),
        "inactive": _("Akun ini tidak aktif. Hubungi admin instansi Anda."),
    }


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Kode 6 angka dari aplikasi autentikator"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}", "autofocus": True}
        ),
        error_messages={
            "required": _("Masukkan kode 6 angka dari aplikasi autentikator Anda."),
            "min_length": _("Kode terdiri dari 6 angka."),
            "max_length": _("Kode terdiri dari 6 angka."),
        },
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("Kode hanya berisi angka."))
        return token


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Kode pemulihan"),
        help_text=_("Salah satu dari sepuluh kode yang Anda simpan saat mengaktifkan verifikasi dua langkah."),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        error_messages={"required": _("Masukkan salah satu kode pemulihan Anda, mis. K7Q2M-XW4TB.")},
    )

    def clean_code(self):
        code = recovery_code_normalize(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(_("Kode pemulihan terdiri dari 10 huruf dan angka, mis. K7Q2M-XW4TB."))
        return code


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={
            "required": _("Masukkan alamat email akun Anda."),
            "invalid": _("Masukkan alamat email yang lengkap, mis. nama@instansi.go.id."),
        },
    )

    def clean_email(self):
        return email_normalize(self.cleaned_data["email"])


class AccountForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "position", "language", "notification_language"]
        labels = {
            "full_name": _("Nama lengkap"),
            "position": _("Jabatan"),
            "language": _("Bahasa tampilan"),
            "notification_language": _("Bahasa notifikasi dan email"),
        }
        help_texts = {
            "position": _("Mis. Analis Kebijakan Ahli Muda, Bagian Organisasi."),
            "language": _(
                "Bahasa halaman portal. Setelah Anda menyimpannya di sini, bahasa ini tetap dipakai; tanpa pilihan, "
                "portal memakai bahasa yang terakhir Anda gunakan."
            ),
        }
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "position": forms.TextInput(attrs={"autocomplete": "organization-title"}),
        }
