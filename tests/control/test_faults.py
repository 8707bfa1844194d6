"""Fault rules: HubSpot's failure answers on demand, per portal."""

from __future__ import annotations

import time
from typing import Any

import pytest

from hubcrm.api.faulting import ConnectionDropped
from hubcrm.protocol import messages
from tests.api.test_upsert import assert_error
from tests.control.conftest import UPSERT, Controlled


def add(controlled: Controlled, portal_id: int, **rule: Any) -> Any:
    return controlled.control("POST", f"portals/{portal_id}/faults", rule)


def test_an_injected_ten_secondly_429_is_hubspots_own(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    added = add(controlled, portal_id, path=UPSERT, method="POST", status=429, times=1)
    assert added.status_code == 201
    assert added.json() == {
        "method": "POST",
        "path": UPSERT,
        "status": 429,
        "policyName": "TEN_SECONDLY_ROLLING",
        "retryAfter": 1,
        "latencyMs": 0,
        "drop": False,
        "times": 1,
        "probability": None,
        "id": "fault-1",
        "fired": 0,
    }
    refused = controlled.upsert(token, "a@example.com")
    assert refused.status_code == 429
    body = refused.json()
    assert body == {
        "status": "error",
        "message": "You have reached your ten_secondly_rolling limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": refused.headers["x-hubspot-correlation-id"],
        "policyName": "TEN_SECONDLY_ROLLING",
        "requestId": body["requestId"],
    }
    assert refused.headers["content-type"] == "application/json;charset=utf-8"
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["x-hubspot-ratelimit-remaining"] == "0"
    assert refused.headers["x-hubspot-ratelimit-max"] == "100"
    assert refused.headers["x-hubspot-ratelimit-interval-milliseconds"] == "10000"
    # Fired once: the rule is spent and gone; the next request goes through.
    assert controlled.upsert(token, "a@example.com").status_code == 200
    assert controlled.control("GET", f"portals/{portal_id}/faults").json() == {"results": []}


def test_an_injected_daily_429(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    add(controlled, portal_id, status=429, policyName="DAILY", retryAfter=3600)
    refused = controlled.upsert(token, "a@example.com")
    assert refused.json()["message"] == "You have reached your daily limit."
    assert refused.json()["policyName"] == "DAILY"
    assert refused.headers["retry-after"] == "3600"
    assert refused.headers["x-hubspot-ratelimit-daily-remaining"] == "0"


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_failures_are_the_edge_html_pages(controlled: Controlled, status: int) -> None:
    portal_id, token = controlled.portal()
    add(controlled, portal_id, status=status, times=2)
    titles = {502: "502 Bad Gateway", 503: "503 Service Unavailable", 504: "504 Gateway Time-out"}
    for _ in range(2):
        failed = controlled.upsert(token, "a@example.com")
        assert failed.status_code == status
        assert failed.headers["content-type"] == "text/html; charset=utf-8"
        assert f"<title>{titles[status]}</title>" in failed.text
        assert "<hr><center>cloudflare</center>" in failed.text
    assert controlled.upsert(token, "a@example.com").status_code == 200


def test_an_injected_500_is_hubspots_envelope(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    add(controlled, portal_id, status=500)
    failed = controlled.upsert(token, "a@example.com")
    assert_error(failed, 500, "INTERNAL_ERROR", messages.INTERNAL_ERROR)
    # Nothing was written: the request never reached hubcrm's handlers.
    controlled.control("DELETE", f"portals/{portal_id}/faults")
    path = "/crm/v3/objects/contacts/a@example.com"
    assert controlled.get(token, path, idProperty="email").status_code == 404


@pytest.mark.parametrize(
    ("status", "category", "message", "retry_after"),
    [
        (423, "LOCKED", messages.LOCKED, "2"),
        (477, "MIGRATION_IN_PROGRESS", messages.MIGRATION_IN_PROGRESS, "60"),
    ],
)
def test_locked_and_migrating_carry_retry_after(
    controlled: Controlled, status: int, category: str, message: str, retry_after: str
) -> None:
    portal_id, token = controlled.portal()
    add(controlled, portal_id, status=status)
    failed = controlled.upsert(token, "a@example.com")
    assert_error(failed, status, category, message)
    assert failed.headers["retry-after"] == retry_after


def test_rules_match_by_method_and_path_pattern(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    add(controlled, portal_id, method="GET", path="/crm/v3/objects/contacts/*", status=503)
    assert controlled.upsert(token, "a@example.com").status_code == 200
    assert controlled.get(token, "/crm/v3/objects/contacts/1").status_code == 503
    assert controlled.get(token, "/crm/objects/2026-03/contacts/1").status_code == 200


def test_rules_belong_to_one_portal(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    _, other = controlled.portal()
    add(controlled, portal_id, status=503)
    assert controlled.upsert(other, "a@example.com").status_code == 200
    assert controlled.upsert(token, "a@example.com").status_code == 503


def test_probability_zero_never_fires_and_one_always_does(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    never = add(controlled, portal_id, status=500, probability=0).json()
    assert all(controlled.upsert(token, "a@example.com").status_code == 200 for _ in range(5))
    controlled.control("DELETE", f"portals/{portal_id}/faults/{never['id']}")
    add(controlled, portal_id, status=500, probability=1, times=3)
    assert [controlled.upsert(token, "a@example.com").status_code for _ in range(4)] == [
        500,
        500,
        500,
        200,
    ]


def test_latency_delays_and_then_answers(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    add(controlled, portal_id, latencyMs=300, times=1)
    started = time.monotonic()
    assert controlled.upsert(token, "a@example.com").status_code == 200
    assert time.monotonic() - started >= 0.3
    entry = controlled.control("GET", f"portals/{portal_id}/journal").json()["results"][0]
    assert entry["fault"] == "fault-1"
    assert entry["durationMs"] >= 300


def test_a_dropped_connection_in_process_raises(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    add(controlled, portal_id, drop=True)
    with pytest.raises(ConnectionDropped):
        controlled.upsert(token, "a@example.com")


def test_faulted_requests_are_journaled_with_their_rule(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    add(controlled, portal_id, status=429, times=2)
    for _ in range(3):
        controlled.upsert(token, "a@example.com")
    entries = controlled.control("GET", f"portals/{portal_id}/journal").json()["results"]
    assert [(e["status"], e["fault"]) for e in entries] == [
        (429, "fault-1"),
        (429, "fault-1"),
        (200, None),
    ]
    # The refused requests' bodies are kept too: what the client sent, each time.
    assert entries[0]["requestBody"] == entries[2]["requestBody"]


def test_rules_are_listed_removed_and_cleared(controlled: Controlled) -> None:
    portal_id, _ = controlled.portal()
    first = add(controlled, portal_id, status=503).json()
    second = add(controlled, portal_id, latencyMs=10).json()
    listed = controlled.control("GET", f"portals/{portal_id}/faults").json()["results"]
    assert [r["id"] for r in listed] == [first["id"], second["id"]]
    assert (
        controlled.control("DELETE", f"portals/{portal_id}/faults/{first['id']}").status_code == 204
    )
    assert_error(
        controlled.control("DELETE", f"portals/{portal_id}/faults/{first['id']}"),
        404,
        "OBJECT_NOT_FOUND",
        messages.FAULT_NOT_FOUND.format(id=first["id"]),
    )
    controlled.control("DELETE", f"portals/{portal_id}/faults")
    assert controlled.control("GET", f"portals/{portal_id}/faults").json() == {"results": []}


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ({}, "give a status, latencyMs or drop"),
        ({"status": 404}, "status must be one of 423, 429, 477, 500, 502, 503, 504"),
        (
            {"status": 503, "drop": True},
            "a rule either answers with a status or drops the connection, not both",
        ),
        (
            {"status": 503, "policyName": "DAILY"},
            "policyName goes with status 429 and is one of TEN_SECONDLY_ROLLING, DAILY, SECONDLY",
        ),
        (
            {"status": 429, "policyName": "HOURLY"},
            "policyName goes with status 429 and is one of TEN_SECONDLY_ROLLING, DAILY, SECONDLY",
        ),
        (
            {"status": 500, "retryAfter": 3},
            "retryAfter is a number of seconds, for status 423, 429 or 477",
        ),
        ({"latencyMs": -1}, "latencyMs must be between 0 and 120000"),
        ({"status": 500, "times": 0}, "times must be at least 1"),
        ({"status": 500, "probability": 1.5}, "probability must be between 0 and 1"),
    ],
)
def test_invalid_rules_are_400(controlled: Controlled, rule: dict[str, Any], problem: str) -> None:
    portal_id, _ = controlled.portal()
    assert_error(
        add(controlled, portal_id, **rule),
        400,
        "VALIDATION_ERROR",
        messages.INVALID_FAULT.format(problem=problem),
    )


def test_unknown_rule_fields_are_400(controlled: Controlled) -> None:
    portal_id, _ = controlled.portal()
    answer = add(controlled, portal_id, status=500, statusCode=500)
    assert answer.status_code == 400
    assert "statusCode" in answer.json()["message"]


def test_faults_of_an_unknown_portal_are_404(controlled: Controlled) -> None:
    assert_error(
        add(controlled, 31337, status=500),
        404,
        "OBJECT_NOT_FOUND",
        messages.PORTAL_NOT_FOUND.format(portal=31337),
    )
