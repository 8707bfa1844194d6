"""The legacy APIs (properties v1/v2, companies v2, deals v1) as read views of the v3 records:
exact shapes, paging, errors, and agreement with v3 (hubspot-legacy-apis.md)."""

from __future__ import annotations

from typing import Any

import pytest

from hubcrm.domain.clock import parse_moment
from hubcrm.protocol import messages
from tests.api.test_webhooks_api import configure, new_app, outbox, subscribe
from tests.conftest import START_MS, Api, running_api

LEGACY_ERROR_KEYS = {"status", "message", "correlationId", "requestId"}


def assert_legacy_error(response: Any, status: int, message: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json;charset=utf-8"
    body: dict[str, Any] = response.json()
    assert set(body) == LEGACY_ERROR_KEYS
    assert body["status"] == "error"
    assert body["message"] == message
    assert body["correlationId"] == response.headers["x-hubspot-correlation-id"]
    assert len(body["requestId"]) == 32
    return body


def create(api: Api, object_type: str, **properties: str) -> str:
    response = api.post(f"/crm/v3/objects/{object_type}", {"properties": properties})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def patch(api: Api, object_type: str, record_id: str, **properties: str) -> None:
    response = api.client.patch(
        f"/crm/v3/objects/{object_type}/{record_id}",
        json={"properties": properties},
        headers=api.headers(),
    )
    assert response.status_code == 200, response.text


def version(name: str, value: str, at: int) -> dict[str, Any]:
    return {
        "name": name,
        "value": value,
        "timestamp": at,
        "source": "API",
        "sourceVid": [],
        "sourceId": "1",
    }


def wrapper(name: str, value: str, at: int, *older: tuple[str, int]) -> dict[str, Any]:
    versions = [version(name, value, at)] + [version(name, v, t) for v, t in older]
    return {"value": value, "timestamp": at, "source": "API", "sourceId": "1", "versions": versions}


# Properties


@pytest.mark.parametrize(
    "path",
    [
        "/properties/v2/contact/properties",
        "/properties/v2/contacts/properties",
        "/properties/v2/0-1/properties",
        "/properties/v1/contacts/properties",
        "/contacts/v2/properties",
    ],
)
def test_contact_properties_answer_a_bare_array_of_legacy_definitions(api: Api, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 200
    found = {p["name"]: p for p in response.json()}
    v3 = {p["name"]: p for p in api.get("/crm/v3/properties/contacts").json()["results"]}
    assert set(found) == set(v3)
    assert found["email"] == {
        "name": "email",
        "label": v3["email"]["label"],
        "description": v3["email"]["description"],
        "groupName": v3["email"]["groupName"],
        "type": "string",
        "fieldType": "text",
        "hidden": False,
        "options": [],
        "deleted": False,
        "createdAt": None,
        "formField": v3["email"]["formField"],
        "displayOrder": v3["email"]["displayOrder"],
        "readOnlyValue": False,
        "readOnlyDefinition": v3["email"]["modificationMetadata"]["readOnlyDefinition"],
        "mutableDefinitionNotDeletable": not v3["email"]["modificationMetadata"]["archivable"],
        "favorited": False,
        "favoritedOrder": -1,
        "calculated": False,
        "externalOptions": False,
        "displayMode": "current_value",
        "hubspotDefined": True,
        "showCurrencySymbol": None,
        "createdUserId": None,
        "textDisplayHint": None,
        "numberDisplayHint": None,
        "optionsAreMutable": None,
        "referencedObjectType": None,
        "updatedAt": None,
        "isCustomizedDefault": False,
        "searchableInGlobalSearch": False,
        "currencyPropertyName": None,
        "hasUniqueValue": v3["email"]["hasUniqueValue"],
        "updatedUserId": None,
    }


def test_custom_properties_and_options_appear_in_the_legacy_shape(api: Api) -> None:
    created = api.post(
        "/crm/v3/properties/deals",
        {
            "name": "tier",
            "label": "Tier",
            "type": "enumeration",
            "fieldType": "select",
            "groupName": "dealinformation",
            "options": [{"label": "Gold", "value": "gold", "displayOrder": 1}],
        },
    )
    assert created.status_code == 201, created.text
    later = START_MS
    for path in (
        "/properties/v1/deals/properties/named/tier",
        "/properties/v2/deal/properties/named/tier",
    ):
        body = api.get(path).json()
        assert body["hubspotDefined"] is None
        assert body["createdAt"] == later
        assert body["updatedAt"] == later
        assert body["mutableDefinitionNotDeletable"] is False
        assert body["options"] == [
            {
                "label": "Gold",
                "value": "gold",
                "displayOrder": 1,
                "hidden": False,
                "description": None,
                "readOnly": None,
                "doubleData": 0.0,
            }
        ]
    listed = [p["name"] for p in api.get("/deals/v1/properties").json()]
    assert "tier" in listed
    assert [p["name"] for p in api.get("/properties/v1/deals/properties").json()] == listed


def test_every_type_by_singular_or_plural_name(api: Api) -> None:
    for singular, plural in [
        ("company", "companies"),
        ("deal", "deals"),
        ("ticket", "tickets"),
        ("product", "products"),
        ("line_item", "line_items"),
        ("note", "notes"),
        ("call", "calls"),
    ]:
        one = api.get(f"/properties/v2/{singular}/properties").json()
        assert one == api.get(f"/properties/v2/{plural}/properties").json()
        assert len(one) == len(api.get(f"/crm/v3/properties/{plural}").json()["results"])
    assert (
        api.get("/companies/v2/properties").json()
        == api.get("/properties/v2/companies/properties").json()
    )


def test_unknown_types_and_properties_get_legacy_404s(api: Api) -> None:
    assert_legacy_error(
        api.get("/properties/v2/form/properties"),
        404,
        messages.LEGACY_UNKNOWN_OBJECT_TYPE.format(name="form"),
    )
    # properties v1 serves contacts, companies and deals only.
    assert_legacy_error(
        api.get("/properties/v1/tickets/properties"),
        404,
        messages.LEGACY_UNKNOWN_OBJECT_TYPE.format(name="tickets"),
    )
    assert_legacy_error(
        api.get("/properties/v2/contacts/properties/named/non-existent"),
        404,
        messages.LEGACY_PROPERTY_NOT_FOUND.format(name="non-existent"),
    )


# Companies v2 and deals v1


def test_companies_paged_selects_properties_and_history(api: Api) -> None:
    first = create(api, "companies", name="Acme", domain="acme.com")
    api.clock.advance(1000)
    patch(api, "companies", first, name="Acme Inc")
    second = create(api, "companies", name="Beta")
    plain = api.get("/companies/v2/companies/paged").json()
    assert plain == {
        "companies": [
            {
                "portalId": api.portal_id,
                "companyId": int(i),
                "isDeleted": False,
                "properties": {},
                "additionalDomains": [],
                "stateChanges": [],
                "mergeAudits": [],
            }
            for i in (first, second)
        ],
        "has-more": False,
        "offset": int(second),
    }
    chosen = api.client.get(
        "/companies/v2/companies/paged?properties=domain&propertiesWithHistory=name&limit=1",
        headers=api.headers(),
    ).json()
    assert chosen["has-more"] is True
    assert chosen["offset"] == int(first)
    assert chosen["companies"][0]["properties"] == {
        "domain": wrapper("domain", "acme.com", START_MS),
        "name": wrapper("name", "Acme Inc", START_MS + 1000, ("Acme", START_MS)),
    }
    # Unset properties are left out, even when asked for by name.
    after = api.get("/companies/v2/companies/paged", offset=first, properties="domain").json()
    assert after["companies"][0]["companyId"] == int(second)
    assert after["companies"][0]["properties"] == {}
    assert after["has-more"] is False
    assert after["offset"] == int(second)


def test_company_by_id_shows_every_set_property_and_archived_ones_are_gone(api: Api) -> None:
    company = create(api, "companies", name="Acme")
    body = api.get(f"/companies/v2/companies/{company}").json()
    stamp = str(START_MS)
    assert body["properties"] == {
        "name": wrapper("name", "Acme", START_MS),
        "createdate": wrapper("createdate", stamp, START_MS),
        "hs_lastmodifieddate": wrapper("hs_lastmodifieddate", stamp, START_MS),
        "hs_object_id": wrapper("hs_object_id", company, START_MS),
    }
    api.client.delete(f"/crm/v3/objects/companies/{company}", headers=api.headers())
    assert_legacy_error(
        api.get(f"/companies/v2/companies/{company}"), 404, messages.LEGACY_NOT_FOUND
    )
    assert api.get("/companies/v2/companies/paged").json()["companies"] == []
    for ref in ("999", "abc", "-1"):
        assert_legacy_error(
            api.get(f"/companies/v2/companies/{ref}"), 404, messages.LEGACY_NOT_FOUND
        )


def test_recent_lists_are_newest_first_with_positional_offsets(api: Api) -> None:
    ids = []
    for n in range(5):
        ids.append(create(api, "companies", name=f"C{n}"))
        api.clock.advance(1000)
    patch(api, "companies", ids[1], name="changed")
    modified = api.get("/companies/v2/companies/recent/modified", count=2).json()
    assert [c["companyId"] for c in modified["results"]] == [int(ids[1]), int(ids[4])]
    assert (modified["hasMore"], modified["offset"], modified["total"]) == (True, 2, 5)
    rest = api.get("/companies/v2/companies/recent/modified", count=2, offset=4).json()
    assert [c["companyId"] for c in rest["results"]] == [int(ids[0])]
    assert (rest["hasMore"], rest["offset"], rest["total"]) == (False, 5, 5)
    created = api.get("/companies/v2/companies/recent/created").json()
    assert [c["companyId"] for c in created["results"]] == [int(i) for i in reversed(ids)]
    since = api.get("/companies/v2/companies/recent/created", since=START_MS + 3000).json()
    assert [c["companyId"] for c in since["results"]] == [int(ids[4]), int(ids[3])]
    # Past the end: no results, integers still.
    past = api.get("/companies/v2/companies/recent/created", offset=50).json()
    assert past == {"results": [], "hasMore": False, "offset": 50, "total": 5}
    # Only the last 30 days.
    api.clock.advance(31 * 86_400_000)
    assert api.get("/companies/v2/companies/recent/modified").json()["total"] == 0


def test_deals_carry_associations_and_epoch_dates(api: Api) -> None:
    company = create(api, "companies", name="Acme")
    contact = create(api, "contacts", email="a@x.com")
    deal = api.post(
        "/crm/v3/objects/deals",
        {
            "properties": {
                "dealname": "Big",
                "pipeline": "default",
                "dealstage": "appointmentscheduled",
                "closedate": "2026-02-01",
            },
            "associations": [
                {
                    "to": {"id": company},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}],
                },
                {
                    "to": {"id": contact},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}],
                },
            ],
        },
    ).json()["id"]
    linked = {
        "associatedVids": [int(contact)],
        "associatedCompanyIds": [int(company)],
        "associatedDealIds": [],
        "associatedTicketIds": [],
    }
    plain = api.get("/deals/v1/deal/paged").json()
    assert plain == {
        "deals": [
            {
                "portalId": api.portal_id,
                "dealId": int(deal),
                "isDeleted": False,
                "properties": {},
                "imports": [],
                "stateChanges": [],
            }
        ],
        "hasMore": False,
        "offset": int(deal),
    }
    full = api.get(
        "/deals/v1/deal/paged", includeAssociations="true", properties="closedate"
    ).json()["deals"][0]
    assert full["associations"] == linked
    closing = api.get(f"/crm/v3/objects/deals/{deal}", properties="closedate").json()
    assert closing["properties"]["closedate"] == "2026-02-01T00:00:00.000Z"
    assert full["properties"]["closedate"]["value"] == "1769904000000"
    one = api.get(f"/deals/v1/deal/{deal}").json()
    assert one["associations"] == linked
    assert one["properties"]["dealname"] == wrapper("dealname", "Big", START_MS)
    every = api.get(
        "/deals/v1/deal/paged", includeAllProperties="true", allPropertiesFetchMode="latest_version"
    ).json()["deals"][0]
    assert every["properties"] == one["properties"]
    recent = api.get("/deals/v1/deal/recent/modified").json()
    assert recent["results"] == [one]
    assert (recent["hasMore"], recent["offset"], recent["total"]) == (False, 1, 1)


