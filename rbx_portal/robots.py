"""/robots.txt: public pages and open data may be crawled; accounts, management, review, notifications and the
admin may not. The private areas are named by their URL in each language, so a translated prefix stays covered."""

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

PRIVATE_AREAS = ("accounts:account", "manage:list", "review:index", "notifications:list")


@require_GET
@cache_control(public=True, max_age=60 * 60 * 24)
def robots_txt(request):
    disallow = ["/admin/"]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            disallow += [reverse(name) for name in PRIVATE_AREAS]
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in dict.fromkeys(disallow)), "Allow: /", ""]
    lines.append(f"Sitemap: {settings.SITE_URL}{reverse('sitemap')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
