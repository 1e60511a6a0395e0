"""Practices API v1: themes, practices (read for everyone; drafts for their agency), and the write path for
agency systems (replications are the ledger app's: ledger/api.py). Every write calls the same services as the
web pages, through the same access functions: a practice the caller may not see answers 404 whatever the method.
"""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpResponse, HttpResponseNotModified
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.functional import cached_property
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, filters, mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.access import api_two_factor_require
from common.api import ErrorSerializer, StablePagination, VersionConflict
from common.cache import public_cache_memo, public_cache_serve, public_cacheable
from common.idempotency import IdempotentWritesMixin
from common.opendata import license_link_header
from common.parsers import BoundedJSONParser

from . import cache_tags
from .access import (
    agency_membership_get,
    moderator_require,
    practice_can_see_contact,
    practice_get_for_editing,
    practice_get_for_user,
)
from .filters import PracticeFilter, practices_order
from .models import Practice, Theme
from .search import search_plan
from .selectors.api import practice_api_get, practice_api_list
from .selectors.facets import table_total
from .serializers import (
    AttachmentSerializer,
    AttachmentWriteSerializer,
    DecisionSerializer,
    IndicatorSerializer,
    IndicatorWriteSerializer,
    PracticeDetailSerializer,
    PracticeListSerializer,
    PracticePatchSerializer,
    PracticeWriteSerializer,
)
from .services import decisions
from .services.attachments import AttachmentRefused, attachment_add
from .services.dump import practice_dump_open, practice_dump_write
from .services.integration import indicator_add, practice_create_with_fields, revision_fields_save
from .services.submission import RevisionVersionConflict, SubmissionIncomplete, practice_submit


class ThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["code", "track", "name_id", "name_en", "description_id", "description_en", "order"]


class ThemeViewSet(viewsets.ReadOnlyModelViewSet):
    """The 12 RB themes: 4 RB Tematik themes and the 8 RB General change areas."""

    queryset = Theme.objects.order_by("-track", "order", "id")
    serializer_class = ThemeSerializer
    lookup_field = "code"
    pagination_class = None


# Practices ---------------------------------------------------------------------------------------------------


class PracticeOrdering(filters.OrderingFilter):
    """`ordering` (any of `ordering_fields`, `-` for descending) wins; otherwise the page's `sort`, and with `q`
    the full-text rank. The id always ends the ordering, so pages never overlap or skip rows."""

    def filter_queryset(self, request, queryset, view):
        text = request.query_params.get("q", "")
        plan = search_plan(text) if text.strip() else None
        if plan is not None:
            queryset = plan.filter(queryset)
        requested = (
            self.get_ordering(request, queryset, view) if request.query_params.get(self.ordering_param) else None
        )
        if requested:
            keys = [k for k in requested if k.lstrip("-") != "id"]
            tie = next((k for k in requested if k.lstrip("-") == "id"), "-id")
            return queryset.order_by(*keys, tie)
        return practices_order(queryset, sort=request.query_params.get("sort", ""), plan=plan)


def _detail_response(request, practice: Practice, revision, *, status_code: int = 200, conditional: bool = False):
    """The practice as the caller reads it, with ETag and Last-Modified (answering 304 when unchanged)."""
    practice.api_revision = revision
    context = {"request": request, "show_contact": practice_can_see_contact(user=request.user)}
    data = PracticeDetailSerializer(practice, context=context).data
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]
    etag = f'"{digest}"'
    last_modified = max(practice.updated_at, revision.updated_at)
    if conditional:
        not_modified = get_conditional_response(request, etag=etag, last_modified=int(last_modified.timestamp()))
        if isinstance(not_modified, HttpResponseNotModified):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
            response["ETag"] = etag
            response["Last-Modified"] = http_date(last_modified.timestamp())
            patch_vary_headers(response, ["Authorization", "Cookie"])
            return response
    response = Response(data, status=status_code)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified.timestamp())
    if practice.status != Practice.Status.PUBLISHED or revision.pk != practice.live_revision_id:
        response["Cache-Control"] = "private, no-store"
    patch_vary_headers(response, ["Authorization", "Cookie"])
    return response


def _conflict(exc: RevisionVersionConflict) -> VersionConflict:
    return VersionConflict(detail=exc.messages[0], current_version=exc.current_version)


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input, with a message per field."),
    401: OpenApiResponse(ErrorSerializer, description="No or an invalid token."),
    403: OpenApiResponse(ErrorSerializer, description="Authenticated but not allowed."),
    404: OpenApiResponse(ErrorSerializer, description="No such practice, or not visible to the caller."),
}


