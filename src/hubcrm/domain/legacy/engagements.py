"""Engagements v1 (hubspot-legacy-apis.md §6): the v3 notes, calls, emails, meetings and tasks
as one list of engagements, each with its associations and its type's `metadata`.

HubSpot's engagements share one id space; hubcrm keeps an id sequence per object type, so two
engagements of different types can hold the same id. The paged list orders by (id, type) and
never ends a page between two engagements of one id, so its offset (the last id) neither skips
nor repeats one; a read by id answers the first type, in the order below, holding a live one
(docs/fidelity.md).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hubcrm.domain.clock import parse_moment, portal_clock
from hubcrm.domain.legacy.records import (
    PAGED_DEFAULT,
    PAGED_MAX,
    RECENT_DEFAULT,
    RECENT_MAX,
    RECENT_MAX_TOTAL,
    RECENT_WINDOW_MS,
    LegacyRecords,
    size,
)
from hubcrm.domain.objects import ObjectType, standard_type
from hubcrm.domain.records import Records
from hubcrm.domain.records.planning import is_record_id
from hubcrm.protocol import messages
from hubcrm.protocol.legacy import (
    Engagement,
    EngagementAssociations,
    EngagementHead,
    LegacyBadRequest,
    LegacyNotFound,
)
from hubcrm.store.base import Record

# The engagement type of each v3 object type, in the order reads by id look.
TYPES = {
    "notes": "NOTE",
    "calls": "CALL",
    "emails": "EMAIL",
    "meetings": "MEETING",
    "tasks": "TASK",
}
KINDS: list[ObjectType] = [t for name in TYPES if (t := standard_type(name)) is not None]

Convert = Callable[[str], Any]


def _ms(value: str) -> int | str:
    try:
        return parse_moment(value)
    except ValueError:
        return value


def _int(value: str) -> int | str:
    try:
        return int(float(value))
    except ValueError:
        return value


def _list(value: str) -> list[int | str]:
    return [_ms(v) for v in value.split(";") if v.strip()]


# metadata key ← v3 property (and how its text becomes the legacy value), per type.
METADATA: dict[str, list[tuple[str, str, Convert]]] = {
    "notes": [("body", "hs_note_body", str)],
    "calls": [
        ("toNumber", "hs_call_to_number", str),
        ("fromNumber", "hs_call_from_number", str),
        ("status", "hs_call_status", str),
        ("durationMilliseconds", "hs_call_duration", _int),
        ("recordingUrl", "hs_call_recording_url", str),
        ("body", "hs_call_body", str),
        ("disposition", "hs_call_disposition", str),
        ("title", "hs_call_title", str),
        ("calleeObjectId", "hs_call_callee_object_id", _int),
        ("calleeObjectType", "hs_call_callee_object_type", str),
    ],
    "emails": [
        ("subject", "hs_email_subject", str),
        ("html", "hs_email_html", str),
        ("text", "hs_email_text", str),
        ("status", "hs_email_status", str),
    ],
    "meetings": [
        ("body", "hs_meeting_body", str),
        ("startTime", "hs_meeting_start_time", _ms),
        ("endTime", "hs_meeting_end_time", _ms),
        ("title", "hs_meeting_title", str),
        ("internalMeetingNotes", "hs_internal_meeting_notes", str),
        ("location", "hs_meeting_location", str),
        ("meetingOutcome", "hs_meeting_outcome", str),
    ],
    "tasks": [
        ("body", "hs_task_body", str),
        ("subject", "hs_task_subject", str),
        ("status", "hs_task_status", str),
        ("taskType", "hs_task_type", str),
        ("priority", "hs_task_priority", str),
        ("reminders", "hs_task_reminders", _list),
        ("completionDate", "hs_task_completion_date", _ms),
    ],
}


@dataclass(frozen=True)
class Typed:
    kind: ObjectType
    record: Record


@dataclass(frozen=True)
class EngagementsPaged:
    engagements: list[Typed]
    has_more: bool
    offset: int


@dataclass(frozen=True)
class EngagementsAfter:
    engagements: list[Typed]
    has_more: bool
    after: str | None


AFTER_DEFAULT, AFTER_MAX = 100, 1000  # D-LEG "Get engagements modified after"
_BEYOND = 2**62  # above every id


@dataclass(frozen=True)
class EngagementsRecent:
    engagements: list[Typed]
    has_more: bool
    offset: int
    total: int


class LegacyEngagements:
    def __init__(self, records: Records) -> None:
        self.records = records
        self.store = records.store
        self.legacy = LegacyRecords(records)

    async def paged(
        self, portal_id: int, *, offset: int | None, limit: int | None
    ) -> EngagementsPaged:
        count = size(limit, PAGED_DEFAULT, PAGED_MAX)
        start = 0 if offset is None else max(offset, 0) + 1
        streams = []
        for order, kind in enumerate(KINDS):
            rows = await self.store.records_page(
                portal_id, kind.type_id, after=start, limit=count + 1, archived=False
            )
            streams.append([(r.record_id, order, Typed(kind, r)) for r in rows])
        merged = list(heapq.merge(*streams, key=lambda item: (item[0], item[1])))
        shown = merged[:count]
        # Engagements of one id stay on one page: the next page starts after that id.
        while shown and len(shown) < len(merged) and merged[len(shown)][0] == shown[-1][0]:
            shown.append(merged[len(shown)])
        last = shown[-1][0] if shown else (offset or 0)
        return EngagementsPaged([t for _, _, t in shown], len(merged) > len(shown), last)

    async def recent(
        self, portal_id: int, *, since: int | None, offset: int | None, count: int | None
    ) -> EngagementsRecent:
        now = portal_clock(self.records.clock, portal_id).now_ms()
        start = max(offset or 0, 0)
        wanted = min(size(count, RECENT_DEFAULT, RECENT_MAX), max(RECENT_MAX_TOTAL - start, 0))
        total = 0
        everything: list[tuple[int, int, int, Typed]] = []
        for order, kind in enumerate(KINDS):
            rows, found = await self.store.records_recent(
                portal_id,
                kind.type_id,
                column="updated_at",
                since=max(since or 0, now - RECENT_WINDOW_MS),
                before=None,
                offset=0,
                limit=min(start + wanted, RECENT_MAX_TOTAL),
            )
            total += found
            everything += [(-r.updated_at, -r.record_id, order, Typed(kind, r)) for r in rows]
        everything.sort(key=lambda item: item[:3])
        shown = [t for *_, t in everything[start : start + wanted]]
        total = min(total, RECENT_MAX_TOTAL)
        end = start + len(shown)
        return EngagementsRecent(shown, end < total, end, total)

    async def modified_after(
        self, portal_id: int, *, after: str | None, limit: int | None
    ) -> EngagementsAfter:
        """Engagements changed at or after a moment (epoch ms), or past a cursor from the last
        page, in order of last change, then type, then id: a walk skips and repeats nothing."""
        count = size(limit, AFTER_DEFAULT, AFTER_MAX)
        moment, position = _cursor(after)
        found: list[tuple[int, int, int, Typed]] = []
        for order, kind in enumerate(KINDS):
            past = None
            if position is not None:
                at, last_order, last_id = position
                past = (
                    at,
                    _BEYOND if order < last_order else last_id if order == last_order else -1,
                )
            rows, _ = await self.store.records_recent(
                portal_id,
                kind.type_id,
                column="updated_at",
                since=moment,
                before=past,
                offset=0,
                limit=count + 1,
                ascending=True,
            )
            found += [(r.updated_at, order, r.record_id, Typed(kind, r)) for r in rows]
        found.sort(key=lambda item: item[:3])
        shown = found[:count]
        more = len(found) > count
        cursor = "_".join(str(x) for x in shown[-1][:3]) if more and shown else None
        return EngagementsAfter([t for *_, t in shown], more, cursor)

    async def one(self, portal_id: int, ref: str) -> Typed:
        if is_record_id(ref):
            for kind in KINDS:
                record = await self.store.record(portal_id, kind.type_id, int(ref))
                if record is not None and not record.archived:
                    return Typed(kind, record)
        raise LegacyNotFound(messages.LEGACY_NOT_FOUND)

    async def shown(self, portal_id: int, found: list[Typed]) -> list[Engagement]:
        linked: dict[tuple[str, int], dict[str, list[int]]] = {}
        for kind in KINDS:
            ids = [t.record.record_id for t in found if t.kind == kind]
            if ids:
                by_id = await self.legacy.associated(portal_id, kind, ids)
                linked |= {(kind.type_id, rid): v for rid, v in by_id.items()}
        return [
            engagement(portal_id, t, linked.get((t.kind.type_id, t.record.record_id), {}))
            for t in found
        ]


def _cursor(after: str | None) -> tuple[int | None, tuple[int, int, int] | None]:
    """`after` as a moment (epoch ms) or as a cursor `<lastUpdated>_<type>_<id>`."""
    if after is None or after == "":
        return None, None
    parts = after.split("_")
    if all(p.lstrip("-").isdigit() for p in parts) and len(parts) in (1, 3):
        numbers = [int(p) for p in parts]
        if all(abs(n) < _BEYOND for n in numbers):
            if len(numbers) == 1:
                return numbers[0], None
            return None, (numbers[0], numbers[1], numbers[2])
    raise LegacyBadRequest(messages.LEGACY_INVALID_OFFSET.format(value=after))


def engagement(portal_id: int, typed: Typed, linked: dict[str, list[int]]) -> Engagement:
    kind, record = typed.kind, typed.record
    values = record.properties
    kind_name = TYPES[kind.name]
    if kind.name == "emails":
        kind_name = values.get("hs_email_direction") or "EMAIL"
    stamp = values.get("hs_timestamp")
    head = EngagementHead(
        id=record.record_id,
        portal_id=portal_id,
        active=not record.archived,
        created_at=record.created_at,
        last_updated=record.updated_at,
        type=kind_name,
        timestamp=parse_moment(stamp) if stamp else record.created_at,
    )
    owner = values.get("hubspot_owner_id", "")
    if owner.isdigit():
        head.owner_id = int(owner)
    return Engagement(
        engagement=head,
        associations=EngagementAssociations(
            contact_ids=linked.get("0-1", []),
            company_ids=linked.get("0-2", []),
            deal_ids=linked.get("0-3", []),
            owner_ids=[],
            workflow_ids=[],
            ticket_ids=linked.get("0-5", []),
            content_ids=[],
            quote_ids=[],
            marketing_event_ids=[],
        ),
        attachments=[
            {"id": int(i)} for i in values.get("hs_attachment_ids", "").split(";") if i.isdigit()
        ],
        metadata=metadata(kind.name, values),
    )


def metadata(type_name: str, values: dict[str, str]) -> dict[str, Any]:
    shown: dict[str, Any] = {
        key: convert(values[name]) for key, name, convert in METADATA[type_name] if values.get(name)
    }
    if type_name == "emails":
        shown |= {"from": _person(values, "from"), "to": _recipients(values), "cc": [], "bcc": []}
    return shown


_PERSON = (("email", "email"), ("firstName", "firstname"), ("lastName", "lastname"))


def _person(values: dict[str, str], side: str) -> dict[str, str]:
    found = ((key, values.get(f"hs_email_{side}_{part}")) for key, part in _PERSON)
    return {key: value for key, value in found if value}


def _recipients(values: dict[str, str]) -> list[dict[str, str]]:
    """The `;`-joined recipient properties, one person per position."""
    columns = [values.get(f"hs_email_to_{part}", "").split(";") for _, part in _PERSON]
    people = []
    for position, email in enumerate(columns[0]):
        if email:
            person = {"email": email}
            for (key, _), column in zip(_PERSON[1:], columns[1:], strict=True):
                if position < len(column) and column[position]:
                    person[key] = column[position]
            people.append(person)
    return people
