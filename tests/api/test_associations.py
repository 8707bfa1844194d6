"""Associations in process, on both stores: the v4 API (records, batches, labels), both
directions, errors that change nothing, archive hiding, v3 inline create and `?associations=`."""

from __future__ import annotations

from typing import Any

from hubcrm.protocol import messages
from tests.api.helpers import assert_error
from tests.conftest import Api, upsert_input

CONTACTS = "/crm/v3/objects/contacts"
V4 = "/crm/v4/objects/contacts"
PAIR = "/crm/v4/associations/contacts/contacts"
UNLABELED = {"category": "HUBSPOT_DEFINED", "typeId": 449, "label": None}


def put(api: Api, path: str, body: Any = None) -> Any:
    return api.client.put(path, json=body, headers=api.headers())


def delete(api: Api, path: str) -> Any:
    return api.client.delete(path, headers=api.headers())


def contacts(api: Api, count: int) -> list[str]:
    answer = api.upsert([upsert_input(f"c{i}@x.com") for i in range(1, count + 1)])
    assert answer.status_code == 200, answer.text
    return sorted((r["id"] for r in answer.json()["results"]), key=int)


def listed(api: Api, record_id: str, **params: Any) -> Any:
    answer = api.get(f"{V4}/{record_id}/associations/contacts", **params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def manager_label(api: Api) -> tuple[int, int]:
    """A paired custom label contacts→contacts: (Manager type id, Employee type id)."""
    made = api.post(
        f"{PAIR}/labels", {"label": "Manager", "inverseLabel": "Employee", "name": "manager"}
    )
    assert made.status_code == 200, made.text
    by_label = {r["label"]: r["typeId"] for r in made.json()["results"]}
    return by_label["Manager"], by_label["Employee"]


def test_default_association_writes_both_directions(api: Api) -> None:
    contacts(api, 2)
    answer = put(api, f"{V4}/1/associations/default/contacts/2")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "COMPLETE"
    assert [(r["from"]["id"], r["to"]["id"], r["associationSpec"]) for r in body["results"]] == [
        ("1", "2", {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 449}),
        ("2", "1", {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 449}),
    ]
    assert listed(api, "1") == {"results": [{"toObjectId": 2, "associationTypes": [UNLABELED]}]}
    assert listed(api, "2") == {"results": [{"toObjectId": 1, "associationTypes": [UNLABELED]}]}
    # Repeating it changes nothing.
    assert put(api, f"{V4}/1/associations/default/contacts/2").status_code == 200
    assert listed(api, "1")["results"] == [{"toObjectId": 2, "associationTypes": [UNLABELED]}]


def test_labels_are_paired_and_a_put_replaces_the_label_set(api: Api) -> None:
    contacts(api, 2)
    manager, employee = manager_label(api)
    assert (manager, employee) == (1000, 1001)
    labels = api.get(f"{PAIR}/labels").json()["results"]
    assert {"category": "USER_DEFINED", "typeId": 1000, "label": "Manager"} in labels
    assert {"category": "USER_DEFINED", "typeId": 1001, "label": "Employee"} in labels
    assert UNLABELED in labels
    spec = [{"associationCategory": "USER_DEFINED", "associationTypeId": manager}]
    answer = put(api, f"{V4}/1/associations/contacts/2", spec)
    assert answer.status_code == 201, answer.text
    assert answer.json() == {
        "fromObjectTypeId": "0-1",
        "fromObjectId": 1,
        "toObjectTypeId": "0-1",
        "toObjectId": 2,
        "labels": ["Manager"],
    }
    assert listed(api, "2")["results"] == [
        {
            "toObjectId": 1,
            "associationTypes": [
                UNLABELED,
                {"category": "USER_DEFINED", "typeId": employee, "label": "Employee"},
            ],
        }
    ]
    # The body is the whole label set: sending none leaves only the unlabeled type.
    again = put(api, f"{V4}/1/associations/contacts/2", [])
    assert again.json()["labels"] == []
    assert listed(api, "2")["results"] == [{"toObjectId": 1, "associationTypes": [UNLABELED]}]


def test_errors_name_hubspots_context_and_change_nothing(api: Api) -> None:
    contacts(api, 2)
    put(api, f"{V4}/1/associations/default/contacts/2")
    unknown = assert_error(
        put(
            api,
            f"{V4}/1/associations/contacts/2",
            [{"associationCategory": "USER_DEFINED", "associationTypeId": 3}],
        ),
        400,
        "VALIDATION_ERROR",
        "One or more associations are invalid",
    )
    assert unknown["context"] == {
        "associationSpec": ["USER_DEFINED=3"],
        "INVALID_ASSOCIATION_TYPE_ID": ["USER_DEFINED=3 is not a valid association definition id"],
    }
    missing = assert_error(
        put(api, f"{V4}/1/associations/default/contacts/99"),
        400,
        "VALIDATION_ERROR",
        "One or more associations are invalid",
    )
    assert missing["context"] == {
        "INVALID_OBJECT_IDS": ["CONTACT=99 is not valid"],
        "objectId": ["99"],
        "objectType": ["CONTACT"],
    }
    # A type of another object pair: HubSpot checks the ids against that type's own pair.
    misfit = put(
        api,
        f"{V4}/1/associations/contacts/2",
        [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}],
    )
    assert misfit.json()["context"]["INVALID_OBJECT_IDS"] == ["COMPANY=2 is not valid"]
    assert_error(
        put(api, f"{V4}/1/associations/contacts/2"),
        400,
        "VALIDATION_ERROR",
        messages.ASSOCIATION_BODY_EXPECTED,
    )
    # A batch with one bad input writes none of it.
    batch = api.post(
        f"{PAIR}/batch/associate/default",
        {
            "inputs": [
                {"from": {"id": "2"}, "to": {"id": "1"}},
                {"from": {"id": "1"}, "to": {"id": "abc"}},
            ]
        },
    )
    assert batch.json()["context"]["INVALID_OBJECT_IDS"] == ["CONTACT=abc is not valid"]
    assert listed(api, "1")["results"] == [{"toObjectId": 2, "associationTypes": [UNLABELED]}]


