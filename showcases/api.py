"""API v1 of collections: published collections and, in the detail, their practices in order (read-only)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from common.api import ErrorSerializer

from .models import Collection, CollectionItem
from .selectors import collection_api_detail, collection_api_list


class CollectionSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True)
    slug = serializers.SlugField(read_only=True, help_text=_("Bagian alamat koleksi; kunci di API."))
    title = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=Collection.Kind.choices, read_only=True, help_text=_("curated atau award."))
    introduction = serializers.CharField(read_only=True, help_text=_("Pengantar dalam Markdown."))
    source_label = serializers.CharField(read_only=True)
    decree_number = serializers.CharField(read_only=True)
    decree_date = serializers.DateField(read_only=True, allow_null=True)
    decree_url = serializers.SerializerMethodField(help_text=_("Alamat PDF surat keputusan, bila ada."))
    item_count = serializers.IntegerField(read_only=True, help_text=_("Jumlah praktik terbit dalam koleksi."))
    url = serializers.SerializerMethodField(help_text=_("Halaman koleksi."))
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = Collection
        fields = [
            "id",
            "slug",
            "title",
            "kind",
            "introduction",
            "source_label",
            "decree_number",
            "decree_date",
            "decree_url",
            "item_count",
            "url",
            "published_at",
            "updated_at",
        ]

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_decree_url(self, obj) -> str | None:
        return self._absolute(reverse("showcases:decree", args=[obj.slug])) if obj.decree_file else None

    def get_url(self, obj) -> str:
        return self._absolute(reverse("showcases:detail", args=[obj.slug]))


class CollectionItemSerializer(serializers.ModelSerializer):
    position = serializers.IntegerField(read_only=True)
    label = serializers.CharField(read_only=True, help_text=_("Misalnya “Juara 1” atau “Top 45”."))
    note = serializers.CharField(read_only=True)
    practice = serializers.IntegerField(source="practice_id", read_only=True, help_text=_("Nomor praktik."))
    practice_slug = serializers.CharField(source="practice.slug", read_only=True)
    practice_title = serializers.CharField(source="practice.title", read_only=True)
    agency_code = serializers.CharField(source="practice.agency.code", read_only=True)
    agency_name = serializers.CharField(source="practice.agency.name", read_only=True)

    class Meta:
        model = CollectionItem
        fields = [
            "position",
            "label",
            "note",
            "practice",
            "practice_slug",
            "practice_title",
            "agency_code",
            "agency_name",
        ]


class CollectionDetailSerializer(CollectionSerializer):
    items = CollectionItemSerializer(source="shown", many=True, read_only=True)

    class Meta(CollectionSerializer.Meta):
        fields = [*CollectionSerializer.Meta.fields, "items"]


@extend_schema_view(
    list=extend_schema(summary="Published collections"),
    retrieve=extend_schema(
        summary="One published collection with its practices in order",
        responses={
            200: CollectionDetailSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No such published collection."),
        },
    ),
)
class CollectionViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return collection_api_detail() if self.action == "retrieve" else collection_api_list()

    def get_serializer_class(self):
        return CollectionDetailSerializer if self.action == "retrieve" else CollectionSerializer
