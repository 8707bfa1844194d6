"""Ids hubcrm makes up itself: correlation ids and new portal ids.

Random by default. Deterministic mode numbers them instead: correlation ids per portal (so that
tests running side by side in other portals do not shift each other's), portal ids from one
sequence, so that a run repeated against a fresh database answers with the same ids.
"""

from __future__ import annotations

import uuid

from hubcrm.domain import context, portals

# Namespace of deterministic correlation ids (a uuid5 of "hubcrm correlation").
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "hubcrm correlation")
FIRST_DETERMINISTIC_PORTAL = 10_000_001


class IdSource:
    def __init__(self, deterministic: bool) -> None:
        self.deterministic = deterministic
        self._correlations: dict[int, int] = {}
        self._portals = 0

    def correlation_id(self) -> str:
        if not self.deterministic:
            return str(uuid.uuid4())
        portal_id = context.current_portal.get() or 0
        count = self._correlations.get(portal_id, 0) + 1
        self._correlations[portal_id] = count
        return str(uuid.uuid5(_NAMESPACE, f"{portal_id}/{count}"))

    def portal_id(self) -> int:
        if not self.deterministic:
            return portals.new_portal_id()
        self._portals += 1
        return FIRST_DETERMINISTIC_PORTAL + self._portals - 1

    def forget(self, portal_id: int | None) -> None:
        """Start a portal's correlation ids (or every portal's) from the beginning again."""
        if portal_id is None:
            self._correlations.clear()
        else:
            self._correlations.pop(portal_id, None)
