"""The pipelines API's domain: deal and ticket pipelines, their stages, and checking the pipeline
and stage a record names.

A portal's pipelines of a type are seeded with HubSpot's defaults (data/pipelines.json) the first
time anything reads them, so a new portal and a reset portal both start from the defaults.
Archiving keeps a pipeline or stage (its id is never reused) but hides it from reads and from
the values records may take.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import TypeVar

import msgspec

from hubcrm.domain.clock import Clock, format_ms, portal_clock
from hubcrm.domain.objects import ObjectType
from hubcrm.domain.owners import Owners
from hubcrm.domain.records import Records
from hubcrm.domain.records.references import Check
from hubcrm.domain.records.schema import Schema
from hubcrm.protocol import messages
from hubcrm.protocol import pipelines as wire
from hubcrm.protocol.errors import Conflict, ObjectNotFound, PropertyIssue, ValidationError
from hubcrm.protocol.wire import Filter, FilterGroup, SearchRequest
from hubcrm.store.base import Pipeline, PipelineAudit, PipelineStage, Store


@dataclass(frozen=True)
class PipelineKind:
    """How one object type's records name their pipeline and stage."""

    seed_key: str  # its key in data/pipelines.json
    pipeline_property: str
    stage_property: str
    # The query parameter that asks for an in-use check before a pipeline or stage is archived.
    validate_param: str


KINDS = {
    "0-3": PipelineKind("deals", "pipeline", "dealstage", "validateDealStageUsagesBeforeDelete"),
    "0-5": PipelineKind(
        "tickets", "hs_pipeline", "hs_pipeline_stage", "validateReferencesBeforeDelete"
    ),
}
T = TypeVar("T")
MetadataValue = str | int | float | bool
WRITE_PERMISSIONS = "CRM_PERMISSIONS_ENFORCEMENT"
# New pipelines and stages get numeric ids from here up: clear of the default ticket
# pipeline's "0" and stages "1" to "4", and as long as the ids HubSpot gives.
FIRST_NEW_ID = 100_000_001
# How many records in a pipeline or stage: (portal, type, property, value) -> count.
Usage = Callable[[int, ObjectType, str, str], Awaitable[int]]


def kind_of(object_type: ObjectType) -> PipelineKind:
    kind = KINDS.get(object_type.type_id)
    if kind is None:
        raise ValidationError(messages.NO_PIPELINES.format(name=object_type.name))
    return kind


