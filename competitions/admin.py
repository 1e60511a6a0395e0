"""The Django admin of the competitions: read-only views for the ministry's staff. Every write goes through the
services (they check the rules and write the audit log), so the admin adds, changes and deletes nothing."""

from django.contrib import admin

from .models import AdvanceDecision, Call, CallReviewer, Criterion, Entry, Review, Score, Stage


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Calls, entries, stages, reviews (COMP-A) ----------------------------------------------------------------------


class CriterionInline(ReadOnlyMixin, admin.TabularInline):
    model = Criterion
    extra = 0


class StageInline(ReadOnlyMixin, admin.TabularInline):
    model = Stage
    extra = 0


@admin.register(Call)
class CallAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "status", "opens_at", "closes_at", "entries_closed_at"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    inlines = [CriterionInline, StageInline]


@admin.register(Entry)
class EntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["call", "practice", "agency", "status", "stage", "entered_at"]
    list_filter = ["status"]
    search_fields = ["practice__title", "agency__name", "call__title"]
    list_select_related = ["call", "practice", "agency", "stage"]
    raw_id_fields = ["practice", "agency", "entered_by"]


@admin.register(CallReviewer)
class CallReviewerAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["call", "user", "kind", "is_active", "invited_at"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["call", "user"]


class ScoreInline(ReadOnlyMixin, admin.TabularInline):
    model = Score
    extra = 0


@admin.register(Review)
class ReviewAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["stage", "entry", "reviewer", "status", "total", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["stage", "entry", "reviewer"]
    inlines = [ScoreInline]


@admin.register(AdvanceDecision)
class AdvanceDecisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["stage", "rule", "top_n", "min_score", "decided_by", "decided_at"]
    list_select_related = ["stage", "decided_by"]
