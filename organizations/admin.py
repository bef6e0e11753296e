from django.contrib import admin

from organizations import models


class WrittenThroughServices(admin.ModelAdmin):
    """Read here; written through the staff pages and importers, which audit the change and keep the maintained
    coverage figures (`chains.coverage`) in the same transaction."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.PartyOrganization)
class PartyOrganizationAdmin(WrittenThroughServices):
    list_display = ("name", "org_type", "formation", "chain", "secretary_name")
    list_filter = ("org_type", "formation", "chain")
    list_select_related = ("chain",)
    search_fields = ("name",)
    autocomplete_fields = ("enterprises", "parent")


@admin.register(models.PartyMember)
class PartyMemberAdmin(WrittenThroughServices):
    list_display = ("name", "organization", "enterprise", "post")
    list_select_related = ("organization", "enterprise")
    search_fields = ("name",)
    exclude = ("id_number",)  # personal data is edited through the staff pages, which mask and audit it


for model in (
    models.PioneerPost,
    models.CommandoTeam,
    models.Milestone,
    models.KeyProject,
    models.Pairing,
    models.Visit,
    models.MentoringPair,
):
    admin.site.register(model)
