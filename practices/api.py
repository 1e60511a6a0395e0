"""Practices API v1: themes now; practices, replications and the write path join as their services land."""

from rest_framework import serializers, viewsets

from .models import Theme


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
