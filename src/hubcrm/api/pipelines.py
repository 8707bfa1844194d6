"""Routes of the pipelines API and the owners API: decode, call one domain function, encode."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hubcrm.api.access import authorize, authorize_fixed
from hubcrm.api.requests import query_bool, query_int, read_json, state
from hubcrm.api.responses import json_response
from hubcrm.domain.owners import owner_wire
from hubcrm.domain.pipelines import audit_wire, pipeline_wire, stage_wire
from hubcrm.protocol import pipelines as wire
from hubcrm.protocol.wire import NextPage, Paging

# Either asks for the in-use check before a delete: HubSpot names it per type, and the SDK
# sends whichever the caller gives.
VALIDATE_PARAMS = ("validateReferencesBeforeDelete", "validateDealStageUsagesBeforeDelete")


def _validate(request: Request) -> bool:
    return any(query_bool(request, name) for name in VALIDATE_PARAMS)


def _ids(request: Request) -> tuple[str, str]:
    return request.path_params["pipeline_id"], request.path_params.get("stage_id", "")


# Pipelines


async def list_pipelines(request: Request) -> Response:
    token, kind = await authorize(request)
    found = await state(request).pipelines.listing(token.portal_id, kind)
    return json_response(wire.PipelineCollection([pipeline_wire(p) for p in found]))


async def create_pipeline(request: Request) -> Response:
    token, kind = await authorize(request)
    body = await read_json(request, wire.pipeline_input)
    created = await state(request).pipelines.create(token.portal_id, kind, body)
    return json_response(pipeline_wire(created), status=201)


async def get_pipeline(request: Request) -> Response:
    token, kind = await authorize(request)
    pipeline_id, _ = _ids(request)
    found = await state(request).pipelines.get(token.portal_id, kind, pipeline_id)
    return json_response(pipeline_wire(found))


async def replace_pipeline(request: Request) -> Response:
    token, kind = await authorize(request)
    body = await read_json(request, wire.pipeline_input)
    pipeline_id, _ = _ids(request)
    done = await state(request).pipelines.replace(
        token.portal_id, kind, pipeline_id, body, _validate(request)
    )
    return json_response(pipeline_wire(done))


async def update_pipeline(request: Request) -> Response:
    token, kind = await authorize(request)
    body = await read_json(request, wire.pipeline_patch)
    pipeline_id, _ = _ids(request)
    done = await state(request).pipelines.update(
        token.portal_id, kind, pipeline_id, body, _validate(request)
    )
    return json_response(pipeline_wire(done))


async def archive_pipeline(request: Request) -> Response:
    token, kind = await authorize(request)
    pipeline_id, _ = _ids(request)
    await state(request).pipelines.archive(token.portal_id, kind, pipeline_id, _validate(request))
    return Response(status_code=204)


async def pipeline_audit(request: Request) -> Response:
    token, kind = await authorize(request)
    pipeline_id, _ = _ids(request)
    found = await state(request).pipelines.audit(token.portal_id, kind, pipeline_id, None)
    return json_response(wire.AuditCollection([audit_wire(token.portal_id, a) for a in found]))


# Stages


async def list_stages(request: Request) -> Response:
    token, kind = await authorize(request)
    pipeline_id, _ = _ids(request)
    found = await state(request).pipelines.get(token.portal_id, kind, pipeline_id)
    return json_response(wire.StageCollection([stage_wire(s) for s in found.stages]))


async def create_stage(request: Request) -> Response:
    token, kind = await authorize(request)
    body = await read_json(request, wire.stage_input)
    pipeline_id, _ = _ids(request)
    created = await state(request).pipelines.create_stage(token.portal_id, kind, pipeline_id, body)
    return json_response(stage_wire(created), status=201)


async def get_stage(request: Request) -> Response:
    token, kind = await authorize(request)
    pipeline_id, stage_id = _ids(request)
    found = await state(request).pipelines.stage(token.portal_id, kind, pipeline_id, stage_id)
    return json_response(stage_wire(found))


async def replace_stage(request: Request) -> Response:
    token, kind = await authorize(request)
    body = await read_json(request, wire.stage_input)
    pipeline_id, stage_id = _ids(request)
    done = await state(request).pipelines.replace_stage(
        token.portal_id, kind, pipeline_id, stage_id, body
    )
    return json_response(stage_wire(done))


async def update_stage(request: Request) -> Response:
    token, kind = await authorize(request)
    body = await read_json(request, wire.stage_patch)
    pipeline_id, stage_id = _ids(request)
    done = await state(request).pipelines.update_stage(
        token.portal_id, kind, pipeline_id, stage_id, body, _validate(request)
    )
    return json_response(stage_wire(done))


async def archive_stage(request: Request) -> Response:
    token, kind = await authorize(request)
    pipeline_id, stage_id = _ids(request)
    await state(request).pipelines.archive_stage(
        token.portal_id, kind, pipeline_id, stage_id, _validate(request)
    )
    return Response(status_code=204)


async def stage_audit(request: Request) -> Response:
    token, kind = await authorize(request)
    pipeline_id, stage_id = _ids(request)
    found = await state(request).pipelines.audit(token.portal_id, kind, pipeline_id, stage_id)
    return json_response(wire.AuditCollection([audit_wire(token.portal_id, a) for a in found]))


# Owners


async def list_owners(request: Request) -> Response:
    token = await authorize_fixed(request)
    params = request.query_params
    page = await state(request).owners.page(
        token.portal_id,
        email=params.get("email"),
        after=params.get("after"),
        limit=query_int(request, "limit"),
        archived=query_bool(request, "archived"),
    )
    paging = None
    if page.next_after is not None:
        link = str(request.url.include_query_params(after=page.next_after))
        paging = Paging(NextPage(after=page.next_after, link=link))
    return json_response(wire.OwnerCollection([owner_wire(o) for o in page.owners], paging))


async def get_owner(request: Request) -> Response:
    token = await authorize_fixed(request)
    found = await state(request).owners.get(
        token.portal_id,
        request.path_params["owner_id"],
        id_property=request.query_params.get("idProperty"),
        archived=query_bool(request, "archived"),
    )
    return json_response(owner_wire(found))
