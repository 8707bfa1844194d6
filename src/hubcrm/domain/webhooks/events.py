"""The events a write causes, recorded in the outbox in the write's own transaction.

Every write path saves through `record()` right after `tx.save()` (domain/records/applying.py):
the events are committed with the write or not at all, and a write that fails records nothing.
Events are generic over object types: a write of any type yields `Change`s named by its type id,
and a subscription matches them by (type id, action, property). New kinds of write (associations,
merges, restores) build their own `Change`s and call `record_changes()`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from hubcrm.store.base import OutboxEvent, RecordWrite, Subscription, WriteTransaction


class Recorded:
    """How many transactions of this process have put events in the outbox. A write's request
    that saw it move wakes the deliverer once answered (api/app.py, WakeDeliverer), so that it
    looks at the outbox after writes that recorded events, not after every write. It may move
    for another request's transaction, or one that then rolls back: that costs the deliverer a
    look that finds nothing, never a missed event. Other processes' events are found by the
    deliverer's polling."""

    count = 0


# HubSpot's per-type event names (`contact.creation`); every other type has only the generic
# `object.*` events, which name the type by objectTypeId.
LEGACY_NAMES = {
    "0-1": "contact",
    "0-2": "company",
    "0-3": "deal",
    "0-5": "ticket",
    "0-7": "product",
    "0-8": "line_item",
}
GENERIC = "object"
# HubSpot's property-history source for writes through the API by an app (OAuth), and otherwise.
APP_SOURCE = "INTEGRATION"
API_SOURCE = "API"


@dataclass(frozen=True)
class Source:
    """Who wrote: changeSource and sourceId of the events."""

    change_source: str
    source_id: str


@dataclass(frozen=True)
class Change:
    """One thing that happened to one record, before it is matched to subscriptions."""

    object_type_id: str
    action: str  # creation, deletion, propertyChange, associationChange, merge, restore, ...
    object_id: int | None  # None: the payload has no objectId (associationChange)
    occurred_at: int
    property_name: str = ""
    # The payload's fields after objectId (propertyName, propertyValue, changeFlag, ...).
    fields: dict[str, object] = field(default_factory=dict)


def source_of(app_id: int | None, source_id: str, source_type: str = API_SOURCE) -> Source:
    """An app's writes are INTEGRATION; others keep their history's source (API, CRM_UI)."""
    if app_id is not None:
        return Source(APP_SOURCE, str(app_id))
    return Source(source_type, source_id)


def changes_of(object_type_id: str, writes: list[RecordWrite], source: Source) -> list[Change]:
    """creation for a new record, deletion for an archived one, else one propertyChange per
    property the write changed (its last value). Values set at creation fire no propertyChange:
    HubSpot does not say that they do (hubcrm's choice, docs/fidelity.md)."""
    who: dict[str, object] = {"changeSource": source.change_source, "sourceId": source.source_id}
    out: list[Change] = []
    for w in writes:
        record = w.record
        if w.is_new:
            flag = {"changeFlag": "CREATED"}
            out.append(Change(object_type_id, "creation", record.record_id, record.updated_at))
            out[-1].fields.update(flag | who)
        elif record.archived:
            at = record.archived_at or record.updated_at
            out.append(Change(object_type_id, "deletion", record.record_id, at))
            out[-1].fields.update({"changeFlag": "DELETED"} | who)
        else:
            last = {entry.property: entry for entry in w.history}
            for name, entry in last.items():
                values = {"propertyName": name, "propertyValue": entry.value}
                change = Change(
                    object_type_id, "propertyChange", record.record_id, entry.timestamp, name
                )
                change.fields.update(values | who)
                out.append(change)
    return out


