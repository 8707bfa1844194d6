"""Domain results as HubSpot's wire messages."""

from __future__ import annotations

from collections.abc import Iterable

from hubcrm.api.errors import standard_error
from hubcrm.domain.clock import format_ms
from hubcrm.domain.objects import ObjectType
from hubcrm.domain.records import Found, Page, UpsertOutcome
from hubcrm.protocol import messages, wire
from hubcrm.protocol.definitions import PropertyDefinition
from hubcrm.protocol.errors import HubSpotError, ObjectNotFound
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
    trace_id: str | None = None,
) -> wire.SimplePublicObject:
    return wire.SimplePublicObject(
        id=str(record.record_id),
        properties=properties,
        created_at=format_ms(record.created_at),
        updated_at=format_ms(record.updated_at),
        archived=record.archived,
        archived_at=format_ms(record.archived_at) if record.archived_at is not None else None,
        properties_with_history=history(with_history) if with_history is not None else None,
        object_write_trace_id=trace_id,
        url=object_type.record_url(portal_id, record.record_id),
    )


def written(
    object_type: ObjectType, portal_id: int, item: Record, trace_id: str | None = None
) -> wire.SimplePublicObject:
    """A record as write answers show it: every stored property, and the default read set."""
    properties = selected(object_type, item, object_type.default_properties) | dict(item.properties)
    return record(object_type, portal_id, item, properties, trace_id=trace_id)


def batch_written(
    object_type: ObjectType, portal_id: int, outcome: UpsertOutcome
) -> wire.BatchRecordsResponse:
    results = [written(object_type, portal_id, r.record, r.trace_id) for r in outcome.results]
    errors = [standard_error(error) for _, error in outcome.failures]
    if outcome.missing:
        errors.append(standard_error(not_found(object_type, outcome.missing)))
    return wire.BatchRecordsResponse(
        status="COMPLETE",
        results=results,
        started_at=format_ms(outcome.started_at),
        completed_at=format_ms(outcome.completed_at),
        num_errors=len(errors) if errors else None,
        errors=errors or None,
    )


def not_found(object_type: ObjectType, ids: list[str]) -> HubSpotError:
    return ObjectNotFound(
        messages.OBJECTS_NOT_FOUND.format(type=object_type.fully_qualified_name),
        context={"ids": ids},
    )


def batch_read(
    object_type: ObjectType,
    portal_id: int,
    results: list[wire.SimplePublicObject],
    missing: list[str],
    started_at: int,
    completed_at: int,
) -> wire.BatchRecordsResponse:
    errors = [standard_error(not_found(object_type, missing))] if missing else []
    return wire.BatchRecordsResponse(
        status="COMPLETE",
        results=results,
        started_at=format_ms(started_at),
        completed_at=format_ms(completed_at),
        num_errors=len(errors) if errors else None,
        errors=errors or None,
    )


def listing(
    results: list[wire.SimplePublicObject], page: Page, link: str | None
) -> wire.CollectionResponse:
    paging = (
        wire.Paging(wire.NextPage(after=page.next_after, link=link))
        if page.next_after is not None
        else None
    )
    return wire.CollectionResponse(results=results, paging=paging)


def search(object_type: ObjectType, portal_id: int, found: Found) -> wire.SearchResponse:
    results = [
        record(object_type, portal_id, r, selected(object_type, r, found.properties))
        for r in found.records
    ]
    paging = (
        wire.Paging(wire.NextPage(after=found.next_after)) if found.next_after is not None else None
    )
    return wire.SearchResponse(total=found.total, results=results, paging=paging)


def property_definition(definition: PropertyDefinition, archived: bool) -> wire.Property:
    meta = definition.modification_metadata
    return wire.Property(
        name=definition.name,
        label=definition.label,
        type=definition.type,
        field_type=definition.field_type,
        group_name=definition.group_name,
        description=definition.description,
        options=[
            wire.Option(
                label=o.label,
                value=o.value,
                display_order=o.display_order,
                hidden=o.hidden,
                description=o.description,
            )
            for o in definition.options
        ],
        display_order=definition.display_order,
        calculated=definition.calculated,
        external_options=definition.external_options,
        has_unique_value=definition.has_unique_value,
        hidden=definition.hidden,
        hubspot_defined=bool(definition.hubspot_defined),
        form_field=definition.form_field,
        modification_metadata=wire.ModificationMetadata(
            archivable=meta.archivable,
            read_only_definition=meta.read_only_definition,
            read_only_value=meta.read_only_value,
            read_only_options=meta.read_only_options,
        ),
        archived=archived,
        created_at=_stamp(definition.created_at),
        updated_at=_stamp(definition.updated_at),
        archived_at=_stamp(definition.archived_at),
        data_sensitivity=definition.data_sensitivity,
        referenced_object_type=definition.referenced_object_type,
    )


def _stamp(ms: int | None) -> str | None:
    return format_ms(ms) if ms is not None else None


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


def associations(
    base_url: object,
    object_type: ObjectType,
    item: Record,
    block: dict[str, tuple[list[tuple[str, str]], str | None]],
) -> dict[str, wire.AssociatedIds] | None:
    """A v3 read's `associations`: per associated type asked for, one page of ids and types.
    The next page's link leads to the v4 list of the record's associations of that type."""
    shown: dict[str, wire.AssociatedIds] = {}
    for name, (entries, after) in block.items():
        paging = None
        if after is not None:
            link = (
                f"{str(base_url).rstrip('/')}/crm/v4/objects/{object_type.type_id}"
                f"/{item.record_id}/associations/{name}?after={after}"
            )
            paging = wire.Paging(wire.NextPage(after=after, link=link))
        shown[name] = wire.AssociatedIds(
            results=[wire.AssociatedId(id=i, type=t) for i, t in entries], paging=paging
        )
    return shown or None
