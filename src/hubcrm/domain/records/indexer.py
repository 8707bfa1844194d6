"""Search rows kept in step with writes, a moment behind them.

A write saves its records and leaves their search rows lagging behind (the store remembers which,
durably, with what search last knew of each). It does not wait for them: the SearchIndexer
catches them up, many records to a transaction, in the background shortly after writes, and
before every search of that portal and type. So a search sees every write acknowledged before it
began, while a write pays only for what it writes. Catching up in chunks also costs less than
record by record: rows that land on the same pages are written together, and a record written
several times in a row is indexed once.

Lagging records survive restarts and crashes; whichever process searches or starts next catches
them up. In a store shared by several processes only one catches up a portal's type at a time.

Search keeps rows only for the properties a search has named (a filter, a sort, or the type's
free-text properties): a write pays nothing for the rest. The first search that names a
property builds its rows for every record, in chunks that a crash or another process resumes,
and waits for them; from then on catching up keeps them, like any other searched property.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable

from hubcrm.domain.objects import ObjectType
from hubcrm.domain.records import indexing
from hubcrm.domain.records.schema import Schema
from hubcrm.store.base import Store, WriteTransaction
from hubcrm.store.errors import StoreUnavailable

log = logging.getLogger("hubcrm")

# Records caught up per transaction: large enough to share pages, small enough that writes
# queued behind it (one writer on SQLite) wait little.
CHUNK = 200
# How long the background indexer lets writes gather before catching them up.
SETTLE_SECONDS = 0.02
# How long it waits before trying again after the store failed.
RETRY_SECONDS = 1.0

SchemaSource = Callable[[int, ObjectType], Awaitable[Schema]]
# The live object type of a portal with this type id, custom ones included; None if there is none.
TypeSource = Callable[[int, str], Awaitable[ObjectType | None]]


class SearchIndexer:
    def __init__(self, store: Store, schema: SchemaSource, types: TypeSource) -> None:
        self._store = store
        self._schema = schema
        self._types = types
        self._behind: set[tuple[int, str]] = set()
        self._wake = asyncio.Event()
        self._stopping = False
        self._stopped = asyncio.Event()
        # For metrics: when each lagging type was first noted, and a hook told the lag once
        # the background indexer has caught it up.
        self._since: dict[tuple[int, str], float] = {}
        self.on_caught_up: Callable[[float], None] = lambda seconds: None

    @property
    def pending(self) -> int:
        """Portal object types this process knows to lag behind their writes."""
        return len(self._behind)

    def written(self, portal_id: int, object_type: ObjectType) -> None:
        """Note a committed write, for the background indexer."""
        self._behind.add((portal_id, object_type.type_id))
        self._since.setdefault((portal_id, object_type.type_id), time.monotonic())
        self._wake.set()

    async def catch_up(self, portal_id: int, object_type: ObjectType) -> None:
        """Bring the type's search rows up to every write committed before this call."""
        if not await self._store.search_lags(portal_id, object_type.type_id):
            return
        schema = await self._schema(portal_id, object_type)
        work = functools.partial(_catch_up_chunk, schema)
        while await self._store.transact(portal_id, object_type.type_id, work) == CHUNK:
            pass

    async def prepare(self, portal_id: int, object_type: ObjectType, names: set[str]) -> None:
        """Make sure search keeps rows for these properties, building them for every record."""
        while not await self.build_step(portal_id, object_type, names):
            pass

    async def build_step(self, portal_id: int, object_type: ObjectType, names: set[str]) -> bool:
        """Build one chunk of rows of the properties being built (these included, from now on);
        True once every record has them."""
        searched = await self._store.searched_properties(portal_id, object_type.type_id)
        if all(name in searched and searched[name] is None for name in names):
            return True
        schema = await self._schema(portal_id, object_type)
        work = functools.partial(_build_chunk, schema, names)
        done: bool = await self._store.transact(portal_id, object_type.type_id, work)
        return done

    async def run(self) -> None:
        """Catch up in the background until stopped (or cancelled), first what earlier runs left
        behind."""
        try:
            await self._run()
        finally:
            self._stopped.set()

    async def stop(self, timeout: float) -> None:
        """Stop run() between transactions; what still lags is caught up by the next start or
        search. Waits up to `timeout` seconds for the transaction in progress."""
        self._stopping = True
        self._wake.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), timeout)

    async def _run(self) -> None:
        try:
            self._behind.update(await self._store.search_lagging())
        except StoreUnavailable as error:
            log.warning("search indexer: the database is unavailable (%s); retrying", error)
        while not self._stopping:
            if not self._behind:
                self._wake.clear()
                await self._wake.wait()
                if self._stopping:
                    return
                await asyncio.sleep(SETTLE_SECONDS)
            if not self._behind:
                continue
            portal_id, type_id = self._behind.pop()
            try:
                object_type = await self._types(portal_id, type_id)
                if object_type is None:
                    continue
                await self.catch_up(portal_id, object_type)
                since = self._since.pop((portal_id, type_id), None)
                if since is not None:
                    self.on_caught_up(time.monotonic() - since)
            except Exception as error:
                # Nothing is lost: the records still lag, and any search catches them up.
                if isinstance(error, StoreUnavailable):  # expected: one line, no traceback
                    log.warning(
                        "catching up search of %s in portal %s failed: %s",
                        type_id,
                        portal_id,
                        error,
                    )
                else:
                    log.exception(
                        "catching up search of %s in portal %s failed", type_id, portal_id
                    )
                self._behind.add((portal_id, type_id))
                if not self._stopping:
                    await asyncio.sleep(RETRY_SECONDS)


async def _catch_up_chunk(schema: Schema, tx: WriteTransaction) -> int:
    lagging = await tx.search_lag(CHUNK)
    searched = await tx.searched_properties()
    # While no property is being built, every record has rows for all the searched ones (an
    # empty set is no shortcut: _kept then finds none either).
    everyone = None if any(upto is not None for upto in searched.values()) else set(searched)
    changes = [
        (lag.record_id, indexing.change(schema, lag, everyone or _kept(searched, lag.record_id)))
        for lag in lagging
    ]
    await tx.save_search(changes)
    return len(lagging)


async def _build_chunk(schema: Schema, names: set[str], tx: WriteTransaction) -> bool:
    """Build the next chunk of rows of properties being built; True once none is left."""
    searched = await tx.searched_properties()
    await tx.search_properties(names - searched.keys())
    building = {name: at for name, at in searched.items() if at is not None}
    building.update((name, 0) for name in names - searched.keys())
    if not building:
        return True
    known = await tx.search_known(min(building.values()), CHUNK)
    changes = [
        (record_id, indexing.built(schema, properties, _behind(building, record_id)))
        for record_id, properties in known
    ]
    await tx.save_search(changes, caught_up=False)
    if len(known) < CHUNK:
        await tx.built(building, None)
        return True
    upto = known[-1][0]
    await tx.built([name for name, at in building.items() if at < upto], upto)
    return False


def _kept(searched: dict[str, int | None], record_id: int) -> set[str]:
    """The searched properties whose rows this record has (or would have, once caught up).

    A property being built has rows only for records up to where its build has reached; the
    build gives the others their rows from what search knows of them, and catching up keeps
    them from then on."""
    return {name for name, upto in searched.items() if upto is None or upto >= record_id}


def _behind(building: dict[str, int], record_id: int) -> list[str]:
    """The properties being built whose rows this record does not have yet."""
    return [name for name, built_to in building.items() if built_to < record_id]
