"""A record's properties as companies v2 and deals v1 show them (hubspot-legacy-apis.md §2.2):
each a wrapper of its value (dates as epoch-millisecond strings), when and by what it was set,
and its versions newest first. Unset properties are left out, even when asked for by name."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from hubcrm.domain.clock import parse_moment
from hubcrm.domain.records import Schema
from hubcrm.protocol.legacy import Associations, Value, Version
from hubcrm.store.base import HistoryEntry, Record


def legacy_value(kind: str | None, value: str) -> str:
    """A stored value as legacy APIs show it: dates and datetimes as epoch milliseconds."""
    try:
        if kind == "datetime" and value:
            return str(parse_moment(value))
        if kind == "date" and value:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return str(round(moment.timestamp() * 1000))
    except ValueError:
        pass
    return value


def wanted_names(record: Record, current: Iterable[str] | None, full: Iterable[str]) -> set[str]:
    """The set properties to show: those named (every one for `current` None) and `full`."""
    named = set(record.properties) if current is None else set(current)
    return (named | set(full)) & set(record.properties)


def wrapped(
    schema: Schema,
    record: Record,
    history: dict[str, list[HistoryEntry]],
    names: set[str],
    full: set[str],
) -> dict[str, Value]:
    """The wrappers of `names`, with every version for those in `full`, else the current one."""
    shown: dict[str, Value] = {}
    for name in sorted(names):
        definition = schema.definitions.get(name)
        kind = definition.type if definition else None
        value = legacy_value(kind, record.properties[name])
        # A value with no history (none is expected) shows as set when the record last changed.
        entries = history.get(name) or [
            HistoryEntry(name, record.properties[name], record.updated_at, "API", None)
        ]
        versions = [_version(name, kind, e) for e in entries]
        if name not in full:
            versions = versions[:1]
        newest = entries[0]
        shown[name] = Value(
            value=value,
            timestamp=newest.timestamp,
            source=newest.source_type,
            source_id=newest.source_id,
            versions=versions,
        )
    return shown


def _version(name: str, kind: str | None, entry: HistoryEntry) -> Version:
    version = Version(
        name=name,
        value=legacy_value(kind, entry.value),
        timestamp=entry.timestamp,
        source=entry.source_type,
        source_vid=[],
    )
    if entry.source_id is not None:
        version.source_id = entry.source_id
    return version


def associations(by_type: dict[str, list[int]]) -> Associations:
    return Associations(
        associated_vids=by_type.get("0-1", []),
        associated_company_ids=by_type.get("0-2", []),
        associated_deal_ids=by_type.get("0-3", []),
        associated_ticket_ids=by_type.get("0-5", []),
    )
