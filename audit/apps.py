from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Jejak audit")

    def ready(self) -> None:
        # Login outcomes arrive through Django's auth signals; the receivers only call the audit service.
        from . import receivers  # noqa: F401 - Django's pattern: connect signal receivers once apps are ready
