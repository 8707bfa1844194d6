"""What an operator relies on, against a live server: /metrics, health and readiness, JSON logs,
and the Dockerfile's references."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from hubcrm.api import health
from hubcrm.store import migrations
from hubcrm.store.sqlite.connection import path_from_url
from hubcrm.testing.portal import Portal
from tests.server import LiveServer

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
UPSERT = "/crm/v3/objects/contacts/batch/upsert"


def call(url: str, token: str | None = None, body: Any = None) -> tuple[int, str]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if data:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(
    found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def limited(database_url: str) -> Iterator[LiveServer]:
    live = LiveServer(
        database_url, "--control", "--rate-limit", "starter", "--rate-limit-burst", "5"
    ).start()
    yield live
    live.stop()


def test_metrics_count_known_traffic(limited: LiveServer) -> None:
    portal = limited.portal_for("metrics")
    base = limited.base_url
    inputs = [
        {"idProperty": "email", "id": f"m{n}@example.com", "properties": {}} for n in range(4)
    ]
    assert call(base + UPSERT, portal.token, {"inputs": inputs})[0] == 200
    for email in ("m0@example.com", "m1@example.com"):
        assert (
            call(f"{base}/crm/v3/objects/contacts/{email}?idProperty=email", portal.token)[0] == 200
        )
    assert call(base + "/crm/v3/objects/contacts/999999", portal.token)[0] == 404
    assert call(base + "/crm/v3/objects/contacts", portal.token)[0] == 200  # the fifth
    for _ in range(3):
        assert call(base + "/crm/v3/objects/contacts", portal.token)[0] == 429

    status, text = call(base + "/metrics")

    assert status == 200
    found = samples(text)
    record = "/crm/v3/objects/{object_type}/{record_id}"
    listing = "/crm/v3/objects/{object_type}"
    requests = "hubcrm_http_requests_total"
    assert (
        value(
            found,
            requests,
            route=UPSERT.replace("contacts", "{object_type}"),
            method="POST",
            status="200",
        )
        == 1
    )
    assert value(found, requests, route=record, method="GET", status="200") == 2
    assert value(found, requests, route=record, method="GET", status="404") == 1
    assert value(found, requests, route=listing, method="GET", status="200") == 1
    assert value(found, requests, route=listing, method="GET", status="429") == 3
    assert value(found, "hubcrm_rate_limited_total", policy="TEN_SECONDLY_ROLLING") == 3
    assert value(found, "hubcrm_records_written_total", object_type="0-1") == 4
    batch = {"object_type": "0-1", "operation": "upsert"}
    assert value(found, "hubcrm_batch_inputs_count", **batch) == 1
    assert value(found, "hubcrm_batch_inputs_sum", **batch) == 4
    # The fourth: LiveServer's probe, without a token, to see that the server answers.
    assert value(found, requests, route=record, method="GET", status="401") == 1
    latency = "hubcrm_http_request_duration_seconds_count"
    assert value(found, latency, route=record, method="GET") == 4
    assert ("hubcrm_sqlite_writer_queue", frozenset()) in found or any(
        name == "hubcrm_postgres_pool_connections" for name, _ in found
    )
    assert "m0@example.com" not in text  # no user data in labels
    assert portal.token not in text


def test_metrics_add_up_across_workers(database_url: str) -> None:
    live = LiveServer(database_url, "--control", "--workers", "2").start()
    try:
        portal = live.portal_for("metrics-workers")
        for _ in range(20):
            assert call(live.base_url + "/crm/v3/objects/contacts", portal.token)[0] == 200
        # A request is counted once its answer is sent: the other worker's /metrics may be
        # asked a moment before the last count lands.
        route = "/crm/v3/objects/{object_type}"
        deadline = time.monotonic() + 10
        while True:
            found = samples(call(live.base_url + "/metrics")[1])
            counted = value(
                found, "hubcrm_http_requests_total", route=route, method="GET", status="200"
            )
            if counted >= 20 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    finally:
        live.stop()
    assert counted == 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_metrics_can_be_turned_off_or_moved_to_a_port_of_their_own(database_url: str) -> None:
    off = LiveServer(database_url, "--metrics", "off").start()
    try:
        assert call(off.base_url + "/metrics")[0] == 404
    finally:
        off.stop()
    port = free_port()
    apart = LiveServer(database_url, "--metrics-port", str(port)).start()
    try:
        assert call(apart.base_url + "/metrics")[0] == 404
        status, text = call(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        assert "hubcrm_http_requests_total" in text
    finally:
        apart.stop()


def test_health_and_ready_need_no_token_and_reveal_nothing(database_url: str) -> None:
    for extra in ([], ["--control", "--admin-token", "s3cret-admin"]):
        live = LiveServer(database_url, *extra).start()
        try:
            assert call(live.base_url + health.HEALTH_PATH) == (200, '{"status":"ok"}')
            assert call(live.base_url + health.READY_PATH) == (200, '{"status":"ready"}')
        finally:
            live.stop()


def test_json_logs_carry_each_request_and_no_secret(database_url: str) -> None:
    live = LiveServer(database_url, "--control", "--log-format", "json").start()
    try:
        portal: Portal = live.portal_for("json-logs")
        secret_value = "Very Secret Surname"
        body = {
            "inputs": [
                {
                    "idProperty": "email",
                    "id": "hidden@example.com",
                    "properties": {"lastname": secret_value},
                }
            ]
        }
        assert call(live.base_url + UPSERT, portal.token, body)[0] == 200
        assert call(live.base_url + UPSERT, "pat-na1-not-a-real-token", body)[0] == 401
        status, _ = call(
            live.base_url + "/crm/v3/objects/contacts/hidden@example.com?idProperty=email",
            portal.token,
        )
        assert status == 200
    finally:
        live.stop()
    lines = [json.loads(line) for line in live.output.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "hubcrm.access"]
    upserts = [r for r in requests if r["route"] == "/crm/v3/objects/{object_type}/batch/upsert"]
    assert [(r["status"], r.get("portal_id")) for r in upserts] == [
        (200, portal.portal_id),
        (401, None),
    ]
    for line in requests:
        assert re.fullmatch(r"[0-9a-f-]{36}", line["correlation_id"])
        assert isinstance(line["duration_ms"], float)
        assert line["method"] in ("GET", "POST")
    text = "\n".join(json.dumps(line) for line in lines)
    for secret in (portal.token, "pat-na1-not-a-real-token", secret_value, "hidden@example.com"):
        assert secret not in text
    assert "its token" not in live.output  # the first start prints no token with JSON logs


def test_the_dockerfile_refers_to_what_exists() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (?:--\S+ )*(.+) \S+$", dockerfile, re.M):
        for name in source.split():
            assert (ROOT / name).exists(), name
    assert re.search(r"^FROM python:3\.\d+-slim", dockerfile, re.M)
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M)
    for needed in (health.HEALTH_PATH, "HEALTHCHECK", "HUBCRM_DATABASE_URL", "VOLUME"):
        assert needed in dockerfile
    commands = re.findall(r'"hubcrm", "(\w+)"', dockerfile)
    assert commands == ["serve"]
    for command in commands:
        helped = subprocess.run(
            [sys.executable, "-m", "hubcrm", command, "--help"], capture_output=True, check=False
        )
        assert helped.returncode == 0
    compose = (ROOT / "compose.yaml").read_text()
    assert "image: postgres" in compose
    assert compose.count("<<: *hubcrm") == 2


def test_ready_says_unavailable_once_the_schema_is_not_this_hubcrms(database_url: str) -> None:
    live = LiveServer(database_url).start()
    try:
        assert call(live.base_url + health.READY_PATH)[0] == 200
        # A newer hubcrm migrated the database under this one's feet.
        asyncio.run(
            execute(database_url, f"INSERT INTO {migrations.TABLE} (version) VALUES (9999)")
        )
        assert call(live.base_url + health.READY_PATH) == (503, '{"status":"unavailable"}')
        assert call(live.base_url + health.HEALTH_PATH)[0] == 200  # still up
    finally:
        live.stop()


async def execute(database_url: str, sql: str) -> None:
    if database_url.startswith("sqlite:"):
        with contextlib.closing(sqlite3.connect(path_from_url(database_url))) as conn, conn:
            conn.execute(sql)
        return
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()
