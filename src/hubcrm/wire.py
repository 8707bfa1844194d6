"""HubSpot's JSON messages as typed structs, and the one decoder or encoder for each.

Field names follow HubSpot's camelCase exactly; the official SDKs' models are the schema.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from hubcrm.faults import FaultRule
from hubcrm.journal import Entry

# Values are strings on HubSpot's wire; some clients send numbers and booleans, taken as their text.
PropertyValue = str | int | float | bool | None
NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
# Bounds on the strings a request names things with (values have theirs in properties.py), so a
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


class SimplePublicObject(Struct):
    id: str
    properties: dict[str, str | None]
    created_at: str
    updated_at: str
    archived: bool
    archived_at: str | None = None
    properties_with_history: dict[str, list[ValueWithTimestamp]] | None = None
    url: str | None = None


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


# hubcrm's control API (/_hubcrm/...): hubcrm's own messages, in HubSpot's camelCase style.


class CreatePortalRequest(Struct, forbid_unknown_fields=True):
    portal_id: Annotated[int, msgspec.Meta(ge=1, le=2**53)] | None = None
    scopes: list[str] | None = None


class PortalCreated(Struct):
    portal_id: int
    token: str


class ResetDone(Struct):
    portal_ids: list[int]


class ClockRequest(Struct, forbid_unknown_fields=True):
    now: int | str | None = None  # epoch ms or ISO-8601
    frozen: bool | None = None
    advance_ms: int | None = None


class ClockState(Struct):
    now: int
    iso: str
    frozen: bool


class SequenceRequest(Struct, forbid_unknown_fields=True):
    next: int


class SequenceState(Struct):
    object_type: str
    next: int


class JournalPage(Struct):
    results: list[Entry]


class FaultList(Struct):
    results: list[FaultRule]


class Seeded(Struct):
    properties: int
    contacts: int


create_portal_request = msgspec.json.Decoder(CreatePortalRequest)
clock_request = msgspec.json.Decoder(ClockRequest)
sequence_request = msgspec.json.Decoder(SequenceRequest)
fault_rule = msgspec.json.Decoder(FaultRule)
