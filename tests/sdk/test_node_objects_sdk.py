"""HubSpot's Node SDK (`@hubspot/api-client`) through companies and deals against a live hubcrm."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.sdk.test_rate_limit_sdk import NODE_DIR, node_modules
from tests.server import LiveServer


@pytest.mark.slow
def test_node_sdk_companies_and_deals(server: LiveServer) -> None:
    if node_modules() is None:
        pytest.skip("node is not installed")
    env = {**os.environ, "HUBCRM_URL": server.base_url, "HUBCRM_TOKEN": server.token}
    ran = subprocess.run(
        ["node", "objects.js"],
        cwd=NODE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    seen = json.loads(ran.stdout)
    for name, text in (("companies", "Acme"), ("deals", "Deal")):
        assert seen[name] == {
            "created": "1",
            "createdAt": True,
            "read": f"{text} One",
            "updated": "Uno",
            "batch": [f"{text} Three", f"{text} Two"],
            "found": ["1"],
            "total": 1,
            "page": 2,
            "next": "3",
            "gone": 404,
        }
