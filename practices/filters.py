"""django-filter FilterSets for the public practice list (request-independent: the API reuses them).

Codes, not ids, travel in the URL (`theme=kemiskinan`, `province=35`, `region=35.78`) so that every state of
the list is a readable, shareable address, and validating a value costs no query.
"""

from __future__ import annotations

import copy
import re

import django_filters
from django import forms
from django.core.validators import validate_slug
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _
from django_filters.filters import FilterMethod

from agencies.models import Agency

from .models import Practice, PracticeRevision, Theme
from .models.practice import freshness_cutoff, freshness_expression

# The five kind groups the public thinks in; the seven stored kinds map onto them.
KIND_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "kementerian": (_("Kementerian"), (Agency.Kind.COORDINATING_MINISTRY, Agency.Kind.MINISTRY)),
    "lembaga": (_("Lembaga"), (Agency.Kind.AGENCY, Agency.Kind.STATE_SECRETARIAT)),
    "provinsi": (_("Pemerintah provinsi"), (Agency.Kind.PROVINCE,)),
    "kabupaten": (_("Pemerintah kabupaten"), (Agency.Kind.REGENCY,)),
    "kota": (_("Pemerintah kota"), (Agency.Kind.CITY,)),
}
KIND_TO_GROUP = {kind: group for group, (_label, kinds) in KIND_GROUPS.items() for kind in kinds}


class Sort:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    REPLICATED = "replicated"
    CHOICES = [
        (RELEVANCE, _("Paling relevan")),
        (NEWEST, _("Terbaru")),
        (REPLICATED, _("Paling banyak direplikasi")),
    ]


def practices_order(queryset, *, sort: str = "", plan=None):
    """The one order of published practices for the list page, the API and the exports: by rank when there is a
    search text and the sort is relevance (the default with a text), by replications, else newest first. The id
    always ends the order, so pages never overlap or skip rows."""
    if plan is not None and plan.text and sort in ("", Sort.RELEVANCE):
        return plan.rank(queryset)
    if sort == Sort.REPLICATED:
        return queryset.order_by("-replication_count", "-published_at", "-id")
    return queryset.order_by("-published_at", "-id")


REGION_CODE_RE = r"^\d{2}(\.\d{2})?$"


