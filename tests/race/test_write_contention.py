"""A write that loses every race answers 423 and changes nothing.

Losing eight races in a row needs other writers that always win; here the database itself plays
them: a trigger rejects one email with the unique violation a concurrent claimant would cause.
"""

from __future__ import annotations

import asyncio

from hubcrm.protocol import messages
from tests.api.test_upsert import assert_error
from tests.backends import fresh_postgres
from tests.conftest import running_api, upsert_input

ALWAYS_TAKEN = """
CREATE FUNCTION always_taken() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.value = 'stuck@x.com' THEN
        RAISE unique_violation USING MESSAGE = 'claimed by another writer';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER always_taken BEFORE INSERT ON unique_values
    FOR EACH ROW EXECUTE FUNCTION always_taken();
"""


def install(url: str) -> None:
    async def run() -> None:
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            await conn.execute(ALWAYS_TAKEN)
        finally:
            await conn.close()

    asyncio.run(run())


def test_a_batch_that_keeps_losing_races_is_423_and_writes_nothing() -> None:
    with fresh_postgres() as url:
        install(url)
        with running_api(url) as api:
            response = api.upsert([upsert_input("free@x.com"), upsert_input("stuck@x.com")])
            assert_error(response, 423, "LOCKED", messages.WRITE_CONTENTION)
            assert response.headers["retry-after"] == "2"
            free = "/crm/v3/objects/contacts/free@x.com"
            assert api.get(free, idProperty="email").status_code == 404
            assert api.upsert([upsert_input("free@x.com")]).status_code == 200
            assert api.get(free, idProperty="email").status_code == 200
