"""The people pages and the invitation link. Mounted inside the "agencies" namespace under /instansi/ by
`insights/urls/agencies.py` (the public directory's URLconf), before its `<slug>/` routes: every path here has
two or more segments, so none is mistaken for an agency's page."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

urlpatterns = [
    path(_("kelola/orang/"), views.people, name="people"),
    path(_("kelola/orang/undang/"), views.invite, name="invite"),
    path(_("kelola/anggota/<int:pk>/keluarkan/"), views.member_remove, name="member_remove"),
    path(_("kelola/undangan/<int:pk>/kirim-ulang/"), views.invitation_resend, name="invitation_resend"),
    path(_("kelola/undangan/<int:pk>/batalkan/"), views.invitation_revoke, name="invitation_revoke"),
    path(_("kelola/moderator/"), views.moderators, name="moderators"),
    path(_("kelola/moderator/undang/"), views.moderator_invite, name="moderator_invite"),
    path(_("undangan/<str:token>/"), views.invitation_accept, name="invitation_accept"),
]
