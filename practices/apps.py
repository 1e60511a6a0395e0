from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    name = "practices"
    verbose_name = _("Praktik baik")

    def ready(self) -> None:
        from common.cache import public_invalidation_listen

        # Renamed agencies and regions reach their practices' search vectors (see practices.receivers).
        from . import receivers  # noqa: F401 - Django's pattern: connect signal receivers once apps are ready
        from .services.pages import practice_pages_on_invalidate

        # The stored practice pages follow the page cache's invalidations (practices.models.pages).
        public_invalidation_listen(practice_pages_on_invalidate)