class Pipelines:
    def __init__(self, store: Store, clock: Clock, usage: Usage) -> None:
        self.store = store
        self.clock = clock
        self.usage = usage

    # Reads

    async def listing(self, portal_id: int, object_type: ObjectType) -> list[Pipeline]:
        pipelines = await self._all(portal_id, object_type)
        return [live_only(p) for p in pipelines if p.archived_at is None]

    async def get(self, portal_id: int, object_type: ObjectType, pipeline_id: str) -> Pipeline:
        return live_only(await self._live(portal_id, object_type, pipeline_id))

    async def stage(
        self, portal_id: int, object_type: ObjectType, pipeline_id: str, stage_id: str
    ) -> PipelineStage:
        return _any_stage(
            object_type, await self._live(portal_id, object_type, pipeline_id), stage_id
        )

    async def audit(
        self, portal_id: int, object_type: ObjectType, pipeline_id: str, stage_id: str | None
    ) -> list[PipelineAudit]:
        pipeline = await self._any(portal_id, object_type, pipeline_id)
        if stage_id is not None and not any(s.stage_id == stage_id for s in pipeline.stages):
            raise _stage_not_found(object_type, pipeline_id, stage_id)
        return await self.store.pipeline_audits(
            portal_id, object_type.type_id, pipeline_id, stage_id
        )

    # Pipelines

    async def create(
        self, portal_id: int, object_type: ObjectType, spec: wire.PipelineInput
    ) -> Pipeline:
        pipelines = await self._all(portal_id, object_type)
        _check_label(object_type, pipelines, spec.label, None)
        ids = await self._ids(portal_id, object_type, 1 + len(spec.stages))
        now = self._now(portal_id)
        pipeline = Pipeline(
            pipeline_id=ids[0],
            label=spec.label,
            display_order=spec.display_order,
            stages=_new_stages(object_type, spec.stages, ids[1:], now),
            created_at=now,
            updated_at=now,
        )
        await self._save(portal_id, object_type, pipeline, "CREATE", "")
        return pipeline

    async def replace(
        self,
        portal_id: int,
        object_type: ObjectType,
        pipeline_id: str,
        spec: wire.PipelineInput,
        validate: bool,
    ) -> Pipeline:
        """PUT: new label, order and stages; the stages it had are archived."""
        current = await self._live(portal_id, object_type, pipeline_id)
        _check_label(object_type, await self._all(portal_id, object_type), spec.label, pipeline_id)
        _new_stages(object_type, spec.stages, [""] * len(spec.stages), 0)  # check them first
        if validate:
            for stage in _live_stages(current):
                await self._check_unused(portal_id, object_type, stage.stage_id, stage=True)
        ids = await self._ids(portal_id, object_type, len(spec.stages))
        now = self._now(portal_id)
        gone = tuple(_archived(s, now) if s.archived_at is None else s for s in current.stages)
        pipeline = replace(
            current,
            label=spec.label,
            display_order=spec.display_order,
            stages=gone + _new_stages(object_type, spec.stages, ids, now),
            updated_at=now,
        )
        await self._save(portal_id, object_type, pipeline, "UPDATE", "")
        return live_only(pipeline)

    async def update(
        self,
        portal_id: int,
        object_type: ObjectType,
        pipeline_id: str,
        patch: wire.PipelinePatch,
        validate: bool,
    ) -> Pipeline:
        pipelines = await self._all(portal_id, object_type)
        current = _find(object_type, pipelines, pipeline_id, archived=patch.archived is False)
        if patch.archived:
            return await self._archive(portal_id, object_type, pipelines, current, validate)
        label = current.label if patch.label is None else patch.label
        _check_label(object_type, pipelines, label, pipeline_id)
        pipeline = replace(
            current,
            label=label,
            display_order=_or(patch.display_order, current.display_order),
            updated_at=self._now(portal_id),
            archived_at=None,
        )
        await self._save(portal_id, object_type, pipeline, "UPDATE", "")
        return live_only(pipeline)

    async def archive(
        self, portal_id: int, object_type: ObjectType, pipeline_id: str, validate: bool
    ) -> None:
        pipelines = await self._all(portal_id, object_type)
        current = _find(object_type, pipelines, pipeline_id)
        await self._archive(portal_id, object_type, pipelines, current, validate)

    async def _archive(
        self,
        portal_id: int,
        object_type: ObjectType,
        pipelines: list[Pipeline],
        current: Pipeline,
        validate: bool,
    ) -> Pipeline:
        if current.archived_at is not None:
            return live_only(current)
        if sum(1 for p in pipelines if p.archived_at is None) == 1:
            raise ValidationError(messages.LAST_PIPELINE.format(type_id=object_type.type_id))
        if validate:
            await self._check_unused(portal_id, object_type, current.pipeline_id, stage=False)
        now = self._now(portal_id)
        archived = replace(current, updated_at=now, archived_at=now)
        await self._save(portal_id, object_type, archived, "DELETE", "")
        return live_only(archived)

    # Stages

    async def create_stage(
        self, portal_id: int, object_type: ObjectType, pipeline_id: str, spec: wire.StageInput
    ) -> PipelineStage:
        current = await self._live(portal_id, object_type, pipeline_id)
        _check_stage_labels(object_type, [*(s.label for s in _live_stages(current)), spec.label])
        (stage_id,) = await self._ids(portal_id, object_type, 1)
        now = self._now(portal_id)
        (stage,) = _new_stages(object_type, [spec], [stage_id], now)
        pipeline = replace(current, stages=(*current.stages, stage), updated_at=now)
        await self._save(portal_id, object_type, pipeline, "CREATE", stage_id)
        return stage

    async def replace_stage(
        self,
        portal_id: int,
        object_type: ObjectType,
        pipeline_id: str,
        stage_id: str,
        spec: wire.StageInput,
    ) -> PipelineStage:
        patch = wire.StagePatch(
            label=spec.label, display_order=spec.display_order, metadata=spec.metadata
        )
        return await self.update_stage(
            portal_id, object_type, pipeline_id, stage_id, patch, validate=False
        )

    async def update_stage(
        self,
        portal_id: int,
        object_type: ObjectType,
        pipeline_id: str,
        stage_id: str,
        patch: wire.StagePatch,
        validate: bool,
    ) -> PipelineStage:
        current = await self._live(portal_id, object_type, pipeline_id)
        stage = _any_stage(object_type, current, stage_id, archived=patch.archived is False)
        if patch.archived:
            return await self._archive_stage(portal_id, object_type, current, stage, validate)
        label = _or(patch.label, stage.label)
        others = [s.label for s in _live_stages(current) if s.stage_id != stage_id]
        _check_stage_labels(object_type, [*others, label])
        metadata: Mapping[str, MetadataValue] = (
            stage.metadata if patch.metadata is None else patch.metadata
        )
        now = self._now(portal_id)
        changed = replace(
            stage,
            label=label,
            display_order=_or(patch.display_order, stage.display_order),
            metadata=_metadata(object_type, label, metadata),
            updated_at=now,
            archived_at=None,
        )
        await self._save_stage(portal_id, object_type, current, changed, "UPDATE", now)
        return changed

    async def archive_stage(
        self,
        portal_id: int,
        object_type: ObjectType,
        pipeline_id: str,
        stage_id: str,
        validate: bool,
    ) -> None:
        current = await self._live(portal_id, object_type, pipeline_id)
        stage = _any_stage(object_type, current, stage_id)
        await self._archive_stage(portal_id, object_type, current, stage, validate)

    async def _archive_stage(
        self,
        portal_id: int,
        object_type: ObjectType,
        pipeline: Pipeline,
        stage: PipelineStage,
        validate: bool,
    ) -> PipelineStage:
        if stage.archived_at is not None:
            return stage
        if len(_live_stages(pipeline)) == 1:
            raise ValidationError(messages.LAST_STAGE.format(pipeline=pipeline.pipeline_id))
        if validate:
            await self._check_unused(portal_id, object_type, stage.stage_id, stage=True)
        now = self._now(portal_id)
        archived = _archived(stage, now)
        await self._save_stage(portal_id, object_type, pipeline, archived, "DELETE", now)
        return archived

    # Checking what records name

    async def check_loader(self, portal_id: int, schema: Schema, names: set[str]) -> Check | None:
        """A check of the pipeline and stage values of a batch naming either property."""
        kind = KINDS.get(schema.object_type.type_id)
        if kind is None or not names & {kind.pipeline_property, kind.stage_property}:
            return None
        live = {p.pipeline_id: p for p in await self.listing(portal_id, schema.object_type)}
        return StageCheck(kind, live)

    # Helpers

    async def _all(self, portal_id: int, object_type: ObjectType) -> list[Pipeline]:
        kind = kind_of(object_type)
        found = await self.store.pipelines(portal_id, object_type.type_id)
        if found is None:
            await self.store.seed_pipelines(
                portal_id, object_type.type_id, default_pipelines(kind.seed_key), FIRST_NEW_ID
            )
            found = await self.store.pipelines(portal_id, object_type.type_id) or []
        return sorted(found, key=lambda p: (p.display_order, p.label, p.pipeline_id))

    async def _any(self, portal_id: int, object_type: ObjectType, pipeline_id: str) -> Pipeline:
        pipelines = await self._all(portal_id, object_type)
        return _find(object_type, pipelines, pipeline_id, archived=True)

    async def _live(self, portal_id: int, object_type: ObjectType, pipeline_id: str) -> Pipeline:
        return _find(object_type, await self._all(portal_id, object_type), pipeline_id)

    async def _ids(self, portal_id: int, object_type: ObjectType, count: int) -> list[str]:
        ids = await self.store.allocate_pipeline_ids(portal_id, object_type.type_id, count)
        return [str(i) for i in ids]

    async def _check_unused(
        self, portal_id: int, object_type: ObjectType, value: str, *, stage: bool
    ) -> None:
        kind = kind_of(object_type)
        name = kind.stage_property if stage else kind.pipeline_property
        count = await self.usage(portal_id, object_type, name, value)
        if count:
            text = messages.STAGE_IN_USE if stage else messages.PIPELINE_IN_USE
            raise ValidationError(
                text.format(id=value, count=count, type_id=object_type.type_id).replace(
                    "validateReferencesBeforeDelete", kind.validate_param
                )
            )

    def _now(self, portal_id: int) -> int:
        return portal_clock(self.clock, portal_id).now_ms()

    async def _save(
        self, portal_id: int, object_type: ObjectType, pipeline: Pipeline, action: str, stage: str
    ) -> None:
        raw = msgspec.json.encode(pipeline_wire(live_only(pipeline))).decode()
        audit = PipelineAudit(pipeline.pipeline_id, stage, action, pipeline.updated_at, raw)
        await self.store.save_pipeline(portal_id, object_type.type_id, pipeline, [audit])

    async def _save_stage(
        self,
        portal_id: int,
        object_type: ObjectType,
        pipeline: Pipeline,
        stage: PipelineStage,
        action: str,
        now: int,
    ) -> None:
        stages = tuple(stage if s.stage_id == stage.stage_id else s for s in pipeline.stages)
        changed = replace(pipeline, stages=stages, updated_at=now)
        raw = msgspec.json.encode(stage_wire(stage)).decode()
        audit = PipelineAudit(pipeline.pipeline_id, stage.stage_id, action, now, raw)
        await self.store.save_pipeline(portal_id, object_type.type_id, changed, [audit])


