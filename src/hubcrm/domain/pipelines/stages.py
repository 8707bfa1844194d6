"""Pipelines and stages as values: the defaults, checks of labels and metadata, the stage a
record names, and their wire shapes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources

from hubcrm.domain.clock import format_ms
from hubcrm.domain.objects import ObjectType
from hubcrm.domain.pipelines.kinds import WRITE_PERMISSIONS, MetadataValue, PipelineKind, T
from hubcrm.protocol import messages
from hubcrm.protocol import pipelines as wire
from hubcrm.protocol.errors import Conflict, ObjectNotFound, PropertyIssue, ValidationError
from hubcrm.store.base import Pipeline, PipelineAudit, PipelineStage


class StageCheck:
    """Checks a record's pipeline and stage against the portal's live pipelines.

    A stage named without its pipeline belongs to the pipeline that has it, and the record is
    put in that pipeline (on create that is HubSpot's default-pipeline rule whenever the stage is
    the default pipeline's).
    """

    def __init__(self, kind: PipelineKind, live: dict[str, Pipeline]) -> None:
        self.kind = kind
        self.live = live
        self.owner = {s.stage_id: p.pipeline_id for p in live.values() for s in live_stages(p)}

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
            for s in live_stages(p)
        ]
        if stage_id in stages:
            return []
        message = messages.INVALID_STAGE.format(value=stage_id, options=", ".join(stages))
        return [PropertyIssue(stage_name, "INVALID_OPTION", message)]


# Wire shapes


def moment(ms: int) -> str:
    # HubSpot's default pipelines answer the epoch without milliseconds (recorded).
    return "1970-01-01T00:00:00Z" if ms == 0 else format_ms(ms)


def stage_wire(stage: PipelineStage) -> wire.PipelineStage:
    return wire.PipelineStage(
        label=stage.label,
        display_order=stage.display_order,
        metadata=stage.metadata,
        id=stage.stage_id,
        created_at=moment(stage.created_at),
        updated_at=moment(stage.updated_at),
        archived=stage.archived_at is not None,
        write_permissions=stage.write_permissions,
        archived_at=None if stage.archived_at is None else moment(stage.archived_at),
    )


def pipeline_wire(pipeline: Pipeline) -> wire.Pipeline:
    return wire.Pipeline(
        label=pipeline.label,
        display_order=pipeline.display_order,
        id=pipeline.pipeline_id,
        stages=[stage_wire(s) for s in pipeline.stages],
        created_at=moment(pipeline.created_at),
        updated_at=moment(pipeline.updated_at),
        archived=pipeline.archived_at is not None,
        archived_at=None if pipeline.archived_at is None else moment(pipeline.archived_at),
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
    return replace(pipeline, stages=live_stages(pipeline))


def live_stages(pipeline: Pipeline) -> tuple[PipelineStage, ...]:
    live = [s for s in pipeline.stages if s.archived_at is None]
    return tuple(sorted(live, key=lambda s: (s.display_order, s.label, s.stage_id)))


def find(
    object_type: ObjectType, pipelines: list[Pipeline], pipeline_id: str, archived: bool = False
) -> Pipeline:
    for pipeline in pipelines:
        if pipeline.pipeline_id == pipeline_id and (archived or pipeline.archived_at is None):
            return pipeline
    raise ObjectNotFound(
        messages.PIPELINE_NOT_FOUND.format(id=pipeline_id, type_id=object_type.type_id)
    )


def any_stage(
    object_type: ObjectType, pipeline: Pipeline, stage_id: str, archived: bool = False
) -> PipelineStage:
    for stage in pipeline.stages:
        if stage.stage_id == stage_id and (archived or stage.archived_at is None):
            return stage
    raise stage_not_found(object_type, pipeline.pipeline_id, stage_id)


def stage_not_found(object_type: ObjectType, pipeline_id: str, stage_id: str) -> ObjectNotFound:
    return ObjectNotFound(
        messages.STAGE_NOT_FOUND.format(
            id=stage_id, pipeline=pipeline_id, type_id=object_type.type_id
        )
    )


def check_label(
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


def check_stage_labels(object_type: ObjectType, labels: list[str]) -> None:
    seen: set[str] = set()
    for label in labels:
        if label.casefold() in seen:
            raise ValidationError(messages.STAGE_LABEL_TAKEN.format(label=label))
        seen.add(label.casefold())


def new_stages(
    object_type: ObjectType, specs: list[wire.StageInput], ids: list[str], now: int
) -> tuple[PipelineStage, ...]:
    if not specs:
        raise ValidationError(messages.PIPELINE_NEEDS_STAGE)
    check_stage_labels(object_type, [s.label for s in specs])
    return tuple(
        PipelineStage(
            stage_id=stage_id,
            label=spec.label,
            display_order=spec.display_order,
            metadata=metadata(object_type, spec.label, spec.metadata),
            write_permissions=WRITE_PERMISSIONS,
            created_at=now,
            updated_at=now,
        )
        for spec, stage_id in zip(specs, ids, strict=True)
    )


def metadata(
    object_type: ObjectType, label: str, given: Mapping[str, MetadataValue]
) -> dict[str, str]:
    """Deal stages need a probability, ticket stages may have a ticketState; isClosed follows."""
    metadata = {k: text(v) for k, v in given.items()}
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


def text(value: MetadataValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def archived(stage: PipelineStage, now: int) -> PipelineStage:
    return replace(stage, updated_at=now, archived_at=now)


def or_else(value: T | None, default: T) -> T:
    return default if value is None else value
