"""The legacy APIs end to end against a live `hubcrm serve`, on each store, as the maintained
warehouse connectors call them (hubspot-legacy-apis.md §12)."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx

from tests.server import LiveServer


def client(server: LiveServer) -> httpx.Client:
    return httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {server.token}"}, timeout=10
    )


def walk(http: httpx.Client, path: str, items: str, more: str, **params: Any) -> list[Any]:
    """Every record of an offset-paged legacy list, as SINGER walks it."""
    found: list[Any] = []
    query: dict[str, Any] = dict(params)
    while True:
        response = http.get(path, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        assert isinstance(body["offset"], int)
        found += body[items]
        if not body[more]:
            return found
        query = dict(params, offset=body["offset"])


def test_a_warehouse_connector_reads_every_legacy_view(server: LiveServer) -> None:
    with client(server) as http:
        # The connection check a warehouse connector makes first.
        check = http.get("/properties/v2/contact/properties")
        assert check.status_code == 200
        assert check.headers["content-type"] == "application/json;charset=utf-8"
        assert {"email", "firstname"} <= {p["name"] for p in check.json()}
        assert all({"name", "type", "fieldType", "options"} <= set(p) for p in check.json())

        contacts = [
            http.post(
                f"/contacts/v1/contact/createOrUpdate/email/c{n}@x.com",
                json={"properties": [{"property": "firstname", "value": f"C{n}"}]},
            ).json()["vid"]
            for n in range(5)
        ]
        companies = []
        for n in range(7):
            made = http.post(
                "/crm/v3/objects/companies",
                json={
                    "properties": {"name": f"Co{n}", "domain": f"co{n}.com"},
                    "associations": [
                        {
                            "to": {"id": str(contacts[n % 5])},
                            "types": [
                                {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 280}
                            ],
                        }
                    ],
                },
            )
            assert made.status_code == 201, made.text
            companies.append(int(made.json()["id"]))
        deals = []
        for n in range(3):
            made = http.post(
                "/crm/v3/objects/deals",
                json={
                    "properties": {"dealname": f"D{n}", "amount": str(n * 10)},
                    "associations": [
                        {
                            "to": {"id": str(companies[n])},
                            "types": [
                                {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}
                            ],
                        }
                    ],
                },
            )
            deals.append(int(made.json()["id"]))
        http.post(
            "/crm/v3/objects/notes",
            json={"properties": {"hs_note_body": "hi", "hs_timestamp": "2026-01-01T00:00:00Z"}},
        )

        # SINGER: companies paged, then each by id.
        listed = walk(
            http,
            "/companies/v2/companies/paged",
            "companies",
            "has-more",
            limit=3,
            properties=["createdate", "hs_lastmodifieddate"],
        )
        assert [c["companyId"] for c in listed] == companies
        for company in listed:
            assert set(company["properties"]) == {"createdate", "hs_lastmodifieddate"}
            stamp = company["properties"]["hs_lastmodifieddate"]["timestamp"]
            one = http.get(f"/companies/v2/companies/{company['companyId']}").json()
            assert one["properties"]["hs_lastmodifieddate"]["timestamp"] == stamp
            assert (
                one["properties"]["domain"]["value"] == f"co{companies.index(one['companyId'])}.com"
            )

        # SINGER: deals paged with every property and associations.
        listed_deals = walk(
            http,
            "/deals/v1/deal/paged",
            "deals",
            "hasMore",
            limit=2,
            includeAssociations="true",
            includeAllProperties="true",
            allPropertiesFetchMode="latest_version",
        )
        assert [d["dealId"] for d in listed_deals] == deals
        assert [d["associations"]["associatedCompanyIds"] for d in listed_deals] == [
            [c] for c in companies[:3]
        ]
        assert listed_deals[2]["properties"]["amount"]["value"] == "20"

        # EST: recent/modified opened with count=1, then count=100; total always an integer.
        first = http.get("/deals/v1/deal/recent/modified", params={"count": 1}).json()
        assert (first["hasMore"], first["offset"], first["total"]) == (True, 1, 3)
        rest = http.get(
            "/deals/v1/deal/recent/modified", params={"count": 100, "offset": first["offset"]}
        ).json()
        assert [d["dealId"] for d in first["results"] + rest["results"]] == deals[::-1]
        recent = http.get("/contacts/v1/lists/recently_updated/contacts/recent").json()
        assert {"has-more", "vid-offset", "time-offset"} <= set(recent)
        assert sorted(c["vid"] for c in recent["contacts"]) == contacts

        # Engagements and contacts.
        engagements = walk(http, "/engagements/v1/engagements/paged", "results", "hasMore")
        assert [e["engagement"]["type"] for e in engagements] == ["NOTE"]
        every = walk_contacts(http)
        assert [c["vid"] for c in every] == contacts
        profile = http.get(f"/contacts/v1/contact/vid/{contacts[0]}/profile").json()
        assert profile["properties"]["firstname"]["value"] == "C0"
        assert profile["properties"]["email"]["versions"][0]["source-type"] == "API"

        # Unknown ids answer in the legacy envelope; nothing answers 500.
        missing = http.get("/companies/v2/companies/999999")
        assert missing.status_code == 404
        assert set(missing.json()) == {"status", "message", "correlationId", "requestId"}
        assert http.get("/contacts/v1/contact/vid/abc/profile").status_code == 404
        assert http.get("/deals/v1/deal/paged", params={"offset": "x"}).status_code == 400


def walk_contacts(http: httpx.Client) -> list[Any]:
    found: list[Any] = []
    params: dict[str, Any] = {"count": 2}
    while True:
        body = http.get("/contacts/v1/lists/all/contacts/all", params=params).json()
        found += body["contacts"]
        if not body["has-more"]:
            return found
        params = {"count": 2, "vidOffset": body["vid-offset"]}
