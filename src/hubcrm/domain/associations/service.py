"""The associations domain: the v4 API (records, batches, labels), the v3 surface (inline
associations on create, `?associations=` on reads, the v3 batch endpoints).

Every write validates the whole request first (types against the object pair, sizes), then runs
one transaction that checks every record it names is live, locks them, and writes both
directions. Listeners (`on_change`) hear what changed once it is committed.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from hubcrm.domain.associations import identity
from hubcrm.domain.associations.catalogue import (
    COMPANIES_TYPE_ID,
    PRIMARY_COMPANY_PROPERTY,
    USER_DEFINED,
    AssociationType,
    Catalogue,
    SchemaAssociation,
    TypeKey,
    from_v3_name,
    path_name,
    singular_name,
    v3_name,
)
from hubcrm.domain.associations.changes import Changes, Editor, Hook, Link, Mode
from hubcrm.domain.clock import portal_clock
from hubcrm.domain.objects import ObjectType
from hubcrm.domain.records import Actor, Records, Upserted, UpsertOutcome
from hubcrm.domain.records.applying import contention
from hubcrm.domain.records.planning import is_record_id
from hubcrm.protocol import messages
from hubcrm.protocol.errors import HubSpotError, ObjectNotFound, ValidationError
from hubcrm.protocol.wire import CreateInput, InlineAssociation
from hubcrm.store.base import Association, AssociationLabel, Record, WriteTransaction
from hubcrm.store.errors import UniqueViolation

MAX_CREATE = 2000  # batch/create, batch/associate/default, batch/archive, batch/labels/archive
MAX_READ = 1000  # batch/read, since 2025-02-10
PAGE_DEFAULT = 500  # GET .../associations/{toObjectType}
PAGE_MAX = 500
V3_PAGE = 100  # ?associations= on v3 reads
MAX_LABELS = 10  # custom labels per object pair
T = TypeVar("T")
_LABEL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

Listener = Callable[[int, Changes], None]
Spec = tuple[str, int]  # (associationCategory, associationTypeId) as sent


@dataclass(frozen=True)
class Grouped:
    """One associated record and every type the association holds."""

    to_id: int
    types: list[AssociationType]


@dataclass(frozen=True)
class Listed:
    results: list[Grouped]
    next_after: str | None


@dataclass
class BatchRead:
    results: list[tuple[str, Listed]] = field(default_factory=list)
    errors: list[HubSpotError] = field(default_factory=list)


@dataclass(frozen=True)
class Labelled:
    """The label names a pair holds after a write (v4 LabelsBetweenObjectPair)."""

    link: Link
    labels: list[str]


def record_id(ref: str | int) -> int | None:
    text = str(ref)
    return int(text) if is_record_id(text) else None


def cursor(type_id: str, next_id: int) -> str:
    """An opaque cursor as HubSpot's look: base64 of `<object type id>-<record id>`."""
    return base64.b64encode(f"{type_id}-{next_id}".encode()).decode()


def from_cursor(after: str | None, type_id: str) -> int:
    if not after:
        return 0
    try:
        text = base64.b64decode(after.encode(), validate=True).decode()
        prefix, _, number = text.rpartition("-")
        if prefix == type_id and is_record_id(number):
            return int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ValidationError(messages.INVALID_ASSOCIATION_AFTER.format(after=after))


def check_size(count: int, limit: int) -> None:
    if count > limit:
        raise ValidationError(messages.BATCH_TOO_LARGE.format(limit=limit))


