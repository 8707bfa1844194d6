"""Reading associations: a record's associations page by page, batches, the v3 `associations`
block, and the labels of an object pair. The writes build on this (service.py)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from hubcrm.domain.associations.catalogue import (
    USER_DEFINED,
    AssociationType,
    Catalogue,
    SchemaAssociation,
    TypeKey,
    path_name,
    singular_name,
    v3_name,
)
from hubcrm.domain.associations.changes import Changes, Link
from hubcrm.domain.objects import ObjectType
from hubcrm.domain.records import Records
from hubcrm.domain.records.planning import is_record_id
from hubcrm.protocol import messages
from hubcrm.protocol.errors import HubSpotError, ObjectNotFound, ValidationError
from hubcrm.store.base import AssociationLabel, Store
from hubcrm.store.errors import UniqueViolation

MAX_CREATE = 2000  # batch/create, batch/associate/default, batch/archive, batch/labels/archive


MAX_READ = 1000  # batch/read, since 2025-02-10


PAGE_DEFAULT = 500  # GET .../associations/{toObjectType}


PAGE_MAX = 500


V3_PAGE = 100  # ?associations= on v3 reads


MAX_LABELS = 10  # custom labels per object pair


T = TypeVar("T")


_LABEL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


Listener = Callable[[int, Changes], None]


Spec = tuple[str, int]  # (associationCategory, associationTypeId) as sent


@dataclass(frozen=True)
class Grouped:
    """One associated record and every type the association holds."""

    to_id: int
    types: list[AssociationType]


@dataclass(frozen=True)
class Listed:
    results: list[Grouped]
    next_after: str | None


@dataclass
class BatchRead:
    results: list[tuple[str, Listed]] = field(default_factory=list)
    errors: list[HubSpotError] = field(default_factory=list)


@dataclass(frozen=True)
class Labelled:
    """The label names a pair holds after a write (v4 LabelsBetweenObjectPair)."""

    link: Link
    labels: list[str]


def record_id(ref: str | int) -> int | None:
    text = str(ref)
    return int(text) if is_record_id(text) else None


def cursor(type_id: str, next_id: int) -> str:
    """An opaque cursor as HubSpot's look: base64 of `<object type id>-<record id>`."""
    return base64.b64encode(f"{type_id}-{next_id}".encode()).decode()


def from_cursor(after: str | None, type_id: str) -> int:
    if not after:
        return 0
    try:
        text = base64.b64decode(after.encode(), validate=True).decode()
        prefix, _, number = text.rpartition("-")
        if prefix == type_id and is_record_id(number):
            return int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ValidationError(messages.INVALID_ASSOCIATION_AFTER.format(after=after))


def check_size(count: int, limit: int) -> None:
    if count > limit:
        raise ValidationError(messages.BATCH_TOO_LARGE.format(limit=limit))


def label_names(catalogue: Catalogue, link: Link, final: list[TypeKey]) -> list[str]:
    names = []
    for key in final:
        kind = catalogue.find(link.from_type, link.to_type, key)
        if kind is not None and kind.label is not None:
            names.append(kind.label)
    return names


def catalogue_misfit(from_kind: ObjectType, to_kind: ObjectType) -> ValidationError:
    return ValidationError(
        messages.ASSOCIATIONS_INVALID,
        context={"fromObjectType": [from_kind.name], "toObjectType": [to_kind.name]},
    )


def no_associations(from_kind: ObjectType, to_kind: ObjectType, ref: str) -> ObjectNotFound:
    from_name, to_name = singular_name(from_kind.type_id), singular_name(to_kind.type_id)
    return ObjectNotFound(
        messages.NO_ASSOCIATIONS_FOUND.format(to=to_name, from_=from_name, id=ref),
        sub_category="crm.associations.NO_ASSOCIATIONS_FOUND",
        context={
            "fromObjectId": [ref],
            "fromObjectType": [from_name],
            "toObjectType": [to_name],
        },
    )


