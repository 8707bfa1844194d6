"""Seeding every object type: companies, deals, engagements and custom object types; a portal
reset forgets them all."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from hubcrm.protocol import messages
from tests.api.test_upsert import assert_error
from tests.control.conftest import Controlled
from tests.control.test_seed import seed

SEED: dict[str, Any] = {
    "contacts": [{"email": "ann@example.com"}],
    "schemas": [
        {
            "name": "cars",
            "labels": {"singular": "Car", "plural": "Cars"},
            "primaryDisplayProperty": "model",
            "requiredProperties": ["model"],
            "properties": [
                {"name": "model", "label": "Model", "type": "string", "fieldType": "text"}
            ],
        }
    ],
    "objects": {
        "companies": [{"name": "Acme", "domain": "acme.example"}, {"name": "Globex"}],
        "deals": [{"properties": {"dealname": "Big one", "amount": "100"}}],
        "notes": [{"hs_timestamp": "2026-01-01T00:00:00Z", "hs_note_body": "Met"}],
        "cars": [{"model": "Beetle"}],
    },
}


def names(controlled: Controlled, token: str, path: str, prop: str) -> list[str]:
    results = controlled.get(token, path, properties=prop).json()["results"]
    return [r["properties"][prop] for r in results]


def test_seed_companies_deals_engagements_and_custom_objects(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    done = seed(controlled, portal_id, SEED)
    assert done.status_code == 200, done.text
    assert done.json() == {"properties": 0, "contacts": 1, "schemas": 1, "objects": 5}
    assert names(controlled, token, "/crm/v3/objects/companies", "name") == ["Acme", "Globex"]
    assert names(controlled, token, "/crm/v3/objects/deals", "dealname") == ["Big one"]
    assert names(controlled, token, "/crm/v3/objects/notes", "hs_note_body") == ["Met"]
    assert names(controlled, token, "/crm/v3/objects/2-1", "model") == ["Beetle"]
    assert names(controlled, token, f"/crm/v3/objects/p{portal_id}_cars", "model") == ["Beetle"]

    # A portal reset forgets every type's records and the custom object types.
    assert controlled.control("POST", f"portals/{portal_id}/reset").status_code == 200
    for path in ("/crm/v3/objects/companies", "/crm/v3/objects/deals", "/crm/v3/objects/notes"):
        assert controlled.get(token, path).json()["results"] == []
    assert controlled.get(token, "/crm/v3/schemas").json() == {"results": []}
    assert controlled.get(token, "/crm/v3/objects/2-1").status_code == 400
    # Seeding again defines the type anew.
    assert seed(controlled, portal_id, SEED).status_code == 200
    assert names(controlled, token, "/crm/v3/objects/2-2", "model") == ["Beetle"]


def test_a_bad_record_of_any_type_fails_the_whole_seed(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    missing_model = SEED | {"objects": {"companies": [{"name": "A"}], "cars": [{}]}}
    assert_error(
        seed(controlled, portal_id, missing_model),
        400,
        "VALIDATION_ERROR",
        messages.REQUIRED_PROPERTIES_MISSING.format(type=f"p{portal_id}_cars"),
    )
    bad_value = SEED | {"objects": {"deals": [{"amount": "lots"}]}}
    assert seed(controlled, portal_id, bad_value).status_code == 400
    unknown = SEED | {"objects": {"spaceships": [{}]}}
    assert_error(
        seed(controlled, portal_id, unknown),
        400,
        "VALIDATION_ERROR",
        messages.UNKNOWN_OBJECT_TYPE.format(name="spaceships"),
    )
    # Nothing was written: no contact, no schema, no company.
    assert controlled.get(token, "/crm/v3/objects/contacts").json()["results"] == []
    assert controlled.get(token, "/crm/v3/schemas").json() == {"results": []}
    assert controlled.get(token, "/crm/v3/objects/companies").json()["results"] == []
    assert seed(controlled, portal_id, SEED).status_code == 200
    assert_error(
        seed(controlled, portal_id, {"schemas": SEED["schemas"]}),
        409,
        "CONFLICT",
        messages.SCHEMA_EXISTS.format(name="cars"),
    )


def test_the_seed_file_in_the_docs_seeds_every_type(controlled: Controlled) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "testing.md").read_text()
    example = next(b for b in re.findall(r"```json\n(.*?)```", docs, re.S) if '"schemas"' in b)
    portal_id, token = controlled.portal()
    done = seed(controlled, portal_id, json.loads(example))
    assert done.json() == {"properties": 0, "contacts": 1, "schemas": 1, "objects": 5}
    assert names(controlled, token, "/crm/v3/objects/tickets", "subject") == ["Broken"]


def test_id_sequences_of_any_type(controlled: Controlled) -> None:
    portal_id, token = controlled.portal()
    seed(controlled, portal_id, {"schemas": SEED["schemas"]})
    for name in ("deals", "2-1", f"p{portal_id}_cars"):
        done = controlled.control("PUT", f"portals/{portal_id}/sequences/{name}", {"next": 500})
        assert done.status_code == 200, done.text
    made = seed(controlled, portal_id, {"objects": {"deals": [{}], "cars": [{"model": "T"}]}})
    assert made.status_code == 200, made.text
    assert [r["id"] for r in controlled.get(token, "/crm/v3/objects/deals").json()["results"]] == [
        "500"
    ]
    assert [r["id"] for r in controlled.get(token, "/crm/v3/objects/2-1").json()["results"]] == [
        "500"
    ]
