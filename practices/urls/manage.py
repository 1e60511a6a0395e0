from django.urls import path
from django.utils.translation import gettext_lazy as _

from ..views import manage, translation

app_name = "manage"

urlpatterns = [
    path("", manage.practice_list, name="list"),
    path(_("baru/"), manage.practice_new, name="new"),
    path(_("<int:pk>/bagian/<slug:section>/"), manage.section_edit, name="section"),
    path(_("<int:pk>/ajukan/"), manage.practice_submit_view, name="submit"),
    path(_("<int:pk>/revisi-baru/"), manage.revision_new, name="revision_new"),
    path(_("<int:pk>/banding/"), manage.revision_compare_view, name="compare"),
    path(_("<int:pk>/lampiran/"), manage.attachment_list, name="attachments"),
    path(_("<int:pk>/lampiran/<int:attachment_pk>/hapus/"), manage.attachment_remove, name="attachment_delete"),
    path(_("lampiran/<int:attachment_pk>/unduh/"), manage.attachment_download, name="attachment_download"),
    path(_("<int:pk>/terjemahan/"), translation.translation_edit, name="translation"),
    path(_("<int:pk>/terjemahan/verifikasi/"), translation.translation_verify, name="translation_verify"),
    path(_("<int:pk>/terjemahan/mesin/"), translation.translation_machine, name="translation_machine"),
]
