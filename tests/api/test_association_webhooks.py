"""Association, merge and GDPR delete transactions record their webhook events in the outbox,
in the same transaction: associationChange on both sides, the primary company's
propertyChange, merge, privacyDeletion and deletion."""

from __future__ import annotations

from tests.api.test_webhooks_api import configure, new_app, outbox, subscribe
from tests.conftest import Api, upsert_input

V4 = "/crm/v4/objects/contacts"
WHO = {"changeSource": "API", "sourceId": "1"}


def test_association_merge_and_gdpr_events(api: Api) -> None:
    app = new_app(api)
    configure(api, app)
    for event_type in ("contact.associationChange", "company.associationChange"):
        subscribe(api, app, event_type, active=True)
    subscribe(api, app, "contact.propertyChange", propertyName="associatedcompanyid", active=True)
    for event_type in ("contact.merge", "contact.privacyDeletion", "contact.deletion"):
        subscribe(api, app, event_type, active=True)
    api.upsert([upsert_input("a@x.com"), upsert_input("b@x.com")])
    company = api.post("/crm/v3/objects/companies", {"properties": {"name": "Acme"}}).json()["id"]
    spec = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]
    answer = api.client.put(
        f"{V4}/1/associations/companies/{company}", json=spec, headers=api.headers()
    )
    assert answer.status_code == 201, answer.text
    events = [(e.event_type, e.fields) for e in outbox(api)]
    changes = [fields for kind, fields in events if kind.endswith("associationChange")]
    assert [(f["associationType"], f["isPrimaryAssociation"]) for f in changes] == [
        ("CONTACT_TO_COMPANY", True),
        ("COMPANY_TO_CONTACT", False),
        ("CONTACT_TO_COMPANY", False),
        ("COMPANY_TO_CONTACT", False),
    ]
    assert (
        "contact.propertyChange",
        {
            "objectId": 1,
            "propertyName": "associatedcompanyid",
            "propertyValue": company,
        }
        | WHO,
    ) in events
    api.post("/crm/v3/objects/contacts/merge", {"primaryObjectId": "1", "objectIdToMerge": "2"})
    merged = [
        fields
        for kind, fields in ((e.event_type, e.fields) for e in outbox(api))
        if kind == "contact.merge"
    ]
    assert merged == [
        {
            "objectId": 1,
            "primaryObjectId": 1,
            "mergedObjectIds": [2],
            "newObjectId": 1,
            "numberOfPropertiesMoved": merged[0]["numberOfPropertiesMoved"],
        }
        | WHO
    ]
    api.post("/crm/v3/objects/contacts/gdpr-delete", {"objectId": "1"})
    last = [(e.event_type, e.fields) for e in outbox(api)][-6:]
    assert ("contact.privacyDeletion", {"objectId": 1} | WHO) in last
    assert ("contact.deletion", {"objectId": 1, "changeFlag": "DELETED"} | WHO) in last
    removed = [f for kind, f in last if kind.endswith("associationChange")]
    assert removed
    assert all(f["associationRemoved"] for f in removed)