def test_legacy_and_v3_views_of_one_record_agree(api: Api) -> None:
    deal = create(api, "deals", dealname="One", amount="10")
    for n in range(3):
        api.clock.advance(500)
        patch(api, "deals", deal, amount=str(20 + n), dealname=f"One v{n}")
    names = ["amount", "dealname"]
    v3 = api.client.get(
        f"/crm/v3/objects/deals/{deal}?propertiesWithHistory=amount,dealname",
        headers=api.headers(),
    ).json()
    views = [
        api.get(f"/deals/v1/deal/{deal}", includePropertyVersions="true").json(),
        api.client.get(
            "/deals/v1/deal/paged?propertiesWithHistory=amount&propertiesWithHistory=dealname",
            headers=api.headers(),
        ).json()["deals"][0],
    ]
    for view in views:
        for name in names:
            legacy = view["properties"][name]
            history = v3["propertiesWithHistory"][name]
            assert legacy["value"] == history[0]["value"]
            assert [(v["value"], v["source"], v["sourceId"]) for v in legacy["versions"]] == [
                (h["value"], h["sourceType"], h["sourceId"]) for h in history
            ]
            assert [v["timestamp"] for v in legacy["versions"]] == [
                _ms(h["timestamp"]) for h in history
            ]


def _ms(iso: str) -> int:
    return parse_moment(iso)


