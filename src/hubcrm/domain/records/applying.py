"""Writing a validated batch in one transaction: matching keys to records, allocating ids,
claiming unique values."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from hubcrm.domain.clock import Clock
from hubcrm.domain.objects import ObjectType
from hubcrm.domain.records import writes
from hubcrm.domain.records.planning import Planned
from hubcrm.domain.records.schema import Schema
from hubcrm.domain.records.writes import Actor, Upserted
from hubcrm.domain.webhooks import events
from hubcrm.protocol import messages
from hubcrm.protocol.errors import (
    HubSpotError,
    Locked,
)
from hubcrm.store.base import Record, RecordWrite, WriteTransaction
from hubcrm.store.errors import UniqueViolation, WriteConflict


@contextmanager
def contention() -> Iterator[None]:
    """A transaction that lost every retry to concurrent writers answers 423, as HubSpot does."""
    try:
        yield
    except (WriteConflict, UniqueViolation):
        raise Locked(messages.WRITE_CONTENTION) from None


@dataclass
class Written:
    results: list[Upserted] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    failures: list[tuple[str, HubSpotError]] = field(default_factory=list)


async def write_planned(
    tx: WriteTransaction,
    schema: Schema,
    planned: list[Planned],
    clock: Clock,
    actor: Actor,
    conflicts_per_input: bool = False,
) -> Written:
    """Create or update the record each planned input names, in one transaction."""
    object_type = schema.object_type
    matched = await _match(tx, planned)
    targets = set(matched.values()) | {p.record_id for p in planned if p.record_id}
    existing = {rid: r for rid, r in (await tx.records(targets)).items() if not r.archived}
    # Read the clock once the records are ours: concurrent writers of a record then stamp its
    # history in the order they commit.
    now = clock.now_ms()
    found = [_target(p, matched, existing) for p in planned]
    creates = sum(1 for p, rid in zip(planned, found, strict=True) if rid is None and p.create)
    new_ids = iter(await tx.allocate_ids(creates) if creates else [])
    states: dict[int, Record] = dict(existing)
    pending: dict[int, RecordWrite] = {}
    out = Written()
    claimed: dict[tuple[str, str], int] = {}  # unique values this batch's creates took
    for item, record_id in zip(planned, found, strict=True):
        if record_id is None and not item.create:
            out.missing.append(item.raw_id)
            continue
        if record_id is None:
            record_id = next(new_ids)
            values = dict(item.values)
            if item.ref is not None and item.id_property:
                # The key is stored in the id property of the new record.
                values[item.id_property] = item.ref[1]
            writes.check_required(object_type, values)
            w = writes.write(object_type, None, record_id, values, now, actor)
            if conflicts_per_input:
                holder = await _holder(tx, schema, w.record, claimed)
                if holder is not None:
                    trace = item.trace_id or ""
                    error = writes.conflict(object_type, holder)
                    error.context = {"objectWriteTraceId": [trace], "existingId": [str(holder)]}
                    out.failures.append((trace, error))
                    continue
        else:
            w = writes.write(object_type, states[record_id], record_id, item.values, now, actor)
        writes.merge(pending, w)
        states[record_id] = w.record
        out.results.append(Upserted(w.record, w.is_new, item.trace_id))
    changed = [w for w in pending.values() if w.history]
    writes.claim_unique_values(schema, changed, existing)
    # The keys were looked up above, in this transaction: free ones are still free.
    known = {item.ref: matched.get(item.ref) for item in planned if item.ref is not None}
    await writes.check_holders(tx, schema, changed, known)
    await save(tx, object_type, changed, actor)
    return out


async def save(
    tx: WriteTransaction, object_type: ObjectType, saved: list[RecordWrite], actor: Actor
) -> None:
    """Save the writes, and record the webhook events they cause in the same transaction: every
    write path saves through here, so a committed write has its events and a failed one none."""
    await tx.save(saved)
    source = events.source_of(actor.app_id, actor.source_id, actor.source_type)
    await events.record(tx, object_type.type_id, saved, source)


async def _holder(
    tx: WriteTransaction, schema: Schema, record: Record, claimed: dict[tuple[str, str], int]
) -> int | None:
    """The record already holding one of this new record's unique values; else claim them."""
    wanted = {ns: schema.unique_values(record.properties, ns) for ns in schema.namespaces()}
    for namespace, values in wanted.items():
        for value in sorted(values):
            if (namespace, value) in claimed:
                return claimed[(namespace, value)]
        held = await tx.holders(namespace, values) if values else {}
        if held:
            return held[min(held)]
    for namespace, values in wanted.items():
        claimed.update({(namespace, value): record.record_id for value in values})
    return None


async def _match(tx: WriteTransaction, planned: list[Planned]) -> dict[tuple[str, str], int]:
    """The live record each keyed input's key already belongs to."""
    by_namespace: dict[str, list[str]] = {}
    for item in planned:
        if item.ref is not None:
            by_namespace.setdefault(item.ref[0], []).append(item.ref[1])
    matched: dict[tuple[str, str], int] = {}
    for namespace, keys in by_namespace.items():
        for key, record_id in (await tx.holders(namespace, keys, reading=True)).items():
            matched[(namespace, key)] = record_id
    return matched


def _target(
    item: Planned, matched: dict[tuple[str, str], int], existing: dict[int, Record]
) -> int | None:
    record_id = item.record_id if item.ref is None else matched.get(item.ref)
    return record_id if record_id in existing else None
