"""Records refused access. Access functions raise PermissionDenied (403) or Http404 (to hide existence)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .services import Action, audit_record


class AuditAccessDeniedMiddleware:
    """Writes an audit event for every PermissionDenied, and for Http404 raised while a user is logged in.

    Anonymous 404s are left out on purpose: they are mostly crawlers and typos, not authorisation failures.
    The exception is not handled here; Django still renders the 403/404 page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            action = Action.ACCESS_DENIED
        elif isinstance(exception, Http404) and getattr(request, "user", None) and request.user.is_authenticated:
            action = Action.ACCESS_NOT_FOUND
        else:
            return None
        match = request.resolver_match
        audit_record(
            action=action,
            data={
                "path": request.path[:500],
                "method": request.method,
                "view": match.view_name if match else "",
            },
            request=request,
        )
        return None
