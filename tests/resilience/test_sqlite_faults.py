"""SQLite under a full disk (a file-size limit on the running server) and with its file removed:
writes get 503 with Retry-After and nothing half-written, reads go on, the server stays up and
writes resume when space returns."""

from __future__ import annotations

import http.client
import json
import os
import resource
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.resilience.load import Load, check, send_batch, stored_tags
from tests.server import LiveServer

pytestmark = pytest.mark.slow


def _get(base_url: str, token: str, path: str) -> tuple[int, Any]:
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def _largest_file(folder: Path) -> int:
    return max(p.stat().st_size for p in folder.iterdir() if p.is_file())


def test_a_full_disk_is_503_reads_go_on_and_writes_resume(tmp_path: Path) -> None:
    server = LiveServer(f"sqlite:///{tmp_path / 'hubcrm.db'}").start()
    try:
        assert server.process is not None
        assert send_batch(server.base_url, server.token, "before", 5, 30).status == 201
        # The disk is "full" a little beyond the files as they are now: no file of the server's
        # may grow past it (hubcrm ignores SIGXFSZ, so the write fails instead of the process).
        limit = _largest_file(tmp_path) + 128 * 1024
        _, hard = resource.prlimit(server.process.pid, resource.RLIMIT_FSIZE)
        resource.prlimit(server.process.pid, resource.RLIMIT_FSIZE, (limit, hard))
        load = Load(server.base_url, server.token, clients=4, size=20)
        with load:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if sum(1 for o in load.outcomes if o.status == 503) >= 5:
                    break
                time.sleep(0.1)
            # Reads keep working while writes are refused.
            status, page = _get(server.base_url, server.token, "/crm/v3/objects/contacts?limit=5")
            assert status == 200, page
        full = list(load.outcomes)
        assert any(o.status == 503 for o in full), [o.status for o in full[-5:]]
        refused = next(o for o in full if o.status == 503)
        assert refused.body["message"].startswith("The database cannot take writes now"), refused

        # Space returns: writes resume without a restart.
        resource.prlimit(
            server.process.pid,
            resource.RLIMIT_FSIZE,
            (hard, hard),
        )
        after = send_batch(server.base_url, server.token, "after", 5, 30)
        for _ in range(20):
            if after.status == 201:
                break
            time.sleep(0.25)
            after = send_batch(server.base_url, server.token, f"after{_}", 5, 30)
        assert after.status == 201, after.body
        assert server.process.poll() is None

        stored = stored_tags(server.base_url, server.token)
        statuses = check(full, stored)
        assert statuses[201] > 0
        assert stored["before"] == 5
    finally:
        server.stop()
    assert "Traceback" not in server.output, server.output[-3000:]


def test_a_removed_file_refuses_writes_and_keeps_reads(tmp_path: Path) -> None:
    path = tmp_path / "hubcrm.db"
    server = LiveServer(f"sqlite:///{path}").start()
    try:
        written = send_batch(server.base_url, server.token, "kept", 3, 30)
        assert written.status == 201
        record_id = written.body["results"][0]["id"]
        os.unlink(path)

        refused = send_batch(server.base_url, server.token, "lost", 3, 30)
        assert refused.status == 503, refused.body
        assert refused.retry_after == "1"
        assert refused.body["category"] == "SERVICE_UNAVAILABLE"
        status, record = _get(
            server.base_url, server.token, f"/crm/v3/objects/contacts/{record_id}"
        )
        assert status == 200, record
        assert record["properties"]["firstname"] == "kept"
        assert server.process is not None
        assert server.process.poll() is None
    finally:
        server.stop()
    assert "Traceback" not in server.output, server.output[-3000:]
    assert "was removed or replaced" in server.output
