"""Merge and GDPR delete, in process, on both stores."""

from __future__ import annotations

from typing import Any

from hubcrm.protocol import messages
from tests.api.helpers import assert_error
from tests.conftest import Api, upsert_input

CONTACTS = "/crm/v3/objects/contacts"
V4 = "/crm/v4/objects/contacts"


def put(api: Api, path: str) -> Any:
    return api.client.put(path, headers=api.headers())


def targets(api: Api, record_id: str) -> list[int]:
    answer = api.get(f"{V4}/{record_id}/associations/contacts").json()
    return [r["toObjectId"] for r in answer["results"]]


def merge(api: Api, primary: str, other: str) -> Any:
    return api.post(f"{CONTACTS}/merge", {"primaryObjectId": primary, "objectIdToMerge": other})


def test_merge_keeps_the_primary_and_its_values_first(api: Api) -> None:
    api.upsert(
        [
            upsert_input("a@x.com", firstname="Ann"),
            upsert_input("b@x.com", firstname="Bea", lastname="Brown"),
            upsert_input("c@x.com"),
        ]
    )
    put(api, f"{V4}/2/associations/default/contacts/3")
    put(api, f"{V4}/1/associations/default/contacts/2")
    api.clock.advance(1000)
    merged = merge(api, "1", "2")
    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert body["id"] == "1"
    properties = body["properties"]
    assert properties["email"] == "a@x.com"
    assert properties["firstname"] == "Ann"  # the primary's value wins
    assert properties["lastname"] == "Brown"  # the other's fills a gap
    assert properties["hs_additional_emails"] == "b@x.com"
    assert properties["hs_merged_object_ids"] == "2"
    # The merged id answers as the primary, on read and on a single update.
    assert api.get(f"{CONTACTS}/2").json()["id"] == "1"
    patched = api.client.patch(
        f"{CONTACTS}/2", json={"properties": {"phone": "5"}}, headers=api.headers()
    )
    assert patched.json()["id"] == "1"
    # Its email now finds the primary.
    upserted = api.upsert([upsert_input("b@x.com", jobtitle="CEO")]).json()["results"][0]
    assert (upserted["id"], upserted["new"]) == ("1", False)
    assert_error(
        api.post(CONTACTS, {"properties": {"email": "B@x.com"}}),
        409,
        "CONFLICT",
        "Contact already exists. Existing ID: 1",
    )
    # Associations moved to the primary; the association between the two is gone.
    assert targets(api, "1") == [3]
    assert targets(api, "3") == [1]
    # History records the merge.
    history = api.get(f"{CONTACTS}/1", propertiesWithHistory="hs_merged_object_ids").json()
    entries = history["propertiesWithHistory"]["hs_merged_object_ids"]
    assert [(e["value"], e["timestamp"]) for e in entries] == [("2", "2026-01-01T00:00:01.000Z")]
    # The merged record is no longer listed, live or archived.
    listed = api.get(CONTACTS, limit=100).json()["results"]
    assert [r["id"] for r in listed] == ["1", "3"]
    assert api.get(CONTACTS, archived="true").json()["results"] == []


def test_merging_chains_and_refusals(api: Api) -> None:
    api.upsert([upsert_input(f"{n}@x.com") for n in "abc"])
    assert merge(api, "2", "3").status_code == 200
    assert merge(api, "1", "2").status_code == 200
    record = api.get(f"{CONTACTS}/3", properties="hs_merged_object_ids,hs_additional_emails")
    assert record.json()["id"] == "1"
    assert record.json()["properties"] == {
        "hs_merged_object_ids": "3;2",
        "hs_additional_emails": "b@x.com;c@x.com",
    }
    assert_error(
        merge(api, "1", "1"), 400, "VALIDATION_ERROR", messages.MERGE_SAME_OBJECT.format(id="1")
    )
    # A merged id stands for the record it became: merging it into that record is a self-merge.
    assert_error(
        merge(api, "2", "1"), 400, "VALIDATION_ERROR", messages.MERGE_SAME_OBJECT.format(id="1")
    )
    assert_error(merge(api, "1", "99"), 404, "OBJECT_NOT_FOUND", messages.NOT_FOUND)
    before = api.get(f"{CONTACTS}/1").json()
    assert merge(api, "1", "x").status_code == 404
    assert api.get(f"{CONTACTS}/1").json() == before


