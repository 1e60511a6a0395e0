from django.urls import path
from django.utils.translation import gettext_lazy as _

from ..views import review as views
from ..views import translation, verification

app_name = "review"

urlpatterns = [
    path("", views.review_index, name="index"),
    path(_("antrean/"), views.moderator_queue, name="queue"),
    path(_("antrean/alihkan/"), views.reassign, name="reassign"),
    # English versions awaiting a moderator's verification (issue #17).
    path(_("terjemahan/"), translation.translation_queue, name="translations"),
    path(_("instansi/"), views.agency_queue, name="agency_queue"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path(_("<int:pk>/instansi/"), views.agency_decide, name="agency_decide"),
    path(_("<int:pk>/keputusan/"), views.decide, name="decide"),
    path(_("<int:pk>/penilaian/"), views.review_submit, name="review"),
    path(_("<int:pk>/arsip/"), views.archive, name="archive"),
    path(_("<int:pk>/dua-peninjau/"), views.two_reviewers, name="two_reviewers"),
    path(_("<int:pk>/konfirmasi/"), views.confirm, name="confirm"),
    path(_("<int:pk>/verifikasi/"), verification.verification_add, name="verification_add"),
    path(_("<int:pk>/tingkat-bukti/"), verification.evidence_level_set, name="evidence_level_set"),
    path(_("berkas/<int:attachment_pk>/pratinjau/"), views.attachment_preview, name="attachment_preview"),
]
