from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifikasi")

    def ready(self) -> None:
        # Security notices from the apps below (accounts, agencies) arrive as a signal; the receiver calls notify.
        from . import receivers  # noqa: F401 - Django's pattern: connect signal receivers once apps are ready
