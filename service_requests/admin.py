from django.contrib import admin
from django.db import transaction

from service_requests import rollup
from service_requests.models import (
    Feedback,
    ListSnapshot,
    Notification,
    Service,
    ServiceCategory,
    ServiceDelivery,
    ServiceRequest,
    SupervisionNotice,
    TimelineEvent,
)


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_order"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "category", "unit", "time_limit_workdays", "is_active"]
    list_filter = ["category", "unit", "is_active"]
    search_fields = ["name", "code"]
    list_select_related = ["category", "unit"]


class TimelineInline(admin.TabularInline):
    model = TimelineEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "actor", "action", "from_state", "to_state", "note", "internal")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    """Read-only here: states change only through the workflow service (pages and API)."""

    list_display = ["id", "kind", "title", "enterprise", "state", "channel", "lead_unit", "due_at"]
    list_filter = ["kind", "state", "channel"]
    search_fields = ["title", "enterprise__name"]
    list_select_related = ["enterprise", "lead_unit"]
    raw_id_fields = ["enterprise", "merged_into", "source_visit", "proxy_member"]
    inlines = [TimelineInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ServiceDelivery)
class ServiceDeliveryAdmin(admin.ModelAdmin):
    """Recorded through the service (pages, API); here they are read and, when entered by mistake, deleted — the
    deletion takes the delivery out of the maintained "enterprises served" months in the same transaction."""

    list_display = ["title", "kind", "enterprise", "delivered_on", "unit"]
    list_filter = ["kind"]
    list_select_related = ["enterprise", "unit"]
    raw_id_fields = ["enterprise", "request"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    @transaction.atomic
    def delete_model(self, request, obj):
        rollup.record_delivery(obj, sign=-1)
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for delivery in queryset.select_related("enterprise"):
            rollup.record_delivery(delivery, sign=-1)
        super().delete_queryset(request, queryset)


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(admin.ModelAdmin):
    list_display = ["request", "level", "stage", "state", "deadline", "created_at"]
    list_filter = ["level", "state", "stage"]
    raw_id_fields = ["request"]

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(Feedback)
admin.site.register(Notification)
admin.site.register(ListSnapshot)
