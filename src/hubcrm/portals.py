"""Portals: the tenant every token, record and property definition belongs to."""

from __future__ import annotations

import secrets

from hubcrm.clock import Clock
from hubcrm.objects import OBJECT_TYPES
from hubcrm.store.base import Store


def new_portal_id() -> int:
    """HubSpot portal ids are 8-digit numbers in practice."""
    return 10_000_000 + secrets.randbelow(90_000_000)


async def create_portal(store: Store, clock: Clock, portal_id: int | None = None) -> int:
    """Create a portal seeded with every object type's default property definitions."""
    portal_id = portal_id or new_portal_id()
    schemas = {t.type_id: t.seed_properties() for t in OBJECT_TYPES}
    await store.create_portal(portal_id, clock.now_ms(), schemas)
    return portal_id
