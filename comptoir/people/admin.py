from django.contrib import admin

from comptoir.people.models import Identity, Membership, Organization, Person


class IdentityInline(admin.TabularInline[Identity, Person]):
    model = Identity
    extra = 0
    exclude = ["workspace"]


class MembershipInline(admin.TabularInline[Membership, Person]):
    model = Membership
    extra = 0
    exclude = ["workspace"]
    raw_id_fields = ["organization"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = ["display_name", "workspace", "lifecycle_stage", "last_inbound_at"]
    list_filter = ["lifecycle_stage", "workspace"]
    search_fields = ["display_name", "identities__handle", "identities__external_id"]
    raw_id_fields = ["relationship_owner"]
    inlines = [IdentityInline, MembershipInline]


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin[Identity]):
    list_display = ["handle", "kind", "external_id", "person", "workspace", "verified"]
    list_filter = ["kind", "verified", "workspace"]
    search_fields = ["handle", "external_id", "display_name"]
    raw_id_fields = ["person"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ["name", "workspace", "industry", "size", "tier"]
    list_filter = ["tier", "size", "workspace"]
    search_fields = ["name", "industry"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["person", "organization", "title", "committee_role", "stance"]
    list_filter = ["committee_role", "stance", "workspace"]
    raw_id_fields = ["person", "organization"]
