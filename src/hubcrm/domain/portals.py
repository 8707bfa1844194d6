"""Portals: the tenant every token, record and property definition belongs to."""

from __future__ import annotations

import secrets

from hubcrm.domain.clock import Clock
from hubcrm.domain.objects import seed_schemas
from hubcrm.store.base import Store


def new_portal_id() -> int:
    """HubSpot portal ids are 8-digit numbers in practice."""
    return 10_000_000 + secrets.randbelow(90_000_000)


async def create_portal(store: Store, clock: Clock, portal_id: int | None = None) -> int:
    """Create the portal (if it does not exist yet), or a brand-new one when no id is given."""
    if portal_id is not None:
        await _create(store, clock, portal_id)
        return portal_id
    while True:
        fresh = new_portal_id()
        if await _create(store, clock, fresh):  # else the random id was taken: draw again
            return fresh


async def _create(store: Store, clock: Clock, portal_id: int) -> bool:
    """Seeded with every object type's default property definitions; False if it existed."""
    return await store.create_portal(portal_id, clock.now_ms(), seed_schemas())
