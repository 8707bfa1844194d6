"""The control API's messages (/_hubcrm/...): hubcrm's own, in HubSpot's camelCase style."""

from __future__ import annotations

from typing import Annotated

import msgspec

from hubcrm.control.faults import FaultRule
from hubcrm.control.journal import Entry
from hubcrm.protocol.wire import Struct


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
    # Only when the seed had any (the answer to a contacts-only seed is unchanged).
    schemas: int = 0
    objects: int = 0
    companies: int = 0  # sent only when the seed has companies
    deals: int = 0
    owners: int = 0


create_portal_request = msgspec.json.Decoder(CreatePortalRequest)
clock_request = msgspec.json.Decoder(ClockRequest)
sequence_request = msgspec.json.Decoder(SequenceRequest)
fault_rule = msgspec.json.Decoder(FaultRule)
