from django.contrib import admin

from .models import Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_id", "name_en", "track", "order"]
    list_filter = ["track"]
    search_fields = ["code", "name_id", "name_en"]
