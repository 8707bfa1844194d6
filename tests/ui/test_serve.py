"""`hubcrm serve` tells where the UI is, beside the token that signs in to it."""

from __future__ import annotations

import pytest

from tests.server import LiveServer
from tests.ui.conftest import LiveServers


@pytest.mark.slow
def test_serve_prints_the_uis_address_beside_the_first_token(
    backend: str, live_servers: LiveServers
) -> None:
    server = live_servers.of(backend)  # started over a new, empty database: it made a portal
    lines = server.output.splitlines()
    token_line = next(i for i, line in enumerate(lines) if "its token: " in line)
    assert lines[token_line + 1] == (
        f"hubcrm: the web UI is at {server.base_url}/ui/; sign in with that token"
    )
    again = LiveServer(server.database_url).start()
    again.stop()
    assert f"hubcrm: the web UI is at {again.base_url}/ui/; sign in with a token" in again.output
