from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
