"""HubSpot's OAuth endpoints: the authorize page, the token endpoint and token information.

Mounted outside the CRM routes (no bearer token, no scope: the client's id and secret, or the
token in the path, are the credentials).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route

from hubcrm.api.requests import read_body, state
from hubcrm.api.responses import json_response
from hubcrm.domain import oauth
from hubcrm.protocol import apps as wire


async def authorize(request: Request) -> Response:
    app = state(request)
    params = request.query_params
    location = await oauth.authorize(
        app.store,
        app.clock,
        params.get("client_id", ""),
        params.get("redirect_uri", ""),
        params.get("scope"),
        params.get("optional_scope"),
        params.get("state"),
        params.get("portal"),
    )
    return RedirectResponse(location, status_code=302)


async def token(request: Request) -> Response:
    app = state(request)
    form = dict(parse_qsl((await read_body(request)).decode("utf-8", "replace")))
    grant = await oauth.token(app.store, app.clock, form)
    return json_response(
        wire.TokenResponse(
            token_type="bearer",
            refresh_token=grant.refresh_token,
            access_token=grant.access_token,
            expires_in=grant.expires_in,
            hub_id=grant.hub_id,
            scopes=sorted(grant.scopes),
        )
    )


async def access_token_info(request: Request) -> Response:
    app = state(request)
    secret = request.path_params["token"]
    found, expires_in = await oauth.access_token_info(app.store, app.clock, secret)
    user, domain = oauth.user_of(found.portal_id)
    return json_response(
        wire.AccessTokenInfo(
            token=secret,
            user=user,
            hub_domain=domain,
            scopes=sorted(found.scopes),
            hub_id=found.portal_id,
            app_id=found.app_id or 0,
            expires_in=expires_in,
            user_id=oauth.USER_ID,
        )
    )


async def refresh_token(request: Request) -> Response:
    app = state(request)
    secret = request.path_params["token"]
    if request.method == "DELETE":
        await oauth.revoke_refresh_token(app.store, app.clock, secret)
        return Response(status_code=204)
    hub_id, scopes, client_id = await oauth.refresh_token_info(app.store, secret)
    user, domain = oauth.user_of(hub_id)
    return json_response(
        wire.RefreshTokenInfo(
            token=secret,
            user=user,
            hub_domain=domain,
            scopes=sorted(scopes),
            hub_id=hub_id,
            client_id=client_id,
            user_id=oauth.USER_ID,
        )
    )


def routes() -> list[Mount]:
    return [
        Mount(
            "/oauth",
            routes=[
                Route("/authorize", authorize, methods=["GET"]),
                Route("/v1/token", token, methods=["POST"]),
                Route("/v1/access-tokens/{token}", access_token_info, methods=["GET"]),
                Route("/v1/refresh-tokens/{token}", refresh_token, methods=["GET", "DELETE"]),
            ],
        )
    ]
