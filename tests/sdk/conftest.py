from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

import pytest
from hubspot import Client

from tests.backends import BACKENDS, fresh_database
from tests.server import LiveServer


@pytest.fixture
def server(database_url: str) -> Iterator[LiveServer]:
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
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer | None]:
    """One live hubcrm per module and store (tests take a portal each); none against HubSpot."""
    if request.param == "hubspot":
        yield None
        return
    with fresh_database(request.param, tmp_path_factory.mktemp("verify")) as url:
        live = LiveServer(url, "--control").start()
        try:
            yield live
        finally:
            live.stop()


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
