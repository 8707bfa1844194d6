"""Which object types the UI shows, and how its URLs name them.

The standard types come from the registry in domain/objects.py, and a portal's custom object
types from its schemas (domain/schemas.py); nothing here lists types by hand.
"""

from __future__ import annotations

from hubcrm.domain.objects import OBJECT_TYPES, ObjectType, standard_type
from hubcrm.domain.pipelines import KINDS
from hubcrm.ui.services import Services
from hubcrm.ui.session import Session


def key(kind: ObjectType) -> str:
    """The path segment naming the type in the UI's URLs (and the API's): a standard type by
    its plural name, a custom one by its type id (`2-123`)."""
    return kind.name if standard_type(kind.name) is kind else kind.type_id


def has_board(kind: ObjectType) -> bool:
    """Whether the type's records sit in pipelines (deals and tickets), shown as a board."""
    return kind.type_id in KINDS


async def listed(app: Services, session: Session) -> list[ObjectType]:
    """Every type of the signed-in portal: the standard ones, then its live custom ones."""
    schemas = await app.records.types.schemas(session.portal_id)
    return [*OBJECT_TYPES, *(s.object_type for s in schemas if not s.archived)]


async def resolve(app: Services, session: Session, path_name: str) -> ObjectType:
    """The type a URL names, or HubSpot's 400 for an unknown one."""
    return await app.records.types.resolve(session.portal_id, path_name)


async def by_path(app: Services, session: Session) -> dict[str, ObjectType]:
    """Each type under every name a request path may give it (plural name or type id)."""
    names: dict[str, ObjectType] = {}
    for kind in await listed(app, session):
        for name in (kind.fully_qualified_name, kind.type_id, key(kind)):
            names[name] = kind
    return names