class Reading:
    """What reads of associations need: the records service and its store."""

    records: Records
    store: Store

    async def catalogue(self, portal_id: int) -> Catalogue:
        schemas = [
            SchemaAssociation(int(a.id), a.from_object_type_id, a.to_object_type_id, a.name or "")
            for schema in await self.records.types.schemas(portal_id)
            if not schema.archived
            for a in schema.stored.associations
            if a.id.isdigit()
        ]
        return Catalogue(await self.store.association_labels(portal_id), schemas)

    async def page(
        self,
        portal_id: int,
        from_kind: ObjectType,
        from_ref: str,
        to_kind: ObjectType,
        *,
        after: str | None,
        limit: int | None,
        catalogue: Catalogue | None = None,
    ) -> Listed:
        """One page of a record's associated records of one type (none for a record that is
        not live), every type of each."""
        size = PAGE_DEFAULT if limit is None else limit
        if not 1 <= size <= PAGE_MAX:
            raise ValidationError(
                messages.ASSOCIATION_LIMIT_INVALID.format(limit=size, max=PAGE_MAX)
            )
        start = from_cursor(after, to_kind.type_id)
        catalogue = catalogue or await self.catalogue(portal_id)
        rid = record_id(from_ref)
        if rid is None or not await self._live(portal_id, from_kind, rid):
            return Listed([], None)
        rows = await self.store.associations_page(
            portal_id, from_kind.type_id, rid, to_kind.type_id, after=start, limit=size + 1
        )
        groups: dict[int, list[AssociationType]] = {}
        for row in rows:
            kind = catalogue.find(row.from_type, row.to_type, (row.category, row.type_id))
            if kind is not None:
                groups.setdefault(row.to_id, []).append(kind)
        ordered = [Grouped(to_id, kinds) for to_id, kinds in groups.items()]
        if len(ordered) > size:
            return Listed(ordered[:size], cursor(to_kind.type_id, ordered[size].to_id))
        return Listed(ordered, None)

    async def _live(self, portal_id: int, kind: ObjectType, rid: int) -> bool:
        record = await self.store.record(portal_id, kind.type_id, rid)
        return record is not None and not record.archived

    async def batch_read(
        self,
        portal_id: int,
        from_kind: ObjectType,
        to_kind: ObjectType,
        inputs: Sequence[tuple[str, str | None]],
    ) -> BatchRead:
        """Each record's associations (a page of 500 each); a record with none is an error, as
        in HubSpot. Read in two queries whatever the number of inputs."""
        check_size(len(inputs), MAX_READ)
        catalogue = await self.catalogue(portal_id)
        starts = {ref: from_cursor(after, to_kind.type_id) for ref, after in inputs}
        ids = {rid for ref, _ in inputs if (rid := record_id(ref)) is not None}
        froms = await self.store.records(portal_id, from_kind.type_id, ids)
        live = {rid for rid, record in froms.items() if not record.archived}
        rows = await self.store.associations_from(
            portal_id, from_kind.type_id, live, to_kind.type_id
        )
        grouped: dict[int, dict[int, list[AssociationType]]] = {}
        for row in rows:
            kind = catalogue.find(row.from_type, row.to_type, (row.category, row.type_id))
            if kind is not None:
                grouped.setdefault(row.from_id, {}).setdefault(row.to_id, []).append(kind)
        out = BatchRead()
        empty: list[str] = []
        for ref, _ in dict.fromkeys(inputs):
            rid = record_id(ref)
            targets = grouped.get(rid, {}) if rid is not None and rid in live else {}
            ordered = [Grouped(t, k) for t, k in targets.items() if t >= starts[ref]]
            if not ordered:
                empty.append(ref)
                continue
            more = len(ordered) > PAGE_DEFAULT
            after = cursor(to_kind.type_id, ordered[PAGE_DEFAULT].to_id) if more else None
            out.results.append((ref, Listed(ordered[:PAGE_DEFAULT], after)))
        for ref in empty:
            out.errors.append(no_associations(from_kind, to_kind, ref))
        return out

    async def v3_block(
        self, portal_id: int, kind: ObjectType, rid: int, names: Sequence[str]
    ) -> dict[str, tuple[list[tuple[str, str]], str | None]]:
        """What `?associations=` adds to a v3 read: per associated type asked for (by plural
        name), the first page of (id, v3 type) and the next cursor; types with none left out."""
        catalogue = await self.catalogue(portal_id)
        block: dict[str, tuple[list[tuple[str, str]], str | None]] = {}
        for name in names:
            try:
                to_kind = await self.records.types.resolve(portal_id, path_name(name))
            except ValidationError:
                continue  # unknown types are ignored, as HubSpot does
            if to_kind.name in block:
                continue
            listed = await self.page(
                portal_id, kind, str(rid), to_kind, after=None, limit=V3_PAGE, catalogue=catalogue
            )
            entries = [
                (str(group.to_id), label)
                for group in listed.results
                for t in sorted(group.types, key=lambda t: (not t.primary, t.type_id))
                if (label := v3_name(t, catalogue)) is not None
            ]
            if entries:
                block[to_kind.name] = (entries, listed.next_after)
        return block

    async def labels(
        self, portal_id: int, from_kind: ObjectType, to_kind: ObjectType
    ) -> list[AssociationType]:
        catalogue = await self.catalogue(portal_id)
        return catalogue.between(from_kind.type_id, to_kind.type_id)

    async def create_label(
        self,
        portal_id: int,
        from_kind: ObjectType,
        to_kind: ObjectType,
        name: str,
        label: str,
        inverse_label: str | None,
    ) -> list[AssociationType]:
        if not _LABEL_NAME.match(name):
            raise ValidationError(messages.LABEL_NAME_INVALID.format(name=name))
        catalogue = await self.catalogue(portal_id)
        custom = [
            t
            for t in catalogue.between(from_kind.type_id, to_kind.type_id)
            if t.category == USER_DEFINED
        ]
        if len(custom) >= MAX_LABELS:
            raise ValidationError(messages.TOO_MANY_LABELS.format(limit=MAX_LABELS))
        try:
            forward, inverse = await self.store.add_association_labels(
                portal_id, from_kind.type_id, to_kind.type_id, name, label, inverse_label
            )
        except UniqueViolation:
            raise ValidationError(messages.LABEL_EXISTS.format(name=name)) from None
        catalogue = await self.catalogue(portal_id)
        found = [
            catalogue.find(x.from_type, x.to_type, (USER_DEFINED, x.type_id))
            for x in (inverse, forward)
        ]
        return [t for t in found if t is not None]

    async def update_label(
        self,
        portal_id: int,
        from_kind: ObjectType,
        to_kind: ObjectType,
        type_id: int,
        label: str,
        inverse_label: str | None,
    ) -> None:
        await self._custom_label(portal_id, from_kind, to_kind, type_id)
        await self.store.update_association_labels(portal_id, type_id, label, inverse_label)

    async def delete_label(
        self, portal_id: int, from_kind: ObjectType, to_kind: ObjectType, type_id: int
    ) -> None:
        found = await self._custom_label(portal_id, from_kind, to_kind, type_id)
        if await self.store.association_label_used(portal_id, found):
            raise ValidationError(messages.LABEL_IN_USE.format(type_id=type_id))
        await self.store.remove_association_labels(portal_id, type_id)

    async def _custom_label(
        self, portal_id: int, from_kind: ObjectType, to_kind: ObjectType, type_id: int
    ) -> AssociationLabel:
        catalogue = await self.catalogue(portal_id)
        custom = catalogue.find(from_kind.type_id, to_kind.type_id, (USER_DEFINED, type_id))
        label = catalogue.label_of(type_id)
        if custom is None or label is None:
            if catalogue.find(from_kind.type_id, to_kind.type_id, ("HUBSPOT_DEFINED", type_id)):
                raise ValidationError(messages.LABEL_HUBSPOT_DEFINED.format(type_id=type_id))
            raise ObjectNotFound(messages.LABEL_NOT_FOUND.format(type_id=type_id))
        return label
