from django.contrib import admin

from comptoir.channels.models import Channel


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin[Channel]):
    """Secrets are never shown: the encrypted field is neither listed nor editable here."""

    list_display = ["name", "kind", "workspace", "status", "created_at"]
    list_filter = ["kind", "status", "workspace"]
    search_fields = ["name"]
    exclude = ["secrets_encrypted"]
    readonly_fields = ["kind"]
