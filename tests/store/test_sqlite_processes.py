"""Several `hubcrm serve` processes writing one SQLite file take turns, and lose nothing."""

from __future__ import annotations

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.server import LiveServer

UPSERT = "/crm/v3/objects/contacts/batch/upsert"


def call(server: LiveServer, token: str, path: str, body: Any = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        server.base_url + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.slow
def test_two_processes_share_one_file_without_duplicates(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first = LiveServer(url).start()
    second = LiveServer(url).start()  # the database is no longer empty: no new portal
    try:
        token = first.token

        def batch(n: int) -> tuple[int, Any]:
            server = (first, second)[n % 2]
            # Every batch overlaps its neighbours: contact k is written by batches k-4 .. k.
            inputs = [
                {
                    "id": f"c{k}@example.com",
                    "idProperty": "email",
                    "properties": {"firstname": f"batch {n}"},
                }
                for k in range(n, n + 5)
            ]
            return call(server, token, UPSERT, {"inputs": inputs})

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(batch, range(40)))
        assert [status for status, _ in answers] == [200] * 40

        ids: dict[str, set[str]] = {}
        for _, body in answers:
            for result in body["results"]:
                ids.setdefault(result["properties"]["email"], set()).add(result["id"])
        assert len(ids) == 44
        assert all(len(found) == 1 for found in ids.values())
        assert len({found.pop() for found in ids.values()}) == 44

        for server in (first, second):
            status, body = call(
                server,
                token,
                "/crm/v3/objects/contacts/c43@example.com?idProperty=email&properties=firstname",
            )
            assert (status, body["properties"]["firstname"]) == (200, "batch 39")
    finally:
        first.stop()
        second.stop()
