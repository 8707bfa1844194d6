"""What a pooled PostgreSQL connection of hubcrm's is set up with before it runs anything."""

from __future__ import annotations

import asyncio

import asyncpg

from hubcrm.store.postgres.connection import open_pools
from tests.backends import fresh_postgres

# bigint[], int[], boolean[], bytea[], jsonb[]: the arrays hubcrm binds beyond text[].
ARRAY_OIDS = (1016, 1007, 1000, 1001, 3807)


async def _new_connection_of_the_store_pool(url: str) -> tuple[str, list[bool]]:
    pool, ids = await open_pools(url)
    try:
        async with pool.acquire() as conn:
            settings = conn.get_settings()
            known = [settings.get_data_codec(oid) is not None for oid in ARRAY_OIDS]
            jit: str = await conn.fetchval("SHOW jit")
            return jit, known
    finally:
        await pool.close()
        await ids.close()


def test_a_new_connection_knows_the_array_types_and_runs_without_jit() -> None:
    """A first write on a connection does not stop to ask the server about each array type it
    binds (three round trips each, finding 40 in BENCHMARKS.md): the connection learnt them all
    at connect."""
    with fresh_postgres() as url:
        jit, known = asyncio.run(_new_connection_of_the_store_pool(url))
    assert jit == "off"
    assert known == [True] * len(ARRAY_OIDS)


def test_a_plain_connection_does_not_know_them() -> None:
    """The test above can fail: asyncpg alone knows none of these types before a statement meets
    them."""

    async def plain(url: str) -> list[bool]:
        conn = await asyncpg.connect(url)
        try:
            settings = conn.get_settings()
            return [settings.get_data_codec(oid) is not None for oid in ARRAY_OIDS]
        finally:
            await conn.close()

    with fresh_postgres() as url:
        assert asyncio.run(plain(url)) == [False] * len(ARRAY_OIDS)
