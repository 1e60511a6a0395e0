from django.contrib import admin

from .models import Delivery, DigestEntry, Follow, Notification, NotificationSetting, PublishFanOut


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = ["key", "channel", "state", "attempts", "last_error", "created_at", "queued_at", "sent_at"]
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "email", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["subject", "recipient__email", "email"]
    raw_id_fields = ["recipient"]
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["key", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["state"]
    raw_id_fields = ["notification"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "frequency", "language", "confirmed_at", "created_at"]
    list_filter = ["kind", "frequency"]
    search_fields = ["email", "user__email"]
    raw_id_fields = ["user", "theme", "province", "agency"]
    exclude = ["token"]


@admin.register(DigestEntry)
class DigestEntryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "follow", "created_at", "notification"]
    raw_id_fields = ["user", "follow", "practice", "notification"]


@admin.register(PublishFanOut)
class PublishFanOutAdmin(admin.ModelAdmin):
    """Read-only: a pending row older than a few minutes means the fan-out is waiting for the sweeper."""

    list_display = ["__str__", "state", "notified", "digested", "created_at", "queued_at", "done_at", "withdrawn_at"]
    list_filter = ["state"]
    raw_id_fields = ["practice", "revision"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationSetting)
class NotificationSettingAdmin(admin.ModelAdmin):
    """Read-only: people choose on their settings page (or by an unsubscribe link). Deleting a row puts that
    group back to the default, e.g. when someone asks support to receive an email again."""

    list_display = ["user", "group", "channel", "updated_at"]
    list_filter = ["group", "channel"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
