from django.urls import path
from django.utils.translation import gettext_lazy as _

from ..views.map import who_does_what
from ..views.mentoring import mentoring
from ..views.statistics import statistics

app_name = "insights"

urlpatterns = [
    path(_("peta/"), who_does_what, name="map"),
    path(_("statistik/"), statistics, name="statistics"),
    path(_("pendampingan/"), mentoring, name="mentoring"),
]
