from django.urls import path

from agencies.urls import urlpatterns as people_urlpatterns

from ..feeds import AgencyPracticesFeed
from ..views import agencies as views

app_name = "agencies"

# The agencies app's own pages (people, invitations) share the namespace; first, so that no `<slug>/` route
# shadows them.
urlpatterns = [
    *people_urlpatterns,
    path("", views.agency_list, name="list"),
    path("<slug:slug>/", views.agency_detail, name="detail"),
    path("<slug:slug>/feed/", AgencyPracticesFeed(), name="feed"),
]