class Associations:
    def __init__(self, records: Records) -> None:
        self.records = records
        self.store = records.store
        self.listeners: list[Listener] = []
        self.hooks: list[Hook] = []
        # A write of a contact's associatedcompanyid sets its primary company.
        records.linked = {t: frozenset({p}) for t, p in PRIMARY_COMPANY_PROPERTY.items()}
        records.after_write = self._primary_from_property

    def on_change(self, listener: Listener) -> None:
        """Call `listener(portal_id, changes)` after each committed association change."""
        self.listeners.append(listener)

    def in_transaction(self, hook: Hook) -> None:
        """Run `hook(tx, actor, changes)` at the end of every association transaction, inside
        it: rows added and removed, records saved, merges and GDPR deletions."""
        self.hooks.append(hook)

    async def catalogue(self, portal_id: int) -> Catalogue:
        schemas = [
            SchemaAssociation(int(a.id), a.from_object_type_id, a.to_object_type_id, a.name or "")
            for schema in await self.records.types.schemas(portal_id)
            if not schema.archived
            for a in schema.stored.associations
            if a.id.isdigit()
        ]
        return Catalogue(await self.store.association_labels(portal_id), schemas)

    # Writes

    async def write(
        self,
        actor: Actor,
        from_kind: ObjectType,
        to_kind: ObjectType,
        requests: Sequence[tuple[str | int, str | int, Sequence[Spec]]],
        mode: Mode,
    ) -> list[Labelled]:
        """Set (or add, remove, clear) these types between each pair of records, all in one
        transaction; what labels each pair holds afterwards."""
        catalogue = await self.catalogue(actor.portal_id)
        planned = [
            (
                str(f),
                str(t),
                [
                    catalogue.check(from_kind.type_id, to_kind.type_id, str(f), str(t), s)
                    for s in specs
                ],
            )
            for f, t, specs in requests
        ]

        async def work(editor: Editor) -> list[Labelled]:
            await editor.require_live(from_kind.type_id, [f for f, _, _ in planned])
            await editor.require_live(to_kind.type_id, [t for _, t, _ in planned])
            links = [
                Link(from_kind.type_id, int(f), to_kind.type_id, int(t)) for f, t, _ in planned
            ]
            await editor.preload(links)
            out = []
            for link, (_, _, kinds) in zip(links, planned, strict=True):
                final = await editor.set(link, kinds, mode)
                out.append(Labelled(link, _label_names(catalogue, link, final)))
            return out

        return await self.transact(actor, from_kind, catalogue, work)

    async def batch_write(
        self,
        actor: Actor,
        from_kind: ObjectType,
        to_kind: ObjectType,
        requests: Sequence[tuple[str | int, str | int, Sequence[Spec]]],
        mode: Mode,
    ) -> list[Labelled]:
        check_size(len(requests), MAX_CREATE)
        return await self.write(actor, from_kind, to_kind, requests, mode) if requests else []

    async def batch_default(
        self,
        actor: Actor,
        from_kind: ObjectType,
        to_kind: ObjectType,
        pairs: Sequence[tuple[str | int, str | int]],
    ) -> list[Association]:
        check_size(len(pairs), MAX_CREATE)
        return await self.associate_default(actor, from_kind, to_kind, pairs) if pairs else []

    async def batch_archive(
        self,
        actor: Actor,
        from_kind: ObjectType,
        to_kind: ObjectType,
        inputs: Sequence[tuple[str | int, Sequence[str | int]]],
    ) -> None:
        check_size(len(inputs), MAX_CREATE)
        pairs = [(f, t) for f, targets in inputs for t in targets]
        await self.archive(actor, from_kind, to_kind, pairs)

    async def associate_default(
        self,
        actor: Actor,
        from_kind: ObjectType,
        to_kind: ObjectType,
        pairs: Sequence[tuple[str | int, str | int]],
    ) -> list[Association]:
        """Add the default type between each pair; both directions of each, as written."""
        catalogue = await self.catalogue(actor.portal_id)
        default = catalogue.default(from_kind.type_id, to_kind.type_id)
        if default is None:
            raise catalogue_misfit(from_kind, to_kind)
        await self.write(
            actor, from_kind, to_kind, [(f, t, [default.key]) for f, t in pairs], "add"
        )
        rows = []
        for from_ref, to_ref in pairs:
            row = Association(
                from_kind.type_id, int(from_ref), to_kind.type_id, int(to_ref), *default.key
            )
            rows += [
                row,
                Association(
                    row.to_type,
                    row.to_id,
                    row.from_type,
                    row.from_id,
                    default.category,
                    default.inverse_type_id,
                ),
            ]
        return rows

    async def archive(
        self,
        actor: Actor,
        from_kind: ObjectType,
        to_kind: ObjectType,
        pairs: Sequence[tuple[str | int, str | int]],
    ) -> None:
        """Remove every type between each pair; pairs naming no live record are ignored."""
        catalogue = await self.catalogue(actor.portal_id)
        wanted = [
            Link(from_kind.type_id, f, to_kind.type_id, t)
            for a, b in pairs
            if (f := record_id(a)) is not None and (t := record_id(b)) is not None
        ]
        if not wanted:
            return

        async def work(editor: Editor) -> None:
            await editor.preload(wanted)
            for link in wanted:
                await editor.set(link, [], "clear")

        await self.transact(actor, from_kind, catalogue, work)

    async def transact(
        self,
        actor: Actor,
        kind: ObjectType,
        catalogue: Catalogue,
        work: Callable[[Editor], Awaitable[T]],
    ) -> T:
        clock = portal_clock(self.records.clock, actor.portal_id)
        holder: list[Changes] = []

        async def run(tx: WriteTransaction) -> T:
            editor = Editor(tx, catalogue, clock, actor, self.hooks)
            result = await work(editor)
            holder[:] = [await editor.finish()]
            return result

        with contention():
            result = await self.store.transact(actor.portal_id, kind.type_id, run)
        self.committed(actor.portal_id, holder[0] if holder else Changes())
        return result

    def committed(self, portal_id: int, changes: Changes) -> None:
        for kind in changes.written_types.values():
            self.records.indexer.written(portal_id, kind)
        if changes.added or changes.removed or changes.merged or changes.purged:
            for listener in self.listeners:
                listener(portal_id, changes)

    async def _primary_from_property(
        self, tx: WriteTransaction, actor: Actor, kind: ObjectType, written: list[Upserted]
    ) -> Callable[[], None]:
        """Make each written record's primary company the one its property names (none when
        the property is empty), in the write's own transaction."""
        name = PRIMARY_COMPANY_PROPERTY[kind.type_id]
        # HubSpot-defined types only: the work may not read the store for the portal's labels.
        catalogue = Catalogue([])
        clock = portal_clock(self.records.clock, actor.portal_id)
        editor = Editor(tx, catalogue, clock, actor, self.hooks)
        primary = next(t for t in catalogue.between(kind.type_id, COMPANIES_TYPE_ID) if t.primary)
        for item in written:
            rid = item.record.record_id
            rows = await tx.associations([rid], COMPANIES_TYPE_ID)
            current = [r.to_id for r in rows if (r.category, r.type_id) == primary.key]
            wanted = item.record.properties.get(name, "")
            if not wanted:
                for company in current:
                    link = Link(kind.type_id, rid, COMPANIES_TYPE_ID, company)
                    await editor.set(link, [primary], "remove")
            elif [wanted] != [str(c) for c in current]:
                await editor.require_live(COMPANIES_TYPE_ID, [wanted])
                link = Link(kind.type_id, rid, COMPANIES_TYPE_ID, int(wanted))
                await editor.set(link, [primary], "add")
        changes = await editor.finish()
        return lambda: self.committed(actor.portal_id, changes)

    # Reads

    async def page(
        self,
        portal_id: int,
        from_kind: ObjectType,
        from_ref: str,
        to_kind: ObjectType,
        *,
        after: str | None,
        limit: int | None,
        catalogue: Catalogue | None = None,
    ) -> Listed:
        """One page of a record's associated records of one type (none for a record that is
        not live), every type of each."""
        size = PAGE_DEFAULT if limit is None else limit
        if not 1 <= size <= PAGE_MAX:
            raise ValidationError(
                messages.ASSOCIATION_LIMIT_INVALID.format(limit=size, max=PAGE_MAX)
            )
        start = from_cursor(after, to_kind.type_id)
        catalogue = catalogue or await self.catalogue(portal_id)
        rid = record_id(from_ref)
        if rid is None or not await self._live(portal_id, from_kind, rid):
            return Listed([], None)
        rows = await self.store.associations_page(
            portal_id, from_kind.type_id, rid, to_kind.type_id, after=start, limit=size + 1
        )
        groups: dict[int, list[AssociationType]] = {}
        for row in rows:
            kind = catalogue.find(row.from_type, row.to_type, (row.category, row.type_id))
            if kind is not None:
                groups.setdefault(row.to_id, []).append(kind)
        ordered = [Grouped(to_id, kinds) for to_id, kinds in groups.items()]
        if len(ordered) > size:
            return Listed(ordered[:size], cursor(to_kind.type_id, ordered[size].to_id))
        return Listed(ordered, None)

    async def _live(self, portal_id: int, kind: ObjectType, rid: int) -> bool:
        record = await self.store.record(portal_id, kind.type_id, rid)
        return record is not None and not record.archived

    async def batch_read(
        self,
        portal_id: int,
        from_kind: ObjectType,
        to_kind: ObjectType,
        inputs: Sequence[tuple[str, str | None]],
    ) -> BatchRead:
        """Each record's associations (a page of 500 each); a record with none is an error, as
        in HubSpot. Read in two queries whatever the number of inputs."""
        check_size(len(inputs), MAX_READ)
        catalogue = await self.catalogue(portal_id)
        starts = {ref: from_cursor(after, to_kind.type_id) for ref, after in inputs}
        ids = {rid for ref, _ in inputs if (rid := record_id(ref)) is not None}
        froms = await self.store.records(portal_id, from_kind.type_id, ids)
        live = {rid for rid, record in froms.items() if not record.archived}
        rows = await self.store.associations_from(
            portal_id, from_kind.type_id, live, to_kind.type_id
        )
        grouped: dict[int, dict[int, list[AssociationType]]] = {}
        for row in rows:
            kind = catalogue.find(row.from_type, row.to_type, (row.category, row.type_id))
            if kind is not None:
                grouped.setdefault(row.from_id, {}).setdefault(row.to_id, []).append(kind)
        out = BatchRead()
        empty: list[str] = []
        for ref, _ in dict.fromkeys(inputs):
            rid = record_id(ref)
            targets = grouped.get(rid, {}) if rid is not None and rid in live else {}
            ordered = [Grouped(t, k) for t, k in targets.items() if t >= starts[ref]]
            if not ordered:
                empty.append(ref)
                continue
            more = len(ordered) > PAGE_DEFAULT
            after = cursor(to_kind.type_id, ordered[PAGE_DEFAULT].to_id) if more else None
            out.results.append((ref, Listed(ordered[:PAGE_DEFAULT], after)))
        for ref in empty:
            out.errors.append(no_associations(from_kind, to_kind, ref))
        return out

    async def v3_block(
        self, portal_id: int, kind: ObjectType, rid: int, names: Sequence[str]
    ) -> dict[str, tuple[list[tuple[str, str]], str | None]]:
        """What `?associations=` adds to a v3 read: per associated type asked for (by plural
        name), the first page of (id, v3 type) and the next cursor; types with none left out."""
        catalogue = await self.catalogue(portal_id)
        block: dict[str, tuple[list[tuple[str, str]], str | None]] = {}
        for name in names:
            try:
                to_kind = await self.records.types.resolve(portal_id, path_name(name))
            except ValidationError:
                continue  # unknown types are ignored, as HubSpot does
            if to_kind.name in block:
                continue
            listed = await self.page(
                portal_id, kind, str(rid), to_kind, after=None, limit=V3_PAGE, catalogue=catalogue
            )
            entries = [
                (str(group.to_id), label)
                for group in listed.results
                for t in sorted(group.types, key=lambda t: (not t.primary, t.type_id))
                if (label := v3_name(t, catalogue)) is not None
            ]
            if entries:
                block[to_kind.name] = (entries, listed.next_after)
        return block

    # Labels

    async def labels(
        self, portal_id: int, from_kind: ObjectType, to_kind: ObjectType
    ) -> list[AssociationType]:
        catalogue = await self.catalogue(portal_id)
        return catalogue.between(from_kind.type_id, to_kind.type_id)

    async def create_label(
        self,
        portal_id: int,
        from_kind: ObjectType,
        to_kind: ObjectType,
        name: str,
        label: str,
        inverse_label: str | None,
    ) -> list[AssociationType]:
        if not _LABEL_NAME.match(name):
            raise ValidationError(messages.LABEL_NAME_INVALID.format(name=name))
        catalogue = await self.catalogue(portal_id)
        custom = [
            t
            for t in catalogue.between(from_kind.type_id, to_kind.type_id)
            if t.category == USER_DEFINED
        ]
        if len(custom) >= MAX_LABELS:
            raise ValidationError(messages.TOO_MANY_LABELS.format(limit=MAX_LABELS))
        try:
            forward, inverse = await self.store.add_association_labels(
                portal_id, from_kind.type_id, to_kind.type_id, name, label, inverse_label
            )
        except UniqueViolation:
            raise ValidationError(messages.LABEL_EXISTS.format(name=name)) from None
        catalogue = await self.catalogue(portal_id)
        found = [
            catalogue.find(x.from_type, x.to_type, (USER_DEFINED, x.type_id))
            for x in (inverse, forward)
        ]
        return [t for t in found if t is not None]

    async def update_label(
        self,
        portal_id: int,
        from_kind: ObjectType,
        to_kind: ObjectType,
        type_id: int,
        label: str,
        inverse_label: str | None,
    ) -> None:
        await self._custom_label(portal_id, from_kind, to_kind, type_id)
        await self.store.update_association_labels(portal_id, type_id, label, inverse_label)

    async def delete_label(
        self, portal_id: int, from_kind: ObjectType, to_kind: ObjectType, type_id: int
    ) -> None:
        found = await self._custom_label(portal_id, from_kind, to_kind, type_id)
        if await self.store.association_label_used(portal_id, found):
            raise ValidationError(messages.LABEL_IN_USE.format(type_id=type_id))
        await self.store.remove_association_labels(portal_id, type_id)

    async def _custom_label(
        self, portal_id: int, from_kind: ObjectType, to_kind: ObjectType, type_id: int
    ) -> AssociationLabel:
        catalogue = await self.catalogue(portal_id)
        custom = catalogue.find(from_kind.type_id, to_kind.type_id, (USER_DEFINED, type_id))
        label = catalogue.label_of(type_id)
        if custom is None or label is None:
            if catalogue.find(from_kind.type_id, to_kind.type_id, ("HUBSPOT_DEFINED", type_id)):
                raise ValidationError(messages.LABEL_HUBSPOT_DEFINED.format(type_id=type_id))
            raise ObjectNotFound(messages.LABEL_NOT_FOUND.format(type_id=type_id))
        return label

    # Merge and GDPR delete (identity.py)

    async def merge(
        self, actor: Actor, kind: ObjectType, primary_ref: str, other_ref: str
    ) -> Record:
        return await identity.merge(self, actor, kind, primary_ref, other_ref)

    async def gdpr_delete(
        self, actor: Actor, kind: ObjectType, ref: str, id_property: str | None
    ) -> None:
        await identity.gdpr_delete(self, actor, kind, ref, id_property)

    # The v3 associations API and inline associations

    async def create_records(
        self, actor: Actor, kind: ObjectType, inputs: Sequence[CreateInput]
    ) -> UpsertOutcome:
        """Batch create, each record with the associations its input names, in one
        transaction: a missing target fails the whole request and nothing is created."""
        if not any(item.associations for item in inputs):
            return await self.records.batch_create(actor, kind, inputs)
        catalogue = await self.catalogue(actor.portal_id)
        wanted = [[_inline(catalogue, kind, a) for a in item.associations or []] for item in inputs]
        traces = [item.object_write_trace_id for item in inputs]
        holder: list[Changes] = []
        clock = portal_clock(self.records.clock, actor.portal_id)

        async def link(tx: WriteTransaction, created: list[Upserted]) -> None:
            editor = Editor(tx, catalogue, clock, actor, self.hooks)
            made = _match_created(created, traces)
            targets: dict[str, list[str]] = {}
            for index in made:
                for to_type, to_ref, _ in wanted[index]:
                    targets.setdefault(to_type, []).append(to_ref)
            for to_type, refs in targets.items():
                await editor.require_live(to_type, refs)
            for index, record in made.items():
                for to_type, to_ref, kinds in wanted[index]:
                    link = Link(kind.type_id, record.record_id, to_type, int(to_ref))
                    await editor.set(link, kinds, "add")
            holder[:] = [await editor.finish()]

        with contention():
            outcome = await self.records.batch_create(actor, kind, inputs, linker=link)
        self.committed(actor.portal_id, holder[0] if holder else Changes())
        if holder and kind.type_id in holder[0].written_types:
            # The records changed again after their creation (their primary company).
            fresh = await self.store.records(
                actor.portal_id, kind.type_id, [r.record.record_id for r in outcome.results]
            )
            for result in outcome.results:
                result.record.properties = fresh[result.record.record_id].properties
        return outcome

    async def v3_write(
        self,
        actor: Actor,
        from_kind: ObjectType,
        to_kind: ObjectType,
        inputs: Sequence[tuple[str, str, str]],
        mode: Mode,
    ) -> list[tuple[str, str, str]]:
        catalogue = await self.catalogue(actor.portal_id)
        kinds = [
            from_v3_name(t, from_kind.type_id, to_kind.type_id, catalogue) for _, _, t in inputs
        ]
        await self.write(
            actor,
            from_kind,
            to_kind,
            [(f, t, [k.key]) for (f, t, _), k in zip(inputs, kinds, strict=True)],
            "add" if mode != "remove" else "remove",
        )
        return list(inputs)