def test_paged_walks_skip_and_repeat_nothing_while_records_are_written(api: Api) -> None:
    made = [create(api, "deals", dealname=f"D{n}") for n in range(7)]
    seen: list[int] = []
    offset = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if offset is not None:
            params["offset"] = offset
        page = api.get("/deals/v1/deal/paged", **params).json()
        seen += [d["dealId"] for d in page["deals"]]
        # Writes between pages: a new record, a change to one already seen, one archived.
        made.append(create(api, "deals", dealname="late"))
        patch(api, "deals", made[0], dealname="changed")
        if not page["hasMore"]:
            break
        offset = page["offset"]
    assert len(seen) == len(set(seen))
    assert {int(i) for i in made[:7]} <= set(seen)


def test_limits_clamp_and_bad_parameters_get_legacy_400s(api: Api) -> None:
    for n in range(3):
        create(api, "companies", name=f"C{n}")
    assert len(api.get("/companies/v2/companies/paged", limit=100000).json()["companies"]) == 3
    assert len(api.get("/companies/v2/companies/recent/modified", count=0).json()["results"]) == 3
    for path, name, value in [
        ("/companies/v2/companies/paged", "limit", "ten"),
        ("/deals/v1/deal/paged", "offset", "x"),
        ("/deals/v1/deal/recent/modified", "since", "yesterday"),
        ("/deals/v1/deal/paged", "includeAssociations", "maybe"),
    ]:
        assert_legacy_error(
            api.get(path, **{name: value}),
            400,
            messages.LEGACY_INVALID_INTEGER.format(name=name, value=value),
        )
    assert_legacy_error(api.get("/deals/v1/deal/recent/sideways"), 404, messages.LEGACY_NOT_FOUND)


# Contacts v1


def contact_version(value: str, at: int) -> dict[str, Any]:
    return {
        "value": value,
        "source-type": "API",
        "source-id": "1",
        "source-label": None,
        "timestamp": at,
        "selected": False,
    }


