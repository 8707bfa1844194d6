"""The associations domain: the v4 API (records, batches, labels), the v3 surface (inline
associations on create, `?associations=` on reads, the v3 batch endpoints).

Every write validates the whole request first (types against the object pair, sizes), then runs
one transaction that checks every record it names is live, locks them, and writes both
directions. Listeners (`on_change`) hear what changed once it is committed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from hubcrm.domain.associations import identity
from hubcrm.domain.associations.catalogue import (
    COMPANIES_TYPE_ID,
    PRIMARY_COMPANY_PROPERTY,
    AssociationType,
    Catalogue,
    from_v3_name,
)
from hubcrm.domain.associations.changes import Changes, Editor, Hook, Link, Mode
from hubcrm.domain.associations.reading import (
    MAX_CREATE,
    Labelled,
    Listener,
    Reading,
    Spec,
    T,
    catalogue_misfit,
    check_size,
    label_names,
    record_id,
)
from hubcrm.domain.clock import portal_clock
from hubcrm.domain.objects import ObjectType
from hubcrm.domain.records import Actor, Records, Upserted, UpsertOutcome
from hubcrm.domain.records.applying import contention
from hubcrm.protocol import messages
from hubcrm.protocol.errors import ValidationError
from hubcrm.protocol.wire import CreateInput, InlineAssociation
from hubcrm.store.base import Association, Record, WriteTransaction


class Associations(Reading):
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
                out.append(Labelled(link, label_names(catalogue, link, final)))
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
