"""Owners: the users a portal's records are assigned to (`hubspot_owner_id`), read through the
owners API and added by the control API, the seed file and `hubcrm owner create`."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from hubcrm.domain.clock import Clock, format_ms, portal_clock
from hubcrm.domain.records.references import Check
from hubcrm.domain.records.schema import Schema
from hubcrm.protocol import messages
from hubcrm.protocol import pipelines as wire
from hubcrm.protocol.errors import Conflict, ObjectNotFound, PropertyIssue, ValidationError
from hubcrm.store.base import Owner, OwnerTeam, Store
from hubcrm.store.errors import UniqueViolation

MAX_PAGE = 500  # HubSpot's owners API pages up to 500
DEFAULT_PAGE = 100
# Allocated ids start here: HubSpot's owner and user ids are large numbers, and differ.
FIRST_OWNER_ID = 100_000_001
FIRST_USER_ID = 10_000_001
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class NewOwner:
    email: str
    first_name: str = ""
    last_name: str = ""
    owner_id: int | None = None
    user_id: int | None = None
    owner_type: str = "PERSON"
    teams: tuple[OwnerTeam, ...] = ()


@dataclass(frozen=True)
class OwnerPage:
    owners: list[Owner]
    next_after: str | None


class Owners:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def page(
        self,
        portal_id: int,
        *,
        email: str | None,
        after: str | None,
        limit: int | None,
        archived: bool,
    ) -> OwnerPage:
        size = DEFAULT_PAGE if limit is None else limit
        if not 1 <= size <= MAX_PAGE:
            raise ValidationError(messages.INVALID_LIMIT.format(max=MAX_PAGE, limit=size))
        if after is not None and not after.isdigit():
            raise ValidationError(messages.INVALID_AFTER.format(after=after))
        start = int(after or 0)
        found = [
            o
            for o in await self.store.owners(portal_id)
            if (o.archived_at is not None) == archived
            and o.owner_id >= start
            and (not email or o.email == email.strip().lower())
        ]
        more = found[size] if len(found) > size else None
        return OwnerPage(found[:size], str(more.owner_id) if more else None)

    async def get(
        self, portal_id: int, owner_ref: str, *, id_property: str | None, archived: bool
    ) -> Owner:
        by_user = id_property == "userId"
        if id_property not in (None, "", "id", "userId"):
            raise ValidationError(messages.INVALID_ID_PROPERTY.format(value=id_property))
        for owner in await self.store.owners(portal_id):
            key = owner.user_id if by_user else owner.owner_id
            if str(key) == owner_ref and (owner.archived_at is not None) == archived:
                return owner
        raise ObjectNotFound(messages.OWNER_NOT_FOUND.format(id=owner_ref))

    async def add(self, portal_id: int, new: NewOwner) -> Owner:
        email = new.email.strip().lower()
        if not _EMAIL.match(email):
            raise ValidationError(
                messages.INVALID_OWNER_INPUT.format(problem=f"{new.email!r} is not an email")
            )
        if new.owner_type not in ("PERSON", "QUEUE"):
            raise ValidationError(
                messages.INVALID_OWNER_INPUT.format(problem="type must be PERSON or QUEUE")
            )
        existing = await self.store.owners(portal_id)
        if any(o.email == email and o.archived_at is None for o in existing):
            raise Conflict(messages.OWNER_EXISTS.format(email=email))
        now = portal_clock(self.clock, portal_id).now_ms()
        owner = Owner(
            owner_id=new.owner_id or max([FIRST_OWNER_ID - 1, *(o.owner_id for o in existing)]) + 1,
            user_id=new.user_id or max([FIRST_USER_ID - 1, *(o.user_id for o in existing)]) + 1,
            email=email,
            first_name=new.first_name,
            last_name=new.last_name,
            owner_type=new.owner_type,
            teams=new.teams,
            created_at=now,
            updated_at=now,
        )
        try:
            await self.store.add_owner(portal_id, owner)
        except UniqueViolation:
            raise Conflict(
                messages.OWNER_ID_TAKEN.format(id=owner.owner_id, user_id=owner.user_id)
            ) from None
        return owner

    async def archive(self, portal_id: int, owner_id: str) -> Owner:
        owner = await self.get(portal_id, owner_id, id_property="id", archived=False)
        now = portal_clock(self.clock, portal_id).now_ms()
        archived = replace(owner, updated_at=now, archived_at=now)
        await self.store.update_owner(portal_id, archived)
        return archived

    async def check_loader(self, portal_id: int, schema: Schema, names: set[str]) -> Check | None:
        """A check that values of the properties referring to owners name live owners."""
        referring = {
            name
            for name in names
            if (d := schema.definitions.get(name)) is not None
            and d.referenced_object_type == "OWNER"
        }
        if not referring:
            return None
        live = {str(o.owner_id) for o in await self.store.owners(portal_id) if not o.archived_at}
        return OwnerCheck(referring, live)


class OwnerCheck:
    def __init__(self, names: set[str], live: set[str]) -> None:
        self.names = names
        self.live = live

    def __call__(self, values: dict[str, str]) -> list[PropertyIssue]:
        issues = []
        for name in sorted(self.names & values.keys()):
            for item in filter(None, values[name].split(";")):  # "" clears the owner
                if item not in self.live:
                    message = messages.INVALID_OWNER.format(value=item)
                    issues.append(PropertyIssue(name, "INVALID_OWNER_ID", message))
        return issues


def owner_wire(owner: Owner) -> wire.PublicOwner:
    archived = owner.archived_at is not None
    teams = [wire.Team(id=t.team_id, name=t.name, primary=t.primary) for t in owner.teams]
    return wire.PublicOwner(
        id=str(owner.owner_id),
        email=owner.email,
        type=owner.owner_type,
        first_name=owner.first_name,
        last_name=owner.last_name,
        user_id_including_inactive=owner.user_id,
        created_at=format_ms(owner.created_at),
        updated_at=format_ms(owner.updated_at),
        archived=archived,
        user_id=None if archived else owner.user_id,
        **({"teams": teams} if teams else {}),
    )
