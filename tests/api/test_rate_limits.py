"""Rate limits through HTTP, on the app's frozen clock: headers, 429 bodies, per-portal counting."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.test_upsert import UPSERT
from tests.conftest import Api, running_api, upsert_input

RATE_HEADERS = {
    "x-hubspot-ratelimit-daily",
    "x-hubspot-ratelimit-daily-remaining",
    "x-hubspot-ratelimit-interval-milliseconds",
    "x-hubspot-ratelimit-max",
    "x-hubspot-ratelimit-remaining",
}


@pytest.fixture
def limited(database_url: str) -> Iterator[Api]:
    with running_api(database_url, rate_limit="free", rate_limit_burst=3) as api:
        yield api


def rate_headers(response: Any) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k in RATE_HEADERS}


def test_every_response_carries_the_headers_even_when_off(api: Api) -> None:
    responses = [
        api.get("/crm/v3/objects/contacts/1"),
        api.upsert([upsert_input("a@x.com")]),
        api.client.get("/crm/v3/objects/contacts/1"),  # 401
        api.get("/nowhere"),  # 404
        api.client.delete(UPSERT, headers=api.headers()),  # 405
    ]
    for response in responses:
        assert rate_headers(response) == {
            "x-hubspot-ratelimit-daily": "250000",
            "x-hubspot-ratelimit-daily-remaining": "250000",
            "x-hubspot-ratelimit-interval-milliseconds": "10000",
            "x-hubspot-ratelimit-max": "100",
            "x-hubspot-ratelimit-remaining": "100",
        }, response.status_code


def test_over_the_window_is_429_with_hubspot_body_and_retry_after(limited: Api) -> None:
    remaining = [
        limited.get("/crm/v3/objects/contacts/1").headers["x-hubspot-ratelimit-remaining"]
        for _ in range(3)
    ]
    assert remaining == ["2", "1", "0"]
    limited.clock.advance(2_500)
    response = limited.upsert([upsert_input("late@x.com")])
    assert response.status_code == 429
    assert response.headers["retry-after"] == "8"
    assert response.headers["content-type"] == "application/json;charset=utf-8"
    assert rate_headers(response)["x-hubspot-ratelimit-remaining"] == "0"
    body = response.json()
    assert body == {
        "status": "error",
        "message": "You have reached your ten_secondly_rolling limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": response.headers["x-hubspot-correlation-id"],
        "policyName": "TEN_SECONDLY_ROLLING",
        "requestId": body["requestId"],
    }
    limited.clock.advance(7_500)
    assert limited.get("/crm/v3/objects/contacts/late@x.com", idProperty="email").status_code == (
        404
    )  # the refused upsert wrote nothing


def test_each_portal_has_its_own_window(limited: Api) -> None:
    for _ in range(3):
        limited.get("/crm/v3/objects/contacts/1")
    assert limited.get("/crm/v3/objects/contacts/1").status_code == 429
    _, other = limited.new_portal()
    response = limited.get("/crm/v3/objects/contacts/1", token=other)
    assert response.status_code == 404
    assert response.headers["x-hubspot-ratelimit-remaining"] == "2"


def test_requests_without_a_valid_token_count_against_no_one(limited: Api) -> None:
    for _ in range(10):
        assert limited.get("/crm/v3/objects/contacts/1", token="nobody").status_code == 401
    assert limited.get("/crm/v3/objects/contacts/1").headers["x-hubspot-ratelimit-remaining"] == (
        "2"
    )


def test_the_daily_quota_is_429_daily(database_url: str) -> None:
    with running_api(database_url, rate_limit="enterprise", rate_limit_daily=2) as api:
        api.get("/crm/v3/objects/contacts/1")
        api.get("/crm/v3/objects/contacts/1")
        response = api.get("/crm/v3/objects/contacts/1")
        assert response.status_code == 429
        assert response.json()["policyName"] == "DAILY"
        assert response.json()["message"] == "You have reached your daily limit."
        assert response.headers["retry-after"] == "86400"  # the clock starts at midnight UTC
        assert rate_headers(response) == {
            "x-hubspot-ratelimit-daily": "2",
            "x-hubspot-ratelimit-daily-remaining": "0",
            "x-hubspot-ratelimit-interval-milliseconds": "10000",
            "x-hubspot-ratelimit-max": "190",
            "x-hubspot-ratelimit-remaining": "0",
        }


def search(api: Api, token: str | None = None) -> Any:
    return api.post("/crm/v3/objects/contacts/search", {"query": "x"}, token)


def test_search_has_its_own_limit_per_second_per_token(database_url: str) -> None:
    with running_api(database_url, rate_limit="professional") as api:
        assert [search(api).status_code for _ in range(5)] == [200] * 5
        refused = search(api)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "1"
        body = refused.json()
        assert (body["errorType"], body["policyName"], body["message"]) == (
            "RATE_LIMIT",
            "SECONDLY",
            "You have reached your secondly limit.",
        )
        assert api.get("/crm/v3/objects/contacts/1").status_code == 404  # other routes go on
        assert search(api, api.new_token()).status_code == 200  # another token has its own
        api.clock.advance(1_000)
        assert search(api).status_code == 200
