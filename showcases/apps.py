from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShowcasesConfig(AppConfig):
    name = "showcases"
    verbose_name = _("Koleksi dan catatan pakar")

    def ready(self):
        # The home and practice pages belong to practices (below this app): it offers panels, this app fills them.
        from .panels import panels_register

        panels_register()
