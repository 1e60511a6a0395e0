from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The sample content of `make run` (`manage.py load_demo_data`): it goes through every app's services, so it
    sits above them all and nothing imports it."""

    name = "demo"
    verbose_name = _("Contoh isi")
