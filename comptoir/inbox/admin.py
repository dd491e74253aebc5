from django.contrib import admin

from comptoir.inbox.models import Conversation, Message, SavedReply, Tag


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin[Conversation]):
    list_display = ["__str__", "workspace", "channel", "person", "status", "last_activity_at"]
    list_filter = ["status", "priority", "workspace"]
    search_fields = ["subject", "person__display_name"]
    raw_id_fields = ["channel", "identity", "person", "assignee", "assignee_team"]
    filter_horizontal = ["tags"]
    list_select_related = ["workspace", "channel", "person"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = ["sent_at", "direction", "kind", "channel", "conversation"]
    list_filter = ["direction", "kind", "visibility", "delivery_status", "workspace"]
    search_fields = ["text", "external_id"]
    raw_id_fields = ["conversation", "channel", "author_identity", "author_seat", "in_reply_to"]
    filter_horizontal = ["mentioned_seats"]
    list_select_related = ["channel", "conversation"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    list_display = ["name", "workspace", "color"]
    list_filter = ["workspace"]
    search_fields = ["name"]


@admin.register(SavedReply)
class SavedReplyAdmin(admin.ModelAdmin[SavedReply]):
    list_display = ["title", "language", "workspace", "created_at"]
    list_filter = ["language", "workspace"]
    search_fields = ["title", "body"]
    raw_id_fields = ["created_by"]
