"""/api/v1/: the router of every app's viewsets, the dump, the OpenAPI schema and self-hosted interactive docs."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import APIRootView, DefaultRouter

from agencies.api import AgencyViewSet, InvitationViewSet, MemberViewSet
from common.opendata import license_data, license_link_header
from competitions.api import CallViewSet
from ledger.api import ReplicationViewSet
from practices.api import PracticeViewSet, ThemeViewSet, dump
from showcases.api import CollectionViewSet


class PortalAPIRootView(APIRootView):
    """The API's entry points and the open licence (CC BY 4.0) of everything the API serves."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data = {**response.data, "license": license_data()}
        response["Link"] = license_link_header()
        return response


class PortalRouter(DefaultRouter):
    APIRootView = PortalAPIRootView


router = PortalRouter()
# Agency codes contain dots (`35.78`): no `.json` format suffixes, the API speaks JSON only.
router.include_format_suffixes = False
router.register("themes", ThemeViewSet, basename="theme")
router.register("agencies", AgencyViewSet, basename="agency")
# The caller's own agency (its admin): members and invitations.
router.register("members", MemberViewSet, basename="member")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("practices", PracticeViewSet, basename="practice")
router.register("replications", ReplicationViewSet, basename="replication")
router.register("collections", CollectionViewSet, basename="collection")
# Calls (issue #18): the calls and their entries and results, read-only.
router.register("calls", CallViewSet, basename="call")

urlpatterns = [
    path("", include(router.urls)),
    path("dump/", dump, name="api-dump"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a separate file, so scripts stay under the strict CSP; Swagger UI's
    # own stylesheet needs inline styles, allowed on this page only.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]
