"""A portal with a bit of everything, written through the API as an integration would.

Used by the UI's browser tests and by scripts/ui_screenshots.py, so the pages they show hold
what a developer debugging an integration sees: contacts written and rewritten (history), a
custom property, companies and a deal associated with them, an archived record, and a journal
with successes and refusals in it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

FIRST_NAMES = (
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Frances", "John",
    "Radia", "Niklaus", "Sophie", "Tim", "Hedy", "Dennis", "Katherine", "Guido", "Joan", "Linus",
)  # fmt: skip
LAST_NAMES = (
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson",
    "Allen", "McCarthy", "Perlman", "Wirth", "Wilson", "Berners-Lee", "Lamarr", "Ritchie",
    "Johnson", "van Rossum", "Clarke", "Torvalds",
)  # fmt: skip
COMPANIES = ("Analytical Engines", "Cobol Works", "Bletchley Labs", "Structured Co", "Typeset Inc")


@dataclass
class Answer:
    status: int
    body: Any


class Api:
    """The CRM API of one portal, on the standard library alone."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, body: Any = None) -> Answer:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, text = answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode(errors="replace")
        return Answer(status, json.loads(text) if text else None)

    def upsert(self, inputs: list[dict[str, Any]], object_type: str = "contacts") -> Answer:
        path = f"/crm/v3/objects/{object_type}/batch/upsert"
        return self.call("POST", path, {"inputs": inputs})


def by_email(email: str, **properties: str) -> dict[str, Any]:
    return {"idProperty": "email", "id": email, "properties": properties}


def seed(base_url: str, token: str, contacts: int = 40) -> Api:
    """Fill the token's portal; returns the API client used."""
    api = Api(base_url, token)
    api.call(
        "POST",
        "/crm/v3/properties/contacts",
        {
            "name": "favourite_language",
            "label": "Favourite language",
            "type": "enumeration",
            "fieldType": "select",
            "groupName": "contactinformation",
            "options": [
                {"label": label, "value": label.lower()}
                for label in ("Python", "Lisp", "Fortran", "ALGOL")
            ],
        },
    )
    people = [
        by_email(
            f"{FIRST_NAMES[i % 20].lower()}.{LAST_NAMES[i % 20].lower().replace(' ', '')}"
            f"{'' if i < 20 else i}@example.com",
            firstname=FIRST_NAMES[i % 20],
            lastname=LAST_NAMES[i % 20],
            company=COMPANIES[i % len(COMPANIES)],
            lifecyclestage=("lead", "subscriber", "customer")[i % 3],
            favourite_language=("python", "lisp", "fortran", "algol")[i % 4],
        )
        for i in range(contacts)
    ]
    for start in range(0, len(people), 100):
        api.upsert(people[start : start + 100])
    # A second and third write to one contact: its history has something to show.
    api.upsert([by_email("ada.lovelace@example.com", jobtitle="Analyst", phone="+44 20 7946 0018")])
    api.upsert(
        [by_email("ada.lovelace@example.com", jobtitle="Programmer", lifecyclestage="customer")]
    )
    # Requests an integration gets wrong, for the journal: an unknown property, a bad email,
    # a record that does not exist, a search on an unknown property.
    api.upsert([by_email("grace.hopper@example.com", shoe_size="42")])
    api.call("POST", "/crm/v3/objects/contacts", {"properties": {"email": "not-an-email"}})
    api.call("GET", "/crm/v3/objects/contacts/999999")
    api.call(
        "POST",
        "/crm/v3/objects/contacts/search",
        {"filterGroups": [{"filters": [{"propertyName": "nope", "operator": "EQ", "value": "x"}]}]},
    )
    api.call(
        "POST",
        "/crm/v3/objects/contacts/search",
        {"query": "hopper", "properties": ["email", "firstname"], "limit": 5},
    )
    # Companies, each contact associated with its own, and a deal of the first company.
    companies = [
        api.call("POST", "/crm/v3/objects/companies", {"properties": {"name": name}})
        for name in COMPANIES
    ]
    company_ids = [c.body["id"] for c in companies if c.status == 201]
    if company_ids:
        for i in range(min(contacts, 10)):
            company_id = company_ids[i % len(company_ids)]
            api.call(
                "PUT",
                f"/crm/v4/objects/contacts/{i + 1}/associations/default/companies/{company_id}",
            )
        deal = api.call(
            "POST",
            "/crm/v3/objects/deals",
            {"properties": {"dealname": "Difference Engine No. 2", "amount": "17470"}},
        )
        if deal.status == 201:
            api.call(
                "PUT",
                f"/crm/v4/objects/deals/{deal.body['id']}/associations/default/companies/"
                f"{company_ids[0]}",
            )
            api.call(
                "PUT", f"/crm/v4/objects/deals/{deal.body['id']}/associations/default/contacts/1"
            )
    # One archived record.
    made = api.call(
        "POST", "/crm/v3/objects/contacts", {"properties": {"email": "gone@example.com"}}
    )
    if made.status == 201:
        api.call("DELETE", f"/crm/v3/objects/contacts/{made.body['id']}")
    return api
