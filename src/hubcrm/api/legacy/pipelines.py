"""Deal pipelines v1 (`/deals/v1/pipelines`): the v3 deal pipelines in the older shape."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hubcrm.api.access import authorize_legacy
from hubcrm.api.requests import state
from hubcrm.api.responses import json_response
from hubcrm.domain.pipelines import pipeline_wire
from hubcrm.protocol import messages
from hubcrm.protocol import pipelines as wire
from hubcrm.protocol.errors import HubSpotError
from hubcrm.protocol.legacy import LegacyNotFound, LegacyPipeline, LegacyStage


def legacy_pipeline(pipeline: wire.Pipeline) -> LegacyPipeline:
    return LegacyPipeline(
        pipeline_id=pipeline.id,
        label=pipeline.label,
        active=not pipeline.archived,
        display_order=pipeline.display_order,
        static_default=False,
        stages=[_stage(s) for s in pipeline.stages],
    )


def _stage(stage: wire.PipelineStage) -> LegacyStage:
    try:
        probability = float(stage.metadata.get("probability", "0"))
    except ValueError:
        probability = 0.0
    closed = stage.metadata.get("isClosed") == "true"
    return LegacyStage(
        stage_id=stage.id,
        label=stage.label,
        probability=probability,
        active=not stage.archived,
        display_order=stage.display_order,
        closed_won=closed and probability == 1.0,
    )


async def deals_v1_pipelines(request: Request) -> Response:
    token, kind = await authorize_legacy(request, "deals")
    found = await state(request).pipelines.listing(token.portal_id, kind)
    return json_response([legacy_pipeline(pipeline_wire(p)) for p in found])


async def deals_v1_pipeline(request: Request) -> Response:
    token, kind = await authorize_legacy(request, "deals")
    try:
        found = await state(request).pipelines.get(
            token.portal_id, kind, request.path_params["pipeline_id"]
        )
    except HubSpotError:
        raise LegacyNotFound(messages.LEGACY_NOT_FOUND) from None
    return json_response(legacy_pipeline(pipeline_wire(found)))
