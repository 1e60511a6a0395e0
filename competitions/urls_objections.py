"""Finalists, the public objection window and results (COMP-B); joined into competitions/urls.py."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from .views import objections, results

urlpatterns = [
    # The public: finalists, the objection form, the email link, the results and the export.
    path(_("<slug:slug>/finalis/"), objections.finalists, name="finalists"),
    path(_("<slug:slug>/finalis/umumkan/"), objections.finalists_announce_view, name="finalists_announce"),
    path(_("<slug:slug>/finalis/<int:entry_pk>/sanggah/"), objections.objection_new, name="objection_new"),
    path(_("sanggahan/konfirmasi/<str:token>/"), objections.objection_confirm_view, name="objection_confirm"),
    path(_("<slug:slug>/hasil/"), results.results, name="results"),
    path(_("<slug:slug>/hasil/umumkan/"), results.results_publish_view, name="results_publish"),
    path(_("<slug:slug>/ekspor.<str:fmt>"), results.call_export, name="export"),
    # Moderators and leads; the agency's answers.
    path(_("<slug:slug>/sanggahan/"), objections.objection_queue_view, name="objection_queue"),
    path(_("sanggahan/<int:pk>/periksa/"), objections.objection_moderate_view, name="objection_moderate"),
    path(_("sanggahan/<int:pk>/putuskan/"), objections.objection_decide_view, name="objection_decide"),
    path(_("sanggahan/instansi/"), objections.agency_objections, name="agency_objections"),
    path(_("sanggahan/<int:pk>/tanggapi/"), objections.objection_answer_view, name="objection_answer"),
    path(_("sanggahan/berkas/<int:pk>/"), objections.objection_file_download, name="objection_file"),
]