class StageCheck:
    """Checks a record's pipeline and stage against the portal's live pipelines.

    A stage named without its pipeline belongs to the pipeline that has it, and the record is
    put in that pipeline (on create that is HubSpot's default-pipeline rule whenever the stage is
    the default pipeline's).
    """

    def __init__(self, kind: PipelineKind, live: dict[str, Pipeline]) -> None:
        self.kind = kind
        self.live = live
        self.owner = {s.stage_id: p.pipeline_id for p in live.values() for s in _live_stages(p)}

    def __call__(self, values: dict[str, str]) -> list[PropertyIssue]:
        pipeline_name, stage_name = self.kind.pipeline_property, self.kind.stage_property
        pipeline_id, stage_id = values.get(pipeline_name), values.get(stage_name)
        if pipeline_id and pipeline_id not in self.live:
            options = ", ".join(self.live)
            message = messages.INVALID_PIPELINE.format(value=pipeline_id, options=options)
            return [PropertyIssue(pipeline_name, "INVALID_OPTION", message)]
        if not stage_id:
            return []
        if not pipeline_id and stage_id in self.owner:
            values[pipeline_name] = self.owner[stage_id]
            return []
        stages = [
            s.stage_id
            for p in ([self.live[pipeline_id]] if pipeline_id else self.live.values())
            for s in _live_stages(p)
        ]
        if stage_id in stages:
            return []
        message = messages.INVALID_STAGE.format(value=stage_id, options=", ".join(stages))
        return [PropertyIssue(stage_name, "INVALID_OPTION", message)]


