from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest
from hubspot import Client

from tests.backends import BACKENDS, fresh_database
from tests.server import LiveServer

# The settings of the live hubcrm tests share: the control API (each test makes its own portal),
# and webhook retries 1000 times sooner than HubSpot's schedule (they are per app, so they reach
# only the tests that make an app and subscribe).
SHARED = ("--control", "--webhook-retry-scale", "0.001")


class SharedServers:
    """The live hubcrm processes one pytest process shares between its tests: one per backend and
    settings, each over a fresh database, started when a test first needs it and stopped when the
    session ends. Tests on them stay apart by taking a fresh portal each (records, id sequences,
    properties, owners, pipelines, apps, journals, faults and rate limits are all per portal)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.stack = contextlib.ExitStack()
        self.running: dict[tuple[str, tuple[str, ...]], LiveServer] = {}

    def get(self, backend: str, *extra: str) -> LiveServer:
        key = (backend, extra)
        live = self.running.get(key)
        if live is not None:
            if live.process is not None and live.process.poll() is not None:
                live.stop()
                del self.running[key]  # the next test starts another over a fresh database
                pytest.fail(f"the shared hubcrm serve {extra} exited:\n{live.output}")
            return live
        url = self.stack.enter_context(fresh_database(backend, self.folder))
        live = LiveServer(url, *extra).start()
        self.stack.callback(live.stop)
        self.running[key] = live
        return live

    def close(self) -> None:
        self.running.clear()
        self.stack.close()


@pytest.fixture(scope="session")
def shared_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedServers]:
    servers = SharedServers(tmp_path_factory.mktemp("shared"))
    try:
        yield servers
    finally:
        servers.close()


@pytest.fixture
def live(backend: str, shared_servers: SharedServers) -> LiveServer:
    """This process's shared live hubcrm of `backend` (SHARED settings); make portals on it."""
    return shared_servers.get(backend, *SHARED)


@pytest.fixture
def server(live: LiveServer) -> LiveServer:
    """A fresh portal of the shared live hubcrm, as a LiveServer whose token and portal_id are
    that portal's (stopping it leaves the shared server running)."""
    return live.for_portal(live.new_portal())


@pytest.fixture
def dedicated_server(database_url: str) -> Iterator[LiveServer]:
    """A live hubcrm of the test's own, over a fresh database, for a test that stops it."""
    live = LiveServer(database_url).start()
    yield live
    live.stop()


def sdk_client(server: LiveServer, token: str | None = None) -> Client:
    return Client.create(
        access_token=token or server.token, host=server.base_url, client_side_validation=True
    )


# Tests marked `hubspot_verified` describe HubSpot's behaviour, not hubcrm's own features. They
# take the `hubspot` fixture: a client of a fresh portal of a live hubcrm, or, with
# HUBCRM_VERIFY_HUBSPOT_TOKEN set, of the real HubSpot portal that token opens (docs/fidelity.md).
VERIFY_TOKEN_ENV = "HUBCRM_VERIFY_HUBSPOT_TOKEN"
T = TypeVar("T")


@dataclass
class HubSpot:
    """Where a verified test runs: a client, and what it must clean up against real HubSpot."""

    client: Client
    real: bool
    run: str  # unique per test: values a test searches for cannot meet another run's
    records: list[tuple[str, str]] = field(default_factory=list)
    schemas: list[str] = field(default_factory=list)

    def created(self, object_type: str, record_id: str) -> str:
        """Remember a record to archive when the test ends."""
        self.records.append((object_type, record_id))
        return record_id

    def eventually(
        self, probe: Callable[[], T], done: Callable[[T], bool], timeout: float = 60.0
    ) -> T:
        """`probe()` once it satisfies `done`: HubSpot's search lags its writes by seconds."""
        deadline = time.monotonic() + (timeout if self.real else 0)
        while True:
            answer = probe()
            if done(answer) or time.monotonic() >= deadline:
                return answer
            time.sleep(1.0)

    def clean_up(self) -> None:
        for object_type, record_id in reversed(self.records):
            with contextlib.suppress(Exception):
                self.client.crm.objects.basic_api.archive(object_type, record_id)
        for schema in reversed(self.schemas):
            with contextlib.suppress(Exception):
                self.client.crm.schemas.core_api.archive(schema)


@pytest.fixture(
    scope="module", params=["hubspot"] if os.environ.get(VERIFY_TOKEN_ENV) else BACKENDS
)
def verify_server(
    request: pytest.FixtureRequest, shared_servers: SharedServers
) -> LiveServer | None:
    """The shared live hubcrm of each store (tests take a portal each); none against HubSpot."""
    if request.param == "hubspot":
        return None
    return shared_servers.get(request.param, *SHARED)


@pytest.fixture
def hubspot(verify_server: LiveServer | None) -> Iterator[HubSpot]:
    run = uuid.uuid4().hex[:10]
    if verify_server is None:
        client = Client.create(
            access_token=os.environ[VERIFY_TOKEN_ENV], client_side_validation=True
        )
        target = HubSpot(client, real=True, run=run)
    else:
        portal = verify_server.new_portal()
        client = Client.create(
            access_token=portal.token, host=verify_server.base_url, client_side_validation=True
        )
        target = HubSpot(client, real=False, run=run)
    try:
        yield target
    finally:
        if target.real:
            target.clean_up()
