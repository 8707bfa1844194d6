from __future__ import annotations

from collections.abc import Iterator

import pytest
from hubspot import Client

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
