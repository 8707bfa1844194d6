"""Rows of pipelines, stages and owners as the store's dataclasses, for both databases."""

from __future__ import annotations

from typing import Any

import msgspec

from hubcrm.store.base import Owner, OwnerTeam, Pipeline, PipelineStage

encode = msgspec.json.Encoder().encode
decode_metadata = msgspec.json.Decoder(dict[str, str]).decode

PIPELINE_COLUMNS = "pipeline_id, label, display_order, created_at, updated_at, archived_at"
STAGE_COLUMNS = (
    "pipeline_id, stage_id, label, display_order, metadata, write_permissions, created_at,"
    " updated_at, archived_at"
)


def stage_row(row: Any) -> PipelineStage:
    return PipelineStage(
        stage_id=row[1],
        label=row[2],
        display_order=row[3],
        metadata=decode_metadata(row[4]),
        write_permissions=row[5],
        created_at=row[6],
        updated_at=row[7],
        archived_at=row[8],
    )


def pipeline_rows(pipelines: list[Any], stages: list[Any]) -> list[Pipeline]:
    """Pipelines from their rows and their stages' rows (both in id order)."""
    by_pipeline: dict[str, list[PipelineStage]] = {}
    for row in stages:
        by_pipeline.setdefault(row[0], []).append(stage_row(row))
    return [
        Pipeline(
            pipeline_id=row[0],
            label=row[1],
            display_order=row[2],
            stages=tuple(by_pipeline.get(row[0], ())),
            created_at=row[3],
            updated_at=row[4],
            archived_at=row[5],
        )
        for row in pipelines
    ]


OWNER_COLUMNS = (
    "owner_id, user_id, email, first_name, last_name, owner_type, teams, created_at,"
    " updated_at, archived_at"
)
decode_teams = msgspec.json.Decoder(list[tuple[str, str, bool]]).decode


def encode_teams(teams: tuple[OwnerTeam, ...]) -> str:
    return encode([(t.team_id, t.name, t.primary) for t in teams]).decode()


def owner_row(row: Any) -> Owner:
    return Owner(
        owner_id=row[0],
        user_id=row[1],
        email=row[2],
        first_name=row[3],
        last_name=row[4],
        owner_type=row[5],
        teams=tuple(OwnerTeam(*team) for team in decode_teams(row[6])),
        created_at=row[7],
        updated_at=row[8],
        archived_at=row[9],
    )


def owner_values(portal_id: int, owner: Owner) -> tuple[Any, ...]:
    return (
        portal_id,
        owner.owner_id,
        owner.user_id,
        owner.email,
        owner.first_name,
        owner.last_name,
        owner.owner_type,
        encode_teams(owner.teams),
        owner.created_at,
        owner.updated_at,
        owner.archived_at,
    )


def pipeline_values(portal_id: int, object_type: str, pipeline: Pipeline) -> tuple[Any, ...]:
    return (
        portal_id,
        object_type,
        pipeline.pipeline_id,
        pipeline.label,
        pipeline.display_order,
        pipeline.created_at,
        pipeline.updated_at,
        pipeline.archived_at,
    )


def stage_values(portal_id: int, object_type: str, pipeline: Pipeline) -> list[tuple[Any, ...]]:
    return [
        (
            portal_id,
            object_type,
            pipeline.pipeline_id,
            s.stage_id,
            s.label,
            s.display_order,
            encode(s.metadata).decode(),
            s.write_permissions,
            s.created_at,
            s.updated_at,
            s.archived_at,
        )
        for s in pipeline.stages
    ]
