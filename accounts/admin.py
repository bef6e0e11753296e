from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import ApiToken, Unit, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "enterprise", "unit", "is_active")
    list_filter = ("role", "is_active")
    list_select_related = ("enterprise", "unit")
    search_fields = ("username", "display_name")
    autocomplete_fields = ("enterprise",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("角色与绑定", {"fields": ("role", "display_name", "phone", "enterprise", "unit")}),
    )  # type: ignore[misc]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
