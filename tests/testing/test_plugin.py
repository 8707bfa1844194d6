"""The pytest plugin and hubcrm.testing, as users use them: live servers, the official SDK."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInputUpsert,
    SimplePublicObjectBatchInputUpsert,
)
from hubspot.crm.contacts.exceptions import ApiException
from urllib3.exceptions import MaxRetryError, ProtocolError
from urllib3.util.retry import Retry

import hubcrm.testing
from hubcrm.testing import ControlError, LiveServer, Portal

UPSERT = "/crm/v3/objects/contacts/batch/upsert"


def upsert_batch(*emails: str, **properties: str) -> BatchInputSimplePublicObjectBatchInputUpsert:
    return BatchInputSimplePublicObjectBatchInputUpsert(
        inputs=[
            SimplePublicObjectBatchInputUpsert(
                id=email, id_property="email", properties=dict(properties)
            )
            for email in emails
        ]
    )


def retrying(portal: Portal, total: int = 3) -> Any:
    """The SDK as an integration would configure it: retry 429s, honouring Retry-After."""
    retry = Retry(
        total=total,
        status_forcelist=[429],
        allowed_methods=None,
        respect_retry_after_header=True,
        backoff_factor=0,
    )
    return portal.hubspot(retry=retry)


def test_the_official_sdk_retries_through_an_injected_429(hubcrm_portal: Portal) -> None:
    hubcrm_portal.faults.rate_limit(UPSERT, "POST", times=1)
    client = retrying(hubcrm_portal)
    started = time.monotonic()
    answer = client.crm.contacts.batch_api.upsert(upsert_batch("ann@example.com", firstname="Ann"))
    assert time.monotonic() - started >= 1  # it waited the Retry-After the 429 carried
    assert [result.id for result in answer.results] == ["1"]
    sent = hubcrm_portal.journal("POST", UPSERT)
    assert [(entry.status, entry.fault) for entry in sent] == [(429, "fault-1"), (200, None)]
    assert sent[0].json == sent[1].json
    refused = sent[0].response_json
    assert refused["policyName"] == "TEN_SECONDLY_ROLLING"
    assert refused["errorType"] == "RATE_LIMIT"


def test_without_retries_the_sdk_surfaces_hubspots_429(hubcrm_portal: Portal) -> None:
    hubcrm_portal.faults.rate_limit(UPSERT, policy="DAILY", retry_after=60)
    client = hubcrm_portal.hubspot()
    with pytest.raises(ApiException) as raised:
        client.crm.contacts.batch_api.upsert(upsert_batch("ann@example.com"))
    assert raised.value.status == 429
    assert raised.value.headers["Retry-After"] == "60"
    assert json.loads(raised.value.body)["message"] == "You have reached your daily limit."


def test_the_journal_asserts_what_was_sent_in_one_line(hubcrm_portal: Portal) -> None:
    emails = [f"person{n}@example.com" for n in range(100)]
    hubcrm_portal.hubspot().crm.contacts.batch_api.upsert(upsert_batch(*emails, lastname="X"))
    sent = hubcrm_portal.journal.one("POST", "*/batch/upsert")
    assert [item["id"] for item in sent.json["inputs"]] == emails
    assert sent.status == 200
    with pytest.raises(AssertionError, match="expected exactly one GET"):
        hubcrm_portal.journal.one("GET")


def test_each_test_gets_its_own_portal(hubcrm_server: LiveServer, hubcrm_portal: Portal) -> None:
    hubcrm_portal.hubspot().crm.contacts.batch_api.upsert(upsert_batch("mine@example.com"))
    other = hubcrm_server.new_portal()
    assert other.portal_id != hubcrm_portal.portal_id
    with pytest.raises(ApiException) as raised:
        other.hubspot().crm.contacts.basic_api.get_by_id("mine@example.com", id_property="email")
    assert raised.value.status == 404
    assert [entry.status for entry in other.journal()] == [404]
    assert [entry.status for entry in hubcrm_portal.journal()] == [200]


def test_portal_ids_derive_from_the_test_id(
    request: pytest.FixtureRequest, hubcrm_portal: Portal
) -> None:
    import hashlib

    digest = int.from_bytes(hashlib.sha256(request.node.nodeid.encode()).digest()[:8], "big")
    assert hubcrm_portal.portal_id == 10_000_000 + digest % 90_000_000


def test_a_dropped_connection_reaches_the_client(hubcrm_portal: Portal) -> None:
    hubcrm_portal.faults.drop(UPSERT, times=1)
    client = hubcrm_portal.hubspot(retry=Retry(total=0, read=0, connect=0))
    with pytest.raises((ProtocolError, MaxRetryError)):
        client.crm.contacts.batch_api.upsert(upsert_batch("ann@example.com"))
    # The server lives on: the next request is answered.
    assert client.crm.contacts.batch_api.upsert(upsert_batch("ann@example.com")).results
    entries = hubcrm_portal.journal("POST", UPSERT)
    assert [(e.status, e.fault) for e in entries] == [(0, "fault-1"), (200, None)]


def test_clock_freezes_and_advances(hubcrm_portal: Portal) -> None:
    hubcrm_portal.clock.freeze("2030-01-02T03:04:05Z")
    client = hubcrm_portal.hubspot()
    created = client.crm.contacts.batch_api.upsert(upsert_batch("ann@example.com")).results[0]
    assert created.created_at.isoformat() == "2030-01-02T03:04:05+00:00"
    hubcrm_portal.clock.advance(seconds=90)
    updated = client.crm.contacts.batch_api.upsert(upsert_batch("ann@example.com", firstname="A"))
    assert updated.results[0].updated_at.isoformat() == "2030-01-02T03:05:35+00:00"
    assert hubcrm_portal.clock.frozen()


def test_seed_reset_and_sequences(hubcrm_portal: Portal) -> None:
    hubcrm_portal.set_next_id("contacts", 500)
    assert hubcrm_portal.seed([{"email": "ann@example.com", "firstname": "Ann"}]) == {
        "properties": 0,
        "contacts": 1,
    }
    client = hubcrm_portal.hubspot()
    found = client.crm.contacts.basic_api.get_by_id("ann@example.com", id_property="email")
    assert found.id == "500"
    hubcrm_portal.faults.error(503)
    hubcrm_portal.reset()
    assert hubcrm_portal.faults.list() == []
    with pytest.raises(ApiException) as raised:
        client.crm.contacts.basic_api.get_by_id("ann@example.com", id_property="email")
    assert raised.value.status == 404


def test_control_errors_name_the_problem(hubcrm_portal: Portal) -> None:
    with pytest.raises(ControlError) as raised:
        hubcrm_portal.faults.error(418)
    assert raised.value.status == 400
    assert "status must be one of" in raised.value.body


def test_serve_is_a_context_manager_for_other_runners() -> None:
    with hubcrm.testing.serve(deterministic=True) as hs:
        assert hs.portal_id == 10_000_001  # made on the empty database, and printed
        portal = hs.new_portal()
        assert portal.portal_id == 10_000_002
        assert hs.clock.now() == 1_767_225_600_000
        request = urllib.request.Request(
            portal.base_url + UPSERT,
            data=json.dumps({"inputs": []}).encode(),
            headers={**portal.headers, "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request) as answer:
            assert answer.status == 200
        base_url = hs.base_url
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(base_url + UPSERT, timeout=2)


def test_the_fixtures_can_use_a_hubcrm_already_running(tmp_path: Path) -> None:
    (tmp_path / "test_attached.py").write_text(
        "def test_it(hubcrm_portal, hubcrm_server):\n"
        "    assert hubcrm_server.process is None\n"
        "    hubcrm_portal.faults.error(503)\n"
        "    print('PORTAL', hubcrm_portal.portal_id)\n"
    )
    with hubcrm.testing.serve(admin_token="adm") as hs:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-s",
                "-p",
                "no:cacheprovider",
                f"--hubcrm-url={hs.base_url}",
                "--hubcrm-admin-token=adm",
            ],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        portal_id = int(run.stdout.split("PORTAL ")[1].split()[0])
        assert [
            rule["status"]
            for rule in hs.control.call("GET", f"portals/{portal_id}/faults")["results"]
        ] == [503]


def test_search_delay_through_the_sdk() -> None:
    from hubspot.crm.contacts import Filter, FilterGroup, PublicObjectSearchRequest

    by_email = PublicObjectSearchRequest(
        filter_groups=[
            FilterGroup(
                filters=[Filter(property_name="email", operator="EQ", value="ann@example.com")]
            )
        ]
    )
    with hubcrm.testing.serve(search_delay_ms=5_000) as hs:
        portal = hs.new_portal()
        portal.clock.freeze()
        client = portal.hubspot()
        client.crm.contacts.batch_api.upsert(upsert_batch("ann@example.com"))
        assert client.crm.contacts.search_api.do_search(by_email).total == 0
        portal.clock.advance(seconds=5)
        found = client.crm.contacts.search_api.do_search(by_email)
        assert [result.id for result in found.results] == ["1"]


def test_the_plugin_seeds_and_serves_every_object_type(hubcrm_portal: Portal) -> None:
    """Companies, deals and a custom object type seeded through the plugin, read by the SDK."""
    seeded = hubcrm_portal.seed(
        {
            "schemas": [
                {
                    "name": "cars",
                    "labels": {"singular": "Car", "plural": "Cars"},
                    "properties": [
                        {"name": "model", "label": "Model", "type": "string", "fieldType": "text"}
                    ],
                }
            ],
            "objects": {
                "companies": [{"name": "Acme"}],
                "deals": [{"dealname": "Renewal", "amount": "1200"}],
                "cars": [{"model": "Beetle"}],
            },
        }
    )
    assert seeded == {"properties": 0, "contacts": 0, "schemas": 1, "objects": 3}
    client = hubcrm_portal.hubspot(client_side_validation=True)
    companies = client.crm.companies.basic_api.get_page(properties=["name"])
    assert [c.properties["name"] for c in companies.results] == ["Acme"]
    deal = client.crm.deals.basic_api.get_by_id("1", properties=["amount"])
    assert deal.properties["amount"] == "1200"
    schema = client.crm.schemas.core_api.get_by_id(f"p{hubcrm_portal.portal_id}_cars")
    cars = client.crm.objects.basic_api.get_page(schema.object_type_id, properties=["model"])
    assert [c.properties["model"] for c in cars.results] == ["Beetle"]
    hubcrm_portal.reset()
    assert client.crm.companies.basic_api.get_page().results == []
    assert client.crm.schemas.core_api.get_all().results == []
