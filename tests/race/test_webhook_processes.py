"""Webhook delivery across processes: a server killed mid-delivery leaves nothing lost (another
delivers it again, as a retry), and two servers on one PostgreSQL database share the outbox
without ever delivering one event twice."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from hubspot import Client
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInputUpsert,
    SimplePublicObjectBatchInputUpsert,
    SimplePublicObjectInputForCreate,
)

from hubcrm.testing.portal import Portal
from hubcrm.testing.webhooks import WebhookReceiver
from tests.backends import fresh_postgres
from tests.server import LiveServer

pytestmark = pytest.mark.slow

FAST = ("--control", "--webhook-timeout", "1", "--webhook-retry-scale", "0.001")


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    found = WebhookReceiver()
    yield found
    found.close()


def crm(portal: Portal, server: LiveServer) -> Client:
    return Client.create(access_token=portal.token, host=server.base_url)


def on(server: LiveServer, portal: Portal) -> Portal:
    """The same portal, through another server's control API."""
    return Portal(server.base_url, portal.token, portal.portal_id, server.control)


def test_a_server_killed_mid_delivery_loses_nothing(
    database_url: str, receiver: WebhookReceiver
) -> None:
    first = LiveServer(database_url, *FAST).start()
    try:
        portal = first.new_portal()
        app = portal.create_app()
        app.configure(receiver)
        app.subscribe("contact.creation")
        receiver.hang(3.0)  # the first delivery gets no answer before the server dies
        crm(portal, first).crm.contacts.basic_api.create(
            SimplePublicObjectInputForCreate(properties={"email": "kill@x.com"})
        )
        receiver.wait_for_arrivals(1)
    finally:
        first.stop(kill=True)  # kill -9, the write committed, its delivery unanswered
    second = LiveServer(database_url, *FAST).start()
    try:
        # Once the dead server's claim lapses, the restarted one delivers it as a retry.
        events = receiver.wait_for_events(2, timeout=30)
        assert sorted(e["attemptNumber"] for e in events) == [0, 1]
        assert len({e["eventId"] for e in events}) == 1
        assert all(r.signature_valid for r in receiver.requests)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            (event,) = on(second, portal).webhook_events()
            if event["state"] == "delivered":
                break
            time.sleep(0.05)
        assert (event["state"], event["attempts"]) == ("delivered", 2)
    finally:
        second.stop()


def test_a_server_restarted_delivers_what_was_pending(
    database_url: str, receiver: WebhookReceiver
) -> None:
    first = LiveServer(database_url, *FAST).start()
    try:
        portal = first.new_portal()
        app = portal.create_app()
        app.configure(receiver)
        app.subscribe("contact.creation")
        receiver.fail(503, times=1)
        crm(portal, first).crm.contacts.basic_api.create(
            SimplePublicObjectInputForCreate(properties={"email": "later@x.com"})
        )
        receiver.wait_for(1)
        first.stop(kill=True)  # before its retry
        receiver.fail(503, times=1)  # in case the retry got out first: one more to wait for
        second = LiveServer(database_url, *FAST).start()
        try:
            (event,) = receiver.wait_for_events(1, timeout=30)
            assert event["attemptNumber"] >= 1
            assert [r.status for r in receiver.requests][-1] == 200
        finally:
            second.stop()
    finally:
        first.stop(kill=True)


def test_two_processes_share_the_outbox_and_deliver_each_event_once(
    receiver: WebhookReceiver,
) -> None:
    with fresh_postgres() as url:
        servers = [LiveServer(url, "--control").start(), LiveServer(url, "--control").start()]
        try:
            portal = servers[0].new_portal()
            app = portal.create_app()
            app.configure(receiver)
            app.subscribe("contact.creation")
            receiver.hang(0.2, times=1000)  # slow answers: deliveries overlap

            def write(batch: int) -> None:
                server = servers[batch % 2]
                inputs = [
                    SimplePublicObjectBatchInputUpsert(
                        id=f"b{batch}-{n}@x.com", id_property="email", properties={}
                    )
                    for n in range(10)
                ]
                crm(portal, server).crm.contacts.batch_api.upsert(
                    BatchInputSimplePublicObjectBatchInputUpsert(inputs=inputs)
                )

            with ThreadPoolExecutor(4) as pool:
                list(pool.map(write, range(30)))
            events = receiver.wait_for_events(300, timeout=60)
            time.sleep(0.5)  # room for a duplicate to show up, were there one
            events = receiver.events
            assert len(events) == 300
            assert len({e["eventId"] for e in events}) == 300
            assert {e["attemptNumber"] for e in events} == {0}
            assert len({e["objectId"] for e in events}) == 300
        finally:
            for server in servers:
                server.stop()
