from django.contrib import admin

from enterprises.models import Enterprise, IndustryCode, ResearchInstitution


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "size_class", "industry_code", "is_key", "is_leading", "management_office")
    list_filter = ("size_class", "is_key", "is_leading", "management_office")
    list_select_related = ("management_office",)
    search_fields = ("name", "short_name", "uscc")
    # The office and the enterprise's existence carry maintained figures (service totals, coverage): they change only
    # through the register's pages and importer (`enterprises.services`), which keep them.
    readonly_fields = ("management_office",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IndustryCode)
class IndustryCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(ResearchInstitution)
class ResearchInstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region")
    list_filter = ("kind",)
    search_fields = ("name", "fields")