def test_create_or_update_writes_through_the_v3_domain_with_its_history(api: Api) -> None:
    path = "/contacts/v1/contact/createOrUpdate/email/Leslie@X.com"
    first = api.post(path, {"properties": [{"property": "firstname", "value": "Leslie"}]})
    assert first.status_code == 200
    assert first.json() == {"vid": 1, "isNew": True}
    api.clock.advance(1000)
    again = api.post(path, {"properties": [{"property": "firstname", "value": "Les"}]})
    assert again.json() == {"vid": 1, "isNew": False}
    v3 = api.get("/crm/v3/objects/contacts/1", propertiesWithHistory="firstname").json()
    assert v3["properties"]["email"] == "leslie@x.com"
    profile = api.get("/contacts/v1/contact/vid/1/profile").json()
    assert profile["properties"]["firstname"] == {
        "value": "Les",
        "versions": [contact_version("Les", START_MS + 1000), contact_version("Leslie", START_MS)],
    }
    assert [v["value"] for v in profile["properties"]["firstname"]["versions"]] == [
        h["value"] for h in v3["propertiesWithHistory"]["firstname"]
    ]
    assert profile["identity-profiles"] == [
        {
            "vid": 1,
            "saved-at-timestamp": START_MS + 1000,
            "deleted-changed-timestamp": 0,
            "identities": [
                {
                    "type": "EMAIL",
                    "value": "leslie@x.com",
                    "timestamp": START_MS,
                    "is-primary": True,
                }
            ],
        }
    ]
    assert {k: profile[k] for k in ("vid", "canonical-vid", "merged-vids", "portal-id")} == {
        "vid": 1,
        "canonical-vid": 1,
        "merged-vids": [],
        "portal-id": api.portal_id,
    }
    assert profile["list-memberships"] == []
    by_email = api.get("/contacts/v1/contact/email/LESLIE@x.com/profile").json()
    assert by_email == profile


def test_rejected_contact_writes_change_nothing(api: Api) -> None:
    api.post(
        "/contacts/v1/contact/createOrUpdate/email/a@x.com",
        {"properties": [{"property": "firstname", "value": "A"}]},
    )
    before = api.get("/crm/v3/objects/contacts/1").json()
    bad_email = api.post("/contacts/v1/contact/createOrUpdate/email/an_invalid_email", {})
    body = bad_email.json()
    assert bad_email.status_code == 400
    assert body["message"] == messages.LEGACY_PROPERTY_VALUES_INVALID
    assert body["validationResults"] == [
        {
            "isValid": False,
            "message": messages.INVALID_EMAIL.format(value="an_invalid_email"),
            "error": "INVALID_EMAIL",
            "name": "email",
        }
    ]
    bad_value = api.post(
        "/contacts/v1/contact/batch/",
        [
            {"email": "new@x.com", "properties": [{"property": "firstname", "value": "N"}]},
            {"vid": 1, "properties": [{"property": "nope", "value": "x"}]},
        ],
    )
    assert bad_value.status_code == 400
    assert bad_value.json()["validationResults"][0]["error"] == "PROPERTY_DOESNT_EXIST"
    too_many = api.post(
        "/contacts/v1/contact/batch/",
        [{"email": f"m{n}@x.com", "properties": []} for n in range(1001)],
    )
    assert_legacy_error(too_many, 400, messages.LEGACY_BATCH_TOO_LARGE.format(limit=1000))
    no_key = api.post("/contacts/v1/contact/batch/", [{"properties": []}])
    assert_legacy_error(no_key, 400, messages.LEGACY_BATCH_NEEDS_KEY)
    not_json = api.client.post("/contacts/v1/contact/batch/", content=b"{", headers=api.headers())
    assert not_json.status_code == 400
    assert set(not_json.json()) == LEGACY_ERROR_KEYS
    unknown_vid = api.post(
        "/contacts/v1/contact/batch/",
        [{"vid": 99, "properties": [{"property": "firstname", "value": "N"}]}],
    )
    assert_legacy_error(unknown_vid, 404, messages.LEGACY_CONTACT_NOT_FOUND)
    api.post(
        "/contacts/v1/contact/createOrUpdate/email/b@x.com",
        {"properties": [{"property": "firstname", "value": "B"}]},
    )
    taken = api.post(
        "/contacts/v1/contact/createOrUpdate/email/b@x.com",
        {"properties": [{"property": "email", "value": "a@x.com"}]},
    )
    assert taken.status_code == 409
    assert taken.json()["error"] == "CONTACT_EXISTS"
    assert taken.json()["identityProfile"]["vid"] == 1
    assert api.get("/crm/v3/objects/contacts/1").json() == before
    assert api.get("/crm/v3/objects/contacts/3").status_code == 404
    assert_legacy_error(
        api.get("/contacts/v1/contact/vid/99/profile"), 404, messages.LEGACY_CONTACT_NOT_FOUND
    )
    assert_legacy_error(
        api.get("/contacts/v1/contact/email/none@x.com/profile"),
        404,
        messages.LEGACY_CONTACT_NOT_FOUND,
    )


def test_batch_answers_202_and_writes_every_contact(api: Api) -> None:
    api.post("/contacts/v1/contact/createOrUpdate/email/a@x.com", {"properties": []})
    response = api.post(
        "/contacts/v1/contact/batch/",
        [
            {"email": "b@x.com", "properties": [{"property": "firstname", "value": "B"}]},
            {"vid": 1, "properties": [{"property": "lastname", "value": "L"}]},
        ],
    )
    assert response.status_code == 202
    assert response.content == b""
    assert api.get("/crm/v3/objects/contacts/1").json()["properties"]["lastname"] == "L"
    assert api.get("/crm/v3/objects/contacts/2").json()["properties"]["firstname"] == "B"


