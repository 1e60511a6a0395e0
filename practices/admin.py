"""The Django admin for ministry staff: reading practices and their workflow records, curating the home page.

Read-mostly on purpose: a practice's state, content and reviews change only through the services (the
workflow table, the audit rows, the caches and the notifications depend on it), so these pages show every
field read-only, offer no "add" and no "delete", and the one write they make, featuring a published practice
on the home page, goes through `publishing.practice_featured_set`. Every changelist selects its related rows
in the same query (`tests/practices/test_admin.py` holds them to a fixed number of queries for 50 rows).
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import (
    Attachment,
    GlossaryTerm,
    Practice,
    PracticeRevision,
    Review,
    ReviewAssignment,
    Screening,
    Theme,
)
from .services.indexing import glossary_changed
from .services.publishing import FeatureRefused, practice_featured_set


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_id", "name_en", "track", "order"]
    list_filter = ["track"]
    search_fields = ["code", "name_id", "name_en"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    """The search glossary, kept by ministry staff: a query with either term also finds the other language."""

    list_display = ["indonesian", "english", "updated_at"]
    search_fields = ["indonesian", "english"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        glossary_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        glossary_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        glossary_changed()


class ReadOnlyAdmin(admin.ModelAdmin):
    """Every field shown read-only; nothing added or deleted here (the services own these rows)."""

    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        model = self.model._meta
        shown = [*model.fields, *model.many_to_many]
        return [f.name for f in shown if not f.auto_created and f.name not in (self.exclude or ())]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Practice)
class PracticeAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "agency", "status", "evidence_level", "primary_theme", "featured", "published_at"]
    list_filter = ["status", "featured", "primary_theme", "agency__kind", "evidence_level"]
    search_fields = ["title", "slug", "agency__name", "agency__acronym"]
    date_hierarchy = "published_at"
    list_select_related = ["agency", "primary_theme", "working_revision"]  # __str__ falls back to the draft title
    raw_id_fields = ["agency", "live_revision", "working_revision", "source", "created_by", "primary_theme"]
    exclude = ["search_vector"]
    actions = ["feature", "unfeature"]

    def has_change_permission(self, request, obj=None):
        # On the list only, where the featured actions need it; a practice's own page stays a view.
        return obj is None and admin.ModelAdmin.has_change_permission(self, request)

    @admin.action(description=_("Tampilkan di beranda"), permissions=["change"])
    def feature(self, request, queryset):
        self._featured_set(request, queryset, featured=True)

    @admin.action(description=_("Hapus dari beranda"), permissions=["change"])
    def unfeature(self, request, queryset):
        self._featured_set(request, queryset, featured=False)

    def _featured_set(self, request, queryset, *, featured: bool) -> None:
        changed = 0
        for pk in queryset.order_by("pk").values_list("pk", flat=True):
            try:
                changed += practice_featured_set(practice_id=pk, featured=featured, by=request.user)
            except FeatureRefused as refused:
                self.message_user(request, refused.messages[0], messages.ERROR)
        if featured:
            text = ngettext(
                "%(count)d praktik kini ditampilkan di beranda.",
                "%(count)d praktik kini ditampilkan di beranda.",
                changed,
            )
        else:
            text = ngettext(
                "%(count)d praktik dihapus dari beranda.", "%(count)d praktik dihapus dari beranda.", changed
            )
        self.message_user(request, text % {"count": changed}, messages.SUCCESS if changed else messages.INFO)


@admin.register(PracticeRevision)
class PracticeRevisionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "practice", "agency", "state", "primary_theme", "submitted_at", "decided_at"]
    list_filter = ["state", "primary_theme", "practice__agency__kind", "two_reviewers_required"]
    search_fields = ["title", "practice__slug", "practice__title", "practice__agency__name"]
    date_hierarchy = "created_at"
    list_select_related = ["practice__agency", "practice__working_revision", "primary_theme"]
    raw_id_fields = ["practice", "created_by", "primary_theme"]

    @admin.display(description=_("instansi"), ordering="practice__agency__name")
    def agency(self, revision):
        return revision.practice.agency


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["revision", "practice", "reviewer", "recommendation", "total", "created_at"]
    list_filter = ["recommendation", "revision__practice__agency__kind"]
    search_fields = [
        "revision__title",
        "revision__practice__slug",
        "revision__practice__agency__name",
        "reviewer__email",
    ]
    date_hierarchy = "created_at"
    list_select_related = ["revision__practice__working_revision", "reviewer"]
    raw_id_fields = ["revision", "reviewer"]

    @admin.display(description=_("praktik baik"))
    def practice(self, review):
        return review.revision.practice


@admin.register(Screening)
class ScreeningAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "practice", "completeness", "assigned_to", "duplicates_cleared_at", "created_at"]
    list_filter = [("duplicates_cleared_at", admin.EmptyFieldListFilter), "revision__practice__agency__kind"]
    search_fields = ["revision__title", "revision__practice__slug", "revision__practice__agency__name"]
    date_hierarchy = "created_at"
    list_select_related = ["revision__practice__working_revision", "assigned_to"]
    raw_id_fields = ["revision", "assigned_to", "duplicates_cleared_by"]

    @admin.display(description=_("praktik baik"))
    def practice(self, screening):
        return screening.revision.practice


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["revision", "practice", "reviewer", "assigned_by", "assigned_at", "completed_at"]
    list_filter = [("completed_at", admin.EmptyFieldListFilter), "revision__state"]
    search_fields = ["revision__title", "revision__practice__slug", "reviewer__email"]
    date_hierarchy = "assigned_at"
    list_select_related = ["revision__practice__working_revision", "reviewer", "assigned_by"]
    raw_id_fields = ["revision", "reviewer", "assigned_by"]

    @admin.display(description=_("praktik baik"))
    def practice(self, assignment):
        return assignment.revision.practice


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "practice", "purpose", "mime_type", "size", "uploaded_by", "created_at"]
    list_filter = ["purpose", "mime_type", "practice__agency__kind"]
    search_fields = ["original_name", "title", "practice__title", "practice__slug", "practice__agency__name"]
    date_hierarchy = "created_at"
    list_select_related = ["practice__working_revision", "uploaded_by"]
    raw_id_fields = ["practice", "revision", "indicator", "uploaded_by"]
    # The stored file is downloaded through the portal's access-checked view, not a storage URL; the
    # revisions that show it are many.
    exclude = ["file", "revisions"]
