"""Associations between records, as the store keeps them (store/*/associations.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Association(NamedTuple):
    """One direction of an association of one type between two records of one portal."""

    from_type: str
    from_id: int
    to_type: str
    to_id: int
    category: str  # HUBSPOT_DEFINED, USER_DEFINED
    type_id: int
    # A type a record may hold towards one record only (one primary company): the database
    # refuses a second such row for the same record, type and target object type.
    single: bool = False


@dataclass(frozen=True)
class AssociationLabel:
    """A custom (USER_DEFINED) association type of a portal, in one direction."""

    type_id: int
    inverse_type_id: int
    from_type: str
    to_type: str
    name: str
    label: str | None
    forward: bool  # the direction the label was created in
