"""For any sequence of upserts, updates and archives, listing, batch read and search agree with a
simple model of which contacts exist and what they hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Api

CONTACTS = "/crm/v3/objects/contacts"
EMAILS = [f"u{i}@x.com" for i in range(5)]
NAMES = ["ann", "Bob", "cy", ""]

operations = st.lists(
    st.one_of(
        st.tuples(st.just("upsert"), st.sampled_from(EMAILS), st.sampled_from(NAMES)),
        st.tuples(st.just("update"), st.sampled_from(EMAILS), st.sampled_from(NAMES)),
        st.tuples(st.just("archive"), st.sampled_from(EMAILS), st.just("")),
    ),
    max_size=12,
)


@dataclass
class Model:
    live: dict[str, tuple[str, str]] = field(default_factory=dict)  # email → (id, firstname)
    next_id: int = 1

    def apply(self, op: str, email: str, name: str) -> None:
        if op == "upsert":
            if email not in self.live:
                self.live[email] = (str(self.next_id), name)
                self.next_id += 1
            else:
                self.live[email] = (self.live[email][0], name)
        elif op == "update" and email in self.live:
            self.live[email] = (self.live[email][0], name)
        elif op == "archive":
            self.live.pop(email, None)


def run(api: Api, token: str, op: str, email: str, name: str, model: Model) -> None:
    if op == "upsert":
        body: dict[str, Any] = {
            "idProperty": "email",
            "id": email,
            "properties": {"firstname": name},
        }
        assert api.upsert([body], token).status_code == 200
    elif op == "update" and email in model.live:
        update = {"inputs": [{"id": model.live[email][0], "properties": {"firstname": name}}]}
        assert api.post(f"{CONTACTS}/batch/update", update, token).status_code == 200
    elif op == "archive" and email in model.live:
        archive = {"inputs": [{"id": model.live[email][0]}]}
        assert api.post(f"{CONTACTS}/batch/archive", archive, token).status_code == 204


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_reads_agree_with_the_model(api: Api, ops: list[tuple[str, str, str]]) -> None:
    _, token = api.new_portal()  # a fresh portal per example
    model = Model()
    for op, email, name in ops:
        run(api, token, op, email, name, model)
        model.apply(op, email, name)
    expected = sorted((int(rid), email, name or None) for email, (rid, name) in model.live.items())

    listed = api.get(CONTACTS, token=token, limit=100, properties="email,firstname").json()
    assert [
        (int(r["id"]), r["properties"]["email"], r["properties"]["firstname"])
        for r in listed["results"]
    ] == expected

    read = api.post(
        f"{CONTACTS}/batch/read",
        {"idProperty": "email", "inputs": [{"id": e} for e in EMAILS], "properties": ["firstname"]},
        token,
    ).json()
    assert sorted((int(r["id"]), r["properties"]["firstname"]) for r in read["results"]) == [
        (rid, name) for rid, _, name in expected
    ]
    missing = sorted(set(EMAILS) - set(model.live))
    assert [e["context"]["ids"] for e in read.get("errors", [])] == ([missing] if missing else [])

    for name in NAMES:
        wanted = [rid for rid, _, held in expected if held == (name or None)]
        operator = {"operator": "EQ", "value": name} if name else {"operator": "NOT_HAS_PROPERTY"}
        found = api.post(
            f"{CONTACTS}/search",
            {"filterGroups": [{"filters": [{"propertyName": "firstname", **operator}]}]},
            token,
        ).json()
        assert found["total"] == len(wanted)
        assert [int(r["id"]) for r in found["results"]] == wanted
