"""What a new portal costs: `create_portal` with every standard type's default properties.

The test suite creates a portal per test, thousands per run, so this is on its critical path.

    python -m benchmarks.portal_creation sqlite:////tmp/bench.db 200
    python -m benchmarks.portal_creation postgresql://postgres@127.0.0.1:5432/bench 200
"""

from __future__ import annotations

import asyncio
import sys
import time

from hubcrm.domain.objects import seed_schemas
from hubcrm.store import open_store

FIRST_PORTAL = 50_000_000


async def measure(url: str, count: int) -> float:
    """Milliseconds per portal, over `count` new portals (the first pays for the shared seed)."""
    store = await open_store(url)
    try:
        schemas = seed_schemas()
        started = time.perf_counter()
        for n in range(count):
            await store.create_portal(FIRST_PORTAL + n, 0, schemas)
        return (time.perf_counter() - started) * 1000 / count
    finally:
        await store.close()


def main(argv: list[str]) -> None:
    url, count = argv[0], int(argv[1]) if len(argv) > 1 else 200
    print(f"{url.split(':')[0]}: {asyncio.run(measure(url, count)):.2f} ms per portal")


if __name__ == "__main__":
    main(sys.argv[1:])
