"""Admin for investment records, and for the chain map's supply relations and gap-rule thresholds.

The chain-map models live in `chains` (SupplyRelation, GapRuleSetting) but are registered here because this app owns
the chain map; `chains/admin.py` belongs to the foundation.
"""

from typing import Any

from django.contrib import admin

from chains.gaps import gap_setting_save
from chains.models import GapRuleSetting, SupplyRelation
from investment.models import InvestmentTeam, Project, ProjectStageChange, PromotionEvent, TargetCompany


@admin.register(GapRuleSetting)
class GapRuleSettingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "weak_min_firms", "low_end_share", "local_supply_target", "local_supply_min_suppliers")
    list_select_related = ("chain",)

    def save_model(self, request: Any, obj: GapRuleSetting, form: Any, change: bool) -> None:
        fields = ["weak_min_firms", "low_end_share", "local_supply_target", "local_supply_min_suppliers"]
        saved = gap_setting_save(actor=request.user, chain=obj.chain, **{f: getattr(obj, f) for f in fields})
        obj.pk = saved.pk


@admin.register(SupplyRelation)
class SupplyRelationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "product", "share")
    list_select_related = ("supplier", "customer", "supplier_link", "customer_link")
    search_fields = ("supplier__name", "supplier_name", "customer__name", "product")
    autocomplete_fields = ("supplier", "customer", "supplier_link", "customer_link")


@admin.register(InvestmentTeam)
class InvestmentTeamAdmin(admin.ModelAdmin):
    list_display = ("name", "head", "focus", "sort_order")
    list_select_related = ("head",)
    filter_horizontal = ("members", "chains")


@admin.register(TargetCompany)
class TargetCompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "industry_code", "is_listed", "is_specialized", "is_high_tech")
    list_filter = ("is_listed", "is_specialized", "is_high_tech")
    search_fields = ("name", "products", "uscc")


@admin.register(PromotionEvent)
class PromotionEventAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "held_on", "city", "chain", "team")
    list_select_related = ("chain", "team")
    list_filter = ("kind", "chain")


class StageChangeInline(admin.TabularInline):
    model = ProjectStageChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_stage", "to_stage", "changed_on", "actor", "note", "created_at")

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Read-mostly: the stage moves only through the pipeline service (the project page), never here."""

    list_display = ("name", "team", "chain", "stage", "amount_wan", "signed_on")
    list_select_related = ("team", "chain")
    list_filter = ("stage", "team", "chain")
    search_fields = ("name", "investor")
    readonly_fields = (
        "stage",
        "lead_on",
        "negotiating_on",
        "signed_on",
        "registered_on",
        "construction_started_on",
        "production_on",
        "dropped_on",
        "dropped_reason",
    )
    inlines = [StageChangeInline]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
