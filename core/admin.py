from django.contrib import admin

from core.models import AuditEvent, WorkdayOverride


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records read in the admin and written elsewhere: through the services (pages, importers, API), which audit the
    change and keep what depends on it (maintained figures) in the same transaction."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "target_type", "target_id", "summary")
    list_filter = ("action",)
    list_select_related = ("actor",)
    search_fields = ("summary", "target_id")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ("day", "is_workday", "note")
    list_filter = ("is_workday",)
