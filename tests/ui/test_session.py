"""Signing in to the UI: the session cookie, CSRF, portals kept apart, open mode."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hubcrm.domain import auth
from hubcrm.protocol import messages
from tests.conftest import Api, running_api, upsert_input
from tests.ui.helpers import csrf_of, page, sign_in, text_of


@pytest.fixture
def tls_api(database_url: str) -> Iterator[Api]:
    with running_api(database_url, tls_terminator=True) as api:
        yield api


def test_every_page_needs_signing_in_and_comes_back_after(api: Api) -> None:
    answer = api.client.get("/ui/objects/contacts?q=ada", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/signin?next=%2Fui%2Fobjects%2Fcontacts%3Fq%3Dada"
    form = api.client.get(answer.headers["location"])
    signed = api.client.post(
        "/ui/signin",
        data={"csrf": csrf_of(form.text), "token": api.token, "next": "/ui/objects/contacts?q=ada"},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == "/ui/objects/contacts?q=ada"


def test_the_session_cookie_is_http_only_same_site_and_kept_to_the_ui(api: Api) -> None:
    answer = sign_in(api)
    assert answer.status_code == 303
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("hubcrm_ui="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/ui" in cookie
    assert "Secure" not in cookie  # plain http on loopback: a Secure cookie would never return


def test_behind_a_tls_terminator_the_cookies_are_secure(tls_api: Api) -> None:
    form = tls_api.client.get("/ui/signin")
    assert "Secure" in form.headers["set-cookie"]
    # A Secure cookie does not come back over the test's plain http: send it as a browser would.
    tls_api.client.cookies.set("hubcrm_ui_signin", csrf_of(form.text), path="/ui")
    answer = tls_api.client.post(
        "/ui/signin",
        data={"csrf": csrf_of(form.text), "token": tls_api.token},
        follow_redirects=False,
    )
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("hubcrm_ui="))
    assert "Secure" in cookie


def test_signing_in_without_the_forms_csrf_value_is_refused(api: Api) -> None:
    api.client.get("/ui/signin")
    answer = api.client.post(
        "/ui/signin", data={"csrf": "guessed", "token": api.token}, follow_redirects=False
    )
    assert answer.status_code == 403
    assert "hubcrm_ui=" not in answer.headers.get("set-cookie", "")


def test_a_wrong_token_is_refused_in_hubspots_words(api: Api) -> None:
    answer = sign_in(api, "pat-na1-00000000-0000-0000-0000-000000000000")
    assert answer.status_code == 401
    assert messages.AUTHENTICATION_INVALID in text_of(answer.text)


def test_signing_out_needs_the_csrf_token_and_ends_the_session(api: Api) -> None:
    sign_in(api)
    refused = api.client.post("/ui/signout", data={"csrf": "x"}, follow_redirects=False)
    assert refused.status_code == 403
    page(api, "/ui/objects")
    csrf = csrf_of(page(api, "/ui/objects"))
    out = api.client.post("/ui/signout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert page(api, "/ui/objects", 303).startswith("/ui/signin")


def test_a_revoked_token_ends_its_session_at_once(api: Api) -> None:
    token = api.new_token()
    sign_in(api, token)
    page(api, "/ui/objects")
    found = api.call(api.state.store.token_by_hash, auth.token_hash(token))
    assert found is not None
    api.call(api.state.store.revoke_token, api.portal_id, found.token_id, api.clock.now_ms())
    answer = api.client.get("/ui/objects", follow_redirects=False)
    assert answer.status_code == 303
    assert "reason=" in answer.headers["location"]


def test_a_form_from_another_origin_is_refused(api: Api) -> None:
    api.upsert([upsert_input("a@x.com", firstname="Ann")])
    sign_in(api)
    csrf = csrf_of(page(api, "/ui/objects/contacts/1"))
    answer = api.client.post(
        "/ui/objects/contacts/1/edit",
        data={"csrf": csrf, "property": "firstname", "value": "Eve"},
        headers={"Origin": "http://evil.example"},
    )
    assert answer.status_code == 403
    assert api.get("/crm/v3/objects/contacts/1").json()["properties"]["firstname"] == "Ann"


def test_a_token_sees_its_own_portal_only(api: Api) -> None:
    api.upsert([upsert_input("mine@x.com", firstname="Mine")])
    other_portal, other_token = api.new_portal()
    sign_in(api, other_token)
    listing = text_of(page(api, "/ui/objects/contacts"))
    assert f"portal {other_portal}" in listing
    assert "mine@x.com" not in listing
    assert "0 records" in listing
    assert "resource not found" in text_of(page(api, "/ui/objects/contacts/1", 404))


def test_pages_show_only_what_the_tokens_scopes_allow(api: Api) -> None:
    api.upsert([upsert_input("a@x.com")])
    sign_in(api, api.new_token(frozenset({"crm.schemas.contacts.read"})))
    types = text_of(page(api, "/ui/objects"))
    assert "no read scope" in types
    refused = text_of(page(api, "/ui/objects/contacts", 403))
    assert "crm.objects.contacts.read" in refused
    page(api, "/ui/properties/contacts")


def test_with_open_auth_any_token_opens_its_own_portal(database_url: str) -> None:
    with running_api(database_url, auth="open") as api:
        api.upsert([upsert_input("a@x.com")])
        assert sign_in(api, "any-token-at-all").status_code == 303
        types = text_of(page(api, "/ui/objects"))
        assert f"portal {api.portal_id}" not in types
        assert "Contacts contacts 0-1 0" in types


def test_pages_carry_a_strict_content_security_policy(api: Api) -> None:
    sign_in(api)
    answer = api.client.get("/ui/objects")
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["cache-control"] == "no-store"
