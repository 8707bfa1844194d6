"""The pipelines and owners APIs' JSON messages; the SDK's `crm.pipelines` and `crm.owners`
models are the schema."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from hubcrm.protocol.wire import Name, Paging, Struct

Label = Annotated[str, msgspec.Meta(max_length=1024)]
# HubSpot's guide writes `{"probability": 0.5}`; its answers and the SDK's models hold strings.
Metadata = dict[Name, Annotated[str, msgspec.Meta(max_length=1024)] | int | float | bool]
# HubSpot's displayOrder is a 32-bit integer.
Order = Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1)]

# Requests


class StageInput(Struct):
    label: Label
    display_order: Order
    metadata: Metadata


class PipelineInput(Struct):
    label: Label
    display_order: Order
    stages: list[StageInput]


class PipelinePatch(Struct):
    label: Label | None = None
    display_order: Order | None = None
    archived: bool | None = None


class StagePatch(Struct):
    label: Label | None = None
    display_order: Order | None = None
    metadata: Metadata | None = None
    archived: bool | None = None


# Responses


class PipelineStage(Struct):
    label: str
    display_order: int
    metadata: dict[str, str]
    id: str
    created_at: str
    updated_at: str
    archived: bool
    write_permissions: str
    archived_at: str | None = None


class Pipeline(Struct):
    label: str
    display_order: int
    id: str
    stages: list[PipelineStage]
    created_at: str
    updated_at: str
    archived: bool
    archived_at: str | None = None


class PipelineCollection(Struct):
    results: list[Pipeline]


class StageCollection(Struct):
    results: list[PipelineStage]


class AuditInfo(Struct):
    identifier: str
    raw_object: Any
    portal_id: int
    action: str
    timestamp: str
    from_user_id: int | None = None
    message: str | None = None


class AuditCollection(Struct):
    results: list[AuditInfo]


class Team(Struct):
    id: str
    name: str
    primary: bool


class PublicOwner(Struct):
    id: str
    email: str
    type: str
    first_name: str
    last_name: str
    user_id_including_inactive: int
    created_at: str
    updated_at: str
    archived: bool
    # HubSpot answers null for an archived owner's userId (it stays in the field above).
    user_id: int | msgspec.UnsetType | None = msgspec.UNSET
    teams: list[Team] | msgspec.UnsetType = msgspec.UNSET


class OwnerCollection(Struct):
    results: list[PublicOwner]
    paging: Paging | None = None


pipeline_input = msgspec.json.Decoder(PipelineInput)
pipeline_patch = msgspec.json.Decoder(PipelinePatch)
stage_input = msgspec.json.Decoder(StageInput)
stage_patch = msgspec.json.Decoder(StagePatch)
