"""HubSpot's default property definitions, stored once and shared: a portal's own rows lie over
them, on every store."""

from __future__ import annotations

import msgspec
import pytest

from hubcrm.domain.objects import object_type
from hubcrm.store.base import Store
from hubcrm.store.errors import UniqueViolation
from tests.store.test_contract import OTHER_PORTAL, PORTAL, START_MS, run

DEALS = object_type("deals")


def test_a_changed_default_is_the_portal_s_own_and_a_reset_restores_it(database_url: str) -> None:
    async def scenario(store: Store) -> None:
        defaults = {d.name: d for d in DEALS.seed_properties()}
        assert [d.name for d in await store.property_definitions(PORTAL, DEALS.type_id)] == sorted(
            defaults
        )
        changed = msgspec.structs.replace(defaults["closed_lost_reason"], label="Why we lost")
        await store.update_property(PORTAL, DEALS.type_id, changed)
        mine = await store.property_definitions(PORTAL, DEALS.type_id)
        assert [d.name for d in mine] == sorted(defaults)  # listed once, changed
        assert next(d for d in mine if d.name == "closed_lost_reason").label == "Why we lost"
        other = await store.property_definitions(OTHER_PORTAL, DEALS.type_id)
        assert next(d for d in other if d.name == "closed_lost_reason").label != "Why we lost"
        # A default archived by a portal leaves its live list and shows among its archived.
        await store.update_property(PORTAL, DEALS.type_id, defaults["description"], archived=True)
        live = {d.name for d in await store.property_definitions(PORTAL, DEALS.type_id)}
        assert "description" not in live
        gone = await store.property_definitions(PORTAL, DEALS.type_id, archived=True)
        assert [d.name for d in gone] == ["description"]
        # A default's name cannot be defined again.
        with pytest.raises(UniqueViolation):
            await store.add_property(PORTAL, DEALS.type_id, defaults["dealname"])
        assert await store.reset_portal(PORTAL, {DEALS.type_id: DEALS.seed_properties()})
        restored = await store.property_definitions(PORTAL, DEALS.type_id)
        assert [d.name for d in restored] == sorted(defaults)
        assert next(d for d in restored if d.name == "closed_lost_reason").label != "Why we lost"
        assert await store.create_portal(
            PORTAL + 1, START_MS, {DEALS.type_id: DEALS.seed_properties()}
        )
        assert len(await store.property_definitions(PORTAL + 1, DEALS.type_id)) == len(defaults)

    run(database_url, scenario)
