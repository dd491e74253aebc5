from django.contrib import admin

from comptoir.cases.models import (
    BusinessCalendar,
    Case,
    CaseConversation,
    EscalationRule,
    SlaPolicy,
    SlaTarget,
)


class CaseConversationInline(admin.TabularInline[CaseConversation, Case]):
    model = CaseConversation
    extra = 0
    raw_id_fields = ["conversation", "added_by"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin[Case]):
    list_display = ["number", "title", "workspace", "status", "priority", "owner", "opened_at"]
    list_filter = ["status", "category", "priority", "workspace"]
    search_fields = ["title", "person__display_name"]
    raw_id_fields = ["person", "organization", "owner", "team", "policy", "created_by"]
    list_select_related = ["workspace", "owner"]
    inlines = [CaseConversationInline]


class SlaTargetInline(admin.TabularInline[SlaTarget, SlaPolicy]):
    model = SlaTarget
    extra = 0


class EscalationRuleInline(admin.TabularInline[EscalationRule, SlaPolicy]):
    model = EscalationRule
    extra = 0
    raw_id_fields = ["target_seat", "target_team"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin[SlaPolicy]):
    list_display = ["name", "workspace", "calendar", "is_default"]
    list_filter = ["workspace"]
    inlines = [SlaTargetInline, EscalationRuleInline]


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin[BusinessCalendar]):
    list_display = ["name", "workspace", "timezone", "holiday_country"]
    list_filter = ["workspace"]
