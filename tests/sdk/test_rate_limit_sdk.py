"""HubSpot's official SDKs recover from hubcrm's 429s with their own retry logic.

The Python SDK (urllib3's Retry) honours `Retry-After`; the Node SDK retries only 429s whose
`policyName` is `TEN_SECONDLY_ROLLING`, after 10 seconds. Both run against a real server whose
window is short (1 s) and tight (2 requests), so that some calls are refused and retried.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hubspot import Client
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInputUpsert,
    SimplePublicObjectBatchInputUpsert,
)
from hubspot.crm.contacts.exceptions import ApiException
from urllib3.util.retry import Retry

from hubcrm.testing import serve
from tests.sdk.conftest import SharedServers
from tests.server import LiveServer

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
LIMITS = ("--rate-limit", "free", "--rate-limit-burst", "2", "--rate-limit-window-ms", "1000")


@pytest.fixture
def limited_server(backend: str, shared_servers: SharedServers) -> LiveServer:
    """A fresh portal of a shared server with these limits (they count per portal)."""
    live = shared_servers.get(backend, "--control", *LIMITS)
    return live.for_portal(live.new_portal())


def upsert(client: Client, email: str) -> str:
    body = BatchInputSimplePublicObjectBatchInputUpsert(
        inputs=[
            SimplePublicObjectBatchInputUpsert(
                id=email, id_property="email", properties={"firstname": "Py"}
            )
        ]
    )
    answer = client.crm.contacts.batch_api.upsert(body)
    return str(answer.results[0].id)


@pytest.mark.slow
def test_python_sdk_without_retries_sees_hubspot_429(limited_server: LiveServer) -> None:
    client = Client.create(access_token=limited_server.token, host=limited_server.base_url)
    for _ in range(5):
        started = time.monotonic()
        upsert(client, "a@x.com")
        upsert(client, "b@x.com")
        try:
            upsert(client, "c@x.com")
        except ApiException as error:
            refused = error
            break
        # Only a busy machine, taking over the 1 s window for three calls, lets the third pass;
        # then try again in a window of their own.
        assert time.monotonic() - started > 1.0, "a third call in one window was not refused"
        time.sleep(1.1)
    else:
        pytest.fail("three calls never fitted in one window: the machine is too busy")
    assert refused.status == 429
    assert refused.headers["Retry-After"] == "1"
    assert json.loads(refused.body)["policyName"] == "TEN_SECONDLY_ROLLING"


@pytest.mark.slow
def test_python_sdk_honours_retry_after_and_recovers(limited_server: LiveServer) -> None:
    retry = Retry(total=10, status_forcelist=(429,), allowed_methods=None, backoff_factor=0)
    client = Client.create(
        access_token=limited_server.token, host=limited_server.base_url, retry=retry
    )
    started = time.monotonic()
    with ThreadPoolExecutor(6) as pool:
        ids = list(pool.map(lambda i: upsert(client, f"p{i}@x.com"), range(6)))
    assert sorted(ids, key=int) == [str(i) for i in range(1, 7)]
    assert time.monotonic() - started >= 1.0  # some calls waited out a Retry-After


def node_modules() -> Path | None:
    """tests/node installed from its lock file, or None when node is missing and allowed to be."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        if os.environ.get("HUBCRM_TEST_REQUIRE_NODE"):
            pytest.fail("node and npm are required (HUBCRM_TEST_REQUIRE_NODE is set)")
        return None
    with (NODE_DIR / "package-lock.json").open() as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one `npm ci` even with parallel workers
        if not (NODE_DIR / "node_modules" / "@hubspot" / "api-client").is_dir():
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True, timeout=600
            )
    return NODE_DIR / "node_modules"


@pytest.mark.slow
def test_node_sdk_retries_ten_secondly_rolling_and_recovers(limited_server: LiveServer) -> None:
    if node_modules() is None:
        pytest.skip("node is not installed")
    env = {
        **os.environ,
        "HUBCRM_URL": limited_server.base_url,
        "HUBCRM_TOKEN": limited_server.token,
        "HUBCRM_CALLS": "4",
        "HUBCRM_MODE": "upsert",
        # The SDK's own 10 s wait before retrying, run 6.6 times faster (1.5 s, still past the
        # 1 s window): the SDK still chooses to retry, and for how long, as it logs.
        "HUBCRM_SDK_WAIT_SCALE": "0.15",
    }
    ran = subprocess.run(
        ["node", "rate_limited.js"],
        cwd=NODE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    results = json.loads(ran.stdout)
    assert all(r["ok"] for r in results), results
    assert sorted(int(r["id"]) for r in results) == [1, 2, 3, 4]
    # The SDK logs each retry it makes: two calls were refused and retried, after its 10 s.
    assert ran.stderr.count("Request failed with status code [429]") == 2, ran.stderr
    assert ran.stderr.count("will retry [1] time in [10000] ms") == 2, ran.stderr


@pytest.fixture
def search_limited_server(database_url: str) -> Iterator[LiveServer]:
    live = LiveServer(database_url, "--rate-limit", "free").start()
    yield live
    live.stop()


@pytest.mark.slow
def test_node_sdk_retries_search_past_its_secondly_limit(
    search_limited_server: LiveServer,
) -> None:
    if node_modules() is None:
        pytest.skip("node is not installed")
    env = {
        **os.environ,
        "HUBCRM_URL": search_limited_server.base_url,
        "HUBCRM_TOKEN": search_limited_server.token,
        "HUBCRM_CALLS": "8",
        "HUBCRM_MODE": "search",
    }
    ran = subprocess.run(
        ["node", "rate_limited.js"],
        cwd=NODE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    results = json.loads(ran.stdout)
    assert all(r["ok"] for r in results), results
    # Five searches fit in the second; the other three were refused, waited 1 s, and succeeded.
    assert ran.stderr.count("Request failed with status code [429]") == 3, ran.stderr
    assert "in [1000] ms" in ran.stderr


@pytest.mark.slow
def test_windows_follow_the_portals_controlled_clock() -> None:
    with serve("--rate-limit", "free", "--rate-limit-burst", "2") as hs:
        portal = hs.new_portal()
        portal.clock.freeze()
        client = Client.create(access_token=portal.token, host=portal.base_url)
        upsert(client, "a@x.com")
        upsert(client, "b@x.com")
        with pytest.raises(ApiException) as refused:
            upsert(client, "c@x.com")
        assert refused.value.status == 429
        assert refused.value.headers["Retry-After"] == "10"
        portal.clock.advance(seconds=10)  # the window passes without anyone waiting
        assert upsert(client, "c@x.com") == "3"
