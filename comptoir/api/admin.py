from django.contrib import admin

from comptoir.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Only the public prefix is shown; the digest is never displayed."""

    list_display = ["prefix", "name", "seat", "workspace", "created_at", "last_used_at"]
    list_filter = ["workspace"]
    exclude = ["digest"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
