"""A record's associations, as links to the associated records: a page of each readable type."""

from __future__ import annotations

from dataclasses import dataclass

from hubcrm.domain.objects import ObjectType
from hubcrm.store.base import Record
from hubcrm.ui import types
from hubcrm.ui.services import Services
from hubcrm.ui.session import Session

PER_TYPE = 10


@dataclass(frozen=True)
class Linked:
    record: Record
    labels: list[str]  # the association's labels; "" for the unlabeled (default) type


@dataclass(frozen=True)
class Group:
    kind: ObjectType
    linked: list[Linked]
    more: bool  # more than PER_TYPE are associated


async def associated(
    app: Services, session: Session, kind: ObjectType, record: Record
) -> list[Group]:
    if record.archived:
        return []
    catalogue = await app.associations.catalogue(session.portal_id)
    groups = []
    for other in await types.listed(app, session):
        if not session.may(other, "read"):
            continue
        listed = await app.associations.page(
            session.portal_id,
            kind,
            str(record.record_id),
            other,
            after=None,
            limit=PER_TYPE,
            catalogue=catalogue,
        )
        if not listed.results:
            continue
        found, _ = await app.records.read_batch(
            session.portal_id, other, [str(g.to_id) for g in listed.results]
        )
        by_id = {r.record_id: r for r in found}
        linked = [
            Linked(by_id[g.to_id], [t.label or "" for t in g.types])
            for g in listed.results
            if g.to_id in by_id
        ]
        groups.append(Group(other, linked, listed.next_after is not None))
    return groups