def test_records_of_another_portal_archived_or_missing_do_not_exist(api: Api) -> None:
    contacts(api, 3)
    _, other_token = api.new_portal()
    theirs = api.client.post(
        CONTACTS, json={"properties": {"email": "t@x.com"}}, headers=api.headers(other_token)
    )
    assert theirs.json()["id"] == "1"
    # Their contact 1 is no target for ours: our 4 does not exist, and theirs is not ours.
    answer = put(api, f"{V4}/1/associations/default/contacts/4")
    assert answer.json()["context"]["INVALID_OBJECT_IDS"] == ["CONTACT=4 is not valid"]
    assert delete(api, f"{CONTACTS}/3").status_code == 204
    answer = put(api, f"{V4}/1/associations/default/contacts/3")
    assert answer.json()["context"]["INVALID_OBJECT_IDS"] == ["CONTACT=3 is not valid"]
    other = api.client.get(f"{V4}/1/associations/contacts", headers=api.headers(other_token)).json()
    assert other == {"results": []}


def test_archiving_a_record_hides_its_associations(api: Api) -> None:
    contacts(api, 3)
    put(api, f"{V4}/1/associations/default/contacts/2")
    put(api, f"{V4}/1/associations/default/contacts/3")
    assert [r["toObjectId"] for r in listed(api, "1")["results"]] == [2, 3]
    assert delete(api, f"{CONTACTS}/2").status_code == 204
    assert [r["toObjectId"] for r in listed(api, "1")["results"]] == [3]
    assert listed(api, "2") == {"results": []}


def test_delete_removes_every_type_both_ways(api: Api) -> None:
    contacts(api, 2)
    manager, _ = manager_label(api)
    put(
        api,
        f"{V4}/1/associations/contacts/2",
        [{"associationCategory": "USER_DEFINED", "associationTypeId": manager}],
    )
    assert delete(api, f"{V4}/1/associations/contacts/2").status_code == 204
    assert listed(api, "1") == {"results": []}
    assert listed(api, "2") == {"results": []}
    assert delete(api, f"{V4}/1/associations/contacts/2").status_code == 204


