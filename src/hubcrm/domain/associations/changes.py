"""Changing associations inside one write transaction.

Every change writes both directions: a row from A to B of a type, and the row back from B to A
of its inverse type. The default (unlabeled) type of a pair exists whenever any other type does.
A one-to-one type (a contact's primary company) held towards another record moves: the old row
goes, the old record keeps its unlabeled association. A contact's `associatedcompanyid` follows
its primary company.

What changed is kept in `Editor.changes`, in the order it happened, for whoever listens once the
transaction has committed (webhooks).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from hubcrm.domain.associations.catalogue import (
    COMPANIES_TYPE_ID,
    PRIMARY_COMPANY_PROPERTY,
    AssociationType,
    Catalogue,
    TypeKey,
    invalid_ids,
)
from hubcrm.domain.clock import Clock
from hubcrm.domain.objects import ObjectType, object_type
from hubcrm.domain.records import writes
from hubcrm.domain.records.writes import Actor
from hubcrm.store.base import Association, Record, RecordWrite, WriteTransaction

# replace: the pair holds exactly these types (and the default); add: these too;
# remove: not these (removing the default removes every type); clear: none.
Mode = Literal["replace", "add", "remove", "clear"]


@dataclass(frozen=True)
class Link:
    """Two records an association request names."""

    from_type: str
    from_id: int
    to_type: str
    to_id: int


@dataclass(frozen=True)
class Merged:
    """A merge: `merged_id` now resolves to `primary_id`."""

    object_type_id: str
    primary_id: int
    merged_id: int
    properties_moved: int


@dataclass
class Changes:
    """What one association transaction changed, in order: what webhooks are made of."""

    added: list[Association] = field(default_factory=list)
    removed: list[Association] = field(default_factory=list)
    # Records the transaction saved besides (a contact's associatedcompanyid, a merge's
    # survivor), by object type id, with their history.
    saved: list[tuple[str, RecordWrite]] = field(default_factory=list)
    merged: list[Merged] = field(default_factory=list)
    purged: list[tuple[str, int]] = field(default_factory=list)  # GDPR deletions
    # Each association added (False) or removed (True) once, in the direction it was asked
    # for, with whether its type is a primary one (`added` and `removed` hold both rows).
    links: list[tuple[Association, bool, bool]] = field(default_factory=list)
    at: int = 0  # when (epoch ms, the portal's clock)
    # Object types whose records the transaction wrote (search must catch up).
    written_types: dict[str, ObjectType] = field(default_factory=dict)


# Work run at the end of every association transaction, inside it, with what it changed (the
# webhooks outbox records its events here, committed with the change or not at all).
Hook = Callable[[WriteTransaction, Actor, Changes], Awaitable[None]]


def inverse_row(row: Association, kind: AssociationType) -> Association:
    return Association(
        row.to_type,
        row.to_id,
        row.from_type,
        row.from_id,
        kind.category,
        kind.inverse_type_id,
        False,
    )


class Editor:
    """The association writes of one transaction."""

    def __init__(
        self,
        tx: WriteTransaction,
        catalogue: Catalogue,
        clock: Clock,
        actor: Actor,
        hooks: Sequence[Hook] = (),
    ):
        self.tx = tx
        self.hooks = hooks
        self.catalogue = catalogue
        self.clock = clock
        self.actor = actor
        self.changes = Changes()
        self._primary_touched: set[tuple[str, int]] = set()
        # The types each pair read so far holds, with the changes noted since.
        self._pairs: dict[tuple[str, int, str, int], set[TypeKey]] = {}
        # Rows to add and remove at the next flush, by key.
        self._adding: dict[tuple[object, ...], Association] = {}
        self._removing: dict[tuple[object, ...], Association] = {}

    async def require_live(self, object_type_id: str, ids: Iterable[int | str]) -> None:
        """Lock the records (until the transaction ends); HubSpot's 400 for any not live."""
        wanted = list(dict.fromkeys(ids))
        numeric = {int(i) for i in wanted if isinstance(i, int) or _is_id(i)}
        found = await self.tx.of(object_type_id).records(numeric)
        missing = [
            str(i)
            for i in wanted
            if not (isinstance(i, int) or _is_id(i))
            or int(i) not in found
            or found[int(i)].archived
        ]
        if missing:
            raise invalid_ids(object_type_id, missing)

    async def preload(self, links: Iterable[Link]) -> None:
        """Read the types every pair holds now, in one query per object type pair."""
        wanted: dict[tuple[str, str], set[tuple[int, int]]] = {}
        for link in links:
            if _pair(link) not in self._pairs:
                wanted.setdefault((link.from_type, link.to_type), set()).add(
                    (link.from_id, link.to_id)
                )
        for (from_type, to_type), pairs in wanted.items():
            for pair in pairs:
                self._pairs[(from_type, pair[0], to_type, pair[1])] = set()
            for row in await self.tx.of(from_type).pairs(sorted(pairs), to_type):
                self._pairs[(from_type, row.from_id, to_type, row.to_id)].add(
                    (row.category, row.type_id)
                )

    async def set(self, link: Link, kinds: Iterable[AssociationType], mode: Mode) -> list[TypeKey]:
        """Change the types between two records; the types the pair holds afterwards."""
        await self.preload([link])
        current = set(self._pairs[_pair(link)])
        asked = {kind.key for kind in kinds}
        default = self.catalogue.default(link.from_type, link.to_type)
        implied = {default.key} if default else set()
        if mode == "replace":
            final = implied | asked
        elif mode == "add":
            final = current | implied | asked
        elif mode == "remove":
            final = set() if asked & implied else current - asked
        else:
            final = set()
        for key in sorted(current - final):
            self._remove(_row(link, key))
        for key in sorted(final - current):
            await self._add(link, key)
        return sorted(final)

    async def _add(self, link: Link, key: TypeKey) -> None:
        kind = self.catalogue.find(link.from_type, link.to_type, key)
        assert kind is not None, key
        inverse = self.catalogue.inverse(kind)
        if kind.single or inverse.single:
            # A one-to-one type held towards another record moves here: read what the database
            # holds with this transaction's changes so far.
            await self.flush()
        if kind.single:
            held = await self.tx.of(link.from_type).associations([link.from_id], link.to_type)
            for row in held:
                if (row.category, row.type_id) == key and row.to_id != link.to_id:
                    self._remove(row)
        if inverse.single:
            back = await self.tx.of(link.to_type).associations([link.to_id], link.from_type)
            for row in back:
                if (row.category, row.type_id) == inverse.key and row.to_id != link.from_id:
                    self._remove(row)
        row = Association(link.from_type, link.from_id, link.to_type, link.to_id, *key, kind.single)
        rows = [row, inverse_row(row, kind)._replace(single=inverse.single)]
        for each in rows:
            self._pending(each, add=True)
        self.changes.added += rows
        self.changes.links.append((row, False, kind.primary))
        self._note_primary(rows)

    def _remove(self, row: Association) -> None:
        kind = self.catalogue.find(row.from_type, row.to_type, (row.category, row.type_id))
        rows = [row] if kind is None else [row, inverse_row(row, kind)]
        for each in rows:
            self._pending(each, add=False)
        self.changes.removed += rows
        self.changes.links.append((row, True, kind is not None and kind.primary))
        self._note_primary(rows)

    def _pending(self, row: Association, *, add: bool) -> None:
        """Note a row to write at the next flush; an add and a remove of one row cancel out."""
        key = row[:6]
        cached = self._pairs.get((row.from_type, row.from_id, row.to_type, row.to_id))
        if cached is not None:
            (cached.add if add else cached.discard)((row.category, row.type_id))
        undo, do = (self._removing, self._adding) if add else (self._adding, self._removing)
        if key in undo:
            del undo[key]
        else:
            do[key] = row

    async def flush(self) -> None:
        """Write the rows noted so far."""
        if self._removing:
            await self.tx.dissociate(list(self._removing.values()))
        if self._adding:
            await self.tx.associate(list(self._adding.values()))
        self._removing.clear()
        self._adding.clear()

    def _note_primary(self, rows: list[Association]) -> None:
        for row in rows:
            if row.from_type in PRIMARY_COMPANY_PROPERTY and row.to_type == COMPANIES_TYPE_ID:
                self._primary_touched.add((row.from_type, row.from_id))

    async def finish(self) -> Changes:
        """Write what is noted, bring each touched record's primary company property in step;
        what changed."""
        await self.flush()
        now = self.clock.now_ms()
        self.changes.at = now
        for type_id, record_id in sorted(self._primary_touched):
            tx = self.tx.of(type_id)
            rows = await tx.associations([record_id], COMPANIES_TYPE_ID)
            primary = [
                r.to_id
                for r in rows
                if (kind := self.catalogue.find(r.from_type, r.to_type, (r.category, r.type_id)))
                and kind.primary
            ]
            record = (await tx.records([record_id])).get(record_id)
            if record is None:
                continue
            value = str(primary[0]) if primary else ""
            await self._write(type_id, record, {PRIMARY_COMPANY_PROPERTY[type_id]: value}, now)
        self._primary_touched.clear()
        for hook in self.hooks:
            await hook(self.tx, self.actor, self.changes)
        return self.changes

    async def _write(self, type_id: str, record: Record, values: dict[str, str], now: int) -> None:
        kind = object_type(type_id)
        w = writes.write(kind, record, record.record_id, values, now, self.actor)
        if w.history:
            w.record.archived, w.record.archived_at = record.archived, record.archived_at
            await self.tx.of(type_id).save([w])
            self.changes.saved.append((type_id, w))
            self.changes.written_types[type_id] = kind


def _pair(link: Link) -> tuple[str, int, str, int]:
    return (link.from_type, link.from_id, link.to_type, link.to_id)


def _row(link: Link, key: TypeKey) -> Association:
    return Association(link.from_type, link.from_id, link.to_type, link.to_id, *key)


def _is_id(ref: str) -> bool:
    return ref.isdigit() and ref.isascii() and len(ref) <= 18
