"""The wire shapes of HubSpot's legacy CRM APIs (properties v1/v2, companies v2, deals v1,
contacts v1, engagements v1), as msgspec Structs.

Field order follows captured HubSpot bodies (hubspot-legacy-apis.md); keys that HubSpot drops
rather than nulls are `omit_defaults` fields defaulting to None or UNSET.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, Struct, UnsetType

from hubcrm.protocol.errors import HubSpotError


class LegacyOption(Struct, rename="camel"):
    label: str
    value: str
    display_order: int
    hidden: bool
    description: str | None
    read_only: bool | None
    double_data: float | None


class LegacyProperty(Struct, rename="camel"):
    """A property definition as /properties/v1 and /properties/v2 answer it."""

    name: str
    label: str
    description: str
    group_name: str
    type: str
    field_type: str
    hidden: bool
    options: list[LegacyOption]
    deleted: bool | None
    created_at: int | None
    form_field: bool
    display_order: int
    read_only_value: bool
    read_only_definition: bool
    mutable_definition_not_deletable: bool
    favorited: bool
    favorited_order: int
    calculated: bool
    external_options: bool
    display_mode: str
    hubspot_defined: bool | None
    show_currency_symbol: bool | None
    created_user_id: int | None
    text_display_hint: str | None
    number_display_hint: str | None
    options_are_mutable: bool | None
    referenced_object_type: str | None
    updated_at: int | None
    is_customized_default: bool
    searchable_in_global_search: bool
    currency_property_name: str | None
    has_unique_value: bool
    updated_user_id: int | None


# Companies v2 and deals v1: each property a wrapper with its source and versions.


class Version(Struct, rename="camel"):
    """One value a property held; `sourceId` is dropped, not nulled, when unknown."""

    name: str
    value: str
    timestamp: int
    source: str
    source_vid: list[int]
    source_id: str | UnsetType = UNSET


class Value(Struct, rename="camel"):
    value: str
    timestamp: int
    source: str
    source_id: str | None
    versions: list[Version]


class Associations(Struct, rename="camel"):
    associated_vids: list[int]
    associated_company_ids: list[int]
    associated_deal_ids: list[int]
    associated_ticket_ids: list[int]


class Company(Struct, rename="camel"):
    portal_id: int
    company_id: int
    is_deleted: bool
    properties: dict[str, Value]
    additional_domains: list[str] = msgspec.field(default_factory=list)
    state_changes: list[Any] = msgspec.field(default_factory=list)
    merge_audits: list[Any] = msgspec.field(default_factory=list)


class Deal(Struct, rename="camel", kw_only=True):
    portal_id: int
    deal_id: int
    is_deleted: bool
    # Left out when not asked for (deals paged without includeAssociations).
    associations: Associations | UnsetType = UNSET
    properties: dict[str, Value]
    imports: list[Any] = msgspec.field(default_factory=list)
    state_changes: list[Any] = msgspec.field(default_factory=list)


class CompaniesPage(Struct):
    companies: list[Company]
    has_more: bool = msgspec.field(name="has-more")
    offset: int = 0


class DealsPage(Struct, rename="camel"):
    deals: list[Deal]
    has_more: bool
    offset: int


class RecentPage(Struct, rename="camel"):
    """companies/deals/engagements `recent/*`: the offset is a position."""

    results: list[Any]
    has_more: bool
    offset: int
    total: int


class LegacyErrorBody(Struct, rename="camel", kw_only=True):
    status: str
    message: str
    correlation_id: str
    validation_results: list[dict[str, Any]] | UnsetType = UNSET
    error: str | UnsetType = UNSET
    identity_profile: dict[str, Any] | UnsetType = UNSET
    request_id: str


class LegacyError(HubSpotError):
    """An error of a legacy endpoint, rendered in the legacy envelope: `status`, `message`,
    `correlationId`, `requestId`, and for some errors `validationResults`, `error` or
    `identityProfile` (hubspot-legacy-apis.md §2.5)."""

    def __init__(
        self,
        message: str,
        *,
        validation_results: list[dict[str, Any]] | None = None,
        error: str | None = None,
        identity_profile: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.validation_results = validation_results
        self.error = error
        self.identity_profile = identity_profile


class LegacyNotFound(LegacyError):
    status = 404
    category = "OBJECT_NOT_FOUND"


class LegacyBadRequest(LegacyError):
    status = 400


class LegacyConflict(LegacyError):
    status = 409
    category = "CONFLICT"


# Contacts v1: kebab-case keys, properties without top-level timestamps (§2.3, §7).


class ContactVersion(Struct, rename="kebab"):
    value: str
    source_type: str
    source_id: str | None
    source_label: str | None
    timestamp: int
    selected: bool


class ContactValue(Struct):
    value: str
    versions: list[ContactVersion] | UnsetType = UNSET


class Identity(Struct, rename="kebab"):
    type: str
    value: str
    timestamp: int
    is_primary: bool | UnsetType = UNSET


class IdentityProfile(Struct, rename="kebab"):
    vid: int
    saved_at_timestamp: int
    deleted_changed_timestamp: int
    identities: list[Identity]


class Contact(Struct, rename="kebab", kw_only=True):
    added_at: int | UnsetType = msgspec.field(default=UNSET, name="addedAt")
    vid: int
    canonical_vid: int
    merged_vids: list[int]
    portal_id: int
    is_contact: bool
    profile_url: str
    properties: dict[str, ContactValue]
    form_submissions: list[Any] = msgspec.field(default_factory=list)
    # Profiles only; always empty since the v1 lists sunset (2026-04-30).
    list_memberships: list[Any] | UnsetType = UNSET
    identity_profiles: list[IdentityProfile]
    merge_audits: list[Any] = msgspec.field(default_factory=list)


class ContactsPage(Struct, rename="kebab", kw_only=True):
    contacts: list[Contact]
    has_more: bool
    vid_offset: int
    time_offset: int | UnsetType = UNSET


class ContactWritten(Struct, rename="camel"):
    vid: int
    is_new: bool


class ContactPropertyInput(Struct):
    property: str
    value: str | int | float | bool | None = None


class ContactWrite(Struct):
    properties: list[ContactPropertyInput] = msgspec.field(default_factory=list)


class BatchContact(Struct):
    vid: int | None = None
    email: str | None = None
    properties: list[ContactPropertyInput] = msgspec.field(default_factory=list)


contact_write = msgspec.json.Decoder(ContactWrite)
batch_contacts = msgspec.json.Decoder(list[BatchContact])


# Engagements v1 (§6)


class EngagementHead(Struct, rename="camel", kw_only=True):
    id: int
    portal_id: int
    active: bool
    created_at: int
    last_updated: int
    owner_id: int | UnsetType = UNSET
    type: str
    timestamp: int
    all_accessible_team_ids: list[int] = msgspec.field(default_factory=list)
    queue_membership_ids: list[int] = msgspec.field(default_factory=list)
    body_preview_is_truncated: bool = False


class EngagementAssociations(Struct, rename="camel"):
    contact_ids: list[int]
    company_ids: list[int]
    deal_ids: list[int]
    owner_ids: list[int]
    workflow_ids: list[int]
    ticket_ids: list[int]
    content_ids: list[int]
    quote_ids: list[int]
    marketing_event_ids: list[int]


class Engagement(Struct):
    engagement: EngagementHead
    associations: EngagementAssociations
    attachments: list[dict[str, int]]
    scheduled_tasks: list[Any] = msgspec.field(default_factory=list, name="scheduledTasks")
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)


class EngagementsPage(Struct, rename="camel"):
    results: list[Engagement]
    has_more: bool
    offset: int


class EngagementsAfterPage(Struct, rename="camel", kw_only=True):
    """engagements/modified/after: `after` is an opaque cursor, left out on the last page."""

    results: list[Engagement]
    has_more: bool
    after: str | UnsetType = UNSET


# Deal pipelines v1 (§5.5): a bare array; stage probability a number, closedWon a flag


class LegacyStage(Struct, rename="camel"):
    stage_id: str
    label: str
    probability: float
    active: bool
    display_order: int
    closed_won: bool


class LegacyPipeline(Struct, rename="camel"):
    pipeline_id: str
    label: str
    active: bool
    display_order: int
    static_default: bool
    stages: list[LegacyStage]