def test_list_pages_by_associated_record(api: Api) -> None:
    contacts(api, 4)
    for target in ("2", "3", "4"):
        put(api, f"{V4}/1/associations/default/contacts/{target}")
    first = listed(api, "1", limit=2)
    assert [r["toObjectId"] for r in first["results"]] == [2, 3]
    after = first["paging"]["next"]["after"]
    second = listed(api, "1", limit=2, after=after)
    assert [r["toObjectId"] for r in second["results"]] == [4]
    assert "paging" not in second
    assert_error(
        api.get(f"{V4}/1/associations/contacts", after="nope"),
        400,
        "VALIDATION_ERROR",
        messages.INVALID_ASSOCIATION_AFTER.format(after="nope"),
    )


def test_batch_create_read_and_archive(api: Api) -> None:
    contacts(api, 4)
    manager, employee = manager_label(api)
    created = api.post(
        f"{PAIR}/batch/create",
        {
            "inputs": [
                {
                    "from": {"id": "1"},
                    "to": {"id": "2"},
                    "types": [
                        {"associationCategory": "USER_DEFINED", "associationTypeId": manager}
                    ],
                },
                {
                    "from": {"id": "1"},
                    "to": {"id": "3"},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 449}],
                },
            ]
        },
    )
    assert created.status_code == 201, created.text
    assert [(r["toObjectId"], r["labels"]) for r in created.json()["results"]] == [
        (2, ["Manager"]),
        (3, []),
    ]
    read = api.post(f"{PAIR}/batch/read", {"inputs": [{"id": "1"}, {"id": "4"}, {"id": "2"}]})
    assert read.status_code == 207, read.text
    body = read.json()
    assert [(r["from"]["id"], [t["toObjectId"] for t in r["to"]]) for r in body["results"]] == [
        ("1", [2, 3]),
        ("2", [1]),
    ]
    assert body["results"][1]["to"][0]["associationTypes"][1] == {
        "category": "USER_DEFINED",
        "typeId": employee,
        "label": "Employee",
    }
    assert body["numErrors"] == 1
    assert body["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    assert body["errors"][0]["subCategory"] == "crm.associations.NO_ASSOCIATIONS_FOUND"
    assert body["errors"][0]["message"] == "No contact is associated with contact 4."
    assert body["errors"][0]["context"] == {
        "fromObjectId": ["4"],
        "fromObjectType": ["contact"],
        "toObjectType": ["contact"],
    }
    # Removing only the label keeps the association; removing the unlabeled type removes all.
    spec = [{"associationCategory": "USER_DEFINED", "associationTypeId": manager}]
    removed = api.post(
        f"{PAIR}/batch/labels/archive",
        {"inputs": [{"from": {"id": "1"}, "to": {"id": "2"}, "types": spec}]},
    )
    assert removed.status_code == 204, removed.text
    assert listed(api, "2")["results"] == [{"toObjectId": 1, "associationTypes": [UNLABELED]}]
    unlabeled = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 449}]
    api.post(
        f"{PAIR}/batch/labels/archive",
        {"inputs": [{"from": {"id": "1"}, "to": {"id": "2"}, "types": unlabeled}]},
    )
    assert listed(api, "2") == {"results": []}
    archived = api.post(
        f"{PAIR}/batch/archive",
        {"inputs": [{"from": {"id": "1"}, "to": [{"id": "3"}, {"id": "99"}]}]},
    )
    assert archived.status_code == 204
    assert listed(api, "1") == {"results": []}


def test_batch_limits(api: Api) -> None:
    too_many = [{"id": str(i)} for i in range(1, 1002)]
    assert_error(
        api.post(f"{PAIR}/batch/read", {"inputs": too_many}),
        400,
        "VALIDATION_ERROR",
        messages.BATCH_TOO_LARGE.format(limit=1000),
    )
    pairs = [{"from": {"id": "1"}, "to": {"id": str(i)}} for i in range(2001)]
    assert_error(
        api.post(f"{PAIR}/batch/associate/default", {"inputs": pairs}),
        400,
        "VALIDATION_ERROR",
        messages.BATCH_TOO_LARGE.format(limit=2000),
    )


