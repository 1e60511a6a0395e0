from django.urls import path
from django.utils.translation import gettext_lazy as _

from .. import feeds
from ..views import public

app_name = "practices"

urlpatterns = [
    path("", public.home, name="home"),
    path(_("praktik/"), public.practice_list, name="list"),
    path(_("praktik/feed/"), feeds.LatestPracticesFeed(), name="feed"),
    path(_("praktik/feed/provinsi/<str:code>/"), feeds.ProvincePracticesFeed(), name="feed_province"),
    path(_("praktik/<slug:slug>/"), public.practice_detail, name="detail"),
    path(_("tema/"), public.theme_index, name="theme_index"),
    path(_("tema/<slug:code>/"), public.theme_detail, name="theme"),
    path(_("tema/<slug:code>/feed/"), feeds.ThemePracticesFeed(), name="feed_theme"),
]
