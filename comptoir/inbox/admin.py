from django.contrib import admin

from comptoir.inbox.models import Conversation, Message


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin[Conversation]):
    list_display = ["__str__", "workspace", "channel", "person", "status", "last_activity_at"]
    list_filter = ["status", "priority", "workspace"]
    search_fields = ["subject", "person__display_name"]
    raw_id_fields = ["channel", "identity", "person", "assignee"]
    list_select_related = ["workspace", "channel", "person"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = ["sent_at", "direction", "kind", "channel", "conversation"]
    list_filter = ["direction", "kind", "visibility", "workspace"]
    search_fields = ["text", "external_id"]
    raw_id_fields = ["conversation", "channel", "author_identity", "author_seat", "in_reply_to"]
    list_select_related = ["channel", "conversation"]