def test_contact_lists_page_by_vid_and_by_time(api: Api) -> None:
    for n in range(5):
        api.post(
            f"/contacts/v1/contact/createOrUpdate/email/c{n}@x.com",
            {"properties": [{"property": "firstname", "value": f"C{n}"}]},
        )
        api.clock.advance(1000)
    page = api.get("/contacts/v1/lists/all/contacts/all", count=2).json()
    assert [c["vid"] for c in page["contacts"]] == [1, 2]
    assert (page["has-more"], page["vid-offset"]) == (True, 2)
    assert page["contacts"][0]["properties"] == {
        "firstname": {"value": "C0"},
        "lastmodifieddate": {"value": str(START_MS)},
    }
    assert page["contacts"][0]["addedAt"] == START_MS
    last = api.get("/contacts/v1/lists/all/contacts/all", count=5, vidOffset=2).json()
    assert [c["vid"] for c in last["contacts"]] == [3, 4, 5]
    assert (last["has-more"], last["vid-offset"]) == (False, 5)
    # The response key is vid-offset; the parameter is vidOffset (a vid-offset one is ignored).
    ignored = api.client.get(
        "/contacts/v1/lists/all/contacts/all?count=1&vid-offset=3", headers=api.headers()
    ).json()
    assert ignored["contacts"][0]["vid"] == 1
    api.post(
        "/contacts/v1/contact/createOrUpdate/email/c1@x.com",
        {"properties": [{"property": "lastname", "value": "Late"}]},
    )
    recent = api.get(
        "/contacts/v1/lists/recently_updated/contacts/recent",
        count=2,
        propertyMode="value_and_history",
        property="lastname",
    ).json()
    assert [c["vid"] for c in recent["contacts"]] == [2, 5]
    assert recent["contacts"][0]["properties"] == {
        "lastname": {"value": "Late", "versions": [contact_version("Late", START_MS + 5000)]}
    }
    assert recent["contacts"][0]["addedAt"] == START_MS + 5000
    assert (recent["has-more"], recent["vid-offset"], recent["time-offset"]) == (
        True,
        5,
        START_MS + 4000,
    )
    rest = api.get(
        "/contacts/v1/lists/recently_updated/contacts/recent",
        count=10,
        timeOffset=recent["time-offset"],
        vidOffset=recent["vid-offset"],
    ).json()
    assert [c["vid"] for c in rest["contacts"]] == [4, 3, 1]
    assert rest["has-more"] is False
    created = api.get("/contacts/v1/lists/all/contacts/recent").json()
    assert [c["vid"] for c in created["contacts"]] == [5, 4, 3, 2, 1]
    empty = api.get(
        "/contacts/v1/lists/recently_updated/contacts/recent", timeOffset=START_MS - 1
    ).json()
    assert empty == {
        "contacts": [],
        "has-more": False,
        "vid-offset": 0,
        "time-offset": START_MS - 1,
    }


def test_recently_updated_walk_while_contacts_change(api: Api) -> None:
    for n in range(9):
        api.post(f"/contacts/v1/contact/createOrUpdate/email/w{n}@x.com", {"properties": []})
        if n % 2:
            api.clock.advance(1)
    seen: list[int] = []
    params: dict[str, Any] = {"count": 2}
    while True:
        page = api.get("/contacts/v1/lists/recently_updated/contacts/recent", **params).json()
        seen += [c["vid"] for c in page["contacts"]]
        # A new contact appears in front of the walk; it is not HubSpot's promise to show it.
        api.post("/contacts/v1/contact/createOrUpdate/email/late@x.com", {"properties": []})
        api.clock.advance(1)
        if not page["has-more"]:
            break
        params = {"count": 2, "timeOffset": page["time-offset"], "vidOffset": page["vid-offset"]}
    assert sorted(seen) == list(range(1, 10))


# Engagements v1


def engagement_head(api: Api, record_id: int, kind: str, at: int = START_MS) -> dict[str, Any]:
    return {
        "id": record_id,
        "portalId": api.portal_id,
        "active": True,
        "createdAt": at,
        "lastUpdated": at,
        "type": kind,
        "timestamp": START_MS,
        "allAccessibleTeamIds": [],
        "queueMembershipIds": [],
        "bodyPreviewIsTruncated": False,
    }


def no_associations(**ids: list[int]) -> dict[str, list[int]]:
    keys = ["contactIds", "companyIds", "dealIds", "ownerIds", "workflowIds", "ticketIds"]
    keys += ["contentIds", "quoteIds", "marketingEventIds"]
    return {key: ids.get(key, []) for key in keys}


def test_engagements_are_the_v3_activities_with_metadata_and_associations(api: Api) -> None:
    contact = create(api, "contacts", email="a@x.com")
    note = api.post(
        "/crm/v3/objects/notes",
        {
            "properties": {"hs_note_body": "hello", "hs_timestamp": "2026-01-01T00:00:00Z"},
            "associations": [
                {
                    "to": {"id": contact},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}],
                }
            ],
        },
    ).json()["id"]
    api.clock.advance(1000)
    create(
        api,
        "meetings",
        hs_meeting_title="Kickoff",
        hs_meeting_start_time="2026-01-02T10:00:00Z",
        hs_timestamp="2026-01-01T00:00:00Z",
    )
    create(
        api,
        "calls",
        hs_call_title="Ring",
        hs_call_duration="61000",
        hs_timestamp="2026-01-01T00:00:00Z",
    )
    body = api.get(f"/engagements/v1/engagements/{note}").json()
    assert body == {
        "engagement": engagement_head(api, 1, "NOTE"),
        "associations": no_associations(contactIds=[int(contact)]),
        "attachments": [],
        "scheduledTasks": [],
        "metadata": {"body": "hello"},
    }
    paged = api.get("/engagements/v1/engagements/paged").json()
    # One id per type: a page never ends between engagements of one id.
    assert [(e["engagement"]["type"], e["engagement"]["id"]) for e in paged["results"]] == [
        ("NOTE", 1),
        ("CALL", 1),
        ("MEETING", 1),
    ]
    assert (paged["hasMore"], paged["offset"]) == (False, 1)
    by_one = api.get("/engagements/v1/engagements/paged", limit=1).json()
    assert len(by_one["results"]) == 3
    call = paged["results"][1]
    assert call["engagement"] == engagement_head(api, 1, "CALL", START_MS + 1000)
    assert call["metadata"] == {"title": "Ring", "durationMilliseconds": 61000}
    assert paged["results"][2]["metadata"] == {"startTime": 1767348000000, "title": "Kickoff"}
    recent = api.get("/engagements/v1/engagements/recent/modified", count=2).json()
    assert [e["engagement"]["type"] for e in recent["results"]] == ["CALL", "MEETING"]
    assert (recent["hasMore"], recent["offset"], recent["total"]) == (True, 2, 3)
    api.client.delete(f"/crm/v3/objects/notes/{note}", headers=api.headers())
    # An archived engagement is gone; id 1 now names the call (hubcrm's per-type ids).
    assert api.get(f"/engagements/v1/engagements/{note}").json() == call
    assert_legacy_error(api.get("/engagements/v1/engagements/99"), 404, messages.LEGACY_NOT_FOUND)
    assert_legacy_error(api.get("/engagements/v1/engagements/x"), 404, messages.LEGACY_NOT_FOUND)


