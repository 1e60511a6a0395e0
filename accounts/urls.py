from django.contrib.auth import views as auth_views
from django.urls import path
from django.utils.translation import gettext_lazy as _

from .forms import EmailAuthenticationForm
from .views import account as views_account
from .views import login as views
from .views import passwords as views_passwords
from .views import tokens as views_tokens

app_name = "accounts"

urlpatterns = [
    path("", views_account.account, name="account"),
    path(
        _("masuk/"),
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True),
        name="login",
    ),
    path(_("keluar/"), auth_views.LogoutView.as_view(), name="logout"),
    path(_("kata-sandi/lupa/"), views_passwords.password_reset, name="password_reset"),
    path(_("kata-sandi/lupa/terkirim/"), views_passwords.password_reset_done, name="password_reset_done"),
    path(
        _("kata-sandi/atur/<uidb64>/<token>/"),
        views_passwords.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(_("kata-sandi/ubah/"), views_passwords.PasswordChangeView.as_view(), name="password_change"),
    path(
        _("kata-sandi/selesai/"),
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("2fa/", views.two_factor_setup, name="2fa_setup"),
    path(_("2fa/verifikasi/"), views.two_factor_verify, name="2fa_verify"),
    path(_("2fa/kode-pemulihan/"), views.recovery_codes, name="recovery_codes"),
    path(_("2fa/atur-ulang/<int:user_id>/"), views.two_factor_reset_view, name="2fa_reset"),
    path(_("sesi/akhiri-semua/"), views_account.sessions_end_all, name="sessions_end_all"),
    path(_("token/"), views_tokens.api_token, name="api_token"),
    path(_("token/cabut/"), views_tokens.api_token_delete, name="api_token_delete"),
]
