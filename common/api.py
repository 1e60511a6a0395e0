"""API wiring shared by every app's endpoints: one error shape, stable pagination, the v1 router."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Every error answers `{"error": {"code", "message", "fields"}}`.

    Django's own ValidationError and PermissionDenied, raised by the services the API shares with the web
    pages, become 400 and 403 instead of 500.
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        body = {"code": "invalid", "message": "The request has invalid fields.", "fields": fields}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        body = {"code": code, "message": str(detail), "fields": {}}
    body.update(getattr(exc, "extra", {}))
    response.data = {"error": body}
    return response


class VersionConflict(exceptions.APIException):
    """409: the client's `version` is stale; the body carries `current_version` so it can merge and retry."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "version_conflict"
    default_detail = "The revision was saved by someone else since the version you read."

    def __init__(self, detail=None, *, current_version: int):
        super().__init__(detail)
        self.extra = {"current_version": current_version}


class _ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.JSONField())
    current_version = serializers.IntegerField(required=False)


class ErrorSerializer(serializers.Serializer):
    """The one error shape, for the OpenAPI schema."""

    error = _ErrorBodySerializer()


class StablePagination(pagination.PageNumberPagination):
    """Page-number pagination; the querysets it pages always end their ordering with the primary key."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return super().get_paginated_response_schema(schema)
