"""`hubcrm serve --workers N`: N processes answer on one port, each with its own store."""

from __future__ import annotations

import json
import os
import signal
import urllib.request
from pathlib import Path

from tests.server import LiveServer


def workers(pid: int) -> list[int]:
    """The worker processes a server process forked."""
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_workers_share_one_port_and_one_database(database_url: str) -> None:
    server = LiveServer(database_url, "--workers", "2").start()
    try:
        assert server.process is not None
        assert len(workers(server.process.pid)) == 2
        headers = {"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"}
        for n in range(6):
            body = {"inputs": [{"idProperty": "email", "id": f"w{n}@x.com", "properties": {}}]}
            request = urllib.request.Request(
                server.base_url + "/crm/v3/objects/contacts/batch/upsert",
                data=json.dumps(body).encode(),
                headers=headers,
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status == 200
                assert json.loads(response.read())["results"][0]["id"] == str(n + 1)
    finally:
        server.stop()


def test_a_worker_that_dies_stops_the_server(tmp_path: Path) -> None:
    """Whatever supervises hubcrm sees the failure instead of a server short of a worker."""
    server = LiveServer(f"sqlite:///{tmp_path / 'w.db'}", "--workers", "2").start()
    try:
        assert server.process is not None
        first, second = workers(server.process.pid)
        os.kill(first, signal.SIGKILL)
        assert server.process.wait(timeout=30) == 1
        assert not Path(f"/proc/{second}").exists()
    finally:
        server.stop()