# Wire shapes


def _moment(ms: int) -> str:
    # HubSpot's default pipelines answer the epoch without milliseconds (recorded).
    return "1970-01-01T00:00:00Z" if ms == 0 else format_ms(ms)


def stage_wire(stage: PipelineStage) -> wire.PipelineStage:
    return wire.PipelineStage(
        label=stage.label,
        display_order=stage.display_order,
        metadata=stage.metadata,
        id=stage.stage_id,
        created_at=_moment(stage.created_at),
        updated_at=_moment(stage.updated_at),
        archived=stage.archived_at is not None,
        write_permissions=stage.write_permissions,
        archived_at=None if stage.archived_at is None else _moment(stage.archived_at),
    )


def pipeline_wire(pipeline: Pipeline) -> wire.Pipeline:
    return wire.Pipeline(
        label=pipeline.label,
        display_order=pipeline.display_order,
        id=pipeline.pipeline_id,
        stages=[stage_wire(s) for s in pipeline.stages],
        created_at=_moment(pipeline.created_at),
        updated_at=_moment(pipeline.updated_at),
        archived=pipeline.archived_at is not None,
        archived_at=None if pipeline.archived_at is None else _moment(pipeline.archived_at),
    )


def audit_wire(portal_id: int, audit: PipelineAudit) -> wire.AuditInfo:
    return wire.AuditInfo(
        identifier=audit.stage_id or audit.pipeline_id,
        raw_object=json.loads(audit.raw_object),
        portal_id=portal_id,
        action=audit.action,
        timestamp=format_ms(audit.timestamp),
    )


