"""Naming a portal's custom object types in many processes: each caches them until the store's
version of the portal's schemas moves on, so one process sees what another defined or archived."""

from __future__ import annotations

import pytest

from hubcrm.domain.clock import FrozenClock
from hubcrm.domain.objects import seed_schemas
from hubcrm.domain.schemas import ObjectSchemas, ObjectTypes
from hubcrm.protocol.errors import ValidationError
from hubcrm.protocol.schemas import Labels, ObjectSchemaEgg
from hubcrm.store.base import Store
from tests.store.test_contract import PORTAL, START_MS, run


def test_every_process_sees_a_schema_another_defined_archived_or_reset(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        mine, theirs = ObjectTypes(store), ObjectTypes(store)  # two processes' caches
        schemas = ObjectSchemas(store, FrozenClock(START_MS), theirs)
        with pytest.raises(ValidationError):
            await mine.resolve(PORTAL, "2-1")
        await schemas.create(PORTAL, ObjectSchemaEgg(name="cars", labels=Labels("Car", "Cars")))
        assert (await mine.resolve(PORTAL, f"p{PORTAL}_cars")).type_id == "2-1"
        assert (await mine.by_type_id(PORTAL, "2-1")) is not None
        await schemas.archive(PORTAL, "2-1")
        with pytest.raises(ValidationError):
            await mine.resolve(PORTAL, "2-1")
        await schemas.create(PORTAL, ObjectSchemaEgg(name="boats", labels=Labels("Boat", "Boats")))
        assert (await mine.resolve(PORTAL, "2-2")).name == "boats"
        assert await store.reset_portal(PORTAL, seed_schemas())
        assert await mine.by_type_id(PORTAL, "2-2") is None

    run(database_url, scenario)
