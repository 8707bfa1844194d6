"""`hubcrm seed FILE` with companies, deals and a custom object type, and `hubcrm reset`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from hubcrm.store import open_store
from tests.cli.commands import hubcrm
from tests.control.test_seed_object_types import SEED


def counts(url: str, portal_id: int) -> dict[str, int]:
    async def read() -> dict[str, int]:
        store = await open_store(url)
        try:
            found = {}
            for type_id in ("0-2", "0-3", "0-46", "2-1"):
                page = await store.records_page(
                    portal_id, type_id, after=0, limit=100, archived=False
                )
                found[type_id] = len(page)
            found["schemas"] = len(await store.object_schemas(portal_id))
            return found
        finally:
            await store.close()

    return asyncio.run(read())


def test_seed_every_type_into_a_database_and_reset_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert hubcrm("token", "create", "--portal", "4242", "--database", url).returncode == 0
    (tmp_path / "seed.json").write_text(json.dumps(SEED))
    seeded = hubcrm("seed", str(tmp_path / "seed.json"), "--database", url)
    assert seeded.returncode == 0, seeded.stderr
    assert seeded.stdout == "seeded 0 properties and 1 contacts, 1 schemas, 5 objects\n"
    assert counts(url, 4242) == {"0-2": 2, "0-3": 1, "0-46": 1, "2-1": 1, "schemas": 1}
    assert hubcrm("reset", "--portal", "4242", "--database", url).returncode == 0
    assert counts(url, 4242) == {"0-2": 0, "0-3": 0, "0-46": 0, "2-1": 0, "schemas": 0}