def test_engagements_paged_walk_while_activities_are_written(api: Api) -> None:
    for n in range(4):
        create(api, "notes", hs_note_body=f"n{n}", hs_timestamp="2026-01-01T00:00:00Z")
        create(api, "tasks", hs_task_subject=f"t{n}", hs_timestamp="2026-01-01T00:00:00Z")
    seen: list[tuple[str, int]] = []
    params: dict[str, Any] = {"limit": 3}
    while True:
        page = api.get("/engagements/v1/engagements/paged", **params).json()
        seen += [(e["engagement"]["type"], e["engagement"]["id"]) for e in page["results"]]
        create(api, "notes", hs_note_body="late", hs_timestamp="2026-01-01T00:00:00Z")
        if not page["hasMore"]:
            break
        params = {"limit": 3, "offset": page["offset"]}
    assert len(seen) == len(set(seen))
    assert {(t, i) for t in ("NOTE", "TASK") for i in range(1, 5)} <= set(seen)


# Compatibility paths: v3 association batch read, /crm/v4/objects, trailing slashes


def test_v3_association_batch_read_answers_207_for_a_record_without_any(api: Api) -> None:
    contact = create(api, "contacts", email="a@x.com")
    linked = api.post(
        "/crm/v3/objects/companies",
        {
            "properties": {"name": "A"},
            "associations": [
                {
                    "to": {"id": contact},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 280}],
                }
            ],
        },
    ).json()["id"]
    alone = create(api, "companies", name="B")
    response = api.post(
        "/crm/v3/associations/company/contact/batch/read",
        {"inputs": [{"id": linked}, {"id": alone}]},
    )
    assert response.status_code == 207
    body = response.json()
    assert [(r["from"]["id"], [t["id"] for t in r["to"]]) for r in body["results"]] == [
        (linked, [contact])
    ]
    assert body["numErrors"] == 1
    (error,) = body["errors"]
    assert error["category"] == "OBJECT_NOT_FOUND"
    assert error["subCategory"] == "crm.associations.NO_ASSOCIATIONS_FOUND"
    assert error["message"] == f"No contact is associated with company {alone}."
    assert error["context"] == {
        "fromObjectId": [alone],
        "fromObjectType": ["company"],
        "toObjectType": ["contact"],
    }


def test_v4_objects_paths_serve_the_v3_objects_api(api: Api) -> None:
    contact = create(api, "contacts", email="a@x.com")
    ticket = api.post(
        "/crm/v3/objects/tickets",
        {
            "properties": {"subject": "T", "hs_pipeline": "0", "hs_pipeline_stage": "1"},
            "associations": [
                {
                    "to": {"id": contact},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 16}],
                }
            ],
        },
    ).json()["id"]
    asked = {"associations": "contact,company,deals", "properties": "subject", "archived": "false"}
    for path in ("/crm/v4/objects/tickets", "/crm/v3/objects/tickets"):
        listed = api.get(path, **asked).json()
        assert listed["results"][0]["associations"] == {
            "contacts": {"results": [{"id": contact, "type": "ticket_to_contact"}]}
        }
        assert listed["results"][0]["properties"] == {"subject": "T"}
    one = api.get(f"/crm/v4/objects/tickets/{ticket}", associations="contact").json()
    assert one == api.get(f"/crm/v3/objects/tickets/{ticket}", associations="contact").json()


def test_one_trailing_slash_is_served_as_without_it(api: Api) -> None:
    create(api, "companies", name="A")
    for path in (
        "/crm/v3/objects/companies",
        "/companies/v2/companies/paged",
        "/properties/v2/contact/properties",
    ):
        plain = api.client.get(path, headers=api.headers(), follow_redirects=False)
        slashed = api.client.get(path + "/", headers=api.headers(), follow_redirects=False)
        assert slashed.status_code == plain.status_code == 200
        assert slashed.json() == plain.json()


def test_legacy_routes_demand_a_token_and_count_against_rate_limits(database_url: str) -> None:
    with running_api(database_url, rate_limit="free", rate_limit_burst=3) as api:
        response = api.client.get("/companies/v2/companies/paged")
        assert response.status_code == 401
        assert response.json()["category"] == "INVALID_AUTHENTICATION"
        remaining = [
            int(api.get(path).headers["x-hubspot-ratelimit-remaining"])
            for path in ("/deals/v1/deal/paged", "/crm/v3/objects/deals", "/contacts/v2/properties")
        ]
        assert remaining == [2, 1, 0]
        refused = api.get("/engagements/v1/engagements/paged")
        assert refused.status_code == 429
        assert refused.json()["errorType"] == "RATE_LIMIT"


