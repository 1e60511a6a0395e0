"""API v1 of the replication ledger: the replications of published practices (read-only, for everyone)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from .models import Replication
from .selectors import replication_api_list


class ReplicationSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True, help_text=_("Nomor replikasi."))
    source_practice = serializers.PrimaryKeyRelatedField(
        source="source", read_only=True, help_text=_("Praktik yang direplikasi.")
    )
    source_title = serializers.CharField(source="source.title", read_only=True, help_text=_("Judul praktik asal."))
    agency_code = serializers.CharField(source="agency.code", read_only=True, help_text=_("Kode instansi replikator."))
    agency_name = serializers.CharField(source="agency.name", read_only=True, help_text=_("Nama instansi replikator."))
    stage = serializers.CharField(
        read_only=True, help_text=_("Tahap terakhir: interest, study, legal_basis, launched, results.")
    )
    became_practice = serializers.PrimaryKeyRelatedField(
        source="became", read_only=True, allow_null=True, help_text=_("Praktik baru hasil replikasi, bila ada.")
    )
    created_at = serializers.DateTimeField(read_only=True, help_text=_("Dicatat pertama kali."))
    updated_at = serializers.DateTimeField(read_only=True, help_text=_("Terakhir diubah."))

    class Meta:
        model = Replication
        fields = [
            "id",
            "source_practice",
            "source_title",
            "agency_code",
            "agency_name",
            "stage",
            "became_practice",
            "created_at",
            "updated_at",
        ]


class ReplicationFilter(django_filters.FilterSet):
    source = django_filters.NumberFilter(field_name="source_id", min_value=1, max_value=2_147_483_647)
    agency = django_filters.CharFilter(field_name="agency__code", max_length=64)
    stage = django_filters.ChoiceFilter(choices=Replication.Stage.choices)

    class Meta:
        model = Replication
        fields: list[str] = []


@extend_schema_view(list=extend_schema(summary="Replications of published practices"))
class ReplicationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ReplicationSerializer
    filterset_class = ReplicationFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return replication_api_list()