# Pure helpers


@cache
def default_pipelines(seed_key: str) -> list[Pipeline]:
    """HubSpot's default pipelines of a type, created at the epoch as HubSpot's are."""
    raw = json.loads(resources.files("hubcrm.data").joinpath("pipelines.json").read_text())
    return [
        Pipeline(
            pipeline_id=p["id"],
            label=p["label"],
            display_order=p["displayOrder"],
            stages=tuple(
                PipelineStage(
                    stage_id=s["id"],
                    label=s["label"],
                    display_order=s["displayOrder"],
                    metadata=dict(s.get("metadata", {})),
                    write_permissions=WRITE_PERMISSIONS,
                    created_at=0,
                    updated_at=0,
                )
                for s in p["stages"]
            ),
            created_at=0,
            updated_at=0,
        )
        for p in raw.get(seed_key, [])
    ]


def live_only(pipeline: Pipeline) -> Pipeline:
    return replace(pipeline, stages=_live_stages(pipeline))


def _live_stages(pipeline: Pipeline) -> tuple[PipelineStage, ...]:
    live = [s for s in pipeline.stages if s.archived_at is None]
    return tuple(sorted(live, key=lambda s: (s.display_order, s.label, s.stage_id)))


def _find(
    object_type: ObjectType, pipelines: list[Pipeline], pipeline_id: str, archived: bool = False
) -> Pipeline:
    for pipeline in pipelines:
        if pipeline.pipeline_id == pipeline_id and (archived or pipeline.archived_at is None):
            return pipeline
    raise ObjectNotFound(
        messages.PIPELINE_NOT_FOUND.format(id=pipeline_id, type_id=object_type.type_id)
    )


def _any_stage(
    object_type: ObjectType, pipeline: Pipeline, stage_id: str, archived: bool = False
) -> PipelineStage:
    for stage in pipeline.stages:
        if stage.stage_id == stage_id and (archived or stage.archived_at is None):
            return stage
    raise _stage_not_found(object_type, pipeline.pipeline_id, stage_id)


def _stage_not_found(object_type: ObjectType, pipeline_id: str, stage_id: str) -> ObjectNotFound:
    return ObjectNotFound(
        messages.STAGE_NOT_FOUND.format(
            id=stage_id, pipeline=pipeline_id, type_id=object_type.type_id
        )
    )


