"""Connecting to the SQLite file, and turning driver errors into store errors."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import msgspec

from hubcrm.store.errors import StoreError, UniqueViolation

T = TypeVar("T")

encode = msgspec.json.Encoder().encode
decode_properties = msgspec.json.Decoder(dict[str, str]).decode


DIALECT = "sqlite"


def path_from_url(url: str) -> str:
    """`sqlite:///relative.db` or `sqlite:////absolute/path.db`, as SQLAlchemy spells them."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or len(url) == len(prefix):
        raise ValueError(f"expected sqlite:///path, got {url!r}")
    return url[len(prefix) :]


# Pages each connection keeps in memory. SQLite's default (2 MiB) is soon outgrown by the indexes
# of a large portal, and every miss becomes a system call.
CACHE_MIB = 64
# WAL pages that trigger a checkpoint (SQLite's default is 1,000). A batch with its search rows
# dirties thousands of pages: at the default nearly every commit would also checkpoint.
CHECKPOINT_PAGES = 16_384
# How long the background checkpointer lets commits gather before copying their pages.
CHECKPOINT_DELAY = 0.1
WAL_SWITCH_ATTEMPTS = 200


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute(f"PRAGMA cache_size = -{CACHE_MIB * 1024}")
    conn.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")
    _enter_wal_mode(conn)
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _enter_wal_mode(conn: sqlite3.Connection) -> None:
    """Switch a new file to WAL (the mode stays with the file). Switching needs the file to
    itself, and SQLite answers "locked" at once rather than wait when several processes open a
    new file together: try again for a while."""
    for attempt in range(WAL_SWITCH_ATTEMPTS):
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == WAL_SWITCH_ATTEMPTS - 1:
                raise
            time.sleep(0.01 + random.random() * 0.02)


class Connection:
    """A connection confined to one thread; callers hand it functions to run there."""

    def __init__(self, path: str, name: str) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=name)
        self._path = path
        self._conn: sqlite3.Connection | None = None

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._call, fn)

    def _call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._conn is None:
            self._conn = connect(self._path)
        with translated():
            return fn(self._conn)

    async def close(self) -> None:
        def close(conn: sqlite3.Connection) -> None:
            conn.close()

        if self._conn is not None:
            await self.run(close)
        self._executor.shutdown(wait=True)


class translated:
    """Driver errors become store errors at this boundary."""

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _: Any
    ) -> None:
        if isinstance(error, sqlite3.IntegrityError):
            raise UniqueViolation(str(error)) from error
        if isinstance(error, sqlite3.Error):
            raise StoreError(str(error)) from error
