"""Engagements v1: the v3 activities (notes, calls, emails, meetings, tasks) as engagements."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hubcrm.api.access import authorize_legacy
from hubcrm.api.legacy.query import legacy_int
from hubcrm.api.requests import state
from hubcrm.api.responses import json_response
from hubcrm.domain.legacy.engagements import LegacyEngagements
from hubcrm.protocol.legacy import EngagementsAfterPage, EngagementsPage, RecentPage

# Every activity type takes the contacts scopes (data/object_types.json): notes stand for all.
SCOPED_AS = "notes"


def _engagements(request: Request) -> LegacyEngagements:
    return LegacyEngagements(state(request).records)


async def engagements_v1_paged(request: Request) -> Response:
    token, _ = await authorize_legacy(request, SCOPED_AS)
    engagements = _engagements(request)
    page = await engagements.paged(
        token.portal_id, offset=legacy_int(request, "offset"), limit=legacy_int(request, "limit")
    )
    shown = await engagements.shown(token.portal_id, page.engagements)
    return json_response(EngagementsPage(shown, page.has_more, page.offset))


async def engagements_v1_recent(request: Request) -> Response:
    token, _ = await authorize_legacy(request, SCOPED_AS)
    engagements = _engagements(request)
    found = await engagements.recent(
        token.portal_id,
        since=legacy_int(request, "since"),
        offset=legacy_int(request, "offset"),
        count=legacy_int(request, "count"),
    )
    shown = await engagements.shown(token.portal_id, found.engagements)
    return json_response(RecentPage(shown, found.has_more, found.offset, found.total))


async def engagements_v1_get(request: Request) -> Response:
    token, _ = await authorize_legacy(request, SCOPED_AS)
    engagements = _engagements(request)
    found = await engagements.one(token.portal_id, request.path_params["engagement_id"])
    (shown,) = await engagements.shown(token.portal_id, [found])
    return json_response(shown)


async def engagements_v1_modified_after(request: Request) -> Response:
    token, _ = await authorize_legacy(request, SCOPED_AS)
    engagements = _engagements(request)
    found = await engagements.modified_after(
        token.portal_id, after=request.query_params.get("after"), limit=legacy_int(request, "limit")
    )
    shown = await engagements.shown(token.portal_id, found.engagements)
    page = EngagementsAfterPage(results=shown, has_more=found.has_more)
    if found.after is not None:
        page.after = found.after
    return json_response(page)
