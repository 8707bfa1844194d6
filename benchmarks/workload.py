"""The benchmark's batches: 100 records keyed by a unique property (contacts by email, deals by
a custom unique key), about 8 properties each, half of every batch creating records and half
updating records created earlier."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

BATCH = 100
STAGES = ("subscriber", "lead", "marketingqualifiedlead", "opportunity", "customer")


def contact_properties(rng: random.Random, n: int) -> dict[str, str]:
    return {
        "firstname": f"First{n}",
        "lastname": f"Last{rng.randrange(10**6)}",
        "phone": f"+1555{rng.randrange(10**7):07d}",
        "company": f"Company {rng.randrange(5000)}",
        "jobtitle": rng.choice(("Engineer", "Manager", "Director", "Analyst")),
        "city": rng.choice(("Lisbon", "Austin", "Osaka", "Nairobi", "Lima")),
        "lifecyclestage": rng.choice(STAGES),
        "website": f"https://example{n % 997}.com",
    }


def deal_properties(rng: random.Random, n: int) -> dict[str, str]:
    return {
        "dealname": f"Deal {n}",
        "amount": str(rng.randrange(100, 10**6)),
        "pipeline": "default",
        "dealstage": rng.choice(DEAL_STAGES),
        "dealtype": rng.choice(("newbusiness", "existingbusiness")),
        "closedate": f"2027-0{rng.randrange(1, 10)}-1{rng.randrange(10)}",
        "description": f"Renewal of plan {rng.randrange(5000)}",
        "hs_priority": rng.choice(("low", "medium", "high")),
    }


DEAL_STAGES = ("appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "closedwon")


@dataclass(frozen=True)
class Kind:
    """What the benchmark writes: an object type, the unique property its upserts are keyed by
    (a custom one where the type has none), and its records' properties."""

    name: str
    id_property: str
    custom_key: bool
    properties: Callable[[random.Random, int], dict[str, str]]

    def key(self, n: int) -> str:
        return f"contact{n}@bench.example" if self.id_property == "email" else f"bench-{n}"


KINDS = {
    "contacts": Kind("contacts", "email", False, contact_properties),
    "deals": Kind("deals", "bench_key", True, deal_properties),
}
CONTACTS = KINDS["contacts"]


def email(n: int) -> str:
    return CONTACTS.key(n)


def batches(
    first_new: int,
    count: int,
    seed: int = 7,
    updates_per_batch: int = BATCH // 2,
    kind: Kind = CONTACTS,
) -> Iterator[list[tuple[str, dict[str, str]]]]:
    """`count` batches; new records are numbered from `first_new`, updates reuse earlier ones."""
    rng = random.Random(seed)
    next_new = first_new
    for _ in range(count):
        known = next_new - first_new
        updates = rng.sample(range(first_new, next_new), min(updates_per_batch, known))
        creates = range(next_new, next_new + BATCH - len(updates))
        next_new += len(creates)
        yield [(kind.key(n), kind.properties(rng, n)) for n in (*creates, *updates)]


def upsert_body(rows: list[tuple[str, dict[str, str]]], id_property: str = "email") -> bytes:
    inputs = [{"id": key, "idProperty": id_property, "properties": props} for key, props in rows]
    return json.dumps({"inputs": inputs}).encode()
