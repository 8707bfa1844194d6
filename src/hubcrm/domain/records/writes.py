"""Building the new state of records: values, system properties, history, unique claims."""

from __future__ import annotations

from dataclasses import dataclass, field

from hubcrm.domain.clock import format_ms
from hubcrm.domain.objects import ObjectType
from hubcrm.domain.records.schema import Schema
from hubcrm.protocol import messages
from hubcrm.protocol.errors import Conflict, HubSpotError, ValidationError
from hubcrm.store.base import HistoryEntry, Record, RecordWrite, WriteTransaction

SOURCE_TYPE = "API"
# What HubSpot records as the source of a value a person set in its CRM app.
UI_SOURCE_TYPE = "CRM_UI"

_tuple_new = tuple.__new__


@dataclass(frozen=True)
class Actor:
    """Who is writing: the portal and the source recorded in property history."""

    portal_id: int
    source_id: str
    app_id: int | None = None  # the app writing through an OAuth token (webhook changeSource)
    source_type: str = SOURCE_TYPE


@dataclass(frozen=True)
class Upserted:
    record: Record
    new: bool
    trace_id: str | None


@dataclass
class UpsertOutcome:
    """The answer to a batch write: what was written, and what failed."""

    started_at: int
    completed_at: int = 0
    results: list[Upserted] = field(default_factory=list)
    # Inputs rejected one by one (only with trace ids on every input): trace id → error.
    failures: list[tuple[str, HubSpotError]] = field(default_factory=list)
    # Ids of records an update named that do not exist (or are archived).
    missing: list[str] = field(default_factory=list)


def reject_duplicates(object_type: ObjectType, keys: list[tuple[str, str]]) -> None:
    """Two inputs naming one record fail the whole batch; emails compare case-insensitively.

    `keys` holds (namespace, id as sent) for each input.
    """
    seen: set[tuple[str, str]] = set()
    duplicates: list[str] = []
    for namespace, raw in keys:
        folded = raw.strip().lower() if namespace == "email" else raw
        if (namespace, folded) in seen and raw not in duplicates:
            duplicates.append(raw)
        seen.add((namespace, folded))
    if duplicates:
        raise ValidationError(
            messages.DUPLICATE_IDS.format(ids=", ".join(duplicates)), context={"ids": duplicates}
        )


def check_required(object_type: ObjectType, properties: dict[str, str]) -> None:
    """A new record must hold a value for each of its type's required properties."""
    missing = [name for name in object_type.required_properties if not properties.get(name)]
    if missing:
        raise ValidationError(
            messages.REQUIRED_PROPERTIES_MISSING.format(type=object_type.fully_qualified_name),
            context={"properties": missing},
        )


def write(
    object_type: ObjectType,
    old: Record | None,
    record_id: int,
    values: dict[str, str],
    now: int,
    actor: Actor,
) -> RecordWrite:
    """The record after writing `values` (an empty string clears); unchanged values are no-ops."""
    stamp = format_ms(now)
    system = {object_type.modified_property: stamp}
    if old is None:
        changed = {name: value for name, value in values.items() if value != ""}
        system[object_type.id_property] = str(record_id)
        # A writable creation date (deals, tickets) keeps the value the request gave.
        if not changed.get(object_type.created_property):
            system[object_type.created_property] = stamp
        after = changed | system
    else:
        before = old.properties
        changed = {name: value for name, value in values.items() if before.get(name, "") != value}
        if not changed:
            return RecordWrite(old, is_new=False)
        after = {name: value for name, value in (before | changed).items() if value != ""}
        after |= system
    # A batch makes a thousand of these: built as plain tuples, without a Python-level call each.
    entry, source_type, source_id = _tuple_new, actor.source_type, actor.source_id
    history = [
        entry(HistoryEntry, (name, value, now, source_type, source_id))
        for name, value in (changed | system).items()
    ]
    record = Record(record_id, after, old.created_at if old else now, now)
    return RecordWrite(record, is_new=old is None, history=history)


def archive(record: Record, now: int) -> RecordWrite:
    archived = Record(
        record.record_id,
        record.properties,
        record.created_at,
        record.updated_at,
        archived=True,
        archived_at=now,
    )
    return RecordWrite(archived, is_new=False)


def merge(writes: dict[int, RecordWrite], write: RecordWrite) -> None:
    """Fold a second write of one record in the same batch into the first."""
    earlier = writes.get(write.record.record_id)
    if earlier is None:
        writes[write.record.record_id] = write
    else:
        earlier.record = write.record
        earlier.history.extend(write.history)


def claim_unique_values(
    schema: Schema, writes: list[RecordWrite], before: dict[int, Record]
) -> None:
    """Record on each write the unique values it now holds; two writes claiming one → 409."""
    claimed: dict[tuple[str, str], int] = {}
    for w in writes:
        old = before.get(w.record.record_id)
        for namespace in schema.namespaces():
            values = schema.unique_values(w.record.properties, namespace)
            if old is not None and values == schema.unique_values(old.properties, namespace):
                continue
            w.unique_values[namespace] = values
            for value in values:
                holder = claimed.setdefault((namespace, value), w.record.record_id)
                if holder != w.record.record_id:
                    raise conflict(schema.object_type, holder)


async def check_holders(
    tx: WriteTransaction,
    schema: Schema,
    writes: list[RecordWrite],
    known: dict[tuple[str, str], int | None] | None = None,
) -> None:
    """A claimed value held by a record outside this batch (or kept by it) is a 409.

    `known` holds values this transaction has already looked up, and their holders (None: held
    by no record): an upsert's keys, whose new records claim them. Those are not read again."""
    known = known or {}
    by_id = {w.record.record_id: w for w in writes}
    wanted: dict[str, set[str]] = {}
    for w in writes:
        for namespace, values in w.unique_values.items():
            wanted.setdefault(namespace, set()).update(values)
    for namespace, values in wanted.items():
        unknown = [value for value in values if (namespace, value) not in known]
        held = {
            value: holder
            for value in values
            if (holder := known.get((namespace, value))) is not None
        }
        if unknown:
            held |= await tx.holders(namespace, unknown)
        for value, holder in held.items():
            holder_write = by_id.get(holder)
            released = holder_write is not None and value not in holder_write.unique_values.get(
                namespace, {value}
            )
            claimant = next(w for w in writes if value in w.unique_values.get(namespace, set()))
            if holder != claimant.record.record_id and not released:
                raise conflict(schema.object_type, holder)


def conflict(object_type: ObjectType, holder: int) -> Conflict:
    return Conflict(messages.RECORD_EXISTS.format(label=object_type.label, id=holder))