class PracticeFilter(django_filters.FilterSet):
    """Facet filters over published practices. The text query `q` is validated here but applied by
    `practices.search`, which also decides between full-text and trigram (typo) matching."""

    q = django_filters.CharFilter(label=_("Kata kunci"), method="filter_noop", max_length=200)
    theme = django_filters.CharFilter(label=_("Tema"), method="filter_theme", max_length=40)
    track = django_filters.ChoiceFilter(
        label=_("Jalur"), field_name="primary_theme__track", choices=Theme.Track.choices
    )
    kind = django_filters.ChoiceFilter(
        label=_("Jenis instansi"),
        method="filter_kind",
        choices=[(key, label) for key, (label, _kinds) in KIND_GROUPS.items()],
    )
    province = django_filters.CharFilter(label=_("Provinsi"), method="filter_province", max_length=2)
    region = django_filters.CharFilter(label=_("Kabupaten/kota"), method="filter_region", max_length=5)
    stage = django_filters.ChoiceFilter(label=_("Tahap"), choices=PracticeRevision.Stage.choices)
    evidence = django_filters.ChoiceFilter(
        label=_("Tingkat bukti"), field_name="evidence_level", choices=Practice.EvidenceLevel.choices
    )
    year_from = django_filters.NumberFilter(
        label=_("Mulai dari tahun"), field_name="start_year", lookup_expr="gte", min_value=1945, max_value=2100
    )
    year_to = django_filters.NumberFilter(
        label=_("Sampai tahun"), field_name="start_year", lookup_expr="lte", min_value=1945, max_value=2100
    )
    reached = django_filters.BooleanFilter(
        label=_("Ada indikator yang mencapai target"), method="filter_reached", widget=forms.CheckboxInput
    )
    replicated = django_filters.BooleanFilter(
        label=_("Sudah direplikasi"), method="filter_replicated", widget=forms.CheckboxInput
    )
    # Without a choice, stopped practices are left out (they stay public on their pages): see filter_queryset.
    freshness = django_filters.ChoiceFilter(
        label=_("Status praktik"), method="filter_freshness", choices=Practice.Freshness.choices
    )
    sort = django_filters.ChoiceFilter(label=_("Urutkan"), method="filter_noop", choices=Sort.CHOICES)

    class Meta:
        model = Practice
        fields: list[str] = []

    def __init__(self, *args, hide_stopped: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # Counting the "Status praktik" facet itself needs the stopped ones too (`hide_stopped=False`).
        self.hide_stopped = hide_stopped

    def get_form_class(self):
        """One form class for every instance: django-filter builds a new class (and its 14 fields) per FilterSet,
        though the fields never vary. Each form still works on its own copies of the fields (Form.__init__)."""
        cls = type(self)
        form_class = cls.__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            # Codes are checked by shape only, so validating a URL costs no query; an unknown code matches nothing.
            form_class.base_fields["theme"].validators.append(validate_slug)
            form_class.base_fields["province"].validators.append(_region_code_validator)
            form_class.base_fields["region"].validators.append(_region_code_validator)
            form_class.base_fields = _FieldCopies(form_class.base_fields)
            cls._form_class = form_class
        return form_class

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.hide_stopped and not self.form.cleaned_data.get("freshness"):
            queryset = queryset.filter(stopped_at__isnull=True)
        return queryset

    def filter_freshness(self, queryset, name, value):
        if value == Practice.Freshness.STOPPED:
            return queryset.filter(stopped_at__isnull=False)
        return queryset.alias(freshness_key=freshness_expression(freshness_cutoff())).filter(freshness_key=value)

    def filter_theme(self, queryset, name, value):
        # By the theme's id (a one-row subquery; codes are unique, an unknown one gives NULL and matches nothing)
        # on the theme links alone: joining the theme table too doubled the planning of the list's page query
        # (1.9 against 1.0 ms). Raw SQL of the model's table, the value a parameter: a Subquery() took a third of
        # a millisecond more to build and compile.
        theme_id = RawSQL(f"SELECT t.id FROM {Theme._meta.db_table} t WHERE t.code = %s", [value])  # noqa: S608, S611
        return queryset.filter(themes=theme_id)

    def filter_kind(self, queryset, name, value):
        return queryset.filter(agency__kind__in=KIND_GROUPS[value][1])

    def filter_province(self, queryset, name, value):
        return queryset.filter(Q(agency__region__code=value) | Q(agency__region__province__code=value))

    def filter_region(self, queryset, name, value):
        province = self.form.cleaned_data.get("province")
        if province and not value.startswith(f"{province}."):
            # A regency left over from another province: the province choice wins.
            return queryset
        return queryset.filter(agency__region__code=value)

    def filter_reached(self, queryset, name, value):
        return queryset.filter(reached_target=True) if value else queryset

    def filter_replicated(self, queryset, name, value):
        return queryset.filter(replication_count__gt=0) if value else queryset


class _FilterCopies(dict):
    """`PracticeFilter.base_filters`, whose deep copy (django-filter makes one per FilterSet, for the filters' own
    `parent`) copies each filter shallowly: a filter's state is its declaration, shared read-only, and the
    FilterMethod that calls the parent's method, made anew for the copy. The deep copy was half a millisecond
    of every list page."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, declared in self.items():
            copied = copy.copy(declared)
            if isinstance(declared.__dict__.get("filter"), FilterMethod):
                copied.filter = FilterMethod(copied)
            copies[name] = copied
        return copies


PracticeFilter.base_filters = _FilterCopies(PracticeFilter.base_filters)


class _FieldCopies(dict):
    """The fields of `PracticeFilter`'s form, which each form copies (Form.__init__ deep-copies them): copied as
    Django copies a field (its widget, messages and validators) but sharing the choice lists, constants of the
    code whose lazy labels were most of the copy's cost."""

    def __deepcopy__(self, memo):
        return {name: forms.Field.__deepcopy__(field, memo) for name, field in self.items()}


def _region_code_validator(value: str) -> None:
    if value and not re.match(REGION_CODE_RE, value):
        raise forms.ValidationError(_("Kode wilayah tidak dikenal."))
