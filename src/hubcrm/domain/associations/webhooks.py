"""The webhook events of association, merge and GDPR delete transactions, recorded in the
transaction's outbox with the webhooks domain's builders (domain/webhooks/events.py): an
associationChange on both sides per type added or removed, propertyChange events of the records
saved besides (a contact's associatedcompanyid, a merge's survivor), a merge event, and a GDPR
delete's privacyDeletion and deletion."""

from __future__ import annotations

from hubcrm.domain.associations.changes import Changes
from hubcrm.domain.records import Actor
from hubcrm.domain.webhooks import events
from hubcrm.store.base import WriteTransaction


async def record_events(tx: WriteTransaction, actor: Actor, changes: Changes) -> None:
    source = events.source_of(actor.app_id, actor.source_id)
    for type_id, write in changes.saved:
        await events.record(tx, type_id, [write], source)
    built: list[events.Change] = []
    for row, removed, primary in changes.links:
        built += events.association_changes(
            row.from_type,
            row.from_id,
            row.to_type,
            row.to_id,
            removed=removed,
            primary=primary,
            occurred_at=changes.at,
            source=source,
        )
    for merged in changes.merged:
        built.append(
            events.merge_change(
                merged.object_type_id,
                merged.primary_id,
                [merged.merged_id],
                merged.primary_id,  # hubcrm keeps the primary's id (docs/fidelity.md)
                merged.properties_moved,
                changes.at,
                source,
            )
        )
    for type_id, record_id in changes.purged:
        built.append(
            events.record_change(type_id, "privacyDeletion", record_id, changes.at, source)
        )
        deletion = events.Change(type_id, "deletion", record_id, changes.at)
        deletion.fields.update(  # as an archive's deletion event
            {"changeFlag": "DELETED", "changeSource": source.change_source}
            | {"sourceId": source.source_id}
        )
        built.append(deletion)
    await events.record_changes(tx, built)
