"""Domain results as HubSpot's wire messages."""

from __future__ import annotations

from collections.abc import Iterable

from hubcrm import wire
from hubcrm.api.errors import standard_error
from hubcrm.clock import format_ms
from hubcrm.objects import ObjectType
from hubcrm.records import UpsertOutcome
from hubcrm.store.base import HistoryEntry, Record


def selected(
    object_type: ObjectType, record: Record, names: Iterable[str] | None
) -> dict[str, str | None]:
    """The named properties (unset ones as null), or the type's default read set."""
    wanted = object_type.default_properties if names is None else names
    return {name: record.properties.get(name) for name in wanted}


def history(entries: dict[str, list[HistoryEntry]]) -> dict[str, list[wire.ValueWithTimestamp]]:
    return {
        name: [
            wire.ValueWithTimestamp(
                value=e.value,
                timestamp=format_ms(e.timestamp),
                source_type=e.source_type,
                source_id=e.source_id,
            )
            for e in values
        ]
        for name, values in entries.items()
    }


def record(
    object_type: ObjectType,
    portal_id: int,
    record: Record,
    properties: dict[str, str | None],
    with_history: dict[str, list[HistoryEntry]] | None = None,
) -> wire.SimplePublicObject:
    return wire.SimplePublicObject(
        id=str(record.record_id),
        properties=properties,
        created_at=format_ms(record.created_at),
        updated_at=format_ms(record.updated_at),
        archived=record.archived,
        archived_at=format_ms(record.archived_at) if record.archived_at is not None else None,
        properties_with_history=history(with_history) if with_history is not None else None,
        url=object_type.record_url(portal_id, record.record_id),
    )


def batch_upsert(
    object_type: ObjectType, portal_id: int, outcome: UpsertOutcome
) -> wire.BatchResponse:
    results = [
        wire.SimplePublicUpsertObject(
            id=str(item.record.record_id),
            # Upsert answers carry every stored property, and always the default read set.
            properties=selected(object_type, item.record, object_type.default_properties)
            | dict(item.record.properties),
            created_at=format_ms(item.record.created_at),
            updated_at=format_ms(item.record.updated_at),
            archived=False,
            new=item.new,
            object_write_trace_id=item.trace_id,
            url=object_type.record_url(portal_id, item.record.record_id),
        )
        for item in outcome.results
    ]
    errors = [standard_error(error) for _, error in outcome.failures]
    return wire.BatchResponse(
        status="COMPLETE",
        results=results,
        started_at=format_ms(outcome.started_at),
        completed_at=format_ms(outcome.completed_at),
        num_errors=len(errors) if errors else None,
        errors=errors or None,
    )
