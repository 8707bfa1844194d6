"""The UI's webhook pages: deliveries and their answers, failed ones marked, a record's events."""

from __future__ import annotations

import time

from hubcrm.domain import apps
from tests.conftest import Api, upsert_input
from tests.ui.helpers import page, sign_in, text_of

CLOSED_PORT = "http://127.0.0.1:9/hook"  # nothing listens: every delivery fails


def subscribed_app(api: Api, target: str = CLOSED_PORT) -> int:
    """An app of the portal, its webhooks pointed at `target`, subscribed to contact creations."""
    made = api.call(apps.create_app, api.state.store, api.clock, api.portal_id)
    app_id, key = made.app.app_id, made.developer_api_key
    base = f"/webhooks/v3/{app_id}"
    settings = {"targetUrl": target, "throttling": {"maxConcurrentRequests": 10}}
    assert api.client.put(f"{base}/settings?hapikey={key}", json=settings).status_code == 200
    subscription = {"eventType": "contact.creation", "active": True}
    created = api.client.post(f"{base}/subscriptions?hapikey={key}", json=subscription)
    assert created.status_code == 201, created.text
    return app_id


def wait_for_a_finished_delivery(api: Api) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = api.call(api.state.store.webhook_deliveries, api.portal_id)
        if any(d.finished_at is not None for d in found):
            return
        time.sleep(0.05)
    raise AssertionError("no webhook delivery finished")


def test_a_failed_delivery_is_shown_with_why_and_the_records_event(api: Api) -> None:
    app_id = subscribed_app(api)
    api.upsert([upsert_input("a@x.com", firstname="Ann")])
    wait_for_a_finished_delivery(api)
    sign_in(api)
    markup = page(api, "/ui/webhooks")
    assert '<tr class="bad">' in markup
    text = text_of(markup)
    assert f"{app_id} {CLOSED_PORT}" in text
    assert "none" in text  # no HTTP answer: the connection was refused
    events = text_of(page(api, "/ui/webhooks", show="events"))
    assert "contact.creation Contact 1" in events
    assert "changeSource =API" in events
    record = text_of(page(api, "/ui/objects/contacts/1"))
    assert "Webhook events" in record
    assert "contact.creation" in record


def test_without_apps_the_webhooks_page_says_what_is_needed(api: Api) -> None:
    sign_in(api)
    assert "No webhook delivery yet" in text_of(page(api, "/ui/webhooks"))
    assert "Webhook events" not in text_of(page(api, "/ui/objects"))
