"""The project's 404 handler: an address under the API that matches no route answers in the API's error shape
(`common.api`), JSON like every other API answer; every other address gets the portal's 404 page."""

from django.http import JsonResponse
from django.views.defaults import page_not_found as page_not_found_html

API_PREFIX = "/api/"


def page_not_found(request, exception):
    if request.path.startswith(API_PREFIX):
        body = {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}
        return JsonResponse(body, status=404)
    return page_not_found_html(request, exception)
