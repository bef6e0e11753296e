from typing import Any

from django.contrib import admin
from django.db import transaction

from matching.models import Agreement, AgreementUpdate, IndexState, Invitation, Posting, Roundtable, Suggestion, Synonym


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    """The synonym table is editable data; a change schedules a full re-index (re-tokenisation) in the background."""

    list_display = ("term", "variants", "is_active")
    list_filter = ("is_active",)
    search_fields = ("term", "variants")

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _schedule_rebuild()

    def delete_model(self, request: Any, obj: Any) -> None:
        super().delete_model(request, obj)
        _schedule_rebuild()


def _schedule_rebuild() -> None:
    from matching.tasks import rebuild_index

    transaction.on_commit(lambda: rebuild_index.enqueue())


@admin.register(Posting)
class PostingAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "chain", "enterprise", "institution", "created_at")
    list_filter = ("kind", "status", "chain")
    list_select_related = ("chain", "enterprise", "institution")
    search_fields = ("title", "text")
    readonly_fields = ("status", "tokens", "index_version")
    exclude = ("embedding",)
    raw_id_fields = ("enterprise", "link", "created_by")

    def has_add_permission(self, request: Any) -> bool:
        # Postings are published and edited through the pages or the Excel import (the services index them).
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: Any, obj: Any) -> None:
        super().delete_model(request, obj)
        _forget_deleted()

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        _forget_deleted()


def _forget_deleted() -> None:
    """A deletion leaves no row to stamp: move the vocabulary stamp so every process reloads its index in full."""
    from matching import indexing

    indexing.bump(vocabulary=True)


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ("source", "target", "rank", "score", "status")
    list_filter = ("status",)
    list_select_related = ("source", "target")
    raw_id_fields = ("source", "target", "decided_by")


class InvitationInline(admin.TabularInline):
    model = Invitation
    raw_id_fields = ("enterprise", "institution", "suggestion")
    extra = 0


@admin.register(Roundtable)
class RoundtableAdmin(admin.ModelAdmin):
    list_display = ("theme", "chain", "held_on", "status")
    list_filter = ("status", "chain")
    inlines = [InvitationInline]
    readonly_fields = ("status",)


class AgreementUpdateInline(admin.TabularInline):
    model = AgreementUpdate
    extra = 0
    readonly_fields = ("author", "status", "progress", "note", "created_at")


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("title", "roundtable", "status", "progress")
    list_filter = ("status",)
    inlines = [AgreementUpdateInline]
    readonly_fields = ("status", "progress")
    raw_id_fields = ("enterprises", "source_suggestion")


@admin.register(IndexState)
class IndexStateAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "vocabulary_version", "rebuilt_at")
    readonly_fields = ("name", "version", "vocabulary_version", "rebuilt_at")
