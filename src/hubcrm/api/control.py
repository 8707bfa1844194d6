"""The control API, /_hubcrm/...: thin handlers over control/service.py, journal.py and faults.py.

Mounted only with `hubcrm serve --control`. Every call names its portal in the path, except
those that act on every portal (`/_hubcrm/reset`, `/_hubcrm/clock`). When an admin token is
configured, every call must carry it as a bearer token.
"""

from __future__ import annotations

import hmac
from typing import TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from hubcrm.api import control_apps
from hubcrm.api.errors import render
from hubcrm.api.health import OPEN_PATHS
from hubcrm.api.requests import decode, read_body, read_json, state
from hubcrm.api.responses import json_response
from hubcrm.api.scope import CONTROL_PREFIX, bearer_secret
from hubcrm.control import owners as control_owners
from hubcrm.control import seed as seeding
from hubcrm.control import wire as control_wire
from hubcrm.control.journal import Query
from hubcrm.control.service import Control
from hubcrm.domain.clock import format_ms, parse_moment
from hubcrm.domain.owners import owner_wire
from hubcrm.protocol import messages
from hubcrm.protocol.errors import InvalidAuthentication, ObjectNotFound, ValidationError

MOUNT = CONTROL_PREFIX.rstrip("/")
T = TypeVar("T")


def _control(request: Request) -> Control:
    return state(request).control


def _portal(request: Request) -> int:
    portal_id: int = request.path_params["portal_id"]
    return portal_id


async def _known_portal(request: Request) -> int:
    portal_id = _portal(request)
    await _control(request).require_portal(portal_id)
    return portal_id


async def _optional_json(request: Request, decoder: msgspec.json.Decoder[T]) -> T:
    """A body every field of which is optional: no body at all means `{}`."""
    return decode(await read_body(request) or b"{}", decoder)


async def create_portal(request: Request) -> Response:
    body = await _optional_json(request, control_wire.create_portal_request)
    scopes = frozenset(body.scopes) if body.scopes is not None else None
    portal_id, token = await _control(request).create_portal(body.portal_id, scopes)
    return json_response(control_wire.PortalCreated(portal_id=portal_id, token=token), status=201)


async def reset_all(request: Request) -> Response:
    return json_response(control_wire.ResetDone(portal_ids=await _control(request).reset(None)))


async def reset_portal(request: Request) -> Response:
    return json_response(
        control_wire.ResetDone(portal_ids=await _control(request).reset(_portal(request)))
    )


async def clock(request: Request) -> Response:
    portal_id = await _known_portal(request) if "portal_id" in request.path_params else None
    clock = _control(request).clock
    if request.method == "POST":
        body = await _optional_json(request, control_wire.clock_request)
        moment = _moment(body.now) if body.now is not None else None
        if body.frozen is True:  # stopped at the moment given, not a reading of time after it
            clock.freeze(portal_id, moment)
        else:
            if moment is not None:
                clock.set(portal_id, moment)
            if body.frozen is False:
                clock.unfreeze(portal_id)
        if body.advance_ms is not None:
            clock.advance(portal_id, body.advance_ms)
    now = clock.read(portal_id)
    return json_response(
        control_wire.ClockState(now=now, iso=format_ms(now), frozen=clock.is_frozen(portal_id))
    )


def _moment(value: int | str) -> int:
    try:
        return parse_moment(value)
    except ValueError:
        raise ValidationError(messages.INVALID_MOMENT.format(value=value)) from None


async def seed(request: Request) -> Response:
    portal_id = await _known_portal(request)
    is_csv = request.headers.get("content-type", "").split(";")[0].strip() == "text/csv"
    data = seeding.parse(await read_body(request), csv_text=is_csv)
    app = state(request)
    done = await seeding.seed(app.records, portal_id, data, app.associations)
    return json_response(
        control_wire.Seeded(
            properties=done.properties,
            contacts=done.contacts,
            companies=done.companies,
            deals=done.deals,
            schemas=done.schemas,
            objects=done.objects,
            owners=done.owners,
        )
    )


async def set_sequence(request: Request) -> Response:
    body = await read_json(request, control_wire.sequence_request)
    type_name = request.path_params["object_type"]
    await _control(request).set_next_record_id(_portal(request), type_name, body.next)
    return json_response(control_wire.SequenceState(object_type=type_name, next=body.next))


