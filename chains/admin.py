from django.contrib import admin

from chains.models import Chain, Link, Placement
from core.admin import ReadOnlyAdmin


@admin.register(Chain)
class ChainAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "sort_order")

    def has_delete_permission(self, request, obj=None):
        return False  # its links' placements and its organizations' figures would go with it


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    list_display = ("name", "chain", "parent", "stage", "function", "is_key")
    list_filter = ("chain", "stage", "function", "is_key")
    list_select_related = ("chain", "parent")
    search_fields = ("name", "keywords")

    def get_readonly_fields(self, request, obj=None):
        # Moving a link to another chain would move its placements' coverage figures behind the services' back.
        return ("chain",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Placement)
class PlacementAdmin(ReadOnlyAdmin):
    """Read here; placed and removed through the chain map's pages and importer (`chains.services`), which audit the
    change and keep the coverage figures (`chains.coverage`)."""

    list_display = ("enterprise", "link", "main_product")
    list_filter = ("link__chain",)
    list_select_related = ("enterprise", "link", "link__chain")
    autocomplete_fields = ("enterprise", "link")
