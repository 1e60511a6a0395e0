from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from insights.sitemaps import SITEMAPS
from practices.views import public as practice_views

from .health import healthz
from .observability import metrics
from .robots import robots_txt

handler404 = "rbx_portal.errors.page_not_found"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Prometheus scrapes (404 without METRICS_TOKEN and without it being given).
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("rbx_portal.api")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    # Cover images, one URL per variant in every language (the access check is in the view).
    path("sampul/<int:pk>/<int:width>.webp", practice_views.cover_image, name="practice_cover"),
]

urlpatterns += i18n_patterns(
    # Inside i18n_patterns so that the page being left resolves in its own language before it is translated.
    path("i18n/setlang/", set_language, name="set_language"),
    # "home" stays as a top-level name for templates and settings that link to the front page.
    path("", practice_views.home, name="home"),
    path("", include("insights.urls.feeds")),
    path("", include("practices.urls.public")),
    path(_("instansi/"), include("insights.urls.agencies")),
    path(_("akun/"), include("accounts.urls")),
    path(_("kelola/"), include("practices.urls.manage")),
    path(_("tinjauan/"), include("practices.urls.review")),
    path(_("notifikasi/"), include("notifications.urls")),
    path("", include("ledger.urls")),
    path(_("kompetisi/"), include("competitions.urls")),
    path(_("koleksi/"), include("showcases.urls")),
    path("", include("insights.urls.pages")),
    path("", include("insights.urls.exports")),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.BENCH_ENABLED:
    from django.http import HttpResponse

    def _trivial(request):
        return HttpResponse("ok", content_type="text/plain")

    urlpatterns.insert(0, path("bench/trivial", _trivial))
