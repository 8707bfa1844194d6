"""Portals and scopes over every route: no answer reveals another portal's data."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.routing import Route

from hubcrm.api import health
from hubcrm.api.access import ROUTE_ACCESS
from hubcrm.domain.objects import CONTACTS
from hubcrm.protocol import messages
from tests.api.endpoints import PROBES, Probe
from tests.api.test_upsert import assert_error
from tests.conftest import Api, upsert_input


def route_names(api: Api) -> set[str]:
    routes = api.client.app.routes  # type: ignore[attr-defined]
    found = {route.name for route in routes if isinstance(route, Route)}
    return found - health.ROUTE_NAMES  # the operators' routes: no token, no portal


def test_every_route_has_access_rules_and_a_probe(api: Api) -> None:
    names = route_names(api)
    assert names - set(ROUTE_ACCESS) == set(), "add these routes to api/access.ROUTE_ACCESS"
    probed = {probe.route for probe in PROBES}
    assert names - probed == set(), "add a probe for these routes to tests/api/endpoints.py"


def owned_contact(api: Api) -> tuple[str, Any]:
    created = api.upsert([upsert_input("owner@x.com", firstname="Olive", phone="555")])
    record_id = created.json()["results"][0]["id"]
    return record_id, api.get(f"/crm/v3/objects/contacts/{record_id}").json()


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.route)
def test_another_portal_cannot_tell_a_record_exists(api: Api, probe: Probe) -> None:
    record_id, before = owned_contact(api)
    _, intruder = api.new_portal()
    # The same answers as for a record that exists nowhere: ids and emails guessed across
    # portals are indistinguishable from ones never used.
    across = probe.call(api, intruder, record_id, "owner@x.com")
    _, control = api.new_portal()
    nowhere = probe.call(api, control, record_id, "owner@x.com")
    assert probe.observe(across) == probe.observe(nowhere)
    assert across.status_code < 500
    after = api.get(f"/crm/v3/objects/contacts/{record_id}").json()
    assert after == before  # and it changed nothing in the owner's portal


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.route)
def test_each_route_demands_its_scope(api: Api, probe: Probe) -> None:
    record_id, before = owned_contact(api)
    access = ROUTE_ACCESS[probe.route]
    (scope,) = (probe.scope,) if probe.scope else access.fixed or getattr(CONTACTS, access.scope)
    every_other = frozenset(
        {"crm.objects.contacts.read", "crm.objects.contacts.write", "crm.schemas.contacts.read"}
        | {"crm.schemas.contacts.write"}
    ) - {scope}
    for scopes in (frozenset(), every_other):
        response = probe.call(api, api.new_token(scopes), record_id, "owner@x.com")
        body = assert_error(response, 403, "MISSING_SCOPES", messages.MISSING_SCOPES)
        assert body["errors"] == [
            {
                "message": messages.MISSING_SCOPES_DETAIL,
                "context": {"requiredGranularScopes": [scope]},
            }
        ]
    assert api.get(f"/crm/v3/objects/contacts/{record_id}").json() == before
