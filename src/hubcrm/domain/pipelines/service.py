"""The pipelines API's domain service, and wiring the checks of records' pipelines, stages and
owners into the records service."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import msgspec

from hubcrm.domain.clock import Clock, portal_clock
from hubcrm.domain.objects import ObjectType
from hubcrm.domain.owners import Owners
from hubcrm.domain.pipelines import stages
from hubcrm.domain.pipelines.kinds import (
    FIRST_NEW_ID,
    KINDS,
    MetadataValue,
    Usage,
    kind_of,
)
from hubcrm.domain.pipelines.stages import (
    StageCheck,
    default_pipelines,
    live_only,
    pipeline_wire,
    stage_wire,
)
from hubcrm.domain.records import Records
from hubcrm.domain.records.references import Check
from hubcrm.domain.records.schema import Schema
from hubcrm.protocol import messages
from hubcrm.protocol import pipelines as wire
from hubcrm.protocol.errors import ValidationError
from hubcrm.protocol.wire import Filter, FilterGroup, SearchRequest
from hubcrm.store.base import Pipeline, PipelineAudit, PipelineStage, Store


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
        return stages.any_stage(
            object_type, await self._live(portal_id, object_type, pipeline_id), stage_id
        )

    async def audit(
        self, portal_id: int, object_type: ObjectType, pipeline_id: str, stage_id: str | None
    ) -> list[PipelineAudit]:
        pipeline = await self._any(portal_id, object_type, pipeline_id)
        if stage_id is not None and not any(s.stage_id == stage_id for s in pipeline.stages):
            raise stages.stage_not_found(object_type, pipeline_id, stage_id)
        return await self.store.pipeline_audits(
            portal_id, object_type.type_id, pipeline_id, stage_id
        )

    # Pipelines

    async def create(
        self, portal_id: int, object_type: ObjectType, spec: wire.PipelineInput
    ) -> Pipeline:
        pipelines = await self._all(portal_id, object_type)
        stages.check_label(object_type, pipelines, spec.label, None)
        ids = await self._ids(portal_id, object_type, 1 + len(spec.stages))
        now = self._now(portal_id)
        pipeline = Pipeline(
            pipeline_id=ids[0],
            label=spec.label,
            display_order=spec.display_order,
            stages=stages.new_stages(object_type, spec.stages, ids[1:], now),
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
        stages.check_label(
            object_type, await self._all(portal_id, object_type), spec.label, pipeline_id
        )
        stages.new_stages(object_type, spec.stages, [""] * len(spec.stages), 0)  # check them first
        if validate:
            for stage in stages.live_stages(current):
                await self._check_unused(portal_id, object_type, stage.stage_id, stage=True)
        ids = await self._ids(portal_id, object_type, len(spec.stages))
        now = self._now(portal_id)
        gone = tuple(
            stages.archived(s, now) if s.archived_at is None else s for s in current.stages
        )
        pipeline = replace(
            current,
            label=spec.label,
            display_order=spec.display_order,
            stages=gone + stages.new_stages(object_type, spec.stages, ids, now),
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
        current = stages.find(object_type, pipelines, pipeline_id, archived=patch.archived is False)
        if patch.archived:
            return await self._archive(portal_id, object_type, pipelines, current, validate)
        label = current.label if patch.label is None else patch.label
        stages.check_label(object_type, pipelines, label, pipeline_id)
        pipeline = replace(
            current,
            label=label,
            display_order=stages.or_else(patch.display_order, current.display_order),
            updated_at=self._now(portal_id),
            archived_at=None,
        )
        await self._save(portal_id, object_type, pipeline, "UPDATE", "")
        return live_only(pipeline)

    async def archive(
        self, portal_id: int, object_type: ObjectType, pipeline_id: str, validate: bool
    ) -> None:
        pipelines = await self._all(portal_id, object_type)
        current = stages.find(object_type, pipelines, pipeline_id)
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
        stages.check_stage_labels(
            object_type, [*(s.label for s in stages.live_stages(current)), spec.label]
        )
        (stage_id,) = await self._ids(portal_id, object_type, 1)
        now = self._now(portal_id)
        (stage,) = stages.new_stages(object_type, [spec], [stage_id], now)
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
        stage = stages.any_stage(object_type, current, stage_id, archived=patch.archived is False)
        if patch.archived:
            return await self._archive_stage(portal_id, object_type, current, stage, validate)
        label = stages.or_else(patch.label, stage.label)
        others = [s.label for s in stages.live_stages(current) if s.stage_id != stage_id]
        stages.check_stage_labels(object_type, [*others, label])
        metadata: Mapping[str, MetadataValue] = (
            stage.metadata if patch.metadata is None else patch.metadata
        )
        now = self._now(portal_id)
        changed = replace(
            stage,
            label=label,
            display_order=stages.or_else(patch.display_order, stage.display_order),
            metadata=stages.metadata(object_type, label, metadata),
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
        stage = stages.any_stage(object_type, current, stage_id)
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
        if len(stages.live_stages(pipeline)) == 1:
            raise ValidationError(messages.LAST_STAGE.format(pipeline=pipeline.pipeline_id))
        if validate:
            await self._check_unused(portal_id, object_type, stage.stage_id, stage=True)
        now = self._now(portal_id)
        archived = stages.archived(stage, now)
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
        return stages.find(object_type, pipelines, pipeline_id, archived=True)

    async def _live(self, portal_id: int, object_type: ObjectType, pipeline_id: str) -> Pipeline:
        return stages.find(object_type, await self._all(portal_id, object_type), pipeline_id)

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
        kept = tuple(stage if s.stage_id == stage.stage_id else s for s in pipeline.stages)
        changed = replace(pipeline, stages=kept, updated_at=now)
        raw = msgspec.json.encode(stage_wire(stage)).decode()
        audit = PipelineAudit(pipeline.pipeline_id, stage.stage_id, action, now, raw)
        await self.store.save_pipeline(portal_id, object_type.type_id, changed, [audit])


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