def test_gdpr_delete_forgets_for_good(api: Api) -> None:
    api.upsert([upsert_input("a@x.com", firstname="Ann"), upsert_input("b@x.com")])
    put(api, f"{V4}/1/associations/default/contacts/2")
    gone = api.post(f"{CONTACTS}/gdpr-delete", {"objectId": "1"})
    assert gone.status_code == 204, gone.text
    assert api.get(f"{CONTACTS}/1").status_code == 404
    assert api.get(f"{CONTACTS}/1", archived="true").status_code == 404
    assert targets(api, "2") == []
    # The email is free at once, and the new record has no history of the old one.
    again = api.post(CONTACTS, {"properties": {"email": "a@x.com"}})
    assert again.status_code == 201, again.text
    fresh = api.get(f"{CONTACTS}/{again.json()['id']}", propertiesWithHistory="firstname")
    assert fresh.json()["propertiesWithHistory"]["firstname"] == []
    # By email; an unknown email is 204 too, an unknown id is 404.
    by_email = api.post(f"{CONTACTS}/gdpr-delete", {"objectId": "B@x.com", "idProperty": "email"})
    assert by_email.status_code == 204
    assert api.get(f"{CONTACTS}/2").status_code == 404
    unknown = {"objectId": "nobody@x.com", "idProperty": "email"}
    assert api.post(f"{CONTACTS}/gdpr-delete", unknown).status_code == 204
    assert_error(
        api.post(f"{CONTACTS}/gdpr-delete", {"objectId": "77"}),
        404,
        "OBJECT_NOT_FOUND",
        messages.NOT_FOUND,
    )
    found = api.post(f"{CONTACTS}/search", {"filterGroups": []}).json()
    assert [r["id"] for r in found["results"]] == [again.json()["id"]]


def test_gdpr_delete_of_an_archived_contact_and_of_a_merged_one(api: Api) -> None:
    api.upsert([upsert_input("a@x.com"), upsert_input("b@x.com"), upsert_input("c@x.com")])
    api.client.delete(f"{CONTACTS}/1", headers=api.headers())
    assert api.post(f"{CONTACTS}/gdpr-delete", {"objectId": "1"}).status_code == 204
    assert api.get(f"{CONTACTS}/1", archived="true").status_code == 404
    merge(api, "2", "3")
    assert api.post(f"{CONTACTS}/gdpr-delete", {"objectId": "2"}).status_code == 204
    # The merged id resolved to the deleted record: it names nothing now.
    assert api.get(f"{CONTACTS}/3").status_code == 404
    assert api.post(CONTACTS, {"properties": {"email": "c@x.com"}}).status_code == 201


def test_companies_merge_too_and_their_contacts_follow(api: Api) -> None:
    companies = "/crm/v3/objects/companies"
    acme = api.post(companies, {"properties": {"name": "Acme"}}).json()["id"]
    other = api.post(companies, {"properties": {"name": "Acme Inc", "domain": "acme.com"}})
    other_id = other.json()["id"]
    api.upsert([upsert_input("a@x.com")])
    spec = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]
    api.client.put(f"{V4}/1/associations/companies/{other_id}", json=spec, headers=api.headers())
    merged = api.post(f"{companies}/merge", {"primaryObjectId": acme, "objectIdToMerge": other_id})
    assert merged.status_code == 200, merged.text
    assert merged.json()["properties"]["domain"] == "acme.com"
    assert merged.json()["properties"]["hs_merged_object_ids"] == other_id
    # The contact's primary company was the merged one: it is now the survivor.
    listed = api.get(f"{V4}/1/associations/companies").json()["results"]
    assert [(r["toObjectId"], [t["typeId"] for t in r["associationTypes"]]) for r in listed] == [
        (int(acme), [1, 279])
    ]
    contact = api.get(f"{CONTACTS}/1", properties="associatedcompanyid").json()
    assert contact["properties"]["associatedcompanyid"] == acme
    assert api.get(f"{companies}/{other_id}").json()["id"] == acme


def test_hooks_hear_every_change_inside_the_transaction(api: Api) -> None:
    from hubcrm.domain.associations import Changes
    from hubcrm.domain.records import Actor
    from hubcrm.store.base import WriteTransaction

    heard: list[tuple[str, Any]] = []

    async def hook(tx: WriteTransaction, actor: Actor, changes: Changes) -> None:
        heard.append(("in", changes))

    api.state.associations.in_transaction(hook)
    api.state.associations.on_change(lambda portal, changes: heard.append(("after", portal)))
    api.upsert([upsert_input("a@x.com"), upsert_input("b@x.com")])
    put(api, f"{V4}/1/associations/default/contacts/2")
    assert [kind for kind, _ in heard] == ["in", "after"]
    added = heard[0][1].added
    assert [(r.from_id, r.to_id, r.type_id) for r in added] == [(1, 2, 449), (2, 1, 449)]
    heard.clear()
    merge(api, "1", "2")
    changes = heard[0][1]
    assert [(m.primary_id, m.merged_id) for m in changes.merged] == [(1, 2)]
    assert [(t, w.record.record_id) for t, w in changes.saved] == [("0-1", 1)]
    heard.clear()
    api.post(f"{CONTACTS}/gdpr-delete", {"objectId": "1"})
    assert heard[0][1].purged == [("0-1", 1)]
