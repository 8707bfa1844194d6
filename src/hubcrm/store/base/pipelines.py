"""Pipelines, their stages, and owners (store/*/pipelines.py and owners.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class PipelineStage:
    stage_id: str
    label: str
    display_order: int
    metadata: dict[str, str]
    write_permissions: str
    created_at: int
    updated_at: int
    archived_at: int | None = None


@dataclass(frozen=True)
class Pipeline:
    pipeline_id: str
    label: str
    display_order: int
    stages: tuple[PipelineStage, ...]  # archived ones too
    created_at: int
    updated_at: int
    archived_at: int | None = None


@dataclass(frozen=True)
class PipelineAudit:
    """One change of a pipeline (stage_id "") or of one of its stages."""

    pipeline_id: str
    stage_id: str
    action: str
    timestamp: int
    raw_object: str  # the pipeline or stage after the change, as JSON


@dataclass(frozen=True)
class OwnerTeam:
    team_id: str
    name: str
    primary: bool


@dataclass(frozen=True)
class Owner:
    owner_id: int
    user_id: int
    email: str
    first_name: str
    last_name: str
    owner_type: str  # PERSON or QUEUE
    teams: tuple[OwnerTeam, ...]
    created_at: int
    updated_at: int
    archived_at: int | None = None


class PipelineStore(Protocol):
    async def pipelines(self, portal_id: int, object_type: str) -> list[Pipeline] | None:
        """Every pipeline of the type, archived ones too, by id; None until they are seeded."""

    async def seed_pipelines(
        self, portal_id: int, object_type: str, pipelines: list[Pipeline], next_id: int
    ) -> None:
        """Write these pipelines unless the type's pipelines were seeded already."""

    async def allocate_pipeline_ids(
        self, portal_id: int, object_type: str, count: int
    ) -> list[int]:
        """Ids no pipeline or stage of the (seeded) type has had."""

    async def save_pipeline(
        self, portal_id: int, object_type: str, pipeline: Pipeline, audits: list[PipelineAudit]
    ) -> None:
        """Write the pipeline with exactly these stages, and append the audit entries."""

    async def pipeline_audits(
        self, portal_id: int, object_type: str, pipeline_id: str, stage_id: str | None = None
    ) -> list[PipelineAudit]:
        """The pipeline's audit entries (only one stage's with `stage_id`), oldest first."""


class OwnerStore(Protocol):
    async def owners(self, portal_id: int) -> list[Owner]:
        """Every owner of the portal, archived ones too, by id."""

    async def add_owner(self, portal_id: int, owner: Owner) -> None:
        """Add the owner; UniqueViolation if its id, user id or (live) email is taken."""

    async def update_owner(self, portal_id: int, owner: Owner) -> bool:
        """Replace the owner with its id; False if there is none."""
