"""The domain: CRM records of any object type. Writes, reads, listing and search.

Every write validates the whole request before it writes anything, then writes in one
transaction, keeping unique values and property history in step; search catches up behind it
(indexer.py). Nothing here knows about HTTP; failures are raised as protocol/errors.py's classes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from hubcrm.domain.clock import Clock, portal_clock
from hubcrm.domain.objects import ObjectType
from hubcrm.domain.records import references, writes
from hubcrm.domain.records.applying import Written, contention, save, write_planned
from hubcrm.domain.records.indexer import SearchIndexer
from hubcrm.domain.records.planning import (
    Planned,
    check_size,
    created,
    is_record_id,
    keyed,
    namespace,
    plan,
    targeted,
    traced,
)
from hubcrm.domain.records.reads import Reads
from hubcrm.domain.records.schema import Schema
from hubcrm.domain.records.writes import Actor, Upserted, UpsertOutcome
from hubcrm.domain.schemas import ObjectTypes
from hubcrm.protocol import messages
from hubcrm.protocol.errors import (
    ObjectNotFound,
    ValidationError,
)
from hubcrm.protocol.wire import CreateInput, PropertyValue, UpdateInput, UpsertInput
from hubcrm.store.base import Record, Store, WriteTransaction

T = TypeVar("T")
# Work run in a create's transaction once its records are written, given what was written.
Linker = Callable[[WriteTransaction, list[Upserted]], Awaitable[None]]
# Work run in any write's transaction that wrote a linked property (`Records.linked`), given the
# records written; it returns what to run once the transaction has committed.
AfterWrite = Callable[
    [WriteTransaction, Actor, ObjectType, list[Upserted]], Awaitable[Callable[[], None]]
]


class Records(Reads):
    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        email_partial_upserts: bool = False,
        search_delay_ms: int = 0,
        reference_checks: Sequence[references.Loader] = (),
    ) -> None:
        self.store = store
        self.reference_checks = reference_checks
        self.clock = clock
        self.email_partial_upserts = email_partial_upserts
        self.search_delay_ms = search_delay_ms
        self._schemas: dict[tuple[int, str], tuple[int, Schema]] = {}
        self.types = ObjectTypes(store)
        self.indexer = SearchIndexer(store, self.schema, self.types.by_type_id)
        # Properties that mirror something else a write must keep in step (a contact's
        # associatedcompanyid, its primary company), by object type id, and who does it.
        self.linked: dict[str, frozenset[str]] = {}
        self.after_write: AfterWrite | None = None
        # Hooks for metrics (api/metrics.py): records written per type, inputs per batch.
        self.on_written: Callable[[str, int], None] = _ignore
        self.on_batch: Callable[[str, str, int], None] = _ignore

    async def batch_upsert(
        self, actor: Actor, object_type: ObjectType, inputs: Sequence[UpsertInput]
    ) -> UpsertOutcome:
        outcome = UpsertOutcome(started_at=self.clock.now_ms())
        check_size(inputs)
        self.on_batch(object_type.type_id, "upsert", len(inputs))
        if inputs:
            schema = await self._write_schema(actor.portal_id, object_type, inputs)
            for item in inputs:
                if not item.id_property:
                    raise ValidationError(messages.ID_PROPERTY_REQUIRED)
                schema.check_id_property(actor.portal_id, item.id_property)
            writes.reject_duplicates(
                object_type,
                [(object_type.unique_namespace(i.id_property or ""), str(i.id)) for i in inputs],
            )
            email_keys = any(i.id_property in object_type.email_properties for i in inputs)
            partial = traced(inputs) and (self.email_partial_upserts or not email_keys)
            planned = plan(actor, schema, inputs, outcome, partial, keyed)
            await self._apply(actor, schema, planned, outcome)
        outcome.completed_at = self.clock.now_ms()
        return outcome

    async def batch_create(
        self,
        actor: Actor,
        object_type: ObjectType,
        inputs: Sequence[CreateInput],
        *,
        linker: Linker | None = None,
    ) -> UpsertOutcome:
        """Create records; `linker`, if given, runs in the same transaction after the records
        are written (the associations made with them)."""
        outcome = UpsertOutcome(started_at=self.clock.now_ms())
        check_size(inputs)
        self.on_batch(object_type.type_id, "create", len(inputs))
        if inputs:
            schema = await self._write_schema(actor.portal_id, object_type, inputs)
            per_input = traced(inputs)
            planned = plan(actor, schema, inputs, outcome, per_input, created)
            # With trace ids, a create whose unique value is taken fails alone (a 207 entry).
            await self._apply(
                actor, schema, planned, outcome, conflicts_per_input=per_input, linker=linker
            )
        outcome.completed_at = self.clock.now_ms()
        return outcome

    async def batch_update(
        self, actor: Actor, object_type: ObjectType, inputs: Sequence[UpdateInput]
    ) -> UpsertOutcome:
        outcome = UpsertOutcome(started_at=self.clock.now_ms())
        check_size(inputs)
        self.on_batch(object_type.type_id, "update", len(inputs))
        if inputs:
            schema = await self._write_schema(actor.portal_id, object_type, inputs)
            for item in inputs:
                self._check_update_key(actor, schema, item.id_property)
            writes.reject_duplicates(
                object_type,
                [(namespace(object_type, i.id_property), str(i.id)) for i in inputs],
            )
            planned = plan(actor, schema, inputs, outcome, traced(inputs), targeted)
            await self._apply(actor, schema, planned, outcome)
        outcome.completed_at = self.clock.now_ms()
        return outcome

    async def create(
        self,
        actor: Actor,
        object_type: ObjectType,
        properties: dict[str, PropertyValue],
        *,
        linker: Linker | None = None,
    ) -> Record:
        outcome = await self.batch_create(
            actor, object_type, [CreateInput(properties)], linker=linker
        )
        return outcome.results[0].record

    async def update(
        self,
        actor: Actor,
        object_type: ObjectType,
        record_ref: str,
        properties: dict[str, PropertyValue],
        *,
        id_property: str | None = None,
    ) -> Record:
        if not properties:
            raise ValidationError(messages.NO_PROPERTIES_TO_UPDATE)
        # A single PATCH may name a record by any unique property, email included.
        found = await self.get(actor.portal_id, object_type, record_ref, id_property=id_property)
        if not id_property or id_property == object_type.id_property:
            record_ref = str(found.record_id)  # a merged record's id names the record it became
        item = UpdateInput(record_ref, properties, id_property=id_property)
        schema = await self._write_schema(actor.portal_id, object_type, [item])
        outcome = UpsertOutcome(started_at=self.clock.now_ms())
        planned = plan(actor, schema, [item], outcome, False, targeted)
        await self._apply(actor, schema, planned, outcome)
        if outcome.missing:  # archived between the read and the write
            raise ObjectNotFound(messages.NOT_FOUND)
        return outcome.results[0].record

    async def archive(self, actor: Actor, object_type: ObjectType, record_refs: list[str]) -> None:
        """Archive live records; ids that name no live record are ignored, as HubSpot does."""
        check_size(record_refs)
        ids = {int(ref) for ref in record_refs if is_record_id(ref)}
        if not ids:
            return
        clock = portal_clock(self.clock, actor.portal_id)

        async def work(tx: WriteTransaction) -> None:
            found = await tx.records(ids)
            now = clock.now_ms()
            archived = [writes.archive(r, now) for r in found.values() if not r.archived]
            await save(tx, object_type, archived, actor)

        await self._transact(actor.portal_id, object_type, work)

    async def _write_schema(
        self, portal_id: int, object_type: ObjectType, inputs: Sequence[object]
    ) -> Schema:
        """The schema, with the checks of values naming pipelines or owners the inputs need."""
        schema = await self.schema(portal_id, object_type)
        checks = await references.load(self.reference_checks, portal_id, schema, inputs)
        return schema.bound(checks)

    def _check_update_key(self, actor: Actor, schema: Schema, id_property: str | None) -> None:
        """Batch update takes record ids, or a unique property other than the email ones."""
        if not id_property or id_property == schema.object_type.id_property:
            return
        if id_property in schema.object_type.email_properties:
            raise ValidationError(
                messages.NON_UNIQUE_ID_PROPERTY.format(
                    type_id=schema.object_type.type_id, name=id_property, portal=actor.portal_id
                )
            )
        schema.check_id_property(actor.portal_id, id_property)

    async def _apply(
        self,
        actor: Actor,
        schema: Schema,
        planned: list[Planned],
        outcome: UpsertOutcome,
        *,
        conflicts_per_input: bool = False,
        linker: Linker | None = None,
    ) -> None:
        if not planned:
            return
        clock = portal_clock(self.clock, actor.portal_id)  # the work may run on another thread

        linked = self.linked.get(schema.object_type.type_id, frozenset())
        after_write = self.after_write if any(linked & p.values.keys() for p in planned) else None
        then: list[Callable[[], None]] = []

        async def work(tx: WriteTransaction) -> Written:
            written = await write_planned(tx, schema, planned, clock, actor, conflicts_per_input)
            if after_write is not None:
                then[:] = [await after_write(tx, actor, schema.object_type, written.results)]
            if linker is not None:
                await linker(tx, written.results)
            return written

        written = await self._transact(actor.portal_id, schema.object_type, work)
        for done in then:
            done()
        self.on_written(schema.object_type.type_id, len(written.results))
        outcome.results += written.results
        outcome.missing += written.missing
        outcome.failures += written.failures

    async def _transact(
        self,
        portal_id: int,
        object_type: ObjectType,
        work: Callable[[WriteTransaction], Awaitable[T]],
    ) -> T:
        with contention():
            result = await self.store.transact(portal_id, object_type.type_id, work)
        self.indexer.written(portal_id, object_type)
        return result


def _ignore(*_: object) -> None:
    pass
