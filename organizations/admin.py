from django.contrib import admin

from core.admin import ReadOnlyAdmin
from organizations import models


@admin.register(models.PartyOrganization)
class PartyOrganizationAdmin(ReadOnlyAdmin):
    """Written through the staff pages and importers, which keep the coverage figures (`chains.coverage`)."""

    list_display = ("name", "org_type", "formation", "chain", "secretary_name")
    list_filter = ("org_type", "formation", "chain")
    list_select_related = ("chain",)
    search_fields = ("name",)
    autocomplete_fields = ("enterprises", "parent")


@admin.register(models.PartyMember)
class PartyMemberAdmin(ReadOnlyAdmin):
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
