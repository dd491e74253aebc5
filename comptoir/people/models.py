"""People, their identities on each network, organisations and buying committees.

A Person is a human; an Identity is one handle of that human on one network. Identities
merge into one Person and can be split again, so nothing else points at a handle alone.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.workspaces.models import Seat, Workspace


class LifecycleStage(models.TextChoices):
    STRANGER = "stranger", _("Stranger")
    FOLLOWER = "follower", _("Follower")
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")
    FORMER_CUSTOMER = "former_customer", _("Former customer")
    ADVOCATE = "advocate", _("Advocate")


class IdentityKind(models.TextChoices):
    """Where an identity lives: a network, an email address, a phone number, a chat visitor."""

    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    LINKEDIN = "linkedin", "LinkedIn"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    WEB_CHAT = "web_chat", _("Web chat")
    OTHER = "other", _("Other")


class Person(models.Model):
    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("workspace"),
        db_index=False,  # person_by_name (workspace, display_name, id) starts with it
    )
    display_name = models.CharField(_("display name"), max_length=200)
    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=20,
        choices=LifecycleStage.choices,
        default=LifecycleStage.STRANGER,
    )
    relationship_owner = models.ForeignKey(
        Seat,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_people",
        verbose_name=_("relationship owner"),
    )
    # Set when this person was merged into another; merged people leave every list and
    # come back, unchanged, if the merge is undone.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_people",
        verbose_name=_("merged into"),
    )
    first_seen_at = models.DateTimeField(_("first seen"))
    last_inbound_at = models.DateTimeField(_("last inbound"), null=True, blank=True)
    last_outbound_at = models.DateTimeField(_("last outbound"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["display_name", "id"]
        indexes = [
            models.Index(fields=["workspace", "display_name", "id"], name="person_by_name"),
            models.Index(
                fields=["workspace", "-last_inbound_at", "-id"], name="person_by_last_inbound"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


class Identity(models.Model):
    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("workspace"),
        db_index=False,  # the unique (workspace, kind, external_id) index starts with it
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="identities", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=IdentityKind.choices)
    external_id = models.CharField(
        _("external id"),
        max_length=255,
        help_text=_("The platform's own id; the normalised address for email and phone."),
    )
    handle = models.CharField(_("handle"), max_length=255, blank=True)
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    profile_url = models.URLField(_("profile URL"), max_length=500, blank=True)
    avatar_url = models.URLField(_("avatar URL"), max_length=500, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        ordering = ["kind", "handle"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "external_id"], name="identity_unique_per_network"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "handle"], name="identity_by_handle"),
            models.Index(fields=["workspace", "profile_url"], name="identity_by_profile_url"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.handle or self.external_id}"

    @property
    def label(self) -> str:
        return self.handle or self.display_name or self.external_id


class CompanySize(models.TextChoices):
    MICRO = "1-10", _("1-10 employees")
    SMALL = "11-50", _("11-50 employees")
    MEDIUM = "51-250", _("51-250 employees")
    LARGE = "251-1000", _("251-1,000 employees")
    ENTERPRISE = "1000+", _("More than 1,000 employees")


class Tier(models.TextChoices):
    STRATEGIC = "strategic", _("Strategic")
    KEY = "key", _("Key account")
    STANDARD = "standard", _("Standard")


class Organization(models.Model):
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", verbose_name=_("workspace")
    )
    name = models.CharField(_("name"), max_length=200)
    domains = models.JSONField(_("email domains"), default=list, blank=True)
    industry = models.CharField(_("industry"), max_length=120, blank=True)
    size = models.CharField(_("size"), max_length=16, choices=CompanySize.choices, blank=True)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.STANDARD)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="organization_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class CommitteeRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    CHAMPION = "champion", _("Champion")
    INFLUENCER = "influencer", _("Influencer")
    USER = "user", _("User")
    BUYER = "buyer", _("Buyer")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")


class Stance(models.TextChoices):
    SUPPORTER = "supporter", _("Supporter")
    NEUTRAL = "neutral", _("Neutral")
    OPPONENT = "opponent", _("Opponent")
    UNKNOWN = "unknown", _("Unknown")


class Membership(models.Model):
    """A person in an organisation, and the part they play in its buying committee."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", verbose_name=_("workspace")
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("job title"), max_length=200, blank=True)
    committee_role = models.CharField(
        _("buying-committee role"), max_length=20, choices=CommitteeRole.choices, blank=True
    )
    stance = models.CharField(
        _("stance"), max_length=12, choices=Stance.choices, default=Stance.UNKNOWN
    )
    is_primary_contact = models.BooleanField(_("primary contact"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization__name", "person__display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organization"], name="membership_once_per_organization"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.organization}"


class ProfileLink(models.Model):
    """A URL that an identity's own profile declares (a bio link to another network).

    Another identity whose profile URL is that link belongs to the same person: one of the
    deterministic rules of identity resolution.
    """

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", verbose_name=_("workspace")
    )
    identity = models.ForeignKey(
        Identity,
        on_delete=models.CASCADE,
        related_name="declared_links",
        verbose_name=_("identity"),
    )
    url = models.CharField(_("URL"), max_length=500)

    class Meta:
        verbose_name = _("declared profile link")
        verbose_name_plural = _("declared profile links")
        constraints = [
            models.UniqueConstraint(fields=["identity", "url"], name="profile_link_once"),
        ]
        indexes = [models.Index(fields=["workspace", "url"], name="profile_link_by_url")]

    def __str__(self) -> str:
        return self.url


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", _("To review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class MergeSuggestion(models.Model):
    """Two people who may be one human, from weak signals; a person decides.

    The pair is stored with the smaller id first so that it is suggested once.
    """

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", verbose_name=_("workspace")
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    other = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("other person")
    )
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SuggestionStatus.choices,
        default=SuggestionStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        Seat,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("merge suggestion")
        verbose_name_plural = _("merge suggestions")
        ordering = ["-score", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "person", "other"], name="merge_suggestion_once"
            ),
            models.CheckConstraint(
                condition=models.Q(person__lt=models.F("other")),
                name="merge_suggestion_ordered_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "-score"], name="merge_suggestion_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} ~ {self.other_id} ({self.score:.2f})"


class PersonMerge(models.Model):
    """One merge of ``merged`` into ``survivor``, with what it moved, so it can be undone."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", verbose_name=_("workspace")
    )
    survivor = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="merges", verbose_name=_("kept person")
    )
    merged = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("merged person")
    )
    reason = models.CharField(_("reason"), max_length=300)
    automatic = models.BooleanField(_("automatic"), default=False)
    # Ids of the rows moved and copies of the rows changed, for an exact undo.
    snapshot = models.JSONField(_("snapshot"), default=dict)
    actor = models.ForeignKey(
        Seat,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("merged by"),
    )
    created_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        Seat,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("undone by"),
    )

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.merged_id} -> {self.survivor_id}"
