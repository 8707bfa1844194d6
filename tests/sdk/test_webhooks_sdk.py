"""Webhooks end to end on a live server: the SDK's `client.webhooks` as the schema oracle, and
signed deliveries to a real HTTP endpoint on loopback, batched and retried as HubSpot does."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import pytest
from hubspot import Client
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputUpsert,
    SimplePublicObjectBatchInput,
    SimplePublicObjectBatchInputUpsert,
    SimplePublicObjectInputForCreate,
)
from hubspot.webhooks import (
    BatchInputSubscriptionBatchUpdateRequest,
    SettingsChangeRequest,
    SubscriptionBatchUpdateRequest,
    SubscriptionCreateRequest,
    SubscriptionPatchRequest,
    ThrottlingSettings,
)
from hubspot.webhooks.exceptions import ApiException

from hubcrm.protocol import messages
from hubcrm.testing.portal import Portal
from hubcrm.testing.webhooks import App, ReceivedRequest, WebhookReceiver
from tests.server import LiveServer


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    found = WebhookReceiver()
    yield found
    found.close()


def crm(portal: Portal) -> Client:
    return Client.create(
        access_token=portal.token, host=portal.base_url, client_side_validation=True
    )


def developer(app: App) -> Client:
    return Client.create(
        api_key=app.developer_api_key, host=app.base_url, client_side_validation=True
    )


def hubspot_signature_ok(request: ReceivedRequest, secret: str) -> bool:
    """HubSpot's published checks, written here from its docs, not from hubcrm's code."""
    timestamp = request.headers["x-hubspot-request-timestamp"]
    if time.time() * 1000 - int(timestamp) > 300_000:
        return False
    source = "POST" + request.url + request.body.decode() + timestamp
    v3 = base64.b64encode(
        hmac.new(secret.encode(), source.encode(), hashlib.sha256).digest()
    ).decode()
    v1 = hashlib.sha256((secret + request.body.decode()).encode()).hexdigest()
    return (
        hmac.compare_digest(v3, request.headers["x-hubspot-signature-v3"])
        and hmac.compare_digest(v1, request.headers["x-hubspot-signature"])
        and request.headers["x-hubspot-signature-version"] == "v1"
    )


def test_the_sdks_webhooks_models_read_every_answer(
    live: LiveServer, receiver: WebhookReceiver
) -> None:
    portal = live.new_portal()
    app = portal.create_app()
    hooks = developer(app).webhooks
    settings = hooks.settings_api.configure(
        app.app_id,
        SettingsChangeRequest(
            target_url=receiver.url, throttling=ThrottlingSettings(max_concurrent_requests=10)
        ),
    )
    assert settings.target_url == receiver.url
    assert hooks.settings_api.get_all(app.app_id).throttling.max_concurrent_requests == 10
    made = hooks.subscriptions_api.create(
        app.app_id,
        SubscriptionCreateRequest(event_type="contact.propertyChange", property_name="email"),
    )
    assert (made.event_type, made.property_name, made.active) == (
        "contact.propertyChange",
        "email",
        False,
    )
    listed = hooks.subscriptions_api.get_all(app.app_id)
    assert [s.id for s in listed.results] == [made.id]
    patched = hooks.subscriptions_api.update(
        made.id, app.app_id, SubscriptionPatchRequest(active=True)
    )
    assert patched.active is True
    batch = hooks.subscriptions_api.update_batch(
        app.app_id,
        BatchInputSubscriptionBatchUpdateRequest(
            inputs=[SubscriptionBatchUpdateRequest(id=int(made.id), active=False)]
        ),
    )
    assert [s.active for s in batch.results] == [False]
    assert hooks.subscriptions_api.get_by_id(made.id, app.app_id).active is False
    hooks.subscriptions_api.archive(made.id, app.app_id)
    assert hooks.subscriptions_api.get_all(app.app_id).results == []
    hooks.settings_api.clear(app.app_id)
    wrong = Client.create(api_key="wrong", host=app.base_url).webhooks
    with pytest.raises(ApiException) as refused:
        wrong.subscriptions_api.get_all(app.app_id)
    assert refused.value.status == 401
    assert json.loads(refused.value.body)["message"] == messages.HAPIKEY_INVALID


def test_a_write_arrives_signed_with_hubspots_fields(
    live: LiveServer, receiver: WebhookReceiver
) -> None:
    portal = live.new_portal()
    app = portal.create_app()
    app.configure(receiver)
    creation = app.subscribe("contact.creation")
    change = app.subscribe("contact.propertyChange", "firstname")
    contacts = crm(portal).crm.contacts
    made = contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"email": "ada@x.com", "firstname": "Ada"})
    )
    contacts.basic_api.update(made.id, {"properties": {"firstname": "Augusta"}})
    events = receiver.wait_for_events(2)
    for request in receiver.requests:
        assert hubspot_signature_ok(request, app.client_secret)
        assert request.signature_valid is True
        assert request.headers["content-type"] == "application/json"
        assert request.headers["x-hubspot-timeout-millis"] == "10000"
        assert request.headers["user-agent"].startswith("HubSpot Connect 2.0")
    created, changed = sorted(events, key=lambda e: e["eventId"])
    assert list(created) == [
        "eventId",
        "subscriptionId",
        "portalId",
        "appId",
        "occurredAt",
        "subscriptionType",
        "attemptNumber",
        "objectId",
        "changeFlag",
        "changeSource",
        "sourceId",
    ]
    assert created["subscriptionId"] == int(creation["id"])
    assert (created["portalId"], created["appId"]) == (portal.portal_id, app.app_id)
    assert (created["subscriptionType"], created["attemptNumber"]) == ("contact.creation", 0)
    assert (created["objectId"], created["changeFlag"]) == (int(made.id), "CREATED")
    assert changed["subscriptionId"] == int(change["id"])
    assert (changed["propertyName"], changed["propertyValue"]) == ("firstname", "Augusta")
    assert changed["occurredAt"] >= created["occurredAt"]


def test_events_of_one_write_come_in_batches_of_100(
    live: LiveServer, receiver: WebhookReceiver
) -> None:
    portal = live.new_portal()
    contacts = crm(portal).crm.contacts
    inputs = [
        SimplePublicObjectBatchInputUpsert(id=f"c{i}@x.com", id_property="email", properties={})
        for i in range(100)
    ]
    made = contacts.batch_api.upsert(BatchInputSimplePublicObjectBatchInputUpsert(inputs=inputs))
    app = portal.create_app()
    app.configure(receiver)
    app.subscribe("contact.propertyChange", "firstname")
    app.subscribe("contact.propertyChange", "lastname")
    updates = [
        SimplePublicObjectBatchInput(id=r.id, properties={"firstname": "F", "lastname": "L"})
        for r in made.results
    ]
    contacts.batch_api.update(BatchInputSimplePublicObjectBatchInput(inputs=updates))
    receiver.wait_for_events(200)
    assert [len(r.events) for r in receiver.requests] == [100, 100]
    ids = [e["eventId"] for e in receiver.events]
    assert len(set(ids)) == 200


def test_a_failed_delivery_is_retried_with_its_attempt_number(
    live: LiveServer, receiver: WebhookReceiver
) -> None:
    portal = live.new_portal()
    app = portal.create_app()
    app.configure(receiver)
    app.subscribe("contact.creation")
    receiver.fail(500, times=1)
    receiver.fail(429, times=1, retry_after=0)
    crm(portal).crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"email": "retry@x.com"})
    )
    requests = receiver.wait_for(3)
    assert [r.status for r in requests] == [500, 429, 200]
    assert [r.events[0]["attemptNumber"] for r in requests] == [0, 1, 2]
    assert len({r.events[0]["eventId"] for r in requests}) == 1
    assert all(hubspot_signature_ok(r, app.client_secret) for r in requests)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        deliveries = portal.webhook_deliveries()
        if len(deliveries) == 3 and deliveries[-1].get("status") == 200:
            break
        time.sleep(0.05)
    assert [d["status"] for d in deliveries] == [500, 429, 200]
    assert [d["events"][0]["attemptNumber"] for d in deliveries] == [0, 1, 2]
    (event,) = portal.webhook_events()
    assert (event["state"], event["attempts"]) == ("delivered", 3)


def test_a_slow_or_failing_target_never_slows_writes(
    live: LiveServer, receiver: WebhookReceiver
) -> None:
    portal = live.new_portal()
    app = portal.create_app()
    app.configure(receiver)
    app.subscribe("contact.creation")
    receiver.hang(2.0, times=3, status=503)  # twice what a write may take, and failing
    contacts = crm(portal).crm.contacts
    for n in range(10):
        started = time.monotonic()
        contacts.basic_api.create(
            SimplePublicObjectInputForCreate(properties={"email": f"fast{n}@x.com"})
        )
        assert time.monotonic() - started < 1.0
    assert len(receiver.wait_for_events(10, timeout=60)) >= 10


def test_the_control_api_delivers_pending_retries_now(database_url: str) -> None:
    live = LiveServer(database_url, "--control").start()  # HubSpot's own retry schedule
    receiver = WebhookReceiver()
    try:
        portal = live.new_portal()
        app = portal.create_app()
        app.configure(receiver)
        app.subscribe("contact.creation")
        receiver.fail(500)
        crm(portal).crm.contacts.basic_api.create(
            SimplePublicObjectInputForCreate(properties={"email": "now@x.com"})
        )
        receiver.wait_for(1)
        deadline = time.monotonic() + 10
        while portal.webhook_deliveries()[0].get("status") != 500:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        (pending,) = portal.webhook_events()
        assert (pending["state"], pending["attempts"]) == ("pending", 1)
        # Now, without waiting for the retry's time (0 to 84 s away: rarely, already gone).
        assert portal.deliver_webhooks() in (1, 0)
        (event,) = receiver.wait_for_events(1)
        assert event["attemptNumber"] == 1
        (delivered,) = portal.webhook_events()
        assert delivered["state"] == "delivered"
    finally:
        receiver.close()
        live.stop()
