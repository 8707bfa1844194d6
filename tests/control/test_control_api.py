"""The control API: portals, reset, clock, id sequences, admin token, deterministic runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hubcrm.api import create_app
from hubcrm.protocol import messages
from hubcrm.runtime.settings import Settings
from tests.api.test_upsert import assert_error
from tests.backends import fresh_database
from tests.conftest import START_MS
from tests.control.conftest import Controlled, MakeControlled
from tests.inprocess import InProcessClient


def test_control_api_is_off_unless_asked_for(tmp_path: Path) -> None:
    settings = Settings(database=f"sqlite:///{tmp_path / 'off.db'}")
    with InProcessClient(create_app(settings)) as client:
        for method, path in [("POST", "/_hubcrm/reset"), ("GET", "/_hubcrm/portals/1/journal")]:
            response = client.request(method, path)
            assert_error(response, 404, "OBJECT_NOT_FOUND", messages.CONTROL_DISABLED)


def test_a_new_portal_comes_with_a_working_token(controlled: Controlled) -> None:
    portal_id, token = controlled.portal(55_555_555)
    assert portal_id == 55_555_555
    assert token.startswith("pat-na1-")
    created = controlled.upsert(token, "ann@example.com")
    assert created.status_code == 200
    assert created.json()["results"][0]["url"].endswith(f"/{portal_id}/record/0-1/1")
    assert_error(
        controlled.control("POST", "portals", {"portalId": 55_555_555}),
        409,
        "CONFLICT",
        messages.PORTAL_EXISTS.format(portal=55_555_555),
    )


def test_bodies_with_only_optional_fields_may_be_left_out(controlled: Controlled) -> None:
    made = controlled.client.post("/_hubcrm/portals")
    assert made.status_code == 201
    clock = controlled.client.post(f"/_hubcrm/portals/{made.json()['portalId']}/clock")
    assert clock.json() == {"now": START_MS, "iso": "2026-01-01T00:00:00.000Z", "frozen": False}


def test_portals_do_not_see_each_other(controlled: Controlled) -> None:
    _, first = controlled.portal()
    _, second = controlled.portal()
    assert controlled.upsert(first, "ann@example.com").status_code == 200
    missing = controlled.get(second, "/crm/v3/objects/contacts/ann@example.com", idProperty="email")
    assert missing.status_code == 404
    assert controlled.upsert(second, "bob@example.com").json()["results"][0]["id"] == "1"


def test_reset_forgets_records_and_restarts_ids_but_keeps_the_token(
    controlled: Controlled,
) -> None:
    portal_id, token = controlled.portal()
    _, other = controlled.portal()
    controlled.upsert(token, "ann@example.com", "bob@example.com")
    controlled.upsert(other, "keep@example.com")
    controlled.control("POST", f"portals/{portal_id}/faults", {"status": 503})
    reset = controlled.control("POST", f"portals/{portal_id}/reset")
    assert reset.status_code == 200
    assert reset.json() == {"portalIds": [portal_id]}
    assert controlled.control("GET", f"portals/{portal_id}/faults").json() == {"results": []}
    assert controlled.control("GET", f"portals/{portal_id}/journal").json() == {"results": []}
    gone = controlled.get(token, "/crm/v3/objects/contacts/ann@example.com", idProperty="email")
    assert gone.status_code == 404
    assert controlled.upsert(token, "new@example.com").json()["results"][0]["id"] == "1"
    kept = controlled.get(other, "/crm/v3/objects/contacts/keep@example.com", idProperty="email")
    assert kept.status_code == 200


def test_reset_of_everything(controlled: Controlled) -> None:
    first_id, first = controlled.portal()
    second_id, second = controlled.portal()
    controlled.upsert(first, "a@example.com")
    controlled.upsert(second, "b@example.com")
    reset = controlled.control("POST", "reset")
    assert sorted(reset.json()["portalIds"]) == sorted([first_id, second_id])
    for token, email in [(first, "a@example.com"), (second, "b@example.com")]:
        path = f"/crm/v3/objects/contacts/{email}"
        assert controlled.get(token, path, idProperty="email").status_code == 404


def test_reset_of_an_unknown_portal_is_404(controlled: Controlled) -> None:
    assert_error(
        controlled.control("POST", "portals/12/reset"),
        404,
        "OBJECT_NOT_FOUND",
        messages.PORTAL_NOT_FOUND.format(portal=12),
    )


def test_a_portal_clock_can_be_frozen_set_and_advanced_alone(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    _, other = controlled.portal()
    frozen = controlled.control(
        "POST", f"portals/{portal_id}/clock", {"now": "2030-05-06T07:08:09.010Z", "frozen": True}
    )
    assert frozen.json() == {
        "now": 1_904_281_689_010,
        "iso": "2030-05-06T07:08:09.010Z",
        "frozen": True,
    }
    created = controlled.upsert(token, "ann@example.com").json()["results"][0]
    assert created["createdAt"] == "2030-05-06T07:08:09.010Z"
    advanced = controlled.control("POST", f"portals/{portal_id}/clock", {"advanceMs": 1500})
    assert advanced.json()["iso"] == "2030-05-06T07:08:10.510Z"
    updated = controlled.upsert(token, "ann@example.com", firstname="Ann").json()["results"][0]
    assert updated["updatedAt"] == "2030-05-06T07:08:10.510Z"
    # The other portal follows the server's clock, here the test's frozen one.
    elsewhere = controlled.upsert(other, "bob@example.com").json()["results"][0]
    assert elsewhere["createdAt"] == "2026-01-01T00:00:00.000Z"
    assert controlled.control("GET", "clock").json()["now"] == START_MS


class TickingClock:
    """Real time that moves on a millisecond at every reading, as a busy machine's may between
    two readings."""

    def __init__(self, now_ms: int) -> None:
        self.now = now_ms

    def now_ms(self) -> int:
        self.now += 1
        return self.now


def test_a_clock_frozen_at_a_moment_stops_exactly_there(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        app = create_app(Settings(database=url, control=True), TickingClock(START_MS))
        with InProcessClient(app) as client:
            body = {"now": "2030-01-01T09:00:00Z", "frozen": True}
            frozen = client.post("/_hubcrm/clock", json=body)
            assert frozen.json() == {
                "now": 1_893_488_400_000,
                "iso": "2030-01-01T09:00:00.000Z",
                "frozen": True,
            }
            assert client.get("/_hubcrm/clock").json()["now"] == 1_893_488_400_000


def test_the_server_clock_moves_every_portal(controlled: Controlled) -> None:
    _, token = controlled.portal()
    controlled.control("POST", "clock", {"now": 1_800_000_000_000, "frozen": True})
    created = controlled.upsert(token, "ann@example.com").json()["results"][0]
    assert created["createdAt"] == "2027-01-15T08:00:00.000Z"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"now": "yesterday"}, messages.INVALID_MOMENT.format(value="yesterday")),
        ({"speed": 2}, None),
        ({"advanceMs": "x"}, None),
    ],
)
def test_bad_clock_requests_are_400(
    controlled: Controlled, body: dict[str, Any], message: str | None
) -> None:
    response = controlled.control("POST", "clock", body)
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"
    if message:
        assert response.json()["message"] == message


def test_id_sequences_can_start_anywhere_above_the_ids_in_use(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    controlled.upsert(token, "a@example.com", "b@example.com")
    done = controlled.control("PUT", f"portals/{portal_id}/sequences/contacts", {"next": 1000})
    assert done.json() == {"objectType": "contacts", "next": 1000}
    assert controlled.upsert(token, "c@example.com").json()["results"][0]["id"] == "1000"
    assert_error(
        controlled.control("PUT", f"portals/{portal_id}/sequences/0-1", {"next": 5}),
        400,
        "VALIDATION_ERROR",
        messages.SEQUENCE_TOO_LOW.format(next=5, highest=1000),
    )
    assert_error(
        controlled.control("PUT", f"portals/{portal_id}/sequences/widgets", {"next": 5}),
        400,
        "VALIDATION_ERROR",
        messages.UNKNOWN_OBJECT_TYPE.format(name="widgets"),
    )
    assert_error(
        controlled.control("PUT", "portals/77/sequences/contacts", {"next": 5}),
        404,
        "OBJECT_NOT_FOUND",
        messages.PORTAL_NOT_FOUND.format(portal=77),
    )


def test_an_admin_token_guards_every_control_call(make_controlled: MakeControlled) -> None:
    with make_controlled(admin_token="s3cret") as controlled:
        denied = controlled.control("POST", "portals", {})
        assert_error(denied, 401, "INVALID_AUTHENTICATION", messages.CONTROL_TOKEN_REQUIRED)
        allowed = controlled.client.post(
            "/_hubcrm/portals", json={}, headers={"Authorization": "Bearer s3cret"}
        )
        assert allowed.status_code == 201


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.com"])
def test_control_on_a_public_address_needs_an_admin_token(tmp_path: Path, host: str) -> None:
    settings = Settings(database=f"sqlite:///{tmp_path / 'x.db'}", control=True, host=host)
    with pytest.raises(ValueError, match="needs --admin-token"):
        create_app(settings)
    create_app(Settings(database=settings.database, control=True, host=host, admin_token="t"))


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_control_on_loopback_needs_no_admin_token(tmp_path: Path, host: str) -> None:
    create_app(Settings(database=f"sqlite:///{tmp_path / 'x.db'}", control=True, host=host))


def _run(controlled: Controlled) -> list[Any]:
    """The same requests, answered by a fresh deterministic server."""
    portal_id, token = controlled.portal()
    controlled.control("POST", f"portals/{portal_id}/faults", {"status": 500, "probability": 0.5})
    answers = []
    for round_ in range(6):
        response = controlled.upsert(token, f"p{round_}@example.com", "x@example.com")
        answers.append(
            (response.status_code, response.headers["x-hubspot-correlation-id"], response.json())
        )
    answers.append(controlled.get(token, "/crm/v3/objects/contacts/1").json())
    answers.append(controlled.upsert("pat-na1-nobody", "a@example.com").json())
    return [portal_id, *answers]


def test_deterministic_runs_answer_identically(make_controlled: MakeControlled) -> None:
    with make_controlled(deterministic=True) as first:
        one = _run(first)
    with make_controlled(deterministic=True) as second:
        two = _run(second)
    assert one == two
    assert one[0] == 10_000_001
    statuses = {status for status, _, _ in one[1:7]}
    assert statuses == {200, 500}  # the seeded draws fire some rules, not all


def test_without_deterministic_runs_differ(make_controlled: MakeControlled) -> None:
    with make_controlled() as first:
        one = first.upsert(first.portal(1)[1], "a@example.com")
    with make_controlled() as second:
        two = second.upsert(second.portal(1)[1], "a@example.com")
    assert one.headers["x-hubspot-correlation-id"] != two.headers["x-hubspot-correlation-id"]