def test_engagements_modified_after_walks_by_cursor(api: Api) -> None:
    for n in range(3):
        create(api, "notes", hs_note_body=f"n{n}", hs_timestamp="2026-01-01T00:00:00Z")
        create(api, "calls", hs_call_title=f"c{n}", hs_timestamp="2026-01-01T00:00:00Z")
        api.clock.advance(1000)
    path = "/engagements/v1/engagements/modified/after"
    seen: list[tuple[str, int]] = []
    params: dict[str, Any] = {"after": START_MS + 1000, "limit": 2}
    while True:
        page = api.get(path, **params).json()
        seen += [(e["engagement"]["type"], e["engagement"]["id"]) for e in page["results"]]
        if not page["hasMore"]:
            assert "after" not in page
            break
        patch(api, "notes", "1", hs_note_body="changed again")  # moves behind the walk's end
        params = {"after": page["after"], "limit": 2}
    assert seen[:4] == [("NOTE", 2), ("CALL", 2), ("NOTE", 3), ("CALL", 3)]
    assert seen[4:] == [("NOTE", 1)]
    assert_legacy_error(
        api.get(path, after="yesterday"),
        400,
        messages.LEGACY_INVALID_OFFSET.format(value="yesterday"),
    )


def test_sunset_endpoints_answer_as_hubspot_now_does(api: Api) -> None:
    create(api, "contacts", email="a@x.com")
    # Owners v2 (sunset 2025-03-24) and the other v1 list endpoints (sunset 2026-04-30): 404.
    for path in ("/owners/v2/owners", "/contacts/v1/lists", "/contacts/v1/lists/1/contacts/all"):
        response = api.get(path)
        assert response.status_code == 404
        body = response.json()
        assert set(body) == LEGACY_ERROR_KEYS
        assert body["message"] == messages.ROUTE_NOT_FOUND.format(method="GET", path=path)
    # A wrong method on a legacy path: 405 with no body.
    wrong = api.post("/contacts/v1/lists/all/contacts/all", {})
    assert wrong.status_code == 405
    assert wrong.content == b""


def test_every_legacy_view_agrees_with_v3_on_values_and_history(api: Api) -> None:
    company = create(api, "companies", name="A", numberofemployees="5")
    contact = create(api, "contacts", email="a@x.com", firstname="A")
    note = create(api, "notes", hs_note_body="first", hs_timestamp="2026-01-01T00:00:00Z")
    for n in range(2):
        api.clock.advance(700)
        patch(api, "companies", company, name=f"A{n}", numberofemployees=str(6 + n))
        patch(api, "contacts", contact, firstname=f"A{n}")
        patch(api, "notes", note, hs_note_body=f"body {n}")

    def v3(kind: str, record_id: str, names: str) -> dict[str, Any]:
        body: dict[str, Any] = api.get(
            f"/crm/v3/objects/{kind}/{record_id}", propertiesWithHistory=names
        ).json()
        return body["propertiesWithHistory"]  # type: ignore[no-any-return]

    companies = v3("companies", company, "name,numberofemployees")
    views = [
        api.client.get(
            "/companies/v2/companies/paged?propertiesWithHistory=name"
            "&propertiesWithHistory=numberofemployees",
            headers=api.headers(),
        ).json()["companies"][0],
    ]
    for view in views:
        for name, history in companies.items():
            assert [(v["value"], v["timestamp"]) for v in view["properties"][name]["versions"]] == [
                (h["value"], _ms(h["timestamp"])) for h in history
            ]
    for view in (
        api.get(f"/companies/v2/companies/{company}").json(),
        api.get("/companies/v2/companies/recent/modified").json()["results"][0],
    ):
        for name, history in companies.items():
            assert view["properties"][name]["value"] == history[0]["value"]
            assert view["properties"][name]["timestamp"] == _ms(history[0]["timestamp"])

    contacts = v3("contacts", contact, "firstname")["firstname"]
    for view in (
        api.get(f"/contacts/v1/contact/vid/{contact}/profile").json(),
        api.get(
            "/contacts/v1/lists/recently_updated/contacts/recent",
            property="firstname",
            propertyMode="value_and_history",
        ).json()["contacts"][0],
    ):
        versions = view["properties"]["firstname"]["versions"]
        assert [(v["value"], v["timestamp"], v["source-type"]) for v in versions] == [
            (h["value"], _ms(h["timestamp"]), h["sourceType"]) for h in contacts
        ]

    notes = v3("notes", note, "hs_note_body")["hs_note_body"]
    shown = api.get(f"/engagements/v1/engagements/{note}").json()
    assert shown["metadata"]["body"] == notes[0]["value"]
    assert shown["engagement"]["lastUpdated"] == _ms(notes[0]["timestamp"])