class _KeptCountPaginator(Paginator):
    """The total of a filtered list of published practices, without a COUNT over the practices (issue #20).

    Without a text search the total comes from the facet table kept by triggers (`selectors.facets.table_total`:
    the kept count of the whole list or of one filter, else an indexed count of narrow facet rows); with one,
    it is kept with the public cache version, keyed by the SQL of the filtered query."""

    filters: dict | None = None  # the request's cleaned filters when it has no text search (PracticePagination)

    @cached_property
    def count(self) -> int:
        if self.filters is not None:
            return table_total(cleaned=self.filters)
        queryset = getattr(self.object_list, "queryset", self.object_list)  # RankedMatches wraps one
        try:
            sql, params = queryset.query.sql_with_params()
        except EmptyResultSet:
            return 0
        return public_cache_memo("api-practice-count", (sql, params), lambda: Paginator.count.func(self))


class PracticePagination(StablePagination):
    _filters: dict | None = None

    def django_paginator_class(self, object_list, per_page):  # called by paginate_queryset
        paginator = _KeptCountPaginator(object_list, per_page)
        paginator.filters = self._filters
        return paginator

    def paginate_queryset(self, queryset, request, view=None):
        self._filters = None
        if not request.query_params.get("q", "").strip():
            # Already validated by the filter backend (a bad value was a 400 before paging).
            filterset = PracticeFilter(request.query_params, queryset=queryset)
            if filterset.is_valid():
                self._filters = filterset.form.cleaned_data
        return super().paginate_queryset(queryset, request, view)


