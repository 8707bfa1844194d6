"""Which object types the UI shows, and how its URLs name them.

Every type comes from the registry in domain/objects.py; nothing here lists types by hand.
"""

from __future__ import annotations

from hubcrm.domain.objects import OBJECT_TYPES, ObjectType, object_type
from hubcrm.ui.services import Services
from hubcrm.ui.session import Session


def key(kind: ObjectType) -> str:
    """The path segment naming the type in the UI's URLs (and the API's)."""
    return kind.name


async def listed(app: Services, session: Session) -> list[ObjectType]:
    """Every type of the signed-in portal, in the registry's order."""
    return list(OBJECT_TYPES)


async def resolve(app: Services, session: Session, path_name: str) -> ObjectType:
    """The type a URL names, or HubSpot's 400 for an unknown one."""
    return object_type(path_name)


async def by_path(app: Services, session: Session) -> dict[str, ObjectType]:
    """Each type under every name a request path may give it (plural name or type id)."""
    return {name: t for t in await listed(app, session) for name in (key(t), t.name, t.type_id)}
