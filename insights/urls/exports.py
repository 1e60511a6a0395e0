from django.urls import path
from django.utils.translation import gettext_lazy as _

from ..views import exports

app_name = "exports"

urlpatterns = [
    path(_("unduh/praktik.<str:fmt>"), exports.practice_list_export, name="practices"),
    path(_("unduh/instansi.<str:fmt>"), exports.agency_list_export, name="agencies"),
    path(_("unduh/replikasi.<str:fmt>"), exports.replication_list_export, name="replications"),
    path(_("unduh/peta.<str:fmt>"), exports.who_does_what_export, name="map"),
    path(_("data/kamus/"), exports.data_dictionary, name="data_dictionary"),
    path(_("data/katalog.jsonld"), exports.data_catalogue_view, name="catalogue"),
]