@extend_schema_view(
    list=extend_schema(
        summary="Published practices",
        description="The same filters as the public list page; `q` searches the full text (ranked unless "
        "`ordering` or `sort` is given). Ordering always ends with the id, so pages are stable.",
        parameters=[
            OpenApiParameter(
                "sort", OpenApiTypes.STR, enum=["relevance", "newest", "replicated"], description="As on the page."
            )
        ],
    ),
    retrieve=extend_schema(
        summary="One practice",
        description="Published practices for everyone (live revision); the owning agency, and moderators once it "
        "was submitted, read the working revision. ETag/Last-Modified; 304 for If-None-Match/If-Modified-Since.",
        responses={200: PracticeDetailSerializer, 304: OpenApiResponse(description="Not modified"), 404: ERRORS[404]},
    ),
)
class PracticeViewSet(IdempotentWritesMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PracticeListSerializer
    pagination_class = PracticePagination
    filter_backends = [DjangoFilterBackend, PracticeOrdering]
    filterset_class = PracticeFilter
    ordering_fields = ["published_at", "replication_count", "title", "start_year", "id"]
    ordering = ["-published_at", "-id"]
    lookup_value_regex = r"\d+"
    parser_classes = [BoundedJSONParser]

    def get_queryset(self):
        return practice_api_list()

    def list(self, request, *args, **kwargs):
        """Anonymous lists are served from the page cache under the list page's tags (issue #20): a publish in one
        theme keeps another theme's list. DRF has authenticated and throttled the request before this runs; the
        key adds the scheme and host, which the `next` and `previous` links carry."""
        if not public_cacheable(request):
            return super().list(request, *args, **kwargs)

        def render():
            data = super(PracticeViewSet, self).list(request, *args, **kwargs).data
            return HttpResponse(JSONRenderer().render(data), content_type="application/json")

        return public_cache_serve(
            request, tags=cache_tags.list_tags(request), render=render, variant=request.build_absolute_uri("/")
        )

    def _pk(self) -> int:
        return int(self.kwargs["pk"])

    def retrieve(self, request, pk=None):
        practice, revision = practice_api_get(user=request.user, pk=self._pk())
        return _detail_response(request, practice, revision, conditional=True)

    def _fresh_detail(self, request, practice_id: int, *, status_code: int = 200):
        practice, revision = practice_api_get(user=request.user, pk=practice_id)
        return _detail_response(request, practice, revision, status_code=status_code)

    @extend_schema(
        summary="Create a draft",
        description="A new draft of the caller's agency; any subset of the fields. Needs an agency member's token.",
        request=PracticeWriteSerializer,
        responses={201: PracticeDetailSerializer, **ERRORS},
    )
    def create(self, request):
        serializer = PracticeWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = agency_membership_get(
            user=request.user, message=_("Hanya anggota instansi yang dapat membuat praktik.")
        )
        practice = practice_create_with_fields(
            agency=membership.agency, by=request.user, data=serializer.validated_data
        )
        response = self._fresh_detail(request, practice.pk, status_code=status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(f"{request.path}{practice.pk}/")
        return response

    @extend_schema(
        summary="Edit the working revision",
        description="Fields of any section plus the `version` read; 409 with `current_version` when someone "
        "saved in between. Only while the revision is a draft or has changes requested.",
        request=PracticePatchSerializer,
        responses={
            200: PracticeDetailSerializer,
            **ERRORS,
            409: OpenApiResponse(ErrorSerializer, description="Version conflict"),
        },
    )
    def partial_update(self, request, pk=None):
        practice = practice_get_for_editing(user=request.user, pk=self._pk())
        serializer = PracticePatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        try:
            if data:
                revision_fields_save(practice_id=practice.pk, version=version, data=data, by=request.user)
            elif version != practice.working_revision.version:
                raise RevisionVersionConflict(current_version=practice.working_revision.version)
        except RevisionVersionConflict as exc:
            raise _conflict(exc) from exc
        return self._fresh_detail(request, practice.pk)

    @extend_schema(
        summary="Add an indicator",
        request=IndicatorWriteSerializer,
        responses={201: IndicatorSerializer, **ERRORS, 409: OpenApiResponse(ErrorSerializer)},
    )
    @action(detail=True, methods=["post"])
    def indicators(self, request, pk=None):
        practice = practice_get_for_editing(user=request.user, pk=self._pk())
        serializer = IndicatorWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        values = [dict(v) for v in data.pop("values", [])]
        try:
            indicator, revision = indicator_add(
                practice_id=practice.pk, version=version, data=data, values=values, by=request.user
            )
        except RevisionVersionConflict as exc:
            raise _conflict(exc) from exc
        body = IndicatorSerializer(indicator).data
        response = Response(body, status=status.HTTP_201_CREATED)
        response["X-Revision-Version"] = str(revision.version)
        return response

    @extend_schema(
        summary="Upload an attachment",
        description="multipart/form-data; the type is decided from the content (PDF, images, office documents).",
        request={"multipart/form-data": AttachmentWriteSerializer},
        responses={201: AttachmentSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        practice = practice_get_for_editing(user=request.user, pk=self._pk())
        serializer = AttachmentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            attachment = attachment_add(
                practice_id=practice.pk,
                uploaded=data["file"],
                by=request.user,
                purpose=data["purpose"],
                title=data.get("title", ""),
                indicator_id=data.get("indicator"),
            )
        except AttachmentRefused as exc:
            raise exceptions.ValidationError({"file": exc.messages}) from exc
        return Response(AttachmentSerializer(attachment, context={"request": request}).data, status=201)

    @extend_schema(
        summary="Submit the working revision",
        description="400 lists every missing item (field: label). A member's submission goes to the agency admin, "
        "an agency admin's to the ministry.",
        request=None,
        responses={200: PracticeDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        practice = practice_get_for_editing(user=request.user, pk=self._pk())
        if request.data:
            raise exceptions.ValidationError({key: [_("Kolom tidak dikenal.")] for key in request.data})
        try:
            practice_submit(practice_id=practice.pk, by=request.user)
        except SubmissionIncomplete as exc:
            raise exceptions.ValidationError({item.field: [item.label] for item in exc.missing}) from exc
        return self._fresh_detail(request, practice.pk)

    @extend_schema(
        summary="Moderator decision",
        description="`approve` (optional `evidence_level`; refused with 400 while required items are missing, and "
        "when the pre-screen flagged likely duplicates unless `not_duplicate` is true with a "
        "`not_duplicate_reason`), `request_changes` (`comment` and/or `section_comments`), or `reject` "
        "(`comment` is the reason). Moderators only.",
        request=DecisionSerializer,
        responses={200: PracticeDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None):
        practice = practice_get_for_user(user=request.user, pk=self._pk())
        # Before reading the body: the role decides, not the payload.
        moderator_require(user=request.user, message=_("Hanya moderator kementerian yang dapat memutuskan."))
        api_two_factor_require(request=request)
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            decisions.revision_decide(
                practice=practice,
                by=request.user,
                decision=data["action"],
                comment=data["comment"],
                evidence_level=data.get("evidence_level", Practice.EvidenceLevel.SELF_REPORTED),
                section_comments=data["section_comments"],
                not_duplicate=data["not_duplicate"],
                not_duplicate_reason=data["not_duplicate_reason"],
            )
        return self._fresh_detail(request, practice.pk)


# The public dump -----------------------------------------------------------------------------------------------


@extend_schema(
    summary="All published practices with indicators, JSON Lines",
    description="One practice per line, as `/api/v1/practices/<id>/` shows it to the public. Regenerated after "
    'every publication and nightly. Licensed CC BY 4.0 (the `Link: <...>; rel="license"` header says so).',
    responses={(200, "application/x-ndjson"): OpenApiTypes.BINARY},
)
@api_view(["GET"])
@permission_classes([AllowAny])
def dump(request):
    handle = practice_dump_open()
    if handle is None:
        practice_dump_write()
        handle = practice_dump_open()
    response = FileResponse(handle, content_type="application/x-ndjson", filename="rbx-practices.jsonl")
    response["Cache-Control"] = "public, max-age=3600"
    response["Link"] = license_link_header()  # a JSON Lines file has no place for it inside
    return response
