"""/api/v1/: the router of every app's viewsets, the OpenAPI schema and self-hosted interactive docs."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from practices.api import ThemeViewSet

router = DefaultRouter()
router.register("themes", ThemeViewSet, basename="theme")

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a separate file, so scripts stay under the strict CSP; Swagger UI's
    # own stylesheet needs inline styles, allowed on this page only.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]
