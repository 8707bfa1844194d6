"""Validating a batch before anything is written, and resolving each input to its record."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hubcrm.domain.objects import ObjectType
from hubcrm.domain.records import writes
from hubcrm.domain.records.schema import Schema
from hubcrm.domain.records.writes import Actor, UpsertOutcome
from hubcrm.domain.values import ValueRejected
from hubcrm.protocol import messages
from hubcrm.protocol.errors import (
    PropertyIssue,
    PropertyValuesInvalid,
    ValidationError,
)
from hubcrm.protocol.wire import CreateInput, UpdateInput, UpsertInput

MAX_BATCH = 100


@dataclass
class Planned:
    """One valid input, resolved to how it finds its record."""

    raw_id: str
    values: dict[str, str]
    trace_id: str | None
    ref: tuple[str, str] | None = None  # (unique namespace, stored key value)
    record_id: int | None = None  # an update by record id
    id_property: str | None = None  # an upsert stores its key here on create
    create: bool = False  # create when no record is found


# How a batch operation turns one input, its values checked, into a planned write.
Resolver = Callable[
    [Schema, object, dict[str, str], list[PropertyIssue]],
    tuple[Planned | None, list[PropertyIssue]],
]


def plan(
    actor: Actor,
    schema: Schema,
    inputs: Sequence[UpsertInput | CreateInput | UpdateInput],
    outcome: UpsertOutcome,
    partial: bool,
    resolve: Resolver,
) -> list[Planned]:
    """Validate the whole batch; return the inputs to write, or raise for the whole batch."""
    per_input: list[tuple[Planned | None, list[PropertyIssue]]] = []
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


def keyed(
    schema: Schema, item: object, values: dict[str, str], issues: list[PropertyIssue]
) -> tuple[Planned | None, list[PropertyIssue]]:
    assert isinstance(item, UpsertInput)
    assert item.id_property is not None
    try:
        ref = schema.key(item.id_property, str(item.id))
    except ValueRejected as rejected:
        issues.insert(0, PropertyIssue(item.id_property, rejected.code, rejected.message))
        return None, issues
    planned = Planned(
        str(item.id),
        values,
        item.object_write_trace_id,
        ref=ref,
        id_property=item.id_property,
        create=True,
    )
    return planned, issues


def created(
    schema: Schema, item: object, values: dict[str, str], issues: list[PropertyIssue]
) -> tuple[Planned | None, list[PropertyIssue]]:
    assert isinstance(item, CreateInput)
    if not issues:  # a required value that is invalid is reported as invalid, not missing
        writes.check_required(schema.object_type, values)
    return Planned("", values, item.object_write_trace_id, create=True), issues


def targeted(
    schema: Schema, item: object, values: dict[str, str], issues: list[PropertyIssue]
) -> tuple[Planned | None, list[PropertyIssue]]:
    assert isinstance(item, UpdateInput)
    raw = str(item.id)
    planned = Planned(raw, values, item.object_write_trace_id)
    if item.id_property and item.id_property != schema.object_type.id_property:
        try:
            planned.ref = schema.key(item.id_property, raw)
        except ValueRejected:
            planned.ref = (schema.object_type.unique_namespace(item.id_property), "")
    else:
        planned.record_id = int(raw) if is_record_id(raw) else 0
    return planned, issues


def check_size(inputs: Sequence[object]) -> None:
    if len(inputs) > MAX_BATCH:
        raise ValidationError(messages.BATCH_TOO_LARGE.format(limit=MAX_BATCH))


def traced(inputs: Sequence[UpsertInput | CreateInput | UpdateInput]) -> bool:
    """Per-input failures (207) need a unique, non-empty trace id on every input."""
    traces = [item.object_write_trace_id for item in inputs]
    return all(traces) and len(set(traces)) == len(traces)


def namespace(object_type: ObjectType, id_property: str | None) -> str:
    if not id_property or id_property == object_type.id_property:
        return object_type.id_property
    return object_type.unique_namespace(id_property)


def is_record_id(ref: str) -> bool:
    return ref.isdigit() and ref.isascii() and len(ref) <= 18
