"""The agency directory's filters (request-independent, reusable by the API)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Agency


class AgencyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Nama instansi"), method="filter_name", max_length=100)
    kind = django_filters.ChoiceFilter(label=_("Jenis"), choices=Agency.Kind.choices)
    province = django_filters.CharFilter(label=_("Provinsi"), method="filter_province", max_length=2)

    class Meta:
        model = Agency
        fields: list[str] = []

    def filter_name(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(acronym__iexact=value) | Q(code__iexact=value))

    def filter_province(self, queryset, name, value):
        return queryset.filter(Q(region__code=value) | Q(region__province__code=value))