def test_label_api_errors(api: Api) -> None:
    manager_label(api)
    assert_error(
        api.post(f"{PAIR}/labels", {"label": "X", "name": "manager"}),
        400,
        "VALIDATION_ERROR",
        messages.LABEL_EXISTS.format(name="manager"),
    )
    assert_error(
        api.post(f"{PAIR}/labels", {"label": "X", "name": "9lives"}),
        400,
        "VALIDATION_ERROR",
        messages.LABEL_NAME_INVALID.format(name="9lives"),
    )
    assert_error(
        delete(api, f"{PAIR}/labels/449"),
        400,
        "VALIDATION_ERROR",
        messages.LABEL_HUBSPOT_DEFINED.format(type_id=449),
    )
    renamed = put(api, f"{PAIR}/labels", {"associationTypeId": 1000, "label": "Boss"})
    assert renamed.status_code == 204
    labels = api.get(f"{PAIR}/labels").json()["results"]
    assert {"category": "USER_DEFINED", "typeId": 1000, "label": "Boss"} in labels
    contacts(api, 2)
    put(
        api,
        f"{V4}/1/associations/contacts/2",
        [{"associationCategory": "USER_DEFINED", "associationTypeId": 1000}],
    )
    assert_error(
        delete(api, f"{PAIR}/labels/1000"),
        400,
        "VALIDATION_ERROR",
        messages.LABEL_IN_USE.format(type_id=1000),
    )
    delete(api, f"{V4}/1/associations/contacts/2")
    assert delete(api, f"{PAIR}/labels/1000").status_code == 204
    assert [r["typeId"] for r in api.get(f"{PAIR}/labels").json()["results"]] == [449]
    # The spec's path serves the same labels.
    same = api.get("/crm/associations/v4/contacts/contacts/labels").json()["results"]
    assert [r["typeId"] for r in same] == [449]


def test_v3_create_associates_in_the_same_transaction(api: Api) -> None:
    contacts(api, 1)
    spec = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 449}]
    created = api.post(
        CONTACTS,
        {
            "properties": {"email": "new@x.com"},
            "associations": [{"to": {"id": 1}, "types": spec}],
        },
    )
    assert created.status_code == 201, created.text
    assert "associations" not in created.json()
    assert [r["toObjectId"] for r in listed(api, "1")["results"]] == [2]
    failed = api.post(
        f"{CONTACTS}/batch/create",
        {
            "inputs": [
                {
                    "properties": {"email": "a@x.com"},
                    "associations": [{"to": {"id": "1"}, "types": spec}],
                },
                {
                    "properties": {"email": "b@x.com"},
                    "associations": [{"to": {"id": "77"}, "types": spec}],
                },
            ]
        },
    )
    assert failed.json()["context"]["INVALID_OBJECT_IDS"] == ["CONTACT=77 is not valid"]
    found = api.post(f"{CONTACTS}/search", {"filterGroups": []}).json()
    assert found["total"] == 2  # nothing of the failed batch was written


def test_v3_reads_list_associations_when_asked(api: Api) -> None:
    contacts(api, 3)
    put(api, f"{V4}/1/associations/default/contacts/2")
    put(api, f"{V4}/1/associations/default/contacts/3")
    one = api.get(f"{CONTACTS}/1", associations="contacts,companies,nonsense").json()
    assert one["associations"] == {
        "contacts": {
            "results": [
                {"id": "2", "type": "contact_to_contact"},
                {"id": "3", "type": "contact_to_contact"},
            ]
        }
    }
    assert "associations" not in api.get(f"{CONTACTS}/1").json()
    page = api.get(CONTACTS, associations="contacts").json()
    assert [("associations" in r) for r in page["results"]] == [True, True, True]
    read = api.post(
        f"{CONTACTS}/batch/read?associations=contacts", {"inputs": [{"id": "1"}]}
    ).json()
    assert "associations" not in read["results"][0]


def test_v3_associations_batch_endpoints(api: Api) -> None:
    contacts(api, 3)
    base = "/crm/v3/associations/contacts/contacts"
    made = api.post(
        f"{base}/batch/create",
        {"inputs": [{"from": {"id": "1"}, "to": {"id": "2"}, "type": "contact_to_contact"}]},
    )
    assert made.status_code == 201, made.text
    assert made.json()["results"] == [
        {"from": {"id": "1"}, "to": {"id": "2"}, "type": "contact_to_contact"}
    ]
    read = api.post(f"{base}/batch/read", {"inputs": [{"id": "2"}, {"id": "3"}]})
    assert read.status_code == 207
    assert read.json()["results"] == [
        {"from": {"id": "2"}, "to": [{"id": "1", "type": "contact_to_contact"}]}
    ]
    gone = api.post(
        f"{base}/batch/archive",
        {"inputs": [{"from": {"id": "2"}, "to": {"id": "1"}, "type": "contact_to_contact"}]},
    )
    assert gone.status_code == 204
    assert listed(api, "1") == {"results": []}


