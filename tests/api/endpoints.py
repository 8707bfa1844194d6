"""One probe per route of the CRM API, for the tests that must cover every endpoint.

A probe calls its route with a given token, aimed at a given contact (record id and email). The
cross-portal test calls each probe with another portal's token, once aimed at a real contact of
the first portal and once at one that exists nowhere, and demands the same answer; the scope test
calls each with a token that has no scopes. `observe` keeps what must not differ between the two.

A new route needs an entry in ROUTE_ACCESS (src/hubcrm/api/access.py) and one here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.conftest import Api, upsert_input

VOLATILE = {"correlationId", "requestId", "createdAt", "updatedAt", "startedAt", "completedAt"}


def stable(value: Any) -> Any:
    """The parts of a JSON answer that do not change from one call to the next."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def observe_status_and_body(response: Any) -> Any:
    return response.status_code, stable(response.json())


def observe_upsert(response: Any) -> Any:
    # Upserting a key the portal does not hold creates a record there, whoever else holds it.
    body = response.json()
    return response.status_code, [(r["new"], r["id"]) for r in body.get("results", [])]


@dataclass(frozen=True)
class Probe:
    route: str
    call: Callable[[Api, str, str, str], Any]  # (api, token, record id, email) -> response
    observe: Callable[[Any], Any] = observe_status_and_body


PROBES = [
    Probe(
        "get_record",
        lambda api, token, record_id, email: api.get(
            f"/crm/v3/objects/contacts/{record_id}", token=token
        ),
    ),
    Probe(
        "get_record",
        lambda api, token, record_id, email: api.get(
            f"/crm/v3/objects/contacts/{email}", token=token, idProperty="email"
        ),
    ),
    Probe(
        "batch_upsert",
        lambda api, token, record_id, email: api.upsert(
            [upsert_input(email, firstname="Mallory")], token=token
        ),
        observe_upsert,
    ),
]
