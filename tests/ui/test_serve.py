"""`hubcrm serve` tells where the UI is, beside the token that signs in to it."""

from __future__ import annotations

import pytest

from tests.server import LiveServer


@pytest.mark.slow
def test_serve_prints_the_uis_address_beside_the_first_token(database_url: str) -> None:
    server = LiveServer(database_url).start()
    try:
        lines = server.output.splitlines()
    finally:
        server.stop()
    token_line = next(i for i, line in enumerate(lines) if "its token: " in line)
    assert lines[token_line + 1] == (
        f"hubcrm: the web UI is at {server.base_url}/ui/; sign in with that token"
    )
    again = LiveServer(database_url).start()
    again.stop()
    assert f"hubcrm: the web UI is at {again.base_url}/ui/; sign in with a token" in again.output
