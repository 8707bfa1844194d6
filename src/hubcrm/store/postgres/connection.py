"""Connections: the two pools and their session settings, driver errors as the store's own, and the
small helpers every part of the store shares."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import msgspec

from hubcrm.store.errors import StoreError, UniqueViolation, WriteConflict

POOL_SIZE = 10

# Plan each statement for its own arguments and the tables' current statistics. A generic plan
# cached while a portal was small (an index scan with a filter, say) would stay in use as the
# portal grows, and a lookup by key would become a scan of the portal.
_SESSION = {"plan_cache_mode": "force_custom_plan"}

# Id allocation commits without waiting for its WAL flush. That is safe: ids matter only to the
# batch that uses them, and that batch's own durable commit comes later in the WAL, so flushing
# it flushes the allocation too. A crash before then loses ids nobody has stored.
_ID_SESSION = {**_SESSION, "synchronous_commit": "off"}

encode = msgspec.json.Encoder().encode


async def open_pools(url: str) -> tuple[asyncpg.Pool, asyncpg.Pool]:
    """The store's pool, and the small one id allocation runs on."""
    with connecting():
        pool = await asyncpg.create_pool(
            url, min_size=1, max_size=POOL_SIZE, server_settings=_SESSION
        )
        ids = await asyncpg.create_pool(url, min_size=0, max_size=2, server_settings=_ID_SESSION)
    return pool, ids


@contextmanager
def translated(*, in_write: bool = False) -> Iterator[None]:
    """Driver errors become the store's own; in a write transaction a lost race is retryable."""
    try:
        yield
    except asyncpg.UniqueViolationError as error:
        if in_write:
            raise WriteConflict(str(error), unique=True) from error
        raise UniqueViolation(str(error)) from error
    except (asyncpg.SerializationError, asyncpg.DeadlockDetectedError) as error:
        raise WriteConflict(str(error)) from error
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
        raise StoreError(str(error)) from error


@contextmanager
def connecting() -> Iterator[None]:
    try:
        yield
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
        raise StoreError(f"cannot connect to PostgreSQL: {error}") from error


def digest(value: str) -> bytes:
    """What unique_values is keyed by: the SHA-256 of the value's UTF-8 text."""
    return hashlib.sha256(value.encode()).digest()


def lock_keys(portal_id: int, object_type: str, namespace: str, values: Iterable[str]) -> list[int]:
    """64-bit advisory lock keys for unique values, sorted: every process locks in one order."""
    keys = set()
    for value in values:
        digest = hashlib.blake2b(
            "\x1f".join((str(portal_id), object_type, namespace, value)).encode(), digest_size=8
        ).digest()
        keys.add(int.from_bytes(digest, "big", signed=True))
    return sorted(keys)


class Pooled:
    """What the store's parts share: the pools, and one-statement reads with errors translated."""

    _pool: asyncpg.Pool
    _ids: asyncpg.Pool  # id allocation only: one short statement at a time, never waits on _pool

    async def _fetch(self, query: str, *args: Any) -> list[Any]:
        with translated():
            return list(await self._pool.fetch(query, *args))

    async def _fetchrow(self, query: str, *args: Any) -> Any:
        with translated():
            return await self._pool.fetchrow(query, *args)
