"""Agencies API v1: the public directory (filters kind, province, q) and one agency by its code."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from .filters import AgencyFilter
from .models import Agency
from .selectors import agency_list


class AgencySerializer(serializers.ModelSerializer):
    """One agency (also a row of the directory's CSV/XLSX export)."""

    code = serializers.CharField(read_only=True, help_text=_("Kode instansi: kode wilayah Kemendagri atau singkatan."))
    name = serializers.CharField(read_only=True, help_text=_("Nama resmi instansi."))
    acronym = serializers.CharField(read_only=True, help_text=_("Singkatan, bila ada."))
    kind = serializers.CharField(
        read_only=True,
        help_text=_(
            "Jenis: kementerian_koordinator, kementerian, lembaga, sekretariat_lembaga_negara, provinsi, "
            "kabupaten, kota."
        ),
    )
    region_code = serializers.SerializerMethodField(help_text=_("Kode wilayah (kosong untuk instansi pusat)."))
    province_code = serializers.SerializerMethodField(help_text=_("Kode provinsi (kosong untuk instansi pusat)."))
    practice_count = serializers.IntegerField(read_only=True, help_text=_("Jumlah praktik yang terbit."))
    web_url = serializers.SerializerMethodField(help_text=_("Alamat profil instansi di portal."))

    class Meta:
        model = Agency
        fields = ["code", "name", "acronym", "kind", "region_code", "province_code", "practice_count", "web_url"]

    def get_region_code(self, agency: Agency) -> str:
        return agency.region.code if agency.region_id else ""

    def get_province_code(self, agency: Agency) -> str:
        region = agency.region
        if region is None:
            return ""
        return region.code if region.province_id is None else region.province.code

    def get_web_url(self, agency: Agency) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            path = reverse("agencies:detail", args=[agency.slug])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


def agency_api_list():
    """Active agencies with their number of published practices, by name then code (stable pages)."""
    return agency_list().annotate(practice_count=Count("practices", filter=Q(practices__status="published")))


@extend_schema_view(
    list=extend_schema(summary="Agencies (the public directory)"),
    retrieve=extend_schema(summary="One agency by its code"),
)
class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AgencySerializer
    filterset_class = AgencyFilter
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9._-]{1,64}"

    def get_queryset(self):
        return agency_api_list().order_by("name", "code")
