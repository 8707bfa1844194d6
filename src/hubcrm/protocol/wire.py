"""HubSpot's JSON messages as typed structs, and the one decoder or encoder for each.

Field names follow HubSpot's camelCase exactly; the official SDKs' models are the schema.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

# Values are strings on HubSpot's wire; some clients send numbers and booleans, taken as their text.
PropertyValue = str | int | float | bool | None
# Bounds on the strings a request names things with (values have theirs in domain/values.py), so a
# body within the size limit still cannot make every error message echo megabytes.
Name = Annotated[str, msgspec.Meta(max_length=256)]
Key = Annotated[str, msgspec.Meta(min_length=1, max_length=65_536)]


class Struct(msgspec.Struct, rename="camel", omit_defaults=True, kw_only=True):
    pass


# Requests


class UpsertInput(Struct):
    id: Key | int
    properties: dict[Name, PropertyValue]
    id_property: Name | None = None
    object_write_trace_id: Name | None = None


class BatchUpsertRequest(Struct):
    # A body without `inputs` is a silent no-op in HubSpot: 200 COMPLETE with no results.
    inputs: list[UpsertInput] = msgspec.field(default_factory=list)


class AssociationSpec(Struct):
    association_category: Name
    association_type_id: int


class InlineAssociation(Struct):
    """An association made with the record it is created with (v3 create, batch create)."""

    to: ObjectId
    types: list[AssociationSpec]


class CreateInput(Struct):
    properties: dict[Name, PropertyValue]
    associations: list[InlineAssociation] | None = None
    object_write_trace_id: Name | None = None


class BatchCreateRequest(Struct):
    inputs: list[CreateInput] = msgspec.field(default_factory=list)


class UpdateInput(Struct):
    id: Key | int
    properties: dict[Name, PropertyValue]
    id_property: Name | None = None
    object_write_trace_id: Name | None = None


class BatchUpdateRequest(Struct):
    inputs: list[UpdateInput] = msgspec.field(default_factory=list)


class UpdateRequest(Struct):
    properties: dict[Name, PropertyValue] = msgspec.field(default_factory=dict)


class ObjectId(Struct):
    id: Key | int


class BatchReadRequest(Struct):
    inputs: list[ObjectId] = msgspec.field(default_factory=list)
    properties: list[str] | None = None
    properties_with_history: list[str] | None = None
    id_property: Name | None = None


class BatchArchiveRequest(Struct):
    inputs: list[ObjectId] = msgspec.field(default_factory=list)


class Filter(Struct):
    property_name: Name
    operator: str
    value: PropertyValue = None
    high_value: PropertyValue = None
    values: list[PropertyValue] | None = None


class FilterGroup(Struct):
    filters: list[Filter] = msgspec.field(default_factory=list)


class Sort(Struct):
    property_name: Name
    direction: str = "ASCENDING"


class SearchRequest(Struct):
    filter_groups: list[FilterGroup] = msgspec.field(default_factory=list)
    # Filters given beside (or instead of) groups: one more group, its filters ANDed.
    filters: list[Filter] = msgspec.field(default_factory=list)
    # The SDKs send sorts as strings (`"createdate"`, `"-createdate"`); HubSpot's guide as objects.
    sorts: list[str | Sort] = msgspec.field(default_factory=list)
    query: str | None = None
    properties: list[str] | None = None
    limit: int | None = None
    after: str | int | None = None


class OptionInput(Struct):
    label: str
    value: str
    display_order: int = -1
    hidden: bool = False
    description: str | None = None


class PropertyCreate(Struct):
    name: str
    label: str
    type: str
    field_type: str
    group_name: str
    options: list[OptionInput] = msgspec.field(default_factory=list)
    has_unique_value: bool = False
    description: str = ""
    display_order: int = -1
    hidden: bool = False
    form_field: bool = False
    external_options: bool = False
    calculation_formula: str | None = None
    referenced_object_type: str | None = None
    data_sensitivity: str | None = None


class PropertyUpdate(Struct):
    label: str | None = None
    description: str | None = None
    group_name: str | None = None
    options: list[OptionInput] | None = None
    display_order: int | None = None
    hidden: bool | None = None
    form_field: bool | None = None
    type: str | None = None
    field_type: str | None = None
    calculation_formula: str | None = None
    # Not updatable; named so that an attempt is refused rather than silently ignored.
    has_unique_value: bool | None = None


# Responses


class ValueWithTimestamp(Struct):
    value: str
    timestamp: str
    source_type: str
    source_id: str | None = None


class ErrorDetail(Struct):
    message: str
    code: str | None = None
    context: dict[str, list[str]] | None = None


class StandardError(Struct):
    status: str
    category: str
    message: str
    context: dict[str, list[str]]
    errors: list[ErrorDetail]
    links: dict[str, str]
    sub_category: str | None = None


class ErrorBody(Struct):
    status: str
    message: str
    correlation_id: str
    category: str
    sub_category: str | None = None
    context: dict[str, list[str]] | None = None
    errors: list[ErrorDetail] | None = None
    links: dict[str, str] | None = None


class RateLimitBody(Struct):
    """HubSpot's 429 body: `errorType` and `policyName` where other errors have `category`."""

    status: str
    message: str
    error_type: str
    correlation_id: str
    policy_name: str
    request_id: str


