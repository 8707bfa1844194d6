"""The domain: CRM records of any object type. Batch upsert and reading a record back.

Every operation validates the whole request before it writes anything, then writes in one
transaction. Nothing here knows about HTTP; failures are raised as hubcrm.errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from hubcrm import messages
from hubcrm.clock import Clock, format_ms, portal_clock
from hubcrm.errors import (
    Conflict,
    ErrorDetail,
    HubSpotError,
    Locked,
    ObjectNotFound,
    PropertyIssue,
    PropertyValuesInvalid,
    ValidationError,
)
from hubcrm.objects import ObjectType
from hubcrm.properties import PropertyDefinition, ValueRejected, check_value
from hubcrm.store.base import HistoryEntry, Record, RecordWrite, Store, WriteTransaction
from hubcrm.store.errors import UniqueViolation, WriteConflict
from hubcrm.wire import PropertyValue, UpsertInput

MAX_BATCH = 100
SOURCE_TYPE = "API"


@dataclass(frozen=True)
class Actor:
    """Who is writing: the portal and the source recorded in property history."""

    portal_id: int
    source_id: str


@dataclass(frozen=True)
class Upserted:
    record: Record
    new: bool
    trace_id: str | None


@dataclass
class UpsertOutcome:
    started_at: int
    completed_at: int = 0
    results: list[Upserted] = field(default_factory=list)
    # Inputs rejected one by one (only with trace ids on every input): trace id → error.
    failures: list[tuple[str, HubSpotError]] = field(default_factory=list)


class Schema:
    """One portal's property definitions for one object type."""

    def __init__(self, object_type: ObjectType, definitions: Iterable[PropertyDefinition]) -> None:
        self.object_type = object_type
        self.definitions = {d.name: d for d in definitions}
        self.unique = {name for name, d in self.definitions.items() if d.has_unique_value}

    def check(self, name: str, value: str) -> str:
        """The stored form of `value`, or ValueRejected; `name` must be defined."""
        return check_value(
            self.definitions[name],
            value,
            email=name in self.object_type.email_properties,
            multi=name in self.object_type.multi_value_properties,
        )

    def issues(
        self, properties: dict[str, PropertyValue]
    ) -> tuple[dict[str, str], list[PropertyIssue]]:
        """Check every value; return the stored forms and every problem found."""
        stored: dict[str, str] = {}
        issues: list[PropertyIssue] = []
        for name, raw in properties.items():
            if raw is None:  # null never clears a value in HubSpot: it is ignored
                continue
            definition = self.definitions.get(name)
            if definition is None:
                issues.append(
                    PropertyIssue(
                        name,
                        "PROPERTY_DOESNT_EXIST",
                        messages.PROPERTY_DOESNT_EXIST.format(name=name),
                    )
                )
            elif definition.read_only:
                issues.append(
                    PropertyIssue(
                        name, "READ_ONLY_VALUE", messages.READ_ONLY_VALUE.format(name=name)
                    )
                )
            else:
                try:
                    stored[name] = self.check(name, _text(raw))
                except ValueRejected as rejected:
                    issues.append(PropertyIssue(name, rejected.code, rejected.message))
        return stored, issues

    def unique_values(self, properties: dict[str, str], namespace: str) -> set[str]:
        """Every value a record with these properties holds in a unique namespace."""
        out: set[str] = set()
        for name in self.unique:
            if self.object_type.unique_namespace(name) == namespace and properties.get(name):
                multi = name in self.object_type.multi_value_properties
                out.update(properties[name].split(";") if multi else [properties[name]])
        return out