# Across object types: the primary company, kept in step with associatedcompanyid.

COMPANIES = "/crm/v3/objects/companies"
DEALS = "/crm/v3/objects/deals"
PRIMARY = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]


def company(api: Api, name: str) -> str:
    made = api.post(COMPANIES, {"properties": {"name": name}})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def companies_of(api: Api, contact_id: str) -> list[tuple[int, list[int]]]:
    answer = api.get(f"{V4}/{contact_id}/associations/companies").json()
    return [
        (r["toObjectId"], [t["typeId"] for t in r["associationTypes"]]) for r in answer["results"]
    ]


def primary_company(api: Api, contact_id: str) -> str | None:
    found = api.get(f"{CONTACTS}/{contact_id}", properties="associatedcompanyid").json()
    value: str | None = found["properties"]["associatedcompanyid"]
    return value


def test_the_primary_company_moves_and_associatedcompanyid_follows(api: Api) -> None:
    contacts(api, 1)
    acme, globex = company(api, "Acme"), company(api, "Globex")
    answer = put(api, f"{V4}/1/associations/companies/{acme}", PRIMARY)
    assert answer.status_code == 201, answer.text
    assert answer.json()["labels"] == ["Primary"]
    assert answer.json()["toObjectTypeId"] == "0-2"
    assert companies_of(api, "1") == [(int(acme), [1, 279])]
    assert primary_company(api, "1") == acme
    back = api.get(f"/crm/v4/objects/companies/{acme}/associations/contacts").json()
    assert back["results"][0]["associationTypes"] == [
        {"category": "HUBSPOT_DEFINED", "typeId": 2, "label": "Primary"},
        {"category": "HUBSPOT_DEFINED", "typeId": 280, "label": None},
    ]
    # A second primary moves it: the old company keeps its unlabeled association.
    put(api, f"/crm/v4/objects/contact/1/associations/company/{globex}", PRIMARY)
    assert companies_of(api, "1") == [(int(acme), [279]), (int(globex), [1, 279])]
    assert primary_company(api, "1") == globex
    # Setting it from the company's side (type 2) moves it too.
    put(
        api,
        f"/crm/v4/objects/companies/{acme}/associations/contacts/1",
        [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 2}],
    )
    assert companies_of(api, "1") == [(int(acme), [1, 279]), (int(globex), [279])]
    assert primary_company(api, "1") == acme
    assert delete(api, f"{V4}/1/associations/companies/{acme}").status_code == 204
    assert primary_company(api, "1") is None
    history = api.get(f"{CONTACTS}/1", propertiesWithHistory="associatedcompanyid").json()
    values = [e["value"] for e in history["propertiesWithHistory"]["associatedcompanyid"]]
    assert values == ["", acme, globex, acme]


def test_v3_reads_list_the_primary_company_twice(api: Api) -> None:
    contacts(api, 1)
    acme = company(api, "Acme")
    put(api, f"{V4}/1/associations/companies/{acme}", PRIMARY)
    deal = api.post(
        DEALS,
        {
            "properties": {"dealname": "Big"},
            "associations": [
                {
                    "to": {"id": acme},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}],
                },
                {
                    "to": {"id": "1"},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}],
                },
            ],
        },
    )
    assert deal.status_code == 201, deal.text
    deal_id = deal.json()["id"]
    read = api.get(f"{CONTACTS}/1", associations="companies,deals").json()
    assert read["associations"] == {
        "companies": {
            "results": [
                {"id": acme, "type": "contact_to_company"},
                {"id": acme, "type": "contact_to_company_unlabeled"},
            ]
        },
        "deals": {"results": [{"id": deal_id, "type": "contact_to_deal"}]},
    }
    deal_read = api.get(f"{DEALS}/{deal_id}", associations="company,contacts").json()
    assert deal_read["associations"] == {
        "companies": {
            "results": [
                {"id": acme, "type": "deal_to_company"},
                {"id": acme, "type": "deal_to_company_unlabeled"},
            ]
        },
        "contacts": {"results": [{"id": "1", "type": "deal_to_contact"}]},
    }


