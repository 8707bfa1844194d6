"""What the control API (/_hubcrm/...) does: test controls over one portal, or over all.

Creating portals with a token, resetting them, moving their clock and their id sequences.
The journal and fault rules live in journal.py and faults.py; a reset clears them too.
"""

from __future__ import annotations

from hubcrm.control.faults import Faults
from hubcrm.control.journal import Journal
from hubcrm.domain import auth
from hubcrm.domain.clock import ControlledClock
from hubcrm.domain.ids import IdSource
from hubcrm.domain.objects import seed_schemas, standard_type
from hubcrm.domain.schemas import ObjectTypes
from hubcrm.protocol import messages
from hubcrm.protocol.errors import Conflict, ObjectNotFound, ValidationError
from hubcrm.store.base import Store


class Control:
    def __init__(
        self,
        store: Store,
        clock: ControlledClock,
        ids: IdSource,
        journal: Journal,
        faults: Faults,
    ) -> None:
        self.store = store
        self.clock = clock
        self.ids = ids
        self.journal = journal
        self.faults = faults
        self.types = ObjectTypes(store)

    async def create_portal(
        self, portal_id: int | None, scopes: frozenset[str] | None
    ) -> tuple[int, str]:
        """A new portal and a token for it; a portal id that is taken is a 409."""
        schemas = seed_schemas()
        now = self.clock.read(None)
        if portal_id is None:
            chosen = self.ids.portal_id()
            while not await self.store.create_portal(chosen, now, schemas):
                chosen = self.ids.portal_id()  # taken: try the next id
            portal_id = chosen
        elif not await self.store.create_portal(portal_id, now, schemas):
            raise Conflict(messages.PORTAL_EXISTS.format(portal=portal_id))
        secret, _ = await auth.issue_token(
            self.store, self.clock, portal_id, scopes or auth.DEFAULT_SCOPES, "control"
        )
        return portal_id, secret

    async def reset(self, portal_id: int | None) -> list[int]:
        """Reset one portal, or every portal; return the portals reset."""
        targets = await reset_portals(self.store, portal_id)
        for forget in (self.journal.clear, self.faults.clear, self.clock.forget, self.ids.forget):
            forget(portal_id)
        return targets

    async def require_portal(self, portal_id: int | None) -> None:
        if portal_id is not None and portal_id not in await self.store.portal_ids():
            raise ObjectNotFound(messages.PORTAL_NOT_FOUND.format(portal=portal_id))

    async def set_next_record_id(self, portal_id: int, type_name: str, next_id: int) -> None:
        # A standard type, or one of the portal's custom object types.
        kind = standard_type(type_name) or await self.types.resolve(portal_id, type_name)
        if next_id < 1:
            raise ValidationError(messages.SEQUENCE_TOO_LOW.format(next=next_id, highest=0))
        highest = await self.store.set_next_record_id(portal_id, kind.type_id, next_id)
        if highest is None:
            raise ObjectNotFound(messages.PORTAL_NOT_FOUND.format(portal=portal_id))
        if next_id <= highest:
            raise ValidationError(messages.SEQUENCE_TOO_LOW.format(next=next_id, highest=highest))


async def reset_portals(store: Store, portal_id: int | None) -> list[int]:
    """Reset the stored state of one portal, or of every portal; return the portals reset."""
    schemas = seed_schemas()
    targets = [portal_id] if portal_id is not None else await store.portal_ids()
    for target in targets:
        if not await store.reset_portal(target, schemas):
            raise ObjectNotFound(messages.PORTAL_NOT_FOUND.format(portal=target))
    return targets
