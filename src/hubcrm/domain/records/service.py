"""The domain: CRM records of any object type. Writes, reads, listing and search.

Every write validates the whole request before it writes anything, then writes in one
transaction, keeping unique values and property history in step; search catches up behind it
(records/indexer.py). Nothing here knows about HTTP; failures are raised as hubcrm.errors.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from hubcrm.domain.clock import Clock, portal_clock
from hubcrm.domain.objects import ObjectType
from hubcrm.domain.records import writes
from hubcrm.domain.records.indexer import SearchIndexer
from hubcrm.domain.records.schema import Schema
from hubcrm.domain.records.search import SearchPlan, plan_search
from hubcrm.domain.records.writes import Actor, Upserted, UpsertOutcome
from hubcrm.domain.values import ValueRejected
from hubcrm.protocol import messages
from hubcrm.protocol.errors import (
    HubSpotError,
    Locked,
    ObjectNotFound,
    PropertyIssue,
    PropertyValuesInvalid,
    ValidationError,
)
from hubcrm.protocol.wire import CreateInput, PropertyValue, SearchRequest, UpdateInput, UpsertInput
from hubcrm.store.base import HistoryEntry, Record, RecordWrite, Store, WriteTransaction
from hubcrm.store.errors import UniqueViolation, WriteConflict

MAX_BATCH = 100
MAX_BATCH_WITH_HISTORY = 50
MAX_PAGE = 100
DEFAULT_PAGE = 10
T = TypeVar("T")


@dataclass
class _Planned:
    """One valid input, resolved to how it finds its record."""

    raw_id: str
    values: dict[str, str]
    trace_id: str | None
    ref: tuple[str, str] | None = None  # (unique namespace, stored key value)
    record_id: int | None = None  # an update by record id
    id_property: str | None = None  # an upsert stores its key here on create
    create: bool = False  # create when no record is found


# How a batch operation turns one input, its values checked, into a planned write.
_Resolver = Callable[
    [Schema, object, dict[str, str], list[PropertyIssue]],
    tuple[_Planned | None, list[PropertyIssue]],
]


@dataclass(frozen=True)
class Page:
    records: list[Record]
    next_after: str | None


@dataclass(frozen=True)
class Found:
    records: list[Record]
    total: int
    next_after: str | None
    properties: list[str] | None


class Records:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        email_partial_upserts: bool = False,
        search_delay_ms: int = 0,
    ) -> None:
        self.store = store
        self.clock = clock
        self.email_partial_upserts = email_partial_upserts
        self.search_delay_ms = search_delay_ms
        self._schemas: dict[tuple[int, str], tuple[int, Schema]] = {}
        self.indexer = SearchIndexer(store, self.schema)

    async def schema(self, portal_id: int, object_type: ObjectType) -> Schema:
        """The portal's property definitions, cached until their version changes."""
        version = await self.store.properties_version(portal_id, object_type.type_id)
        cached = self._schemas.get((portal_id, object_type.type_id))
        if cached and cached[0] == version:
            return cached[1]
        definitions = await self.store.property_definitions(portal_id, object_type.type_id)
        schema = Schema(object_type, definitions)
        self._schemas[(portal_id, object_type.type_id)] = (version, schema)
        return schema

    # Writes

    async def batch_upsert(
        self, actor: Actor, object_type: ObjectType, inputs: Sequence[UpsertInput]
    ) -> UpsertOutcome:
        outcome = UpsertOutcome(started_at=self.clock.now_ms())
        _check_size(inputs)
        if inputs:
            schema = await self.schema(actor.portal_id, object_type)
            for item in inputs:
                if not item.id_property:
                    raise ValidationError(messages.ID_PROPERTY_REQUIRED)
                schema.check_id_property(actor.portal_id, item.id_property)
            writes.reject_duplicates(
                object_type,
                [(object_type.unique_namespace(i.id_property or ""), str(i.id)) for i in inputs],
            )
            email_keys = any(i.id_property in object_type.email_properties for i in inputs)
            partial = _traced(inputs) and (self.email_partial_upserts or not email_keys)
            planned = self._plan(actor, schema, inputs, outcome, partial, self._keyed)
            await self._apply(actor, schema, planned, outcome)
        outcome.completed_at = self.clock.now_ms()
        return outcome

    async def batch_create(
        self, actor: Actor, object_type: ObjectType, inputs: Sequence[CreateInput]
    ) -> UpsertOutcome:
        outcome = UpsertOutcome(started_at=self.clock.now_ms())
        _check_size(inputs)
        if inputs:
            schema = await self.schema(actor.portal_id, object_type)
            traced = _traced(inputs)
            planned = self._plan(actor, schema, inputs, outcome, traced, self._created)
            # With trace ids, a create whose unique value is taken fails alone (a 207 entry).
            await self._apply(actor, schema, planned, outcome, conflicts_per_input=traced)
        outcome.completed_at = self.clock.now_ms()
        return outcome

    async def batch_update(
        self, actor: Actor, object_type: ObjectType, inputs: Sequence[UpdateInput]
    ) -> UpsertOutcome:
        outcome = UpsertOutcome(started_at=self.clock.now_ms())
        _check_size(inputs)
        if inputs:
            schema = await self.schema(actor.portal_id, object_type)
            for item in inputs:
                self._check_update_key(actor, schema, item.id_property)
            writes.reject_duplicates(
                object_type,
                [(_namespace(object_type, i.id_property), str(i.id)) for i in inputs],
            )
            planned = self._plan(actor, schema, inputs, outcome, _traced(inputs), self._targeted)
            await self._apply(actor, schema, planned, outcome)
        outcome.completed_at = self.clock.now_ms()
        return outcome

    async def create(
        self, actor: Actor, object_type: ObjectType, properties: dict[str, PropertyValue]
    ) -> Record:
        outcome = await self.batch_create(actor, object_type, [CreateInput(properties)])
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
        await self.get(actor.portal_id, object_type, record_ref, id_property=id_property)
        item = UpdateInput(record_ref, properties, id_property=id_property)
        schema = await self.schema(actor.portal_id, object_type)
        outcome = UpsertOutcome(started_at=self.clock.now_ms())
        planned = self._plan(actor, schema, [item], outcome, False, self._targeted)
        await self._apply(actor, schema, planned, outcome)
        if outcome.missing:  # archived between the read and the write
            raise ObjectNotFound(messages.NOT_FOUND)
        return outcome.results[0].record

    async def archive(self, actor: Actor, object_type: ObjectType, record_refs: list[str]) -> None:
        """Archive live records; ids that name no live record are ignored, as HubSpot does."""
        _check_size(record_refs)
        ids = {int(ref) for ref in record_refs if _is_record_id(ref)}
        if not ids:
            return
        clock = portal_clock(self.clock, actor.portal_id)

        async def work(tx: WriteTransaction) -> None:
            found = await tx.records(ids)
            now = clock.now_ms()
            await tx.save([writes.archive(r, now) for r in found.values() if not r.archived])

        await self._transact(actor.portal_id, object_type, work)

    def _plan(
        self,
        actor: Actor,
        schema: Schema,
        inputs: Sequence[UpsertInput | CreateInput | UpdateInput],
        outcome: UpsertOutcome,
        partial: bool,
        resolve: _Resolver,
    ) -> list[_Planned]:
        """Validate the whole batch; return the inputs to write, or raise for the whole batch."""
        per_input: list[tuple[_Planned | None, list[PropertyIssue]]] = []
        for item in inputs:
            values, issues = schema.issues(item.properties)
            per_input.append(resolve(schema, item, values, issues))
        if not any(issues for _, issues in per_input):
            return [planned for planned, _ in per_input if planned]
        if not partial:
            raise PropertyValuesInvalid(
                [issue for _, issues in per_input for issue in issues], actor.portal_id
            )
        for item, (_, issues) in zip(inputs, per_input, strict=True):
            if issues:
                trace = item.object_write_trace_id or ""
                error = PropertyValuesInvalid(
                    issues, actor.portal_id, context={"objectWriteTraceId": [trace]}
                )
                outcome.failures.append((trace, error))
        return [planned for planned, issues in per_input if planned and not issues]

    @staticmethod
    def _keyed(
        schema: Schema, item: object, values: dict[str, str], issues: list[PropertyIssue]
    ) -> tuple[_Planned | None, list[PropertyIssue]]:
        assert isinstance(item, UpsertInput)
        assert item.id_property is not None
        try:
            ref = schema.key(item.id_property, str(item.id))
        except ValueRejected as rejected:
            issues.insert(0, PropertyIssue(item.id_property, rejected.code, rejected.message))
            return None, issues
        planned = _Planned(
            str(item.id),
            values,
            item.object_write_trace_id,
            ref=ref,
            id_property=item.id_property,
            create=True,
        )
        return planned, issues

    @staticmethod
    def _created(
        schema: Schema, item: object, values: dict[str, str], issues: list[PropertyIssue]
    ) -> tuple[_Planned | None, list[PropertyIssue]]:
        assert isinstance(item, CreateInput)
        return _Planned("", values, item.object_write_trace_id, create=True), issues

    @staticmethod
    def _targeted(
        schema: Schema, item: object, values: dict[str, str], issues: list[PropertyIssue]
    ) -> tuple[_Planned | None, list[PropertyIssue]]:
        assert isinstance(item, UpdateInput)
        raw = str(item.id)
        planned = _Planned(raw, values, item.object_write_trace_id)
        if item.id_property and item.id_property != schema.object_type.id_property:
            try:
                planned.ref = schema.key(item.id_property, raw)
            except ValueRejected:
                planned.ref = (schema.object_type.unique_namespace(item.id_property), "")
        else:
            planned.record_id = int(raw) if _is_record_id(raw) else 0
        return planned, issues

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
        planned: list[_Planned],
        outcome: UpsertOutcome,
        *,
        conflicts_per_input: bool = False,
    ) -> None:
        if not planned:
            return
        clock = portal_clock(self.clock, actor.portal_id)  # the work may run on another thread

        async def work(tx: WriteTransaction) -> _Written:
            return await _write_planned(tx, schema, planned, clock, actor, conflicts_per_input)

        written = await self._transact(actor.portal_id, schema.object_type, work)
        outcome.results += written.results
        outcome.missing += written.missing
        outcome.failures += written.failures

    async def _transact(
        self,
        portal_id: int,
        object_type: ObjectType,
        work: Callable[[WriteTransaction], Awaitable[T]],
    ) -> T:
        with _contention():
            result = await self.store.transact(portal_id, object_type.type_id, work)
        self.indexer.written(portal_id, object_type)
        return result

    # Reads

    async def get(
        self,
        portal_id: int,
        object_type: ObjectType,
        record_ref: str,
        *,
        id_property: str | None = None,
        archived: bool = False,
    ) -> Record:
        if id_property and id_property != object_type.id_property:
            schema = await self.schema(portal_id, object_type)
            schema.check_id_property(portal_id, id_property)
            try:
                namespace, key = schema.key(id_property, record_ref)
            except ValueRejected:
                raise ObjectNotFound(messages.NOT_FOUND) from None
            found = await self.store.records_by_unique(
                portal_id, object_type.type_id, namespace, [key], archived=archived
            )
            record = found.get(key)
        elif not _is_record_id(record_ref):
            raise ObjectNotFound(
                messages.OBJECT_NOT_FOUND_NON_NUMERIC, context={"id": [record_ref]}
            )
        else:
            record = await self.store.record(portal_id, object_type.type_id, int(record_ref))
        if record is None or record.archived != archived:
            raise ObjectNotFound(messages.NOT_FOUND)
        return record

    async def read_batch(
        self,
        portal_id: int,
        object_type: ObjectType,
        refs: list[str],
        *,
        id_property: str | None = None,
        archived: bool = False,
        with_history: bool = False,
    ) -> tuple[list[Record], list[str]]:
        """The records the refs name, in input order, and the refs that name none."""
        limit = MAX_BATCH_WITH_HISTORY if with_history else MAX_BATCH
        if len(refs) > limit:
            template = (
                messages.HISTORY_BATCH_TOO_LARGE if with_history else messages.BATCH_TOO_LARGE
            )
            raise ValidationError(template.format(limit=limit))
        by_ref: dict[str, Record] = {}
        if id_property and id_property != object_type.id_property:
            schema = await self.schema(portal_id, object_type)
            schema.check_id_property(portal_id, id_property)
            keys: dict[str, str] = {}
            for ref in refs:
                try:
                    keys[ref] = schema.key(id_property, ref)[1]
                except ValueRejected:
                    continue
            found = await self.store.records_by_unique(
                portal_id,
                object_type.type_id,
                object_type.unique_namespace(id_property),
                set(keys.values()),
                archived=archived,
            )
            by_ref = {ref: found[key] for ref, key in keys.items() if key in found}
        else:
            ids = {int(ref) for ref in refs if _is_record_id(ref)}
            records = await self.store.records(portal_id, object_type.type_id, ids)
            by_ref = {
                ref: records[int(ref)] for ref in refs if _is_record_id(ref) and int(ref) in records
            }
        by_ref = {ref: r for ref, r in by_ref.items() if r.archived == archived}
        seen: set[int] = set()
        results: list[Record] = []
        for ref in refs:
            record = by_ref.get(ref)
            if record is not None and record.record_id not in seen:
                seen.add(record.record_id)
                results.append(record)
        missing = list(dict.fromkeys(ref for ref in refs if ref not in by_ref))
        return results, missing

    async def page(
        self,
        portal_id: int,
        object_type: ObjectType,
        *,
        after: str | None,
        limit: int | None,
        archived: bool,
    ) -> Page:
        """One page of records in id order. The cursor is the id of the next record, so writes
        between pages neither skip nor repeat a record: new records get higher ids."""
        size = DEFAULT_PAGE if limit is None else limit
        if not 1 <= size <= MAX_PAGE:
            raise ValidationError(messages.INVALID_LIMIT.format(limit=size, max=MAX_PAGE))
        start = 0
        if after is not None and after != "":
            if not _is_record_id(after):
                raise ValidationError(messages.INVALID_AFTER.format(after=after))
            start = int(after)
        records = await self.store.records_page(
            portal_id, object_type.type_id, after=start, limit=size + 1, archived=archived
        )
        next_after = str(records[size].record_id) if len(records) > size else None
        return Page(records[:size], next_after)

    async def search(
        self, portal_id: int, object_type: ObjectType, request: SearchRequest
    ) -> Found:
        schema = await self.schema(portal_id, object_type)
        plan: SearchPlan = plan_search(schema, request)
        with _contention():
            await self.indexer.catch_up(portal_id, object_type)
        query = plan.query
        if self.search_delay_ms:
            # HubSpot's search is eventually consistent: recent writes are not searchable yet.
            visible = self.clock.now_ms() - self.search_delay_ms
            query = dataclasses.replace(query, written_before=visible)
        result = await self.store.search(portal_id, object_type.type_id, query)
        records = await self.store.records(portal_id, object_type.type_id, result.record_ids)
        ordered = [records[rid] for rid in result.record_ids if rid in records]
        end = plan.query.offset + plan.query.limit
        next_after = str(end) if end < result.total and plan.query.limit else None
        return Found(ordered, result.total, next_after, request.properties)

    async def history(
        self, portal_id: int, object_type: ObjectType, record: Record, names: Iterable[str]
    ) -> dict[str, list[HistoryEntry]]:
        return await self.store.history(portal_id, object_type.type_id, record.record_id, names)


