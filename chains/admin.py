from django.contrib import admin

from chains.models import Chain, Link, Placement


@admin.register(Chain)
class ChainAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "sort_order")


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    list_display = ("name", "chain", "parent", "stage", "function", "is_key")
    list_filter = ("chain", "stage", "function", "is_key")
    list_select_related = ("chain", "parent")
    search_fields = ("name", "keywords")


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "link", "main_product")
    list_filter = ("link__chain",)
    list_select_related = ("enterprise", "link", "link__chain")
    autocomplete_fields = ("enterprise", "link")