class AssociatedId(Struct):
    id: str
    type: str


class AssociatedIds(Struct):
    """One associated object type in a v3 read's `associations` block."""

    results: list[AssociatedId]
    paging: Paging | None = None


class SimplePublicObject(Struct):
    id: str
    properties: dict[str, str | None]
    created_at: str
    updated_at: str
    archived: bool
    archived_at: str | None = None
    properties_with_history: dict[str, list[ValueWithTimestamp]] | None = None
    associations: dict[str, AssociatedIds] | None = None
    object_write_trace_id: str | None = None
    url: str | None = None


class NextPage(Struct):
    after: str
    link: str | None = None


class Paging(Struct):
    next: NextPage


class CollectionResponse(Struct):
    results: list[SimplePublicObject]
    paging: Paging | None = None


class SearchResponse(Struct):
    total: int
    results: list[SimplePublicObject]
    paging: Paging | None = None


class BatchRecordsResponse(Struct):
    status: str
    results: list[SimplePublicObject]
    started_at: str
    completed_at: str
    num_errors: int | None = None
    errors: list[StandardError] | None = None


class Option(Struct):
    label: str
    value: str
    display_order: int
    hidden: bool
    description: str | None = None


class ModificationMetadata(Struct):
    archivable: bool
    read_only_definition: bool
    read_only_value: bool
    read_only_options: bool | None = None


class Property(Struct):
    # Fields without a default are always sent: the SDK's model requires them.
    name: str
    label: str
    type: str
    field_type: str
    group_name: str
    description: str
    options: list[Option]
    display_order: int
    calculated: bool
    external_options: bool
    has_unique_value: bool
    hidden: bool
    hubspot_defined: bool
    form_field: bool
    modification_metadata: ModificationMetadata
    archived: bool
    created_at: str | None = None
    updated_at: str | None = None
    archived_at: str | None = None
    data_sensitivity: str | None = None
    referenced_object_type: str | None = None
    calculation_formula: str | None = None


class PropertyCollection(Struct):
    results: list[Property]


class SimplePublicUpsertObject(Struct):
    id: str
    properties: dict[str, str | None]
    created_at: str
    updated_at: str
    archived: bool
    new: bool
    object_write_trace_id: str | None = None
    url: str | None = None


class BatchResponse(Struct):
    status: str
    results: list[SimplePublicUpsertObject]
    started_at: str
    completed_at: str
    num_errors: int | None = None
    errors: list[StandardError] | None = None


encoder = msgspec.json.Encoder()
batch_upsert_request = msgspec.json.Decoder(BatchUpsertRequest)
batch_create_request = msgspec.json.Decoder(BatchCreateRequest)
batch_update_request = msgspec.json.Decoder(BatchUpdateRequest)
batch_read_request = msgspec.json.Decoder(BatchReadRequest)
batch_archive_request = msgspec.json.Decoder(BatchArchiveRequest)
create_request = msgspec.json.Decoder(CreateInput)
update_request = msgspec.json.Decoder(UpdateRequest)
search_request = msgspec.json.Decoder(SearchRequest)
property_create = msgspec.json.Decoder(PropertyCreate)
property_update = msgspec.json.Decoder(PropertyUpdate)
