"""Connections: the two pools and their session settings, driver errors as the store's own, and the
small helpers every part of the store shares."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager, suppress
from typing import Any, TypeVar
from urllib.parse import urlsplit

import asyncpg
import msgspec

from hubcrm.store.base import Backpressure
from hubcrm.store.errors import (
    CannotOpen,
    Overloaded,
    StoreError,
    StoreUnavailable,
    UniqueViolation,
    WriteConflict,
)

T = TypeVar("T")
log = logging.getLogger("hubcrm")

POOL_SIZE = 10

# Plan each statement for its own arguments and the tables' current statistics. A generic plan
# cached while a portal was small (an index scan with a filter, say) would stay in use as the
# portal grows, and a lookup by key would become a scan of the portal.
# JIT compilation pays for itself only on long analytical queries; hubcrm's are short, and with
# it off asyncpg skips two round trips each time it looks up a type (below).
_SESSION = {"plan_cache_mode": "force_custom_plan", "jit": "off"}

# Id allocation commits without waiting for its WAL flush. That is safe: ids matter only to the
# batch that uses them, and that batch's own durable commit comes later in the WAL, so flushing
# it flushes the allocation too. A crash before then loses ids nobody has stored.
_ID_SESSION = {**_SESSION, "synchronous_commit": "off"}

# The array types hubcrm binds. asyncpg decodes few of them without first asking the server
# about them, once per connection and statement that meets a new one: three round trips and a
# long catalog query. A new connection asks about all of them at once instead.
_ARRAYS = "SELECT NULL::bigint[], NULL::int[], NULL::boolean[], NULL::bytea[], NULL::jsonb[]"


async def _known_types(conn: asyncpg.Connection) -> None:
    await conn.prepare(_ARRAYS)


encode = msgspec.json.Encoder().encode


async def _released(conn: asyncpg.Connection) -> None:
    """What the pools do to a connection given back, beyond what asyncpg always does (roll back a
    transaction left open, forget listeners): nothing. asyncpg's default would send `RESET ALL;
    UNLISTEN *; CLOSE ALL; SELECT pg_advisory_unlock_all()`, one round trip that every request
    waited for, for state hubcrm never leaves on a pooled connection: its settings are made at
    connect, its advisory locks are a transaction's own (migrations reset the connection they
    ran on, store.py), and it neither listens nor keeps cursors past a transaction."""


class _OneLine(logging.Filter):
    """The pool logs each failed attempt to reconnect with its traceback; while PostgreSQL
    restarts that is expected, and an operator sees one line per attempt instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"PostgreSQL: {record.getMessage()} ({short(record.exc_info[1])})"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


logging.getLogger("asyncpg.pool").addFilter(_OneLine())


# Seconds a connection attempt may take before it counts as failed.
CONNECT_TIMEOUT = 5.0
# How long start-up keeps trying to reach a server that is down or still starting.
STARTUP_RETRY_SECONDS = 3.0
# How long a request keeps trying to reach the database again after its connection was lost
# (a restart of PostgreSQL takes a second or two) before it is answered 503.
RECONNECT_SECONDS = 2.5

# What the driver raises when a statement or its connection fails (translated() below makes
# them the store's own errors).
DRIVER_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    OSError,
)


async def open_pools(url: str) -> tuple[asyncpg.Pool, asyncpg.Pool]:
    """The store's pool, and the small one id allocation runs on."""
    pool = await starting(
        url,
        lambda: asyncpg.create_pool(
            url,
            min_size=1,
            max_size=POOL_SIZE,
            server_settings=_SESSION,
            timeout=CONNECT_TIMEOUT,
            init=_known_types,
            reset=_released,
        ),
    )
    ids = await asyncpg.create_pool(
        url,
        min_size=0,
        max_size=2,
        server_settings=_ID_SESSION,
        timeout=CONNECT_TIMEOUT,
        reset=_released,
    )
    return pool, ids


async def starting(url: str, connect: Callable[[], Awaitable[T]]) -> T:
    """Connect at start-up, trying again for a few seconds while the server is down or starting;
    then CannotOpen, one line naming the cause and the fix."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STARTUP_RETRY_SECONDS
    while True:
        try:
            with connecting(url):
                return await connect()
        except StoreUnavailable as error:
            if loop.time() >= deadline:
                raise CannotOpen(_unreachable(url, error.__cause__)) from error
            await asyncio.sleep(0.25)


def is_lost(error: BaseException) -> bool:
    """Whether an error means the database could not be reached or the connection died (rather
    than a statement being wrong): a transaction that failed so was not committed."""
    return isinstance(
        error,
        (
            OSError,  # refused, reset, unreachable
            TimeoutError,  # connecting took too long
            asyncpg.PostgresConnectionError,  # class 08, and the connection gone
            asyncpg.OperatorInterventionError,  # class 57: terminated, shutting down, starting
            asyncpg.InsufficientResourcesError,  # class 53: too many connections, disk full
            asyncpg.ReadOnlySQLTransactionError,  # a standby, while a failover completes
            asyncpg.InterfaceError,  # "connection is closed", "the underlying connection..."
            # A connection whose backend was terminated mid-operation can be left in a state
            # that fails every later use (MagicStack/asyncpg#1069, sqlalchemy#13241).
            asyncpg.InternalClientError,
            StoreUnavailable,
        ),
    ) and not isinstance(error, asyncpg.ClientConfigurationError)


@asynccontextmanager
async def acquired(
    pool: asyncpg.Pool, timeout: float | None = None
) -> AsyncIterator[asyncpg.Connection]:
    """A connection of `pool` (Overloaded if none is free within `timeout`). One that failed
    because it was lost is closed rather than given back for reuse, and the pool opens a new
    one in its place when next asked."""
    try:
        conn = await pool.acquire(timeout=timeout)
    except TimeoutError as error:
        raise Overloaded(f"no connection free within {timeout} s") from error
    try:
        yield conn
    except BaseException as error:
        if is_lost(error):
            # (A connection that died has already detached itself from the pool's proxy.)
            with suppress(asyncpg.InterfaceError):
                conn.terminate()
        raise
    finally:
        # A connection the pool cannot reset is closed by the pool; what was done on it has
        # been answered already.
        with suppress(*DRIVER_ERRORS):
            await pool.release(conn)


def _where(url: str) -> str:
    """host:port/dbname of a URL, without its user name or password."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        return f"{host}:{parts.port or 5432}{parts.path or '/'}"
    except ValueError:
        return "the URL given"


def _user(url: str) -> str:
    try:
        return urlsplit(url).username or "(default)"
    except ValueError:
        return "(unknown)"


def _unreachable(url: str, cause: BaseException | None) -> str:
    return (
        f"cannot reach PostgreSQL at {_where(url)} ({short(cause)}): start the server, or correct"
        " the host and port in --database / HUBCRM_DATABASE_URL"
    )


def short(error: BaseException | None) -> str:
    text = str(error).strip().splitlines()[0] if error is not None and str(error) else ""
    return text or type(error).__name__


async def retrying(attempt: Callable[[], Awaitable[T]]) -> T:
    """Run a read again on a fresh connection when its connection was lost, for a short while;
    then let StoreUnavailable reach the caller (503)."""
    loop = asyncio.get_running_loop()
    deadline: float | None = None
    pause = 0.05
    while True:
        try:
            return await attempt()
        except Overloaded:
            raise
        except StoreUnavailable as error:
            now = loop.time()
            deadline = deadline if deadline is not None else now + RECONNECT_SECONDS
            if now >= deadline:
                raise
            log.warning("PostgreSQL connection lost (%s); reading again", short(error))
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.5)


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
    except (*DRIVER_ERRORS, TimeoutError) as error:
        if is_lost(error):
            raise StoreUnavailable(str(error)) from error
        raise StoreError(str(error)) from error


@contextmanager
def connecting(url: str) -> Iterator[None]:
    """Connecting at start-up: what cannot be fixed by waiting becomes CannotOpen, one line
    naming the cause and the fix; a server that is down or starting, StoreUnavailable."""
    try:
        yield
    except asyncpg.InvalidPasswordError as error:
        raise CannotOpen(
            f"PostgreSQL at {_where(url)} refused the password of user {_user(url)}: correct the"
            " password in --database / HUBCRM_DATABASE_URL (postgresql://user:password@host/db)"
        ) from error
    except asyncpg.InvalidCatalogNameError as error:
        raise CannotOpen(
            f"PostgreSQL at {_where(url)} has no such database ({short(error)}): create it"
            " (createdb), or name another in --database"
        ) from error
    except asyncpg.InvalidAuthorizationSpecificationError as error:
        raise CannotOpen(
            f"PostgreSQL at {_where(url)} refused user {_user(url)} ({short(error)}): create"
            " the role or allow it in pg_hba.conf, or name another user in --database"
        ) from error
    except (ValueError, asyncpg.ClientConfigurationError) as error:
        raise CannotOpen(
            f"malformed PostgreSQL URL ({short(error)}): write it as"
            " postgresql://user:password@host:port/dbname"
        ) from error
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as error:
        if is_lost(error):
            raise StoreUnavailable(str(error)) from error
        raise CannotOpen(f"cannot connect to PostgreSQL at {_where(url)}: {short(error)}") from (
            error
        )


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
    _backpressure: Backpressure

    def _reading(self) -> AbstractAsyncContextManager[asyncpg.Connection]:
        """A connection for a read: under overload, one that waits too long for it is refused
        (503) like a write, rather than queued without a bound."""
        return acquired(self._pool, self._backpressure.queue_timeout or None)

    async def _fetch(self, query: str, *args: Any) -> list[Any]:
        async def attempt() -> list[Any]:
            with translated():
                async with self._reading() as conn:
                    return list(await conn.fetch(query, *args))

        return await retrying(attempt)

    async def _fetchrow(self, query: str, *args: Any) -> Any:
        async def attempt() -> Any:
            with translated():
                async with self._reading() as conn:
                    return await conn.fetchrow(query, *args)

        return await retrying(attempt)
