from django.contrib import admin

from .models import Agency, Membership, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "province"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["province"]
    raw_id_fields = ["province"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "acronym", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name", "acronym"]
    raw_id_fields = ["region"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role", "state", "created_at"]
    list_filter = ["role", "state", "agency__kind"]
    search_fields = ["user__email", "user__full_name", "agency__name", "agency__code"]
    raw_id_fields = ["user", "agency"]
    list_select_related = ["user", "agency"]
