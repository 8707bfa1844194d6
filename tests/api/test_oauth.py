"""OAuth as HubSpot's endpoints answer it: authorize, the token endpoint's two grants, token
information, revocation, and access tokens that work on CRM endpoints until the portal's clock
says they expired."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from hubcrm.domain import apps
from hubcrm.domain.apps import NewApp
from hubcrm.protocol import messages
from hubcrm.protocol.errors import ValidationError
from tests.conftest import Api, upsert_input

REDIRECT = "https://app.example.com/oauth-callback"


def new_app(api: Api, scopes: frozenset[str] | None = None) -> NewApp:
    made: NewApp = api.call(
        apps.create_app, api.state.store, api.clock, api.portal_id, "Test app", scopes, (REDIRECT,)
    )
    return made


def authorize(api: Api, app: NewApp, **params: str) -> Any:
    query = {
        "client_id": app.app.client_id,
        "redirect_uri": REDIRECT,
        "scope": "crm.objects.contacts.read crm.objects.contacts.write",
        "state": "xyz",
    } | params
    return api.client.get("/oauth/authorize", params=query, follow_redirects=False)


def code_of(api: Api, app: NewApp, **params: str) -> str:
    answer = authorize(api, app, **params)
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(REDIRECT + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["xyz"]
    code: str = query["code"][0]
    return code


def token_call(api: Api, **form: str) -> Any:
    return api.client.post("/oauth/v1/token", data=form)


def exchange(api: Api, app: NewApp, code: str, **overrides: str) -> Any:
    form = {
        "grant_type": "authorization_code",
        "client_id": app.app.client_id,
        "client_secret": app.app.client_secret,
        "redirect_uri": REDIRECT,
        "code": code,
    } | overrides
    return token_call(api, **form)


def refresh(api: Api, app: NewApp, refresh_token: str) -> Any:
    return token_call(
        api,
        grant_type="refresh_token",
        client_id=app.app.client_id,
        client_secret=app.app.client_secret,
        refresh_token=refresh_token,
    )


def assert_oauth_error(answer: Any, triple: tuple[str, str, str]) -> None:
    assert answer.status_code == 400
    body = answer.json()
    assert set(body) == {"status", "message", "correlationId", "error", "error_description"}
    assert (body["status"], body["message"], body["error"]) == triple
    assert body["error_description"] == triple[1]


def test_install_exchange_use_and_refresh(api: Api) -> None:
    app = new_app(api)
    granted = exchange(api, app, code_of(api, app))
    assert granted.status_code == 200
    body = granted.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 1800
    assert body["hub_id"] == api.portal_id
    assert body["scopes"] == ["crm.objects.contacts.read", "crm.objects.contacts.write"]
    assert body["refresh_token"].startswith("na1-")
    access = body["access_token"]
    created = api.upsert([upsert_input("oauth@x.com", firstname="O")], token=access)
    assert created.status_code == 200
    # The scopes granted, and no others.
    schema = api.get("/crm/v3/properties/contacts", token=access)
    assert schema.status_code == 403
    # 30 minutes later on the portal's clock the access token has expired; a refresh gives a
    # new one and the same refresh token.
    api.clock.advance(1800 * 1000)
    expired = api.get("/crm/v3/objects/contacts", token=access)
    assert (expired.status_code, expired.json()["category"]) == (401, "EXPIRED_AUTHENTICATION")
    renewed = refresh(api, app, body["refresh_token"])
    assert renewed.status_code == 200
    assert renewed.json()["refresh_token"] == body["refresh_token"]
    assert renewed.json()["access_token"] != access
    listed = api.get("/crm/v3/objects/contacts", token=renewed.json()["access_token"])
    assert listed.status_code == 200


def test_token_information_and_revocation(api: Api) -> None:
    app = new_app(api)
    body = exchange(api, app, code_of(api, app)).json()
    info = api.client.get(f"/oauth/v1/access-tokens/{body['access_token']}").json()
    assert info == {
        "token": body["access_token"],
        "user": f"user@{api.portal_id}.hubcrm.local",
        "hub_domain": f"{api.portal_id}.hubcrm.local",
        "scopes": ["crm.objects.contacts.read", "crm.objects.contacts.write"],
        "hub_id": api.portal_id,
        "app_id": app.app.app_id,
        "expires_in": 1800,
        "user_id": 1,
        "token_type": "access",
    }
    api.clock.advance(600 * 1000)
    later = api.client.get(f"/oauth/v1/access-tokens/{body['access_token']}").json()
    assert later["expires_in"] == 1200
    path = f"/oauth/v1/refresh-tokens/{body['refresh_token']}"
    assert api.client.get(path).json() == {
        "token": body["refresh_token"],
        "user": f"user@{api.portal_id}.hubcrm.local",
        "hub_domain": f"{api.portal_id}.hubcrm.local",
        "scopes": ["crm.objects.contacts.read", "crm.objects.contacts.write"],
        "hub_id": api.portal_id,
        "client_id": app.app.client_id,
        "user_id": 1,
        "token_type": "refresh",
    }
    assert api.client.delete(path).status_code == 204
    assert_oauth_error(api.client.get(path), messages.OAUTH_BAD_REFRESH_TOKEN)
    assert_oauth_error(refresh(api, app, body["refresh_token"]), messages.OAUTH_BAD_REFRESH_TOKEN)
    api.clock.advance(1200 * 1000)
    gone = api.client.get(f"/oauth/v1/access-tokens/{body['access_token']}")
    assert_oauth_error(gone, messages.OAUTH_BAD_ACCESS_TOKEN)


def test_token_endpoint_errors_as_hubspot_answers_them(api: Api) -> None:
    app = new_app(api)
    code = code_of(api, app)
    assert_oauth_error(exchange(api, app, code, client_id="nope"), messages.OAUTH_BAD_CLIENT_ID)
    wrong_secret = exchange(api, app, code, client_secret="wrong")
    assert_oauth_error(wrong_secret, messages.OAUTH_BAD_CLIENT_SECRET)
    elsewhere = exchange(api, app, code, redirect_uri="https://elsewhere.example.com/")
    assert_oauth_error(elsewhere, messages.OAUTH_BAD_REDIRECT_URI)
    assert_oauth_error(exchange(api, app, "unknown-code"), messages.OAUTH_BAD_AUTH_CODE)
    assert_oauth_error(
        exchange(api, app, code, grant_type="password"), messages.OAUTH_BAD_GRANT_TYPE
    )
    assert exchange(api, app, code).status_code == 200
    assert_oauth_error(exchange(api, app, code), messages.OAUTH_BAD_AUTH_CODE)  # used once
    late = code_of(api, app)
    api.clock.advance(10 * 60 * 1000)
    assert_oauth_error(exchange(api, app, late), messages.OAUTH_EXPIRED_AUTH_CODE)
    assert_oauth_error(refresh(api, app, "na1-unknown"), messages.OAUTH_BAD_REFRESH_TOKEN)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"client_id": "nope"}, messages.AUTHORIZE_BAD_CLIENT_ID.format(client_id="nope")),
        (
            {"redirect_uri": "https://evil.example.com/"},
            messages.AUTHORIZE_BAD_REDIRECT.format(redirect_uri="https://evil.example.com/"),
        ),
        (
            {"scope": "crm.objects.contacts.read automation"},
            messages.AUTHORIZE_BAD_SCOPES.format(scopes="automation"),
        ),
        (
            {"optional_scope": "content"},
            messages.AUTHORIZE_BAD_SCOPES.format(scopes="content"),
        ),
        ({"portal": "999"}, messages.AUTHORIZE_BAD_PORTAL.format(portal="999")),
    ],
)
def test_the_authorize_page_refuses_what_hubspot_refuses(
    api: Api, params: dict[str, str], message: str
) -> None:
    app = new_app(api)
    answer = authorize(api, app, **params)
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert message.replace("'", "&#x27;") in answer.text


def test_authorize_installs_in_another_portal(api: Api) -> None:
    app = new_app(api)
    other, _ = api.new_portal()
    body = exchange(api, app, code_of(api, app, portal=str(other))).json()
    assert body["hub_id"] == other
    created = api.upsert([upsert_input("there@x.com")], token=body["access_token"])
    assert created.status_code == 200
    mine = api.post("/crm/v3/objects/contacts/search", {"filterGroups": []})
    assert mine.json()["total"] == 0


def test_no_client_id_breaks_the_oauth_endpoints(api: Api) -> None:
    app = new_app(api)
    for client_id in ("\x00", "x" * 10_000, ""):
        answer = authorize(api, app, client_id=client_id)
        assert answer.status_code == 400
        refused = exchange(api, app, "code", client_id=client_id)
        assert_oauth_error(refused, messages.OAUTH_BAD_CLIENT_ID)
    assert_oauth_error(token_call(api), messages.OAUTH_BAD_GRANT_TYPE)


@pytest.mark.parametrize(
    ("scopes", "uris", "message"),
    [
        (None, ("not a url",), messages.APP_BAD_REDIRECT_URI.format(uri="not a url")),
        (
            None,
            ("https://x.com/a b",),
            messages.APP_BAD_REDIRECT_URI.format(uri="https://x.com/a b"),
        ),
        (frozenset({"a b"}), None, messages.APP_BAD_SCOPE.format(scope="a b")),
    ],
)
def test_an_app_needs_urls_and_scopes_it_can_use(
    api: Api, scopes: frozenset[str] | None, uris: tuple[str, ...] | None, message: str
) -> None:
    store = api.state.store
    with pytest.raises(ValidationError) as refused:
        api.call(apps.create_app, store, api.clock, api.portal_id, None, scopes, uris)
    assert refused.value.message == message