HOSTILE_GETS = [
    "/companies/v2/companies/paged?offset=-5&limit=-1",
    "/companies/v2/companies/paged?offset=4611686018427387904",
    "/companies/v2/companies/paged?offset=99999999999999999999999",
    "/companies/v2/companies/recent/modified?offset=4611686018427387903&count=100",
    "/companies/v2/companies/recent/created?since=-4611686018427387903",
    "/companies/v2/companies/%D9%A3",
    "/companies/v2/companies/9999999999999999999999",
    "/deals/v1/deal/paged?properties=&propertiesWithHistory=,,",
    "/deals/v1/deal/0",
    "/engagements/v1/engagements/%D9%A3",
    "/engagements/v1/engagements/99999999999999999999",
    "/engagements/v1/engagements/recent/modified?offset=4611686018427387903",
    "/engagements/v1/engagements/modified/after?after=1_2",
    "/engagements/v1/engagements/modified/after?after=99999999999999999999",
    "/engagements/v1/engagements/modified/after?after=-1_-1_-1&limit=100000",
    "/contacts/v1/lists/all/contacts/all?vidOffset=-1&count=1000",
    "/contacts/v1/lists/recently_updated/contacts/recent?timeOffset=4611686018427387903",
    "/contacts/v1/lists/recently_updated/contacts/recent?propertyMode=sometimes",
    "/contacts/v1/contact/vid/99999999999999999999/profile",
    "/contacts/v1/contact/email/%00/profile",
    "/contacts/v1/contact/email/not-an-email/profile",
    "/properties/v2/%00/properties",
    "/properties/v2/2-999/properties/named/x",
    "/properties/v1/p12345678_things/properties",
]
HOSTILE_POSTS: list[tuple[str, Any]] = [
    ("/contacts/v1/contact/createOrUpdate/email/%00", {"properties": []}),
    ("/contacts/v1/contact/createOrUpdate/email/a@x.com", {"properties": [{"value": "x"}]}),
    ("/contacts/v1/contact/createOrUpdate/email/a@x.com", {"properties": "nope"}),
    ("/contacts/v1/contact/createOrUpdate/email/a@x.com", []),
    ("/contacts/v1/contact/batch/", {"vid": 1}),
    ("/contacts/v1/contact/batch/", [{"vid": -1, "properties": []}]),
    ("/contacts/v1/contact/batch/", [{"vid": 2**70, "properties": []}]),
    ("/contacts/v1/contact/batch/", [{"email": "x" * 70000, "properties": []}]),
]


def test_no_legacy_input_causes_a_500(api: Api) -> None:
    create(api, "companies", name="A")
    create(api, "notes", hs_note_body="n", hs_timestamp="2026-01-01T00:00:00Z")
    before = api.get("/crm/v3/objects/contacts").json()
    for path in HOSTILE_GETS:
        response = api.client.get(path, headers=api.headers())
        assert response.status_code < 500, (path, response.text)
        if response.status_code >= 400:
            assert set(response.json()) == LEGACY_ERROR_KEYS, path
    for path, body in HOSTILE_POSTS:
        response = api.post(path, body)
        assert 400 <= response.status_code < 500, (path, response.text)
        assert {"status", "message"} <= set(response.json()), path
    assert api.get("/crm/v3/objects/contacts").json() == before


def test_email_engagements_take_their_type_from_the_direction(api: Api) -> None:
    create(
        api,
        "emails",
        hs_email_subject="Hi",
        hs_email_text="Hello",
        hs_email_direction="INCOMING_EMAIL",
        hs_timestamp="2026-01-01T00:00:00Z",
    )
    shown = api.get("/engagements/v1/engagements/1").json()
    assert shown["engagement"]["type"] == "INCOMING_EMAIL"
    assert shown["metadata"] == {
        "subject": "Hi",
        "text": "Hello",
        "from": {},
        "to": [],
        "cc": [],
        "bcc": [],
    }


def test_contact_writes_through_v1_record_the_same_webhook_events_as_v3(api: Api) -> None:
    app = new_app(api)
    configure(api, app)
    subscribe(api, app, "contact.creation", active=True)
    subscribe(api, app, "contact.propertyChange", propertyName="firstname", active=True)
    api.post(
        "/contacts/v1/contact/createOrUpdate/email/a@x.com",
        {"properties": [{"property": "firstname", "value": "A"}]},
    )
    api.clock.advance(1000)
    api.post(
        "/contacts/v1/contact/batch/",
        [{"vid": 1, "properties": [{"property": "firstname", "value": "B"}]}],
    )
    rejected = api.post(
        "/contacts/v1/contact/batch/",
        [
            {"vid": 1, "properties": [{"property": "firstname", "value": "C"}]},
            {"email": "bad", "properties": []},
        ],
    )
    assert rejected.status_code == 400
    assert [(e.event_type, e.fields) for e in outbox(api)] == [
        (
            "contact.creation",
            {"objectId": 1, "changeFlag": "CREATED", "changeSource": "API", "sourceId": "1"},
        ),
        (
            "contact.propertyChange",
            {
                "objectId": 1,
                "propertyName": "firstname",
                "propertyValue": "B",
                "changeSource": "API",
                "sourceId": "1",
            },
        ),
    ]


def test_deal_pipelines_v1_are_the_v3_pipelines_in_the_older_shape(api: Api) -> None:
    v3 = api.get("/crm/v3/pipelines/deals").json()["results"]
    legacy = api.get("/deals/v1/pipelines").json()
    assert [p["pipelineId"] for p in legacy] == [p["id"] for p in v3]
    default = api.get("/deals/v1/pipelines/default").json()
    assert default == legacy[0]
    assert set(default) == {
        "pipelineId",
        "label",
        "active",
        "displayOrder",
        "staticDefault",
        "stages",
    }
    won = [s for s in default["stages"] if s["closedWon"]]
    assert [s["stageId"] for s in won] == ["closedwon"]
    assert won[0]["probability"] == 1.0
    assert set(won[0]) == {"stageId", "label", "probability", "active", "displayOrder", "closedWon"}
    assert_legacy_error(api.get("/deals/v1/pipelines/nope"), 404, messages.LEGACY_NOT_FOUND)
