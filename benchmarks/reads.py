"""Read and search latency on a large portal: what a user waits for at 1M contacts.

Run by benchmarks.upsert against the server and data of its largest size; each kind of request
is sent `count` times over one connection, so its latencies are not queued behind each other.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from benchmarks import load
from benchmarks.workload import email

OBJECTS = "/crm/v3/objects/contacts"


@dataclass
class ReadRow:
    name: str
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int


def _search(body: dict[str, Any]) -> tuple[str, bytes]:
    return f"{OBJECTS}/search", json.dumps(body).encode()


def _filters(*filters: dict[str, Any], **rest: Any) -> tuple[str, bytes]:
    return _search({"filterGroups": [{"filters": list(filters)}], "limit": 100, **rest})


def requests(existing_first: int, existing: int) -> dict[str, list[tuple[str, bytes | None]]]:
    """Each kind of read, with arguments spread over the seeded contacts."""
    middle = existing_first + existing // 2

    recent = int(time.time() * 1000) - 60_000

    def spread(n: int) -> int:
        return existing_first + (n * 7919) % max(existing, 1)

    return {
        "get by id": [(f"{OBJECTS}/{1 + (n * 7919) % max(existing, 1)}", None) for n in range(50)],
        "get by email": [
            (f"{OBJECTS}/{email(spread(n))}?idProperty=email", None) for n in range(50)
        ],
        "list, first page of 100": [(f"{OBJECTS}?limit=100", None)] * 50,
        "list, page of 100 deep in the portal": [
            (f"{OBJECTS}?limit=100&after={existing // 2 + n * 100}", None) for n in range(50)
        ],
        "batch read 100 by email": [
            (
                f"{OBJECTS}/batch/read",
                json.dumps(
                    {
                        "idProperty": "email",
                        "properties": ["firstname", "lastname"],
                        "inputs": [{"id": email(spread(n * 100 + i))} for i in range(100)],
                    }
                ).encode(),
            )
            for n in range(50)
        ],
        "search email EQ": [
            _filters({"propertyName": "email", "operator": "EQ", "value": email(spread(n))})
            for n in range(50)
        ],
        "search enumeration EQ, total, 100 results": [
            _filters({"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"})
        ]
        * 50,
        "search changed in the last minute, sorted by lastmodifieddate": [
            _filters(
                {"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(recent)},
                sorts=["lastmodifieddate"],
            )
        ]
        * 50,
        "search id range, sorted": [
            _filters(
                {
                    "propertyName": "hs_object_id",
                    "operator": "BETWEEN",
                    "value": str(n * 1000),
                    "highValue": str(n * 1000 + 5000),
                },
                sorts=[{"propertyName": "hs_object_id", "direction": "DESCENDING"}],
            )
            for n in range(1, 51)
        ],
        "search text token": [
            _filters({"propertyName": "company", "operator": "CONTAINS_TOKEN", "value": f"{n}"})
            for n in range(50)
        ],
        "search free-text query": [
            _search({"query": email(middle + n).split("@")[0], "limit": 10}) for n in range(50)
        ],
    }


async def measure(base_url: str, token: str, existing_first: int, existing: int) -> list[ReadRow]:
    rows = []
    for name, kinds in requests(existing_first, existing).items():
        encoded = [load.encode_request(base_url, path, token, body) for path, body in kinds]
        result = await load.run(base_url, encoded, 1)
        rows.append(
            ReadRow(
                name=name,
                p50_ms=result.percentile(50) * 1000,
                p95_ms=result.percentile(95) * 1000,
                p99_ms=result.percentile(99) * 1000,
                errors=sum(n for status, n in result.statuses.items() if status >= 300),
            )
        )
    return rows


def report(rows: list[ReadRow], existing: int) -> str:
    lines = [
        f"Reads at {existing:,} existing contacts (one connection):",
        "",
        "| request | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.name} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | {r.errors} |"
        for r in rows
    ]
    return "\n".join(lines)
