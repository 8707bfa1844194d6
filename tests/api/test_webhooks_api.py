"""The webhooks API (/webhooks/v3/{appId}/...), authenticated by the developer API key, and the
events every committed write records in the outbox, in the same transaction."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from hubcrm.domain import apps
from hubcrm.domain.apps import NewApp
from hubcrm.protocol import messages
from hubcrm.store.base import EventRecord
from hubcrm.testing.webhooks import WebhookReceiver
from tests.conftest import Api, upsert_input

# Nothing listens there: deliveries fail and wait for their retries, leaving the outbox to look at.
NOWHERE = "http://127.0.0.1:9/hooks"


def new_app(api: Api) -> NewApp:
    made: NewApp = api.call(apps.create_app, api.state.store, api.clock, api.portal_id)
    return made


def call(api: Api, app: NewApp, method: str, path: str, body: Any = None, key: str = "") -> Any:
    params = {"hapikey": key or app.developer_api_key}
    url = f"/webhooks/v3/{app.app.app_id}/{path}"
    return api.client.request(method, url, params=params, json=body)


def configure(api: Api, app: NewApp, url: str = NOWHERE) -> Any:
    body = {"targetUrl": url, "throttling": {"maxConcurrentRequests": 10}}
    return call(api, app, "PUT", "settings", body)


def subscribe(api: Api, app: NewApp, event_type: str, **extra: Any) -> Any:
    return call(api, app, "POST", "subscriptions", {"eventType": event_type, **extra})


def outbox(api: Api) -> list[EventRecord]:
    found: list[EventRecord] = api.call(api.state.store.webhook_events, api.portal_id)
    return found


def assert_error(answer: Any, status: int, category: str, message: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert (body["status"], body["category"], body["message"]) == ("error", category, message)


@pytest.mark.parametrize("key", ["", "wrong-key", "other-app"])
def test_a_wrong_or_missing_developer_key_is_hubspots_401(api: Api, key: str) -> None:
    app, other = new_app(api), new_app(api)
    params = (
        {} if key == "" else {"hapikey": other.developer_api_key if key == "other-app" else key}
    )
    for method, path in (("GET", "settings"), ("GET", "subscriptions"), ("PUT", "settings")):
        answer = api.client.request(method, f"/webhooks/v3/{app.app.app_id}/{path}", params=params)
        assert_error(answer, 401, "INVALID_AUTHENTICATION", messages.HAPIKEY_INVALID)
    unknown_app = api.client.get("/webhooks/v3/999999/settings", params={"hapikey": "x"})
    assert_error(unknown_app, 401, "INVALID_AUTHENTICATION", messages.HAPIKEY_INVALID)


def test_settings_are_set_read_and_cleared(api: Api) -> None:
    app = new_app(api)
    missing = call(api, app, "GET", "settings")
    assert missing.status_code == 404
    put = configure(api, app, "https://example.com/hooks")
    assert put.status_code == 200
    body = put.json()
    assert body["targetUrl"] == "https://example.com/hooks"
    assert body["throttling"] == {"maxConcurrentRequests": 10}
    assert body["createdAt"] == body["updatedAt"] == "2026-01-01T00:00:00.000Z"
    assert call(api, app, "GET", "settings").json() == body
    dated = f"/webhooks/2026-03/{app.app.app_id}/settings"
    assert api.client.get(dated, params={"hapikey": app.developer_api_key}).json() == body
    assert call(api, app, "DELETE", "settings").status_code == 204
    assert call(api, app, "GET", "settings").status_code == 404


@pytest.mark.parametrize(
    ("url", "concurrency", "message"),
    [
        (
            "ftp://example.com/x",
            10,
            messages.WEBHOOK_BAD_TARGET_URL.format(url="ftp://example.com/x"),
        ),
        (
            "file:///etc/passwd",
            10,
            messages.WEBHOOK_BAD_TARGET_URL.format(url="file:///etc/passwd"),
        ),
        ("/relative", 10, messages.WEBHOOK_BAD_TARGET_URL.format(url="/relative")),
        ("https://example.com/", 5, messages.WEBHOOK_BAD_CONCURRENCY.format(value=5)),
    ],
)
def test_settings_refuse_what_cannot_be_delivered_to(
    api: Api, url: str, concurrency: int, message: str
) -> None:
    app = new_app(api)
    body = {"targetUrl": url, "throttling": {"maxConcurrentRequests": concurrency}}
    assert_error(call(api, app, "PUT", "settings", body), 400, "VALIDATION_ERROR", message)


def test_subscriptions_are_created_listed_updated_and_deleted(api: Api) -> None:
    app = new_app(api)
    created = subscribe(api, app, "contact.propertyChange", propertyName="firstname")
    assert created.status_code == 201
    body = created.json()
    assert body["eventType"] == "contact.propertyChange"
    assert body["propertyName"] == "firstname"
    assert body["active"] is False  # HubSpot's default
    sub_id = body["id"]
    generic = subscribe(api, app, "object.creation", objectTypeId="0-1", active=True).json()
    assert (generic["objectTypeId"], generic["active"]) == ("0-1", True)
    listed = call(api, app, "GET", "subscriptions").json()["results"]
    assert [s["id"] for s in listed] == [sub_id, generic["id"]]
    patched = call(api, app, "PATCH", f"subscriptions/{sub_id}", {"active": True}).json()
    assert patched["active"] is True
    assert call(api, app, "GET", f"subscriptions/{sub_id}").json() == patched
    batch = call(
        api,
        app,
        "POST",
        "subscriptions/batch/update",
        {
            "inputs": [
                {"id": int(sub_id), "active": False},
                {"id": int(generic["id"]), "active": False},
            ]
        },
    ).json()
    assert batch["status"] == "COMPLETE"
    assert [s["active"] for s in batch["results"]] == [False, False]
    assert call(api, app, "DELETE", f"subscriptions/{sub_id}").status_code == 204
    assert call(api, app, "GET", f"subscriptions/{sub_id}").status_code == 404
    assert len(call(api, app, "GET", "subscriptions").json()["results"]) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"eventType": "contact.nothing"}, "Unknown event type: contact.nothing. Use one of: "),
        ({"eventType": "contact.propertyChange"}, messages.WEBHOOK_PROPERTY_REQUIRED),
        (
            {"eventType": "contact.propertyChange", "propertyName": "no_such_property"},
            messages.WEBHOOK_UNKNOWN_PROPERTY.format(name="no_such_property", object_type_id="0-1"),
        ),
        (
            {"eventType": "contact.propertyChange", "propertyName": "hs_lastmodifieddate"},
            messages.WEBHOOK_PROPERTY_NOT_SUBSCRIBABLE.format(name="hs_lastmodifieddate"),
        ),
        (
            {"eventType": "contact.creation", "propertyName": "firstname"},
            messages.WEBHOOK_PROPERTY_NOT_ALLOWED,
        ),
        ({"eventType": "object.creation"}, messages.WEBHOOK_OBJECT_TYPE_REQUIRED),
        (
            {"eventType": "object.creation", "objectTypeId": "contacts"},
            messages.WEBHOOK_BAD_OBJECT_TYPE.format(
                object_type_id="contacts", event_type="object.creation"
            ),
        ),
    ],
)
def test_unknown_event_types_and_properties_are_hubspots_400(
    api: Api, body: dict[str, Any], message: str
) -> None:
    app = new_app(api)
    answer = call(api, app, "POST", "subscriptions", body)
    assert answer.status_code == 400
    expected = message.format(event_type=body["eventType"])
    assert answer.json()["category"] == "VALIDATION_ERROR"
    assert answer.json()["message"].startswith(expected)
    assert call(api, app, "GET", "subscriptions").json()["results"] == []


def test_a_write_records_the_events_subscribed_to_in_its_transaction(api: Api) -> None:
    app = new_app(api)
    configure(api, app)
    subscribe(api, app, "contact.creation", active=True)
    subscribe(api, app, "contact.propertyChange", propertyName="firstname", active=True)
    subscribe(api, app, "contact.deletion", active=True)
    subscribe(api, app, "contact.propertyChange", propertyName="lastname")  # inactive
    created = api.upsert([upsert_input("a@x.com", firstname="A", lastname="L")]).json()
    record_id = int(created["results"][0]["id"])
    api.clock.advance(1000)
    api.upsert([upsert_input("a@x.com", firstname="B", lastname="M")])
    api.client.delete(f"/crm/v3/objects/contacts/{record_id}", headers=api.headers())
    events = outbox(api)
    assert [(e.event_type, e.fields) for e in events] == [
        (
            "contact.creation",
            {
                "objectId": record_id,
                "changeFlag": "CREATED",
                "changeSource": "API",
                "sourceId": "1",
            },
        ),
        (
            "contact.propertyChange",
            {
                "objectId": record_id,
                "propertyName": "firstname",
                "propertyValue": "B",
                "changeSource": "API",
                "sourceId": "1",
            },
        ),
        (
            "contact.deletion",
            {
                "objectId": record_id,
                "changeFlag": "DELETED",
                "changeSource": "API",
                "sourceId": "1",
            },
        ),
    ]
    assert [e.occurred_at for e in events] == [1_767_225_600_000] + [1_767_225_601_000] * 2
    assert {e.app_id for e in events} == {app.app.app_id}
    assert all(e.state == "pending" for e in events)


def test_a_failed_write_records_nothing(api: Api) -> None:
    app = new_app(api)
    configure(api, app)
    subscribe(api, app, "contact.creation", active=True)
    bad = api.upsert([upsert_input("a@x.com"), upsert_input("b@x.com", no_such_property="x")])
    assert bad.status_code == 400
    taken = api.post(
        "/crm/v3/objects/contacts/batch/create",
        {"inputs": [{"properties": {"email": "c@x.com"}}, {"properties": {"email": "c@x.com"}}]},
    )
    assert taken.status_code == 409
    assert outbox(api) == []


@pytest.mark.own_database
def test_nothing_is_recorded_without_a_target_url_or_an_active_subscription(api: Api) -> None:
    app = new_app(api)
    subscribe(api, app, "contact.creation", active=True)
    api.upsert([upsert_input("a@x.com")])  # no settings yet: paused
    configure(api, app)
    call(api, app, "POST", "subscriptions/batch/update", {"inputs": [{"id": 1, "active": False}]})
    api.upsert([upsert_input("b@x.com")])
    assert outbox(api) == []


def test_an_apps_own_writes_come_back_as_integration_changes(api: Api) -> None:
    app = new_app(api)
    configure(api, app)
    subscribe(api, app, "object.creation", objectTypeId="0-1", active=True)
    # An OAuth access token of the app, as its install would give it.
    access = api.call(_access_token, api, app)
    created = api.upsert([upsert_input("app@x.com")], token=access)
    record_id = int(created.json()["results"][0]["id"])
    (event,) = outbox(api)
    assert event.event_type == "object.creation"
    assert event.fields == {
        "objectId": record_id,
        "objectTypeId": "0-1",
        "changeFlag": "CREATED",
        "changeSource": "INTEGRATION",
        "sourceId": str(app.app.app_id),
    }


async def _access_token(api: Api, app: NewApp) -> str:
    from hubcrm.domain import auth

    secret = "Ctest-access-token"
    await api.state.store.add_app_token(
        api.portal_id,
        auth.token_hash(secret),
        auth.DEFAULT_SCOPES,
        app.app.app_id,
        api.clock.now_ms(),
        api.clock.now_ms() + 1_800_000,
    )
    return secret


def test_numbers_too_large_to_store_are_a_400(api: Api) -> None:
    app = new_app(api)
    body = {"targetUrl": "https://example.com/", "throttling": {"maxConcurrentRequests": 2**40}}
    assert call(api, app, "PUT", "settings", body).status_code == 400
    batch = {"inputs": [{"id": 2**64, "active": True}]}
    assert call(api, app, "POST", "subscriptions/batch/update", batch).status_code == 400
    assert call(api, app, "GET", f"subscriptions/{2**70}").status_code == 404
    assert api.client.get(f"/webhooks/v3/{2**70}/settings").status_code == 401


@pytest.mark.own_database  # it slows the app's deliverer down for the test
def test_an_answered_write_wakes_the_deliverer_however_idle(api: Api) -> None:
    """An idle deliverer looks at the outbox less and less often; a write it answered wakes it,
    so that the write's events leave at once, not at its next look (a minute away here)."""
    deliverer = api.state.deliverer
    assert deliverer is not None
    deliverer.poll_s = 60.0
    deliverer.wake()  # its next pause is the minute
    api.call(asyncio.sleep, 0.3)  # the pass the wake started finds nothing: the pause begins
    receiver = WebhookReceiver()
    try:
        app = new_app(api)
        configure(api, app, receiver.url)
        subscribe(api, app, "contact.creation", active=True)
        created = api.upsert([upsert_input("a@x.com")])
        assert created.status_code == 200
        events = receiver.wait_for_events(1, timeout=20.0)
    finally:
        receiver.close()
    assert [(e["subscriptionType"], e["objectId"]) for e in events] == [
        ("contact.creation", int(created.json()["results"][0]["id"]))
    ]


@pytest.mark.own_database  # it slows the app's deliverer down for the test
def test_a_write_that_records_no_events_leaves_the_deliverer_be(api: Api) -> None:
    """Only writes that put events in the outbox wake the deliverer: the others would cost a look
    at the outbox each, for nothing."""
    deliverer = api.state.deliverer
    assert deliverer is not None
    deliverer.poll_s = 60.0
    deliverer.wake()
    api.call(asyncio.sleep, 0.3)  # the pass the wake started finds nothing: the pause begins
    looks = deliverer.looks
    assert api.upsert([upsert_input("quiet@x.com")]).status_code == 200
    api.call(asyncio.sleep, 0.3)
    assert deliverer.looks == looks
    receiver = WebhookReceiver()
    try:
        app = new_app(api)
        configure(api, app, receiver.url)
        subscribe(api, app, "contact.creation", active=True)
        assert api.upsert([upsert_input("heard@x.com")]).status_code == 200
        receiver.wait_for_events(1, timeout=20.0)
    finally:
        receiver.close()
    assert deliverer.looks > looks