def _inline(
    catalogue: Catalogue, kind: ObjectType, association: InlineAssociation
) -> tuple[str, str, list[AssociationType]]:
    """(target object type, target id, types) of one inline association; the types name the
    target's object type."""
    kinds = [
        catalogue.from_type_key(kind.type_id, (s.association_category, s.association_type_id))
        for s in association.types
    ]
    to_types = {k.to_type for k in kinds}
    if len(to_types) != 1:
        raise ValidationError(messages.INLINE_ASSOCIATION_TYPES)
    return to_types.pop(), str(association.to.id), kinds


def _match_created(created: list[Upserted], traces: list[str | None]) -> dict[int, Record]:
    """Which input each created record came from: in order, or by trace id when some failed."""
    if len(created) == len(traces):
        return {index: item.record for index, item in enumerate(created)}
    by_trace = {item.trace_id: item.record for item in created}
    return {index: by_trace[t] for index, t in enumerate(traces) if t in by_trace}


def _label_names(catalogue: Catalogue, link: Link, final: list[TypeKey]) -> list[str]:
    names = []
    for key in final:
        kind = catalogue.find(link.from_type, link.to_type, key)
        if kind is not None and kind.label is not None:
            names.append(kind.label)
    return names


def catalogue_misfit(from_kind: ObjectType, to_kind: ObjectType) -> ValidationError:
    return ValidationError(
        messages.ASSOCIATIONS_INVALID,
        context={"fromObjectType": [from_kind.name], "toObjectType": [to_kind.name]},
    )


def no_associations(from_kind: ObjectType, to_kind: ObjectType, ref: str) -> ObjectNotFound:
    from_name, to_name = singular_name(from_kind.type_id), singular_name(to_kind.type_id)
    return ObjectNotFound(
        messages.NO_ASSOCIATIONS_FOUND.format(to=to_name, from_=from_name, id=ref),
        sub_category="crm.associations.NO_ASSOCIATIONS_FOUND",
        context={
            "fromObjectId": [ref],
            "fromObjectType": [from_name],
            "toObjectType": [to_name],
        },
    )
