from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_index, name="list"),
    path(_("tandai-dibaca/"), views.notification_read, name="read"),
]