def test_a_type_of_another_pair_names_the_ids_as_that_pairs(api: Api) -> None:
    acme = company(api, "Acme")
    deal = api.post(DEALS, {"properties": {"dealname": "Big"}}).json()["id"]
    # HubSpot's observed answer: typeId 1 (contact to company) on deal→company.
    answer = put(api, f"/crm/v4/objects/deals/{deal}/associations/companies/{acme}", PRIMARY)
    body = assert_error(answer, 400, "VALIDATION_ERROR", "One or more associations are invalid")
    assert body["context"] == {
        "INVALID_OBJECT_IDS": [f"CONTACT={deal} is not valid"],
        "objectId": [deal],
        "objectType": ["CONTACT"],
    }


def test_v3_reads_page_associations_by_100(api: Api) -> None:
    acme = company(api, "Acme")
    api.upsert([upsert_input(f"p{i}@x.com") for i in range(1, 101)])
    api.upsert([upsert_input(f"q{i}@x.com") for i in range(1, 6)])
    pairs = [{"from": {"id": acme}, "to": {"id": str(i)}} for i in range(1, 106)]
    made = api.post(
        "/crm/v4/associations/companies/contacts/batch/associate/default", {"inputs": pairs}
    )
    assert made.status_code == 200, made.text
    assert len(made.json()["results"]) == 210
    read = api.get(f"{COMPANIES}/{acme}", associations="contacts").json()
    block = read["associations"]["contacts"]
    assert [r["id"] for r in block["results"]] == [str(i) for i in range(1, 101)]
    assert {r["type"] for r in block["results"]} == {"company_to_contact_unlabeled"}
    after = block["paging"]["next"]["after"]
    rest = api.get(f"/crm/v4/objects/companies/{acme}/associations/contacts", after=after).json()
    assert [r["toObjectId"] for r in rest["results"]] == [101, 102, 103, 104, 105]


def test_writing_associatedcompanyid_sets_the_primary_company(api: Api) -> None:
    acme, globex = company(api, "Acme"), company(api, "Globex")
    made = api.post(CONTACTS, {"properties": {"email": "a@x.com", "associatedcompanyid": acme}})
    assert made.status_code == 201, made.text
    contact = made.json()["id"]
    assert companies_of(api, contact) == [(int(acme), [1, 279])]
    api.client.patch(
        f"{CONTACTS}/{contact}",
        json={"properties": {"associatedcompanyid": globex}},
        headers=api.headers(),
    )
    assert companies_of(api, contact) == [(int(acme), [279]), (int(globex), [1, 279])]
    api.upsert([upsert_input("a@x.com", associatedcompanyid="")])
    assert companies_of(api, contact) == [(int(acme), [279]), (int(globex), [279])]
    assert primary_company(api, contact) is None
    refused = api.upsert([upsert_input("a@x.com", associatedcompanyid="999")])
    assert refused.json()["context"]["INVALID_OBJECT_IDS"] == ["COMPANY=999 is not valid"]
    assert primary_company(api, contact) is None


def test_custom_objects_associate_by_their_schema_associations(api: Api) -> None:
    from tests.api.test_schemas import define_cars

    define_cars(api)
    contacts(api, 1)
    car = api.post("/crm/v3/objects/2-1", {"properties": {"model": "Beetle"}})
    assert car.status_code == 201, car.text
    car_id = car.json()["id"]
    made = put(api, f"/crm/v4/objects/2-1/{car_id}/associations/default/contacts/1")
    assert made.status_code == 200, made.text
    assert [r["associationSpec"] for r in made.json()["results"]] == [
        {"associationCategory": "USER_DEFINED", "associationTypeId": 1001},
        {"associationCategory": "USER_DEFINED", "associationTypeId": 1501},
    ]
    back = api.get(f"{V4}/1/associations/2-1").json()["results"]
    assert back == [
        {
            "toObjectId": int(car_id),
            "associationTypes": [{"category": "USER_DEFINED", "typeId": 1501, "label": None}],
        }
    ]
    read = api.get(f"/crm/v3/objects/2-1/{car_id}", associations="contacts").json()
    assert read["associations"] == {
        "contacts": {"results": [{"id": "1", "type": "cars_to_contacts"}]}
    }
    # A pair the schema does not associate has no types.
    company_id = company(api, "Acme")
    answer = put(api, f"/crm/v4/objects/2-1/{car_id}/associations/default/companies/{company_id}")
    assert answer.status_code == 400
