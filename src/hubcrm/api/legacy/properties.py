"""Legacy property definitions: /properties/v1, /properties/v2 and the older per-type aliases,
each a bare JSON array (or one definition) mapped from the v3 definitions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hubcrm.api.access import authorize_legacy
from hubcrm.api.requests import state
from hubcrm.api.responses import json_response
from hubcrm.domain.legacy.properties import V1_TYPES, find, legacy_property
from hubcrm.protocol import messages
from hubcrm.protocol.legacy import LegacyNotFound

# The older paths that answer one type's list: /companies/v2/properties and the two HubSpot
# redirected to /properties/v1 (hubspot-ruby#164).
FIXED_TYPES = {
    "/companies/v2/properties": "companies",
    "/deals/v1/properties": "deals",
    "/contacts/v2/properties": "contacts",
}


def _type_name(request: Request) -> str:
    name = str(request.path_params["object_type"])
    if request.url.path.startswith("/properties/v1/") and name not in V1_TYPES:
        raise LegacyNotFound(messages.LEGACY_UNKNOWN_OBJECT_TYPE.format(name=name))
    return name


async def legacy_list_properties(request: Request) -> Response:
    token, kind = await authorize_legacy(request, _type_name(request))
    found = await state(request).properties.list(token.portal_id, kind)
    return json_response([legacy_property(d) for d in found])


async def legacy_get_property(request: Request) -> Response:
    token, kind = await authorize_legacy(request, _type_name(request))
    found = await state(request).properties.list(token.portal_id, kind)
    return json_response(legacy_property(find(found, request.path_params["name"])))


async def legacy_fixed_properties(request: Request) -> Response:
    token, kind = await authorize_legacy(request, FIXED_TYPES[request.url.path.rstrip("/")])
    found = await state(request).properties.list(token.portal_id, kind)
    return json_response([legacy_property(d) for d in found])
