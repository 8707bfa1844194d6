"""Owners as the control API, the seed file and `hubcrm owner create` give them."""

from __future__ import annotations

from typing import Annotated

import msgspec

from hubcrm.domain.owners import NewOwner
from hubcrm.protocol.wire import Struct
from hubcrm.store.base import OwnerTeam

Id = Annotated[int, msgspec.Meta(ge=1, le=2**53)]
Text = Annotated[str, msgspec.Meta(max_length=256)]


class TeamInput(Struct, forbid_unknown_fields=True):
    id: Text
    name: Text
    primary: bool = False


class OwnerInput(Struct, forbid_unknown_fields=True):
    email: Text
    first_name: Text = ""
    last_name: Text = ""
    id: Id | None = None  # the owner id; allocated when absent
    user_id: Id | None = None  # allocated when absent
    type: str = "PERSON"
    teams: list[TeamInput] = msgspec.field(default_factory=list)

    def new_owner(self) -> NewOwner:
        return NewOwner(
            email=self.email,
            first_name=self.first_name,
            last_name=self.last_name,
            owner_id=self.id,
            user_id=self.user_id,
            owner_type=self.type,
            teams=tuple(OwnerTeam(t.id, t.name, t.primary) for t in self.teams),
        )


owner_input = msgspec.json.Decoder(OwnerInput)
