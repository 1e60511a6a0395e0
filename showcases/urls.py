from django.urls import path
from django.utils.translation import gettext_lazy as _

from .feeds import CollectionPracticesFeed, CollectionsFeed
from .views import experts, manage, public

app_name = "showcases"

# Under /koleksi/ (/en/collections/). The app's own segments come before "<slug>/" and are never a collection's
# slug (services.collections.RESERVED_SLUGS).
urlpatterns = [
    path("", public.collection_list, name="list"),
    path("feed/", CollectionsFeed(), name="feed"),
    path(_("kelola/"), manage.manage_list, name="manage_list"),
    path(_("kelola/baru/"), manage.manage_create, name="manage_create"),
    path(_("kelola/<int:pk>/"), manage.manage_edit, name="manage_edit"),
    path(_("kelola/<int:pk>/terbit/"), manage.manage_publish, name="manage_publish"),
    path(_("kelola/<int:pk>/beranda/"), manage.manage_feature, name="manage_feature"),
    path(_("kelola/<int:pk>/praktik/"), manage.manage_items, name="manage_items"),
    path(_("kelola/<int:pk>/praktik/tambah/"), manage.manage_item_add, name="manage_item_add"),
    path(_("pakar/"), experts.expert_index, name="experts"),
    path(_("pakar/<int:pk>/"), experts.expert_edit, name="expert_edit"),
    path(_("catatan-pakar/"), experts.note_list, name="notes"),
    path(_("catatan-pakar/moderasi/"), experts.note_queue, name="note_queue"),
    path(_("catatan-pakar/moderasi/<int:pk>/"), experts.note_moderate, name="note_moderate"),
    path(_("catatan-pakar/tulis/<slug:slug>/"), experts.note_write, name="note_write"),
    path("<slug:slug>/", public.collection_detail, name="detail"),
    path("<slug:slug>/feed/", CollectionPracticesFeed(), name="collection_feed"),
    path(_("<slug:slug>/sk/"), public.decree_download, name="decree"),
]