async def journal(request: Request) -> Response:
    portal_id = await _known_portal(request)
    entries = _control(request).journal
    if request.method == "DELETE":
        entries.clear(portal_id)
        return Response(status_code=204)
    params = request.query_params
    query = Query(
        method=params.get("method"),
        path=params.get("path"),
        status=params.get("status"),
        since=_moment_param(params.get("since")),
        until=_moment_param(params.get("until")),
    )
    return json_response(control_wire.JournalPage(results=entries.entries(portal_id, query)))


def _moment_param(value: str | None) -> int | None:
    if value is None:
        return None
    return _moment(int(value) if value.lstrip("-").isdigit() else value)


async def faults(request: Request) -> Response:
    portal_id = await _known_portal(request)
    rules = _control(request).faults
    if request.method == "POST":
        rule = rules.add(portal_id, await read_json(request, control_wire.fault_rule))
        return json_response(rule, status=201)
    if request.method == "DELETE":
        rules.clear(portal_id)
        return Response(status_code=204)
    return json_response(control_wire.FaultList(results=rules.rules(portal_id)))


async def remove_fault(request: Request) -> Response:
    portal_id = await _known_portal(request)
    if not _control(request).faults.remove(portal_id, request.path_params["fault_id"]):
        raise ObjectNotFound(messages.FAULT_NOT_FOUND.format(id=request.path_params["fault_id"]))
    return Response(status_code=204)


async def owners(request: Request) -> Response:
    """POST adds an owner; GET lists them all, archived ones too."""
    portal_id = await _known_portal(request)
    domain = state(request).owners
    if request.method == "POST":
        body = await read_json(request, control_owners.owner_input)
        added = await domain.add(portal_id, body.new_owner())
        return json_response(owner_wire(added), status=201)
    found = await domain.store.owners(portal_id)
    return json_response({"results": [owner_wire(o) for o in found]})


async def archive_owner(request: Request) -> Response:
    portal_id = await _known_portal(request)
    archived = await state(request).owners.archive(portal_id, request.path_params["owner_id"])
    return json_response(owner_wire(archived))


def routes() -> list[BaseRoute]:
    """Mounted apart from the CRM API's routes, as moto keeps /moto-api apart from AWS's."""
    portal = "/portals/{portal_id:int}"
    return [
        Mount(
            MOUNT,
            routes=[
                Route("/portals", create_portal, methods=["POST"]),
                Route("/reset", reset_all, methods=["POST"]),
                Route("/clock", clock, methods=["GET", "POST"]),
                Route(portal + "/reset", reset_portal, methods=["POST"]),
                Route(portal + "/clock", clock, methods=["GET", "POST"]),
                Route(portal + "/seed", seed, methods=["POST"]),
                Route(portal + "/sequences/{object_type}", set_sequence, methods=["PUT"]),
                Route(portal + "/journal", journal, methods=["GET", "DELETE"]),
                Route(portal + "/faults", faults, methods=["GET", "POST", "DELETE"]),
                Route(portal + "/faults/{fault_id}", remove_fault, methods=["DELETE"]),
                Route(portal + "/owners", owners, methods=["GET", "POST"]),
                Route(portal + "/owners/{owner_id}", archive_owner, methods=["DELETE"]),
                *control_apps.routes(portal),
            ],
        )
    ]


async def disabled(request: Request) -> Response:
    raise ObjectNotFound(messages.CONTROL_DISABLED)


def disabled_routes() -> list[BaseRoute]:
    """Without --control, every control path says how to turn it on."""
    methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
    return [Mount(MOUNT, routes=[Route("/{rest:path}", disabled, methods=methods)])]


class AdminTokenMiddleware:
    """With an admin token configured, every control call must carry it."""

    def __init__(self, app: ASGIApp, admin_token: str) -> None:
        self.app = app
        self.admin_token = admin_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.admin_token
            and scope["type"] == "http"
            and scope["path"].startswith(CONTROL_PREFIX)
            and scope["path"] not in OPEN_PATHS
            and not hmac.compare_digest(
                (bearer_secret(scope) or "").encode(), self.admin_token.encode()
            )
        ):
            error = InvalidAuthentication(messages.CONTROL_TOKEN_REQUIRED)
            await render(Request(scope, receive), error)(scope, receive, send)
            return
        await self.app(scope, receive, send)
