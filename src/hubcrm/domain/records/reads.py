"""Reading records: one, a batch, a page in id order, a search, a property's history."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from hubcrm.domain.clock import Clock
from hubcrm.domain.objects import ObjectType
from hubcrm.domain.records.applying import contention
from hubcrm.domain.records.indexer import SearchIndexer
from hubcrm.domain.records.planning import MAX_BATCH, is_record_id
from hubcrm.domain.records.schema import Schema
from hubcrm.domain.records.search import SearchPlan, plan_search
from hubcrm.domain.values import ValueRejected
from hubcrm.protocol import messages
from hubcrm.protocol.errors import (
    ObjectNotFound,
    ValidationError,
)
from hubcrm.protocol.wire import SearchRequest
from hubcrm.store.base import HistoryEntry, Record, Store

MAX_BATCH_WITH_HISTORY = 50
MAX_PAGE = 100
DEFAULT_PAGE = 10


@dataclass(frozen=True)
class Page:
    records: list[Record]
    next_after: str | None


@dataclass(frozen=True)
class Found:
    records: list[Record]
    total: int
    next_after: str | None
    properties: list[str] | None


class Reads:
    """The read side of Records."""

    store: Store
    clock: Clock
    search_delay_ms: int
    indexer: SearchIndexer

    _schemas: dict[tuple[int, str], tuple[int, Schema]]

    async def schema(self, portal_id: int, object_type: ObjectType) -> Schema:
        """The portal's property definitions, cached until their version changes."""
        version = await self.store.properties_version(portal_id, object_type.type_id)
        cached = self._schemas.get((portal_id, object_type.type_id))
        if cached and cached[0] == version:
            return cached[1]
        definitions = await self.store.property_definitions(portal_id, object_type.type_id)
        schema = Schema(object_type, definitions)
        self._schemas[(portal_id, object_type.type_id)] = (version, schema)
        return schema

    async def get(
        self,
        portal_id: int,
        object_type: ObjectType,
        record_ref: str,
        *,
        id_property: str | None = None,
        archived: bool = False,
    ) -> Record:
        if id_property and id_property != object_type.id_property:
            schema = await self.schema(portal_id, object_type)
            schema.check_id_property(portal_id, id_property)
            try:
                namespace, key = schema.key(id_property, record_ref)
            except ValueRejected:
                raise ObjectNotFound(messages.NOT_FOUND) from None
            found = await self.store.records_by_unique(
                portal_id, object_type.type_id, namespace, [key], archived=archived
            )
            record = found.get(key)
        elif not is_record_id(record_ref):
            raise ObjectNotFound(
                messages.OBJECT_NOT_FOUND_NON_NUMERIC, context={"id": [record_ref]}
            )
        else:
            record = await self.store.record(portal_id, object_type.type_id, int(record_ref))
            if record is None:
                # A record merged into another answers as the record it became.
                moved = await self.store.merged_into(
                    portal_id, object_type.type_id, [int(record_ref)]
                )
                if moved:
                    record = await self.store.record(
                        portal_id, object_type.type_id, moved[int(record_ref)]
                    )
        if record is None or record.archived != archived:
            raise ObjectNotFound(messages.NOT_FOUND)
        return record

    async def read_batch(
        self,
        portal_id: int,
        object_type: ObjectType,
        refs: list[str],
        *,
        id_property: str | None = None,
        archived: bool = False,
        with_history: bool = False,
    ) -> tuple[list[Record], list[str]]:
        """The records the refs name, in input order, and the refs that name none."""
        limit = MAX_BATCH_WITH_HISTORY if with_history else MAX_BATCH
        if len(refs) > limit:
            template = (
                messages.HISTORY_BATCH_TOO_LARGE if with_history else messages.BATCH_TOO_LARGE
            )
            raise ValidationError(template.format(limit=limit))
        by_ref: dict[str, Record] = {}
        if id_property and id_property != object_type.id_property:
            schema = await self.schema(portal_id, object_type)
            schema.check_id_property(portal_id, id_property)
            keys: dict[str, str] = {}
            for ref in refs:
                try:
                    keys[ref] = schema.key(id_property, ref)[1]
                except ValueRejected:
                    continue
            found = await self.store.records_by_unique(
                portal_id,
                object_type.type_id,
                object_type.unique_namespace(id_property),
                set(keys.values()),
                archived=archived,
            )
            by_ref = {ref: found[key] for ref, key in keys.items() if key in found}
        else:
            ids = {int(ref) for ref in refs if is_record_id(ref)}
            records = await self.store.records(portal_id, object_type.type_id, ids)
            by_ref = {
                ref: records[int(ref)] for ref in refs if is_record_id(ref) and int(ref) in records
            }
        by_ref = {ref: r for ref, r in by_ref.items() if r.archived == archived}
        seen: set[int] = set()
        results: list[Record] = []
        for ref in refs:
            record = by_ref.get(ref)
            if record is not None and record.record_id not in seen:
                seen.add(record.record_id)
                results.append(record)
        missing = list(dict.fromkeys(ref for ref in refs if ref not in by_ref))
        return results, missing

    async def page(
        self,
        portal_id: int,
        object_type: ObjectType,
        *,
        after: str | None,
        limit: int | None,
        archived: bool,
    ) -> Page:
        """One page of records in id order. The cursor is the id of the next record, so writes
        between pages neither skip nor repeat a record: new records get higher ids."""
        size = DEFAULT_PAGE if limit is None else limit
        if not 1 <= size <= MAX_PAGE:
            raise ValidationError(messages.INVALID_LIMIT.format(limit=size, max=MAX_PAGE))
        start = 0
        if after is not None and after != "":
            if not is_record_id(after):
                raise ValidationError(messages.INVALID_AFTER.format(after=after))
            start = int(after)
        records = await self.store.records_page(
            portal_id, object_type.type_id, after=start, limit=size + 1, archived=archived
        )
        next_after = str(records[size].record_id) if len(records) > size else None
        return Page(records[:size], next_after)

    async def search(
        self, portal_id: int, object_type: ObjectType, request: SearchRequest
    ) -> Found:
        schema = await self.schema(portal_id, object_type)
        plan: SearchPlan = plan_search(schema, request)
        with contention():
            await self.indexer.catch_up(portal_id, object_type)
            await self.indexer.prepare(portal_id, object_type, plan.searched)
        query = plan.query
        if self.search_delay_ms:
            # HubSpot's search is eventually consistent: recent writes are not searchable yet.
            visible = self.clock.now_ms() - self.search_delay_ms
            query = dataclasses.replace(query, written_before=visible)
        result = await self.store.search(portal_id, object_type.type_id, query)
        records = await self.store.records(portal_id, object_type.type_id, result.record_ids)
        ordered = [records[rid] for rid in result.record_ids if rid in records]
        end = plan.query.offset + plan.query.limit
        next_after = str(end) if end < result.total and plan.query.limit else None
        return Found(ordered, result.total, next_after, request.properties)

    async def history(
        self, portal_id: int, object_type: ObjectType, record: Record, names: Iterable[str]
    ) -> dict[str, list[HistoryEntry]]:
        return await self.store.history(portal_id, object_type.type_id, record.record_id, names)
