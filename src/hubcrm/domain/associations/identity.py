"""The two operations that rewrite a record's identity: merge and GDPR delete.

Merge keeps the primary record (its id, and its values where it has them), takes the other
record's values where the primary has none, moves the other's email addresses to the additional
emails, notes its id in `hs_merged_object_ids`, moves its associations to the primary, and then
forgets it: its id resolves to the primary from then on (store `merged_records`).

GDPR delete forgets a record for good: the record, its history, the unique values it held (so its
email is free at once) and its associations; nothing is kept to restore it from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubcrm.domain.associations.catalogue import AssociationType
from hubcrm.domain.associations.changes import Editor, Link, Merged
from hubcrm.domain.objects import ObjectType
from hubcrm.domain.records import Actor, Schema, writes
from hubcrm.domain.records.planning import is_record_id
from hubcrm.domain.values import ValueRejected
from hubcrm.protocol import messages
from hubcrm.protocol.errors import ObjectNotFound, RouteNotFound, ValidationError
from hubcrm.store.base import Association, Record

if TYPE_CHECKING:
    from hubcrm.domain.associations.service import Associations

MERGED_IDS = "hs_merged_object_ids"
ALL_CONTACT_IDS = "hs_all_contact_vids"
# HubSpot offers merge on contacts, companies, deals, tickets and custom objects.
MERGEABLE = frozenset({"0-1", "0-2", "0-3", "0-5"})
GDPR_TYPES = frozenset({"0-1"})


def _split(value: str | None) -> list[str]:
    return [item for item in (value or "").split(";") if item]


def merged_values(
    kind: ObjectType, schema: Schema, primary: Record, other: Record
) -> dict[str, str]:
    """The values merging `other` into `primary` writes on the primary."""
    system = {kind.id_property, kind.created_property, kind.modified_property}
    system |= {MERGED_IDS, ALL_CONTACT_IDS} | kind.email_properties
    values = {
        name: value
        for name, value in other.properties.items()
        if name not in system and value and not primary.properties.get(name)
    }
    main = next((p for p in sorted(kind.email_properties - kind.multi_value_properties)), None)
    extra = next((p for p in sorted(kind.email_properties & kind.multi_value_properties)), None)
    if main and extra:
        mine = primary.properties.get(main, "")
        theirs = [v for v in [other.properties.get(main, "")] if v]
        theirs += _split(other.properties.get(extra))
        if not mine and theirs:
            values[main], mine = theirs[0], theirs[0]
        additional = _split(primary.properties.get(extra))
        additional += [v for v in theirs if v != mine and v not in additional]
        if additional:
            values[extra] = ";".join(additional)
    ids = _split(primary.properties.get(MERGED_IDS))
    ids += [
        i for i in [*_split(other.properties.get(MERGED_IDS)), str(other.record_id)] if i not in ids
    ]
    values[MERGED_IDS] = ";".join(ids)
    values[ALL_CONTACT_IDS] = ";".join([str(primary.record_id), *ids])
    return {name: value for name, value in values.items() if name in schema.definitions}


async def canonical(service: Associations, portal_id: int, kind: ObjectType, ref: str) -> int:
    """The live record an id names, following merges; 404 when there is none."""
    if not is_record_id(ref):
        raise ObjectNotFound(messages.OBJECT_NOT_FOUND_NON_NUMERIC, context={"id": [ref]})
    rid = int(ref)
    moved = await service.store.merged_into(portal_id, kind.type_id, [rid])
    return moved.get(rid, rid)


async def merge(
    service: Associations, actor: Actor, kind: ObjectType, primary_ref: str, other_ref: str
) -> Record:
    if kind.type_id not in MERGEABLE and not kind.type_id.startswith("2-"):
        raise ValidationError(messages.MERGE_NOT_SUPPORTED.format(type=kind.name))
    primary_id = await canonical(service, actor.portal_id, kind, primary_ref)
    other_id = await canonical(service, actor.portal_id, kind, other_ref)
    if primary_id == other_id:
        raise ValidationError(messages.MERGE_SAME_OBJECT.format(id=other_ref))
    schema = await service.records.schema(actor.portal_id, kind)
    catalogue = await service.catalogue(actor.portal_id)

    async def work(editor: Editor) -> Record:
        tx = editor.tx.of(kind.type_id)
        found = await tx.records([primary_id, other_id])
        live = {rid: r for rid, r in found.items() if not r.archived}
        if primary_id not in live or other_id not in live:
            raise ObjectNotFound(messages.NOT_FOUND)
        primary, other = live[primary_id], live[other_id]
        moved = await tx.associations([other_id])
        await tx.link_merged(other_id, primary_id)  # before the purge, which forgets the rest
        await tx.purge([other_id])
        now = editor.clock.now_ms()
        w = writes.write(
            kind, primary, primary_id, merged_values(kind, schema, primary, other), now, actor
        )
        writes.claim_unique_values(schema, [w], {primary_id: primary})
        await writes.check_holders(tx, schema, [w])
        await tx.save([w])
        editor.changes.saved.append((kind.type_id, w))
        editor.changes.merged.append(Merged(kind.type_id, primary_id, other_id, len(w.history)))
        editor.changes.written_types[kind.type_id] = kind
        await _move_associations(editor, kind, primary_id, other_id, moved)
        return w.record

    await service.transact(actor, kind, catalogue, work)
    merged = await service.store.record(actor.portal_id, kind.type_id, primary_id)
    assert merged is not None
    return merged


async def _move_associations(
    editor: Editor,
    kind: ObjectType,
    primary_id: int,
    other_id: int,
    moved: list[Association],
) -> None:
    """Give the primary the other record's associations. Where the primary already holds a
    one-to-one type (a primary company), its own wins and the other's is dropped."""
    held = await editor.tx.of(kind.type_id).associations([primary_id])
    held_single = {(r.to_type, r.category, r.type_id) for r in held if r.single}
    by_target: dict[tuple[str, int], list[AssociationType]] = {}
    for row in moved:
        if row.to_type == kind.type_id and row.to_id in (primary_id, other_id):
            continue  # an association between the two records themselves
        found = editor.catalogue.find(row.from_type, row.to_type, (row.category, row.type_id))
        if found is None or (found.single and (row.to_type, *found.key) in held_single):
            continue
        by_target.setdefault((row.to_type, row.to_id), []).append(found)
    for (to_type, to_id), kinds in sorted(by_target.items()):
        await editor.set(Link(kind.type_id, primary_id, to_type, to_id), kinds, "add")


