from django.urls import path
from django.utils.translation import gettext_lazy as _

from ..feeds import LatestPracticesFeed, ProvincePracticesFeed, ThemePracticesFeed

app_name = "feeds"

# Included before practices' own URLconf: "praktik/feed/" must not be read as the practice with slug "feed".
urlpatterns = [
    path(_("praktik/feed/"), LatestPracticesFeed(), name="latest"),
    path(_("praktik/feed/provinsi/<str:code>/"), ProvincePracticesFeed(), name="province"),
    path(_("tema/<slug:code>/feed/"), ThemePracticesFeed(), name="theme"),
]
