from django.urls import path

from ..feeds import AgencyPracticesFeed
from ..views import agencies as views

app_name = "agencies"

urlpatterns = [
    path("", views.agency_list, name="list"),
    path("<slug:slug>/", views.agency_detail, name="detail"),
    path("<slug:slug>/feed/", AgencyPracticesFeed(), name="feed"),
]