async def gdpr_delete(
    service: Associations, actor: Actor, kind: ObjectType, ref: str, id_property: str | None
) -> None:
    if kind.type_id not in GDPR_TYPES:
        raise RouteNotFound(messages.GDPR_NOT_SUPPORTED.format(type=kind.name))
    record = await _gdpr_target(service, actor.portal_id, kind, ref, id_property)
    if record is None:
        if id_property and id_property != kind.id_property:
            return  # HubSpot answers 204 for an unknown email (and blocklists it)
        raise ObjectNotFound(messages.NOT_FOUND)
    catalogue = await service.catalogue(actor.portal_id)
    rid = record.record_id

    async def work(editor: Editor) -> None:
        tx = editor.tx.of(kind.type_id)
        for row in await tx.associations([rid]):
            await editor.set(Link(row.from_type, rid, row.to_type, row.to_id), [], "clear")
        await editor.flush()
        await tx.purge([rid])
        editor.changes.purged.append((kind.type_id, rid))
        editor.changes.written_types[kind.type_id] = kind

    await service.transact(actor, kind, catalogue, work)


async def _gdpr_target(
    service: Associations, portal_id: int, kind: ObjectType, ref: str, id_property: str | None
) -> Record | None:
    store = service.store
    if id_property and id_property != kind.id_property:
        schema = await service.records.schema(portal_id, kind)
        schema.check_id_property(portal_id, id_property)
        try:
            namespace, key = schema.key(id_property, ref)
        except ValueRejected:
            return None
        for archived in (False, True):
            found = await store.records_by_unique(
                portal_id, kind.type_id, namespace, [key], archived=archived
            )
            if key in found:
                return found[key]
        return None
    rid = await canonical(service, portal_id, kind, ref)
    return await store.record(portal_id, kind.type_id, rid)
