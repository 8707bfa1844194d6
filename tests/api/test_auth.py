"""Tokens in requests: every Authorization header variant, expiry, revocation, open mode."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubcrm.domain import auth
from hubcrm.protocol import messages
from tests.api.test_upsert import UPSERT, assert_error
from tests.conftest import START_MS, Api, running_api, upsert_input

MINUTE_MS = 60_000


def revoked_token(api: Api) -> str:
    token = api.new_token()
    [listed] = [t for t in api.call(api.state.store.tokens, api.portal_id) if t.token_id == 2]
    assert api.call(api.state.store.revoke_token, api.portal_id, listed.token_id, START_MS)
    return token


@pytest.mark.parametrize(
    ("case", "accepted"),
    [
        ("missing", False),
        ("empty", False),
        ("scheme only", False),
        ("wrong scheme", False),
        ("no scheme", False),
        ("extra spaces", True),
        ("lower-case bearer", True),
        ("upper-case bearer", True),
        ("tab separator", False),
        ("unknown", False),
        ("revoked", False),
        ("not a token", False),
        ("too long", False),
    ],
)
def test_authorization_header_variants(api: Api, case: str, accepted: bool) -> None:
    token = api.token
    header = {
        "missing": None,
        "empty": "",
        "scheme only": "Bearer",
        "wrong scheme": f"Basic {token}",
        "no scheme": token,
        "extra spaces": f"  Bearer    {token}  ",
        "lower-case bearer": f"bearer {token}",
        "upper-case bearer": f"BEARER {token}",
        "tab separator": f"Bearer\t{token}",
        "unknown": "Bearer pat-na1-00000000-0000-4000-8000-000000000000",
        "revoked": f"Bearer {revoked_token(api)}" if case == "revoked" else "",
        "not a token": "Bearer a b",
        "too long": "Bearer " + "x" * 5000,
    }[case]
    headers = {} if header is None else {"Authorization": header}
    response = api.client.post(UPSERT, json={"inputs": [upsert_input("a@x.com")]}, headers=headers)
    if accepted:
        assert response.status_code == 200, response.text
        return
    body = assert_error(response, 401, "INVALID_AUTHENTICATION", messages.AUTHENTICATION_MISSING)
    assert response.headers["x-hubspot-auth-failure"] == "401 Unauthorized"
    assert set(body) == {"status", "message", "correlationId", "category"}
    assert token not in response.text  # never echo a secret
    assert api.get("/crm/v3/objects/contacts/a@x.com", idProperty="email").status_code == 404


@pytest.mark.parametrize(
    ("expired_ago_ms", "message"),
    [
        (0, "The OAuth token used to make this call expired 0 second(s) ago."),
        (59_999, "The OAuth token used to make this call expired 59 second(s) ago."),
        (92 * MINUTE_MS, "The OAuth token used to make this call expired 92 minute(s) ago."),
        (23 * 60 * MINUTE_MS, "The OAuth token used to make this call expired 1380 minute(s) ago."),
        (19_884 * 86_400_000, "The OAuth token used to make this call expired 19884 day(s) ago."),
    ],
)
def test_an_expired_token_is_401_expired_authentication(
    api: Api, expired_ago_ms: int, message: str
) -> None:
    expires_at = START_MS + MINUTE_MS
    token = api.new_token(expires_at=expires_at)
    assert api.get("/crm/v3/objects/contacts/1", token=token).status_code == 404  # still live
    api.clock.advance(MINUTE_MS + expired_ago_ms)
    response = api.get("/crm/v3/objects/contacts/1", token=token)
    body = assert_error(response, 401, "EXPIRED_AUTHENTICATION", message)
    assert body["context"] == {"expire time": ["2026-01-01T00:01:00.000Z"]}
    assert response.headers["x-hubspot-auth-failure"] == "401 Unauthorized"


def test_a_revoked_token_that_also_expired_is_invalid(api: Api) -> None:
    token = api.new_token(expires_at=START_MS + 1)
    api.call(api.state.store.revoke_token, api.portal_id, 2, START_MS)
    api.clock.advance(10)
    assert_error(
        api.get("/crm/v3/objects/contacts/1", token=token),
        401,
        "INVALID_AUTHENTICATION",
        messages.AUTHENTICATION_INVALID,
    )


@pytest.fixture
def open_api(database_url: str) -> Iterator[Api]:
    with running_api(database_url, auth="open") as api:
        yield api


def portal_of(api: Api, token: str) -> int:
    response = api.upsert([upsert_input("who@x.com")], token=token)
    assert response.status_code == 200, response.text
    url: str = response.json()["results"][0]["url"]
    return int(url.split("/")[4])


def test_open_mode_gives_each_new_token_its_own_portal(open_api: Api) -> None:
    first = portal_of(open_api, "suite-one")
    second = portal_of(open_api, "suite-two")
    assert len({first, second, open_api.portal_id}) == 3
    assert portal_of(open_api, "suite-one") == first
    assert portal_of(open_api, open_api.token) == open_api.portal_id  # issued tokens still work
    listed = open_api.call(open_api.state.store.tokens, first)
    assert [(t.name, t.scopes) for t in listed] == [("open mode", auth.DEFAULT_SCOPES)]


def test_open_mode_portals_do_not_see_each_other(open_api: Api) -> None:
    created = open_api.upsert([upsert_input("ann@x.com", firstname="Ann")], token="team-a")
    record_id = created.json()["results"][0]["id"]
    assert open_api.get(f"/crm/v3/objects/contacts/{record_id}", token="team-a").status_code == 200
    assert open_api.get(f"/crm/v3/objects/contacts/{record_id}", token="team-b").status_code == 404


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Basic abc", "Bearer two words", "Bearer ünïcode".encode("latin-1")],
)
def test_open_mode_still_refuses_malformed_tokens(
    open_api: Api, authorization: str | bytes | None
) -> None:
    headers: dict[str, Any] = {} if authorization is None else {"Authorization": authorization}
    response = open_api.client.get("/crm/v3/objects/contacts/1", headers=headers)
    assert_error(response, 401, "INVALID_AUTHENTICATION", messages.AUTHENTICATION_MISSING)
    assert open_api.call(open_api.state.store.portal_ids) == [open_api.portal_id]


def test_open_mode_keeps_revoked_tokens_out(open_api: Api) -> None:
    portal_id = portal_of(open_api, "short-lived")
    open_api.call(open_api.state.store.revoke_token, portal_id, 1, START_MS)
    response = open_api.get("/crm/v3/objects/contacts/1", token="short-lived")
    assert_error(response, 401, "INVALID_AUTHENTICATION", messages.AUTHENTICATION_INVALID)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    value=st.binary(max_size=200).filter(lambda b: not set(b) & {0, 10, 13})
    | st.builds(lambda s: b"Bearer " + s, st.binary(max_size=100)).filter(
        lambda b: not set(b) & {0, 10, 13}
    )
)
def test_no_authorization_header_causes_a_500(api: Api, value: bytes) -> None:
    response = api.client.get("/crm/v3/objects/contacts/1", headers={b"Authorization": value})
    assert response.status_code in (401, 404), response.text
