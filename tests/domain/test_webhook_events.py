"""Events as HubSpot's payloads have them, built from writes and by hand, matched to
subscriptions by object type, action and property."""

from __future__ import annotations

from hubcrm.domain.webhooks import events
from hubcrm.store.base import HistoryEntry, Record, RecordWrite, Subscription

SOURCE = events.source_of(77, "1")


def subscription(
    sub_id: int, event_type: str, action: str, type_id: str = "0-1", prop: str = ""
) -> Subscription:
    return Subscription(sub_id, 77, event_type, action, type_id, prop, True, 0, 0)


def test_writes_become_creation_change_and_deletion_events() -> None:
    new = RecordWrite(Record(1, {"email": "a@x.com"}, 10, 10), is_new=True)
    history = [
        HistoryEntry("firstname", "A", 20, "API", "1"),
        HistoryEntry("firstname", "B", 20, "API", "1"),
        HistoryEntry("lastname", "", 20, "API", "1"),
    ]
    changed = RecordWrite(Record(2, {}, 5, 20), is_new=False, history=history)
    gone = RecordWrite(Record(3, {}, 5, 5, archived=True, archived_at=30), is_new=False)
    changes = events.changes_of("0-1", [new, changed, gone], SOURCE)
    subs = [
        subscription(1, "contact.creation", "creation"),
        subscription(2, "contact.propertyChange", "propertyChange", prop="firstname"),
        subscription(3, "contact.propertyChange", "propertyChange", prop="lastname"),
        subscription(4, "object.deletion", "deletion"),
        subscription(5, "company.creation", "creation", type_id="0-2"),
    ]
    matched = [(e.subscription_id, e.occurred_at, e.fields) for e in events.match(changes, subs)]
    who = {"changeSource": "INTEGRATION", "sourceId": "77"}
    assert matched == [
        (1, 10, {"objectId": 1, "changeFlag": "CREATED"} | who),
        (2, 20, {"objectId": 2, "propertyName": "firstname", "propertyValue": "B"} | who),
        (3, 20, {"objectId": 2, "propertyName": "lastname", "propertyValue": ""} | who),
        (4, 30, {"objectId": 3, "objectTypeId": "0-1", "changeFlag": "DELETED"} | who),
    ]


def test_association_changes_fire_on_both_sides() -> None:
    changes = events.association_changes(
        "0-1", 5, "0-2", 9, removed=False, primary=True, occurred_at=40, source=SOURCE
    )
    subs = [
        subscription(1, "contact.associationChange", "associationChange"),
        subscription(2, "company.associationChange", "associationChange", type_id="0-2"),
    ]
    contact, company = (e.fields for e in events.match(changes, subs))
    assert contact == {
        "associationType": "CONTACT_TO_COMPANY",
        "fromObjectId": 5,
        "toObjectId": 9,
        "associationRemoved": False,
        "isPrimaryAssociation": True,
        "changeSource": "INTEGRATION",
        "sourceId": "77",
    }
    assert (company["associationType"], company["fromObjectId"], company["toObjectId"]) == (
        "COMPANY_TO_CONTACT",
        9,
        5,
    )
    assert company["isPrimaryAssociation"] is False


def test_a_merge_carries_hubspots_merge_fields() -> None:
    change = events.merge_change("0-1", 1, [2], 3, 4, 50, SOURCE)
    (event,) = events.match([change], [subscription(1, "contact.merge", "merge")])
    assert event.fields == {
        "objectId": 3,
        "primaryObjectId": 1,
        "mergedObjectIds": [2],
        "newObjectId": 3,
        "numberOfPropertiesMoved": 4,
        "changeSource": "INTEGRATION",
        "sourceId": "77",
    }