def _text(value: PropertyValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class _Planned:
    """One valid upsert input, resolved to the key it is matched by."""

    input: UpsertInput
    id_property: str
    ref: tuple[str, str]  # (unique namespace, stored key value)
    values: dict[str, str]


class Records:
    def __init__(self, store: Store, clock: Clock, *, email_partial_upserts: bool = False) -> None:
        self.store = store
        self.clock = clock
        self.email_partial_upserts = email_partial_upserts
        self._schemas: dict[tuple[int, str], tuple[int, Schema]] = {}

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

    # Upsert

    async def batch_upsert(
        self, actor: Actor, object_type: ObjectType, inputs: Sequence[UpsertInput]
    ) -> UpsertOutcome:
        outcome = UpsertOutcome(started_at=self.clock.now_ms())
        if len(inputs) > MAX_BATCH:
            raise ValidationError(messages.BATCH_TOO_LARGE.format(limit=MAX_BATCH))
        if inputs:
            schema = await self.schema(actor.portal_id, object_type)
            planned = self._plan(actor, schema, inputs, outcome)
            if planned:
                await self._apply(actor, schema, planned, outcome)
        outcome.completed_at = self.clock.now_ms()
        return outcome

    def _plan(
        self,
        actor: Actor,
        schema: Schema,
        inputs: Sequence[UpsertInput],
        outcome: UpsertOutcome,
    ) -> list[_Planned]:
        """Validate the whole batch; return the inputs to write, or raise for the whole batch."""
        for item in inputs:
            self._check_id_property(actor, schema, item.id_property)
        _reject_duplicate_ids(schema, inputs)
        per_input = [self._validate(schema, item) for item in inputs]
        if not any(issues for _, issues in per_input):
            return [planned for planned, _ in per_input if planned]
        if not self._partial(schema, inputs):
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

    def _check_id_property(self, actor: Actor, schema: Schema, id_property: str | None) -> None:
        if not id_property:
            raise ValidationError(messages.ID_PROPERTY_REQUIRED)
        if id_property not in schema.definitions:
            message = messages.PROPERTY_DOESNT_EXIST.format(name=id_property)
            raise ValidationError(
                message,
                errors=[
                    ErrorDetail(message, "PROPERTY_DOESNT_EXIST", {"propertyName": [id_property]})
                ],
            )
        if (
            id_property not in schema.unique
            or id_property in schema.object_type.multi_value_properties
        ):
            raise ValidationError(
                messages.NON_UNIQUE_ID_PROPERTY.format(
                    type_id=schema.object_type.type_id, name=id_property, portal=actor.portal_id
                )
            )

    def _validate(
        self, schema: Schema, item: UpsertInput
    ) -> tuple[_Planned | None, list[PropertyIssue]]:
        assert item.id_property is not None
        values, issues = schema.issues(item.properties)
        try:
            key = schema.check(item.id_property, str(item.id))
        except ValueRejected as rejected:
            issues.insert(0, PropertyIssue(item.id_property, rejected.code, rejected.message))
            return None, issues
        ref = (schema.object_type.unique_namespace(item.id_property), key)
        return _Planned(item, item.id_property, ref, values), issues

    def _partial(self, schema: Schema, inputs: Sequence[UpsertInput]) -> bool:
        """Per-input failures (207) need a unique trace id on every input, and not email keys."""
        traces = [item.object_write_trace_id for item in inputs]
        if not all(traces) or len(set(traces)) != len(traces):
            return False
        email_keys = any(item.id_property in schema.object_type.email_properties for item in inputs)
        return self.email_partial_upserts or not email_keys

    async def _apply(
        self, actor: Actor, schema: Schema, planned: list[_Planned], outcome: UpsertOutcome
    ) -> None:
        clock = portal_clock(self.clock, actor.portal_id)  # the work may run on another thread

        async def upsert(tx: WriteTransaction) -> list[Upserted]:
            return await _upsert(tx, schema, planned, clock, actor)

        try:
            outcome.results += await self.store.transact(
                actor.portal_id, schema.object_type.type_id, upsert
            )
        except (WriteConflict, UniqueViolation):  # lost every retry to concurrent writers
            raise Locked(messages.WRITE_CONTENTION) from None

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
        if id_property:
            schema = await self.schema(portal_id, object_type)
            self._check_id_property(Actor(portal_id, ""), schema, id_property)
            try:
                key = schema.check(id_property, record_ref)
            except ValueRejected:
                raise ObjectNotFound(messages.NOT_FOUND) from None
            record = await self.store.record_by_unique(
                portal_id, object_type.type_id, object_type.unique_namespace(id_property), key
            )
        elif not record_ref.isdigit() or len(record_ref) > 18:
            raise ObjectNotFound(
                messages.OBJECT_NOT_FOUND_NON_NUMERIC, context={"id": [record_ref]}
            )
        else:
            record = await self.store.record(portal_id, object_type.type_id, int(record_ref))
        if record is None or record.archived != archived:
            raise ObjectNotFound(messages.NOT_FOUND)
        return record

    async def history(
        self, portal_id: int, object_type: ObjectType, record: Record, names: Iterable[str]
    ) -> dict[str, list[HistoryEntry]]:
        return await self.store.history(portal_id, object_type.type_id, record.record_id, names)


async def _upsert(
    tx: WriteTransaction, schema: Schema, planned: list[_Planned], clock: Clock, actor: Actor
) -> list[Upserted]:
    """Create or update the record each planned input names, in one transaction."""
    object_type = schema.object_type
    matched = await _match(tx, object_type, planned)
    existing = await tx.records(set(matched.values()))
    # Read the clock once the records are ours: concurrent writers of a record then stamp its
    # history in the order they commit.
    now = clock.now_ms()
    creates = sum(1 for item in planned if item.ref not in matched)
    new_ids = iter(await tx.allocate_ids(creates) if creates else [])
    states: dict[int, Record] = dict(existing)
    writes: dict[int, RecordWrite] = {}
    results = []
    for item in planned:
        record_id = matched.get(item.ref)
        if record_id is None:
            record_id = matched[item.ref] = next(new_ids)
            # The key is stored in the id property of the new record, whatever else is sent.
            values = {**item.values, item.id_property: item.ref[1]}
            write = _write(object_type, None, record_id, values, now, actor)
        else:
            write = _write(object_type, states[record_id], record_id, item.values, now, actor)
        _merge(writes, write)
        states[record_id] = write.record
        results.append(Upserted(write.record, write.is_new, item.input.object_write_trace_id))
    changed = [w for w in writes.values() if w.history]
    _claim_unique_values(schema, changed, existing)
    await _check_holders(tx, schema, changed)
    await tx.save(changed)
    return results


def _reject_duplicate_ids(schema: Schema, inputs: Sequence[UpsertInput]) -> None:
    """Two inputs naming one key fail the whole batch; emails compare case-insensitively."""
    seen: set[tuple[str, str]] = set()
    duplicates: list[str] = []
    for item in inputs:
        assert item.id_property is not None
        raw = str(item.id)
        folded = (
            raw.strip().lower() if item.id_property in schema.object_type.email_properties else raw
        )
        ref = (schema.object_type.unique_namespace(item.id_property), folded)
        if ref in seen and raw not in duplicates:
            duplicates.append(raw)
        seen.add(ref)
    if duplicates:
        raise ValidationError(
            messages.DUPLICATE_IDS.format(ids=", ".join(duplicates)), context={"ids": duplicates}
        )


async def _match(
    tx: WriteTransaction, object_type: ObjectType, planned: list[_Planned]
) -> dict[tuple[str, str], int]:
    """The live record each input's key already belongs to."""
    by_namespace: dict[str, list[str]] = {}
    for item in planned:
        by_namespace.setdefault(item.ref[0], []).append(item.ref[1])
    matched: dict[tuple[str, str], int] = {}
    for namespace, keys in by_namespace.items():
        for key, record_id in (await tx.holders(namespace, keys)).items():
            matched[(namespace, key)] = record_id
    return matched


def _write(
    object_type: ObjectType,
    old: Record | None,
    record_id: int,
    values: dict[str, str],
    now: int,
    actor: Actor,
) -> RecordWrite:
    """The record after writing `values` (an empty string clears); unchanged values are no-ops."""
    before = old.properties if old else {}
    changed = {name: value for name, value in values.items() if before.get(name, "") != value}
    if old is not None and not changed:
        return RecordWrite(old, is_new=False)
    stamp = format_ms(now)
    system = {object_type.modified_property: stamp}
    if old is None:
        system |= {object_type.created_property: stamp, object_type.id_property: str(record_id)}
    after = {name: value for name, value in (before | changed).items() if value != ""}
    after |= system
    history = [
        HistoryEntry(name, value, now, SOURCE_TYPE, actor.source_id)
        for name, value in (changed | system).items()
    ]
    record = Record(record_id, after, old.created_at if old else now, now)
    return RecordWrite(record, is_new=old is None, history=history)


def _merge(writes: dict[int, RecordWrite], write: RecordWrite) -> None:
    """Fold a second write of one record in the same batch into the first."""
    earlier = writes.get(write.record.record_id)
    if earlier is None:
        writes[write.record.record_id] = write
    else:
        earlier.record = write.record
        earlier.history.extend(write.history)


def _claim_unique_values(
    schema: Schema, writes: list[RecordWrite], before: dict[int, Record]
) -> None:
    """Record on each write the unique values it now holds; two writes claiming one → 409."""
    claimed: dict[tuple[str, str], int] = {}
    namespaces = {schema.object_type.unique_namespace(name) for name in schema.unique}
    for write in writes:
        old = before.get(write.record.record_id)
        for namespace in namespaces:
            values = schema.unique_values(write.record.properties, namespace)
            if old is not None and values == schema.unique_values(old.properties, namespace):
                continue
            write.unique_values[namespace] = values
            for value in values:
                holder = claimed.setdefault((namespace, value), write.record.record_id)
                if holder != write.record.record_id:
                    raise _conflict(schema.object_type, holder)


async def _check_holders(tx: WriteTransaction, schema: Schema, writes: list[RecordWrite]) -> None:
    """A claimed value held by a record outside this batch (or kept by it) is a 409."""
    by_id = {write.record.record_id: write for write in writes}
    wanted: dict[str, set[str]] = {}
    for write in writes:
        for namespace, values in write.unique_values.items():
            wanted.setdefault(namespace, set()).update(values)
    for namespace, values in wanted.items():
        for value, holder in (await tx.holders(namespace, values)).items():
            holder_write = by_id.get(holder)
            released = holder_write is not None and value not in holder_write.unique_values.get(
                namespace, {value}
            )
            claimant = next(w for w in writes if value in w.unique_values.get(namespace, set()))
            if holder != claimant.record.record_id and not released:
                raise _conflict(schema.object_type, holder)


def _conflict(object_type: ObjectType, holder: int) -> Conflict:
    return Conflict(messages.RECORD_EXISTS.format(label=object_type.label, id=holder))
