from django.contrib import admin
from django.http import HttpRequest

from comptoir.webhooks.models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin[WebhookEndpoint]):
    list_display = ("url", "workspace", "is_active", "created_at")
    list_filter = ("is_active",)
    exclude = ("secret_encrypted",)  # never shown, not even to staff

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # an endpoint needs a generated secret: the settings page or the API


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    list_display = (
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
    )
    list_filter = ("status", "event_type")
    raw_id_fields = ("endpoint",)
