from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_index, name="list"),
    path(_("tandai-dibaca/"), views.notification_read, name="read"),
    path(_("langganan/"), views.follow_index, name="follows"),
    path(_("langganan/ikuti/"), views.follow, name="follow"),
    path(_("langganan/email/"), views.follow_email, name="follow_email"),
    path(_("langganan/<int:pk>/"), views.follow_change, name="follow_change"),
    path(_("langganan/konfirmasi/<str:token>/"), views.follow_confirm, name="follow_confirm"),
    path(_("berhenti/<str:token>/"), views.unsubscribe, name="unsubscribe"),
    path(_("pengaturan/"), views.notification_settings, name="settings"),
    path(_("berhenti-jenis/<str:token>/"), views.unsubscribe_kind, name="unsubscribe_kind"),
    path(_("pengikut/<str:token>/"), views.follower_manage, name="follower_manage"),
]
