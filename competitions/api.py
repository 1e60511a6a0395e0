"""API v1 of the calls: `/api/v1/calls/` and `/api/v1/calls/{slug}/entries/` (read-only, for everyone).

The entries carry what the export carries (`exports.call_entry_records`, one definition): closed stages'
average scores, ranks and awards once the results are published, public objection counts after the window.
Never an objector's personal data.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .exports import call_entry_records
from .models import Call


class CallSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True, help_text=_("Status, dibaca."))
    themes = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text=_("Kode tema yang dapat ikut.")
    )
    winners_collection = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text=_("Slug koleksi pemenang, bila sudah terbit.")
    )

    class Meta:
        model = Call
        fields = [
            "slug",
            "title",
            "description",
            "status",
            "status_label",
            "themes",
            "agency_kinds",
            "opens_at",
            "closes_at",
            "objection_days",
            "entries_closed_at",
            "finalists_announced_at",
            "objection_opens_at",
            "objection_closes_at",
            "objection_closed_at",
            "results_published_at",
            "winners_collection",
        ]
        read_only_fields = fields


class StageScoreSerializer(serializers.Serializer):
    stage = serializers.IntegerField(help_text=_("Urutan tahap."))
    name = serializers.CharField(help_text=_("Nama tahap."))
    average = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text=_("Rata-rata nilai total (0–100).")
    )


class EntryRecordSerializer(serializers.Serializer):
    entry_id = serializers.IntegerField()
    practice_id = serializers.IntegerField()
    practice_title = serializers.CharField()
    practice_slug = serializers.CharField(allow_blank=True)
    agency_code = serializers.CharField()
    agency_name = serializers.CharField()
    status = serializers.CharField(help_text=_("entered, eliminated, finalist, disqualified, winner."))
    status_label = serializers.CharField()
    stage = serializers.CharField(allow_blank=True, help_text=_("Tahap peserta saat ini."))
    entered_at = serializers.DateTimeField()
    final_rank = serializers.IntegerField(allow_null=True, help_text=_("Peringkat akhir, setelah hasil terbit."))
    award_label = serializers.CharField(allow_blank=True, help_text=_("Penghargaan, setelah hasil terbit."))
    objections_examining = serializers.IntegerField(allow_null=True)
    objections_upheld = serializers.IntegerField(allow_null=True)
    objections_not_upheld = serializers.IntegerField(allow_null=True)
    scores = StageScoreSerializer(many=True, help_text=_("Nilai tahap yang sudah ditutup."))


@extend_schema_view(
    list=extend_schema(summary="Calls (competitions and showcases)"),
    retrieve=extend_schema(summary="One call"),
)
class CallViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CallSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return (
            Call.objects.public()
            .select_related("winners_collection")
            .prefetch_related("themes")
            .order_by("-opens_at", "pk")
        )

    @extend_schema(summary="A call's entries and results", responses={200: EntryRecordSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="entries", pagination_class=None)
    def entries(self, request, slug=None):
        call = self.get_object()
        return Response(EntryRecordSerializer(call_entry_records(call=call), many=True).data)
