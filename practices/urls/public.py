from django.urls import path
from django.utils.translation import gettext_lazy as _

from ..views import public

app_name = "practices"

urlpatterns = [
    path("", public.home, name="home"),
    path(_("praktik/"), public.practice_list, name="list"),
    path(_("praktik/<slug:slug>/"), public.practice_detail, name="detail"),
    path(_("praktik/<slug:slug>/riwayat/"), public.practice_history, name="history"),
    path(_("praktik/<slug:slug>/cetak/"), public.practice_handout, name="handout"),
    path(_("tema/"), public.theme_index, name="theme_index"),
    path(_("tema/<slug:code>/"), public.theme_detail, name="theme"),
]
