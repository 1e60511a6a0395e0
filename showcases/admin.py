"""The Django admin of collections, experts and expert notes, for ministry staff.

Every write goes through the services (audited, the public pages refreshed), so the acting staff member must
also be a moderator (collections, moderating notes) or a lead moderator (experts); others get the services'
refusal. Expert notes are read here and published through the action; rejecting (with a reason for the author)
is done on the moderation page."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from practices.models import Practice

from . import services
from .models import Collection, CollectionItem, Expert, ExpertNote


class CollectionAdminForm(forms.ModelForm):
    class Meta:
        model = Collection
        fields = [
            "title",
            "kind",
            "source_label",
            "introduction",
            "decree_number",
            "decree_date",
            "decree_file",
            "is_published",
            "featured_on_home",
            "home_position",
        ]

    def clean_decree_file(self):
        uploaded = self.cleaned_data.get("decree_file")
        if uploaded and hasattr(uploaded, "content_type"):  # a new upload (not the stored file)
            services.decree_file_check(uploaded)
            uploaded.seek(0)
        return uploaded


class CollectionItemFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        ids = [
            form.cleaned_data["practice"].pk
            for form in self.forms
            if form.cleaned_data.get("practice") and not form.cleaned_data.get("DELETE")
        ]
        published = set(Practice.objects.published().filter(pk__in=ids).values_list("pk", flat=True))
        if set(ids) - published:
            raise ValidationError(_("Hanya praktik yang terbit yang dapat masuk koleksi."))


class CollectionItemInline(admin.TabularInline):
    model = CollectionItem
    formset = CollectionItemFormSet
    extra = 1
    raw_id_fields = ["practice"]
    fields = ["position", "practice", "label", "note"]


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    form = CollectionAdminForm
    list_display = ["title", "kind", "source_label", "is_published", "featured_on_home", "home_position", "updated_at"]
    list_filter = ["kind", "is_published", "featured_on_home"]
    search_fields = ["title", "slug", "source_label", "decree_number"]
    readonly_fields = ["slug", "published_at", "created_by", "created_at", "updated_at"]
    fields = [
        "title",
        "slug",
        "kind",
        "source_label",
        "introduction",
        "decree_number",
        "decree_date",
        "decree_file",
        "is_published",
        "featured_on_home",
        "home_position",
        "published_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [CollectionItemInline]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        upload = data.get("decree_file")
        new_file = upload if upload and hasattr(upload, "content_type") else None
        fields = {
            "title": data["title"],
            "introduction": data.get("introduction", ""),
            "kind": data["kind"],
            "source_label": data.get("source_label", ""),
            "decree_number": data.get("decree_number", ""),
            "decree_date": data.get("decree_date"),
            "decree_file": new_file,
        }
        if change:
            saved = services.collection_update(
                actor=request.user, collection=obj, decree_file_clear=upload is False, **fields
            )
            services.collection_publish(actor=request.user, collection=saved, published=data["is_published"])
        else:
            saved = services.collection_create(actor=request.user, is_published=data["is_published"], **fields)
        if data["featured_on_home"] or saved.featured_on_home:
            saved = services.collection_feature_set(
                actor=request.user,
                collection=saved,
                featured=data["featured_on_home"] and data["is_published"],
                position=data["home_position"],
            )
        saved.refresh_from_db()
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})

    def save_related(self, request, form, formsets, change):
        # The items through the service (order by the typed positions), not by the inline's own saves.
        for formset in formsets:
            if formset.model is not CollectionItem:
                continue
            rows = [
                (f.cleaned_data.get("position") or 0, i, f.cleaned_data)
                for i, f in enumerate(formset.forms)
                if f.cleaned_data.get("practice") and not f.cleaned_data.get("DELETE")
            ]
            rows.sort(key=lambda r: (r[0], r[1]))
            services.collection_items_set(
                actor=request.user,
                collection=form.instance,
                items=[(d["practice"], d.get("label", ""), d.get("note", "")) for _p, _i, d in rows],
            )

    def delete_model(self, request, obj):
        services.collection_delete(actor=request.user, collection=obj)

    def delete_queryset(self, request, queryset):
        for collection in queryset:
            services.collection_delete(actor=request.user, collection=collection)


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ["user", "affiliation", "expertise", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["user__email", "user__full_name", "affiliation", "expertise"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]
    fields = ["user", "affiliation", "expertise", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        saved = services.expert_save(
            actor=request.user,
            email=obj.user.email,
            affiliation=obj.affiliation,
            expertise=obj.expertise,
            is_active=obj.is_active,
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the expert's published notes stay attributed


@admin.register(ExpertNote)
class ExpertNoteAdmin(admin.ModelAdmin):
    list_display = ["practice", "author", "status", "updated_at", "published_at"]
    list_filter = ["status"]
    search_fields = ["practice__title", "author__email", "author__full_name"]
    list_select_related = ["practice", "author"]
    actions = ["publish"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in ExpertNote._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        pass  # every field is read-only here; decisions go through the action or the moderation page

    @admin.action(description=_("Terbitkan catatan terpilih"), permissions=["change"])
    def publish(self, request, queryset):
        done = 0
        for note in queryset.order_by("pk"):
            try:
                services.note_moderate(actor=request.user, note=note, publish=True)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{note}: {' '.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR)
        text = ngettext("%(count)d catatan diterbitkan.", "%(count)d catatan diterbitkan.", done)
        self.message_user(request, text % {"count": done}, messages.SUCCESS if done else messages.INFO)
