from django.contrib import admin

from .models import Question, Replication, ReplicationStep


class ReplicationStepInline(admin.TabularInline):
    model = ReplicationStep
    extra = 0
    raw_id_fields = ["recorded_by", "responded_by"]


@admin.register(Replication)
class ReplicationAdmin(admin.ModelAdmin):
    list_display = ["source", "agency", "stage", "created_at"]
    list_filter = ["stage"]
    search_fields = ["source__title", "agency__name", "agency__code"]
    raw_id_fields = ["source", "agency", "started_by", "became"]
    list_select_related = ["source", "agency"]
    inlines = [ReplicationStepInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["practice", "asker_agency", "created_at", "answered_at", "is_public"]
    list_filter = ["is_public"]
    search_fields = ["text", "answer", "practice__title"]
    raw_id_fields = ["practice", "asker", "asker_agency", "answered_by"]
    list_select_related = ["practice", "asker_agency"]