def match(changes: list[Change], subscriptions: list[Subscription]) -> list[OutboxEvent]:
    """One event per change and subscription that wants it."""
    wanted: dict[tuple[str, str, str], list[Subscription]] = {}
    for s in subscriptions:
        wanted.setdefault((s.object_type_id, s.action, s.property_name), []).append(s)
    events = []
    for change in changes:
        for s in wanted.get((change.object_type_id, change.action, change.property_name), []):
            fields: dict[str, object] = {}
            if change.object_id is not None:
                fields["objectId"] = change.object_id
            if s.event_type.startswith(GENERIC + "."):
                fields["objectTypeId"] = change.object_type_id
            fields.update(change.fields)
            events.append(
                OutboxEvent(s.app_id, s.subscription_id, s.event_type, change.occurred_at, fields)
            )
    return events


def _who(source: Source) -> dict[str, object]:
    return {"changeSource": source.change_source, "sourceId": source.source_id}


def association_type(from_type_id: str, to_type_id: str) -> str:
    """HubSpot's `CONTACT_TO_COMPANY`; types without a legacy name by their ids (hubcrm's)."""
    names = [LEGACY_NAMES.get(t, t).upper() for t in (from_type_id, to_type_id)]
    return f"{names[0]}_TO_{names[1]}"


def association_changes(
    from_type_id: str,
    from_id: int,
    to_type_id: str,
    to_id: int,
    *,
    removed: bool,
    primary: bool,
    occurred_at: int,
    source: Source,
) -> list[Change]:
    """An association added or removed: one associationChange for each side, each naming its
    own side first (HubSpot fires both since its "Webhook AssociationChanges" bugfix)."""
    changes = []
    sides = (
        ((from_type_id, from_id), (to_type_id, to_id), primary),
        ((to_type_id, to_id), (from_type_id, from_id), False),
    )
    for (own_type, own_id), (other_type, other_id), is_primary in sides:
        change = Change(own_type, "associationChange", None, occurred_at)
        change.fields.update(
            {
                "associationType": association_type(own_type, other_type),
                "fromObjectId": own_id,
                "toObjectId": other_id,
                "associationRemoved": removed,
                # Whether the other record is this one's primary (the from side's, if any).
                "isPrimaryAssociation": is_primary,
            }
            | _who(source)
        )
        changes.append(change)
    return changes


def merge_change(
    object_type_id: str,
    primary_id: int,
    merged_ids: list[int],
    new_id: int,
    properties_moved: int,
    occurred_at: int,
    source: Source,
) -> Change:
    """A merge, with HubSpot's merge fields; objectId is the merged record."""
    change = Change(object_type_id, "merge", new_id, occurred_at)
    change.fields.update(
        {
            "primaryObjectId": primary_id,
            "mergedObjectIds": merged_ids,
            "newObjectId": new_id,
            "numberOfPropertiesMoved": properties_moved,
        }
        | _who(source)
    )
    return change


def record_change(
    object_type_id: str, action: str, object_id: int, at: int, source: Source
) -> Change:
    """A restore or a privacy deletion of one record (no changeFlag: none is documented)."""
    change = Change(object_type_id, action, object_id, at)
    change.fields.update(_who(source))
    return change


async def record_changes(tx: WriteTransaction, changes: list[Change]) -> None:
    """Record changes built by hand (associations, merges, restores), in the same transaction."""
    if not changes:
        return
    subscriptions = await tx.webhook_subscriptions()
    events = match(changes, subscriptions) if subscriptions else []
    if events:
        await _record(tx, events)


async def record(
    tx: WriteTransaction, object_type_id: str, writes: list[RecordWrite], source: Source
) -> None:
    """Record the events these saved writes cause, in the same transaction."""
    if not writes:
        return
    subscriptions = await tx.webhook_subscriptions()
    if not subscriptions:
        return
    events = match(changes_of(object_type_id, writes, source), subscriptions)
    if events:
        await _record(tx, events)


async def _record(tx: WriteTransaction, events: list[OutboxEvent]) -> None:
    Recorded.count += 1
    # Due now by the wall clock: delivery runs on real time, whatever the portal's clock says.
    await tx.record_webhook_events(events, time.time_ns() // 1_000_000)
