from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Akun")

    def ready(self) -> None:
        # A new sign-in is listed among the person's sessions (receivers call the accounts services only).
        from . import receivers  # noqa: F401 - Django's pattern: connect signal receivers once apps are ready