@contextmanager
def _contention() -> Iterator[None]:
    """A transaction that lost every retry to concurrent writers answers 423, as HubSpot does."""
    try:
        yield
    except (WriteConflict, UniqueViolation):
        raise Locked(messages.WRITE_CONTENTION) from None


def _check_size(inputs: Sequence[object]) -> None:
    if len(inputs) > MAX_BATCH:
        raise ValidationError(messages.BATCH_TOO_LARGE.format(limit=MAX_BATCH))


def _traced(inputs: Sequence[UpsertInput | CreateInput | UpdateInput]) -> bool:
    """Per-input failures (207) need a unique, non-empty trace id on every input."""
    traces = [item.object_write_trace_id for item in inputs]
    return all(traces) and len(set(traces)) == len(traces)


def _namespace(object_type: ObjectType, id_property: str | None) -> str:
    if not id_property or id_property == object_type.id_property:
        return object_type.id_property
    return object_type.unique_namespace(id_property)


def _is_record_id(ref: str) -> bool:
    return ref.isdigit() and ref.isascii() and len(ref) <= 18


@dataclass
class _Written:
    results: list[Upserted] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    failures: list[tuple[str, HubSpotError]] = field(default_factory=list)


async def _write_planned(
    tx: WriteTransaction,
    schema: Schema,
    planned: list[_Planned],
    clock: Clock,
    actor: Actor,
    conflicts_per_input: bool = False,
) -> _Written:
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
    out = _Written()
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
    await writes.check_holders(tx, schema, changed)
    await tx.save(changed)
    return out


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


async def _match(tx: WriteTransaction, planned: list[_Planned]) -> dict[tuple[str, str], int]:
    """The live record each keyed input's key already belongs to."""
    by_namespace: dict[str, list[str]] = {}
    for item in planned:
        if item.ref is not None:
            by_namespace.setdefault(item.ref[0], []).append(item.ref[1])
    matched: dict[tuple[str, str], int] = {}
    for namespace, keys in by_namespace.items():
        for key, record_id in (await tx.holders(namespace, keys)).items():
            matched[(namespace, key)] = record_id
    return matched


def _target(
    item: _Planned, matched: dict[tuple[str, str], int], existing: dict[int, Record]
) -> int | None:
    record_id = item.record_id if item.ref is None else matched.get(item.ref)
    return record_id if record_id in existing else None
