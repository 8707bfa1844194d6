"""Connecting to the SQLite file, and turning driver errors into store errors."""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import msgspec

from hubcrm.store.errors import (
    CannotOpen,
    CannotWrite,
    StoreError,
    StoreUnavailable,
    UniqueViolation,
)

T = TypeVar("T")

encode = msgspec.json.Encoder().encode
decode_properties = msgspec.json.Decoder(dict[str, str]).decode


DIALECT = "sqlite"


def path_from_url(url: str) -> str:
    """`sqlite:///relative.db` or `sqlite:////absolute/path.db`, as SQLAlchemy spells them."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or len(url) == len(prefix):
        raise CannotOpen(
            f"malformed SQLite URL {url!r}: write it as sqlite:///relative/path.db or"
            " sqlite:////absolute/path.db"
        )
    return url[len(prefix) :]


def cannot_open(path: str, error: BaseException) -> CannotOpen:
    """Why the file at `path` cannot be opened, and what to do about it, in one line."""
    full = os.path.abspath(path)
    folder = os.path.dirname(full)
    cause = error.__cause__ if isinstance(error, StoreError) and error.__cause__ else error
    code = getattr(cause, "sqlite_errorcode", 0) & 0xFF
    if not os.path.isdir(folder):
        why = f"its folder {folder} does not exist: create it, or give another path"
    elif os.path.isdir(full):
        why = "it is a folder: give the path of a database file"
    elif code == 26:  # SQLITE_NOTADB
        why = "it is not a SQLite database: give another path"
    elif not os.access(folder, os.W_OK) or (os.path.exists(full) and not os.access(full, os.W_OK)):
        why = "permission denied: let hubcrm's user write the file and its folder"
    elif code == 13:  # SQLITE_FULL
        why = "the disk is full: free some space"
    else:
        why = f"{cause}: check the path, its permissions and the disk"
    return CannotOpen(f"cannot open the SQLite database {full}: {why}")


# Pages each connection keeps in memory. SQLite's default (2 MiB) is soon outgrown by the indexes
# of a large portal, and every miss becomes a system call.
CACHE_MIB = 64
# WAL pages that trigger a checkpoint (SQLite's default is 1,000). A batch with its search rows
# dirties thousands of pages: at the default nearly every commit would also checkpoint.
CHECKPOINT_PAGES = 16_384
# How long the background checkpointer lets commits gather before copying their pages.
CHECKPOINT_DELAY = 0.1
WAL_SWITCH_ATTEMPTS = 200


def connect(path: str, *, create: bool = True) -> sqlite3.Connection:
    """A connection to the file at `path`; unless `create`, one that never makes a new file (the
    readers and the checkpointer: a file removed under a running server is not silently
    replaced by an empty one)."""
    if create:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(
            f"file:{urllib.parse.quote(path)}?mode=rw",
            isolation_level=None,
            check_same_thread=False,
            uri=True,
        )
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
        with translated():
            if self._conn is None:
                self._conn = connect(self._path, create=False)
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
            fault = fault_of(error)
            if fault is not None:
                raise fault from error
            raise StoreError(str(error)) from error


# SQLite's primary result codes that mean the file cannot take writes for now, or cannot be
# reached: errors of the machine, not of the statement. Each becomes a 503 (docs/deployment.md).
_CANNOT_WRITE = {
    8: "read-only",  # SQLITE_READONLY (also the file removed or moved under the server)
    10: "I/O error",  # SQLITE_IOERR (a write the file system refused)
    13: "disk full",  # SQLITE_FULL (also a file-size limit)
}
_UNAVAILABLE = {
    5: "busy",  # SQLITE_BUSY: another program held the file past busy_timeout
    6: "locked",  # SQLITE_LOCKED
    7: "out of memory",  # SQLITE_NOMEM
    14: "cannot open",  # SQLITE_CANTOPEN (the file or its folder removed)
    15: "locking protocol",  # SQLITE_PROTOCOL
}


def fault_of(error: sqlite3.Error) -> StoreUnavailable | None:
    """The store fault a driver error means, or None for an error of the statement itself."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return None
    text = f"{error} ({getattr(error, 'sqlite_errorname', code)})"
    if code & 0xFF in _CANNOT_WRITE:
        return CannotWrite(text)
    if code & 0xFF in _UNAVAILABLE:
        return StoreUnavailable(text)
    return None
