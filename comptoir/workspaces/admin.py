from django.contrib import admin

from comptoir.workspaces.models import Event, Seat, Workspace


class SeatInline(admin.TabularInline[Seat, Workspace]):
    model = Seat
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin[Workspace]):
    list_display = ["name", "slug", "timezone", "default_language", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [SeatInline]


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin[Seat]):
    list_display = ["display_name", "user", "workspace", "role", "is_active"]
    list_filter = ["role", "is_active", "workspace"]
    search_fields = ["display_name", "user__username", "user__email"]
    raw_id_fields = ["user"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    """Read-only: the event log is append-only, even for superusers."""

    list_display = ["created_at", "workspace", "verb", "subject_type", "subject_id", "actor"]
    list_filter = ["verb", "subject_type", "workspace"]
    search_fields = ["verb"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