def _check_label(
    object_type: ObjectType, pipelines: list[Pipeline], label: str, own_id: str | None
) -> None:
    for pipeline in pipelines:
        if (
            pipeline.archived_at is None
            and pipeline.pipeline_id != own_id
            and pipeline.label.casefold() == label.casefold()
        ):
            raise Conflict(
                messages.PIPELINE_LABEL_TAKEN.format(label=label, type_id=object_type.type_id)
            )


def _check_stage_labels(object_type: ObjectType, labels: list[str]) -> None:
    seen: set[str] = set()
    for label in labels:
        if label.casefold() in seen:
            raise ValidationError(messages.STAGE_LABEL_TAKEN.format(label=label))
        seen.add(label.casefold())


def _new_stages(
    object_type: ObjectType, specs: list[wire.StageInput], ids: list[str], now: int
) -> tuple[PipelineStage, ...]:
    if not specs:
        raise ValidationError(messages.PIPELINE_NEEDS_STAGE)
    _check_stage_labels(object_type, [s.label for s in specs])
    return tuple(
        PipelineStage(
            stage_id=stage_id,
            label=spec.label,
            display_order=spec.display_order,
            metadata=_metadata(object_type, spec.label, spec.metadata),
            write_permissions=WRITE_PERMISSIONS,
            created_at=now,
            updated_at=now,
        )
        for spec, stage_id in zip(specs, ids, strict=True)
    )


def _metadata(
    object_type: ObjectType, label: str, given: Mapping[str, MetadataValue]
) -> dict[str, str]:
    """Deal stages need a probability, ticket stages may have a ticketState; isClosed follows."""
    metadata = {k: _text(v) for k, v in given.items()}
    if object_type.type_id == "0-3":
        raw = metadata.get("probability", "")
        try:
            probability = Decimal(raw)
        except InvalidOperation:
            probability = Decimal(-1)
        if not probability.is_finite() or not 0 <= probability <= 1 or probability * 10 % 1:
            raise ValidationError(
                messages.DEAL_STAGE_PROBABILITY.format(label=label, value=raw or "nothing")
            )
        metadata["probability"] = str(abs(probability).quantize(Decimal("0.1")))
        # HubSpot: 0.0 is closed lost and 1.0 closed won.
        metadata.setdefault("isClosed", "true" if probability in (0, 1) else "false")
    elif object_type.type_id == "0-5":
        state = metadata.get("ticketState")
        if state is not None and state not in ("OPEN", "CLOSED"):
            raise ValidationError(messages.TICKET_STATE.format(label=label, value=state))
        metadata.setdefault("isClosed", "true" if state == "CLOSED" else "false")
    return metadata


def _text(value: MetadataValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _archived(stage: PipelineStage, now: int) -> PipelineStage:
    return replace(stage, updated_at=now, archived_at=now)


def _or(value: T | None, default: T) -> T:
    return default if value is None else value


def counted_by_search(records: Records) -> Usage:
    """How many live records hold a value, as search finds them (caught up first)."""

    async def count(portal_id: int, object_type: ObjectType, name: str, value: str) -> int:
        condition = Filter(property_name=name, operator="EQ", value=value)
        request = SearchRequest(filter_groups=[FilterGroup(filters=[condition])], limit=1)
        return (await records.search(portal_id, object_type, request)).total

    return count


def check_references(records: Records) -> tuple[Pipelines, Owners]:
    """The pipelines and owners services over the records' store, and the records service
    checking the pipelines, stages and owners its writes name against them."""
    pipelines = Pipelines(records.store, records.clock, counted_by_search(records))
    owners = Owners(records.store, records.clock)
    records.reference_checks = (pipelines.check_loader, owners.check_loader)
    return pipelines, owners
