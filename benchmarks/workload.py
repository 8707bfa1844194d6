"""The benchmark's batches: 100 contacts keyed by email, about 8 properties each,
half of every batch creating contacts and half updating contacts created earlier."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

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


def email(n: int) -> str:
    return f"contact{n}@bench.example"


def batches(
    first_new: int, count: int, seed: int = 7, updates_per_batch: int = BATCH // 2
) -> Iterator[list[tuple[str, dict[str, str]]]]:
    """`count` batches; new contacts are numbered from `first_new`, updates reuse earlier ones."""
    rng = random.Random(seed)
    next_new = first_new
    for _ in range(count):
        known = next_new - first_new
        updates = rng.sample(range(first_new, next_new), min(updates_per_batch, known))
        creates = range(next_new, next_new + BATCH - len(updates))
        next_new += len(creates)
        yield [(email(n), contact_properties(rng, n)) for n in (*creates, *updates)]


def upsert_body(rows: list[tuple[str, dict[str, str]]]) -> bytes:
    inputs = [{"id": key, "idProperty": "email", "properties": props} for key, props in rows]
    return json.dumps({"inputs": inputs}).encode()
