"""SQLite, the embedded default store: one file, WAL mode, durable commits, group commit.

One writer connection and one reader connection, each owned by its own thread. Reads run on the
reader connection and only ever see committed data.

Every write is a job for the writer thread, which runs an event loop of its own. The writer takes
jobs in arrival order and runs each in its own SAVEPOINT inside one open transaction (BEGIN
IMMEDIATE, which also excludes writers in other processes); a job that fails rolls back to its
savepoint and fails alone. When no job is waiting, or a group is full, the writer commits, and
only then are the group's jobs answered. With `synchronous=FULL` that commit is durable: an
acknowledged write survives a crash of the process or the machine, while concurrent requests
share one fsync instead of paying one each. A transaction's work runs entirely on the writer
thread, so it never waits for the request loop between its statements.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import random
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec

from hubcrm.protocol.definitions import PropertyDefinition
from hubcrm.store import history, migrations, sqlite_search
from hubcrm.store.base import (
    HistoryEntry,
    Record,
    RecordWrite,
    SearchChange,
    SearchLag,
    SearchQuery,
    SearchResult,
    Token,
    WriteTransaction,
)
from hubcrm.store.errors import StoreError, UniqueViolation

T = TypeVar("T")
log = logging.getLogger("hubcrm")

_encode = msgspec.json.Encoder().encode
_decode_properties = msgspec.json.Decoder(dict[str, str]).decode
_decode_definition = msgspec.json.Decoder(PropertyDefinition).decode

DIALECT = "sqlite"
_RECORD_COLUMNS = "record_id, properties, created_at, updated_at, archived, archived_at"

# The most jobs one commit acknowledges: bounds how long the first of them waits for the last.
MAX_GROUP = 32


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


def _connect(path: str) -> sqlite3.Connection:
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


class _Connection:
    """A connection confined to one thread; callers hand it functions to run there."""

    def __init__(self, path: str, name: str) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=name)
        self._path = path
        self._conn: sqlite3.Connection | None = None

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._call, fn)

    def _call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._conn is None:
            self._conn = _connect(self._path)
        with _translated():
            return fn(self._conn)

    async def close(self) -> None:
        def close(conn: sqlite3.Connection) -> None:
            conn.close()

        if self._conn is not None:
            await self.run(close)
        self._executor.shutdown(wait=True)


class _translated:
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


@dataclass
class _Job:
    work: Callable[[sqlite3.Connection], Awaitable[Any]]
    done: Future[Any]
    result: Any = None


class _Checkpointer:
    """Copies committed pages from the WAL into the database file on a thread of its own.

    Otherwise the commit that takes the WAL past CHECKPOINT_PAGES copies them, and every write
    queued behind it waits (40-90 ms at a time under load). This runs on the other core while the
    writer goes on; the writer's own checkpoint stays as the backstop, and is short when this
    one has kept up. A passive checkpoint never waits for, or blocks, readers or the writer.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._wrote = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._main, name="hubcrm-sqlite-checkpointer")

    def start(self) -> None:
        self._thread.start()

    def wrote(self) -> None:
        """Note a commit: its pages are to be copied soon."""
        self._wrote.set()

    def close(self) -> None:
        self._stopping = True
        self._wrote.set()
        if self._thread.is_alive():
            self._thread.join()

    def _main(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while self._wrote.wait() and not self._stopping:
                time.sleep(CHECKPOINT_DELAY)  # let a few commits gather
                self._wrote.clear()
                if self._stopping:  # close() was called while this slept
                    return
                try:
                    conn = conn or _connect(self._path)
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error:
                    # Nothing is lost: the pages stay in the WAL, and the writer copies them.
                    log.exception("checkpointing the SQLite database failed")
        finally:
            if conn is not None:
                conn.close()


class _Writer:
    """The writer connection on its own thread and event loop, committing jobs in groups."""

    def __init__(self, path: str, migrate_to: int | None) -> None:
        self._path = path
        self._migrate_to = migrate_to
        self._checkpointer = _Checkpointer(path)
        self._loop = asyncio.new_event_loop()
        self._queue: asyncio.Queue[_Job | None] | None = None
        self._started: Future[None] = Future()
        self._thread = threading.Thread(target=self._main, name="hubcrm-sqlite-writer")

    async def start(self) -> None:
        """Connect and migrate on the writer thread; raise what that raised."""
        self._thread.start()
        await asyncio.wrap_future(self._started)

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` as one job; its result once the job is committed."""

        async def work(conn: sqlite3.Connection) -> T:
            return fn(conn)

        return await self.transact(work)

    async def transact(self, work: Callable[[sqlite3.Connection], Awaitable[T]]) -> T:
        """Run `work` on the writer thread as one job; its result once the job is committed."""
        job = _Job(work, Future())
        queue = self._queue
        assert queue is not None, "the writer is not running"
        self._loop.call_soon_threadsafe(queue.put_nowait, job)
        result: T = await asyncio.wrap_future(job.done)
        return result

    async def close(self) -> None:
        if self._queue is not None:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, None)
        if self._thread.is_alive():
            await asyncio.to_thread(self._thread.join)
        await asyncio.to_thread(self._checkpointer.close)

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            with _translated():
                conn = _connect(self._path)
                try:
                    _migrate(conn, self._migrate_to)
                except BaseException:
                    conn.close()
                    raise
        except BaseException as error:
            self._started.set_exception(error)
            self._loop.close()
            return
        self._checkpointer.start()
        try:
            self._loop.run_until_complete(self._serve(conn))
        finally:
            conn.close()
            self._loop.close()

    async def _serve(self, conn: sqlite3.Connection) -> None:
        queue: asyncio.Queue[_Job | None] = asyncio.Queue()
        self._queue = queue
        self._started.set_result(None)
        turns = _TurnLock(self._path)
        running = True
        try:
            while running and (job := await queue.get()) is not None:
                with turns:
                    running = await _run_group(conn, queue, job)
                self._checkpointer.wrote()
        finally:
            turns.close()


async def _run_group(
    conn: sqlite3.Connection, queue: asyncio.Queue[_Job | None], job: _Job
) -> bool:
    """Run `job` and those waiting behind it in one transaction; False once told to stop."""
    try:
        with _translated():
            conn.execute("BEGIN IMMEDIATE")
    except StoreError as error:  # another program held the database for too long
        if job.done.set_running_or_notify_cancel():
            job.done.set_exception(error)
        return True
    group: list[_Job] = []
    running = True
    while True:
        if await _attempt(conn, job):
            group.append(job)
        if len(group) >= MAX_GROUP or queue.empty():
            break
        next_job = queue.get_nowait()
        if next_job is None:
            running = False
            break
        job = next_job
    _commit(conn, group)
    return running


class _TurnLock:
    """Writers to one file from several hubcrm processes (`serve --workers`) take turns here.

    An OS lock on a file beside the database hands the turn straight to a waiting process,
    where SQLite alone would make it poll: its busy handler sleeps and retries. SQLite's own
    locking still guards the file against every other program.
    """

    def __init__(self, path: str) -> None:
        self._fd = os.open(f"{path}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)

    def __enter__(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def __exit__(self, *_: object) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        os.close(self._fd)


async def _attempt(conn: sqlite3.Connection, job: _Job) -> bool:
    """Run one job in its own savepoint; on failure undo just its writes and answer it.

    A job whose caller was cancelled before it started is dropped; once started it can no longer
    be cancelled, and runs to its answer (which nobody may be waiting for)."""
    if not job.done.set_running_or_notify_cancel():
        return False
    conn.execute("SAVEPOINT job")
    try:
        with _translated():
            job.result = await job.work(conn)
    except BaseException as error:
        conn.execute("ROLLBACK TO job")
        conn.execute("RELEASE job")
        job.done.set_exception(error)
        return False
    conn.execute("RELEASE job")
    return True


def _commit(conn: sqlite3.Connection, group: list[_Job]) -> None:
    """Commit; only a durable commit answers the group's jobs with their results."""
    try:
        with _translated():
            conn.execute("COMMIT")
    except StoreError as error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        for job in group:
            job.done.set_exception(error)
        return
    for job in group:
        job.done.set_result(job.result)


def _migrate(conn: sqlite3.Connection, target: int | None = None) -> list[int]:
    """Apply pending migrations; return the versions applied. Safe against a concurrent migrator:
    each script first claims its version row, and a lost claim means it is already done."""
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {migrations.TABLE}"
        " (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
    )
    done: list[int] = []
    while True:
        applied = {row[0] for row in conn.execute(f"SELECT version FROM {migrations.TABLE}")}
        pending = migrations.plan(DIALECT, applied, target)
        if not pending:
            return done
        step = pending[0]
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n"
                f"INSERT INTO {migrations.TABLE} (version) VALUES ({step.version});\n"
                f"{step.sql}\nCOMMIT;"
            )
        except sqlite3.IntegrityError:
            conn.execute("ROLLBACK")  # another process applied it first
            continue
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        done.append(step.version)


async def migrate(url: str, target: int | None = None) -> list[int]:
    """Bring the database at `url` to schema version `target` (default: the latest)."""

    def run() -> list[int]:
        with _translated():
            conn = _connect(path_from_url(url))
            try:
                return _migrate(conn, target)
            finally:
                conn.close()

    return await asyncio.to_thread(run)


def _record(row: tuple[Any, ...]) -> Record:
    return Record(
        record_id=row[0],
        properties=_decode_properties(row[1]),
        created_at=row[2],
        updated_at=row[3],
        archived=bool(row[4]),
        archived_at=row[5],
    )


_RECORD_COLUMNS_R = ", ".join("r." + name for name in _RECORD_COLUMNS.split(", "))


def _records_by_id(
    conn: sqlite3.Connection, portal_id: int, object_type: str, wanted: bytes
) -> dict[int, Record]:
    rows = conn.execute(
        f"SELECT {_RECORD_COLUMNS} FROM records WHERE portal_id = ? AND object_type = ?"
        " AND record_id IN (SELECT value FROM json_each(?))",
        (portal_id, object_type, wanted),
    )
    return {row[0]: _record(row) for row in rows}


def _bump_properties_version(conn: sqlite3.Connection, portal_id: int, object_type: str) -> None:
    conn.execute(
        "UPDATE object_schemas SET properties_version = properties_version + 1"
        " WHERE portal_id = ? AND object_type = ?",
        (portal_id, object_type),
    )


def _archive_unique_values(
    conn: sqlite3.Connection, portal_id: int, object_type: str, writes: list[RecordWrite]
) -> None:
    """Move the unique values of records being archived aside, freeing them for live records."""
    archived = [(portal_id, object_type, w.record.record_id) for w in writes if w.record.archived]
    conn.executemany(
        "INSERT OR IGNORE INTO archived_unique_values SELECT portal_id, object_type, namespace,"
        " value, record_id FROM unique_values WHERE portal_id = ? AND object_type = ?"
        " AND record_id = ?",
        archived,
    )
    conn.executemany(
        "DELETE FROM unique_values WHERE portal_id = ? AND object_type = ? AND record_id = ?",
        archived,
    )


def _token(row: tuple[Any, ...]) -> Token:
    return Token(
        token_id=row[0],
        portal_id=row[1],
        scopes=frozenset(filter(None, row[2].split(" "))),
        name=row[3],
        created_at=row[4],
        expires_at=row[5],
        revoked_at=row[6],
        token_hash=row[7],
    )


# A reset keeps these: the portal itself, its credentials, and its id sequences (reset in place).
_KEPT_ON_RESET = frozenset({"portals", "tokens", "object_schemas", "schema_migrations"})


def _portal_state_tables(conn: sqlite3.Connection) -> list[str]:
    """Every table holding a portal's data, found in the schema so that new tables are reset too.

    Table names come from sqlite_master, never from a request.
    """
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return [
        table
        for table in tables
        if table not in _KEPT_ON_RESET
        and not table.startswith("sqlite_")
        and any(col[1] == "portal_id" for col in conn.execute(f'PRAGMA table_info("{table}")'))
    ]


_TOKEN_COLUMNS = "token_id, portal_id, scopes, name, created_at, expires_at, revoked_at, token_hash"


def _seed_schemas(
    conn: sqlite3.Connection, portal_id: int, schemas: dict[str, list[PropertyDefinition]]
) -> None:
    """A new or reset portal's id sequences and property definitions, per object type."""
    for object_type, definitions in schemas.items():
        # On a reset the version moves on, never back, so that cached definitions are dropped.
        conn.execute(
            "INSERT INTO object_schemas (portal_id, object_type, next_record_id,"
            " properties_version) VALUES (?, ?, 1, 1)"
            " ON CONFLICT (portal_id, object_type) DO UPDATE SET next_record_id = 1,"
            " properties_version = properties_version + 1",
            (portal_id, object_type),
        )
        conn.executemany(
            "INSERT INTO property_definitions VALUES (?, ?, ?, ?, 0)",
            [(portal_id, object_type, d.name, _encode(d)) for d in definitions],
        )


class SQLiteStore:
    def __init__(self, path: str, migrate_to: int | None = None) -> None:
        self._writer = _Writer(path, migrate_to)
        self._reader = _Connection(path, "hubcrm-sqlite-reader")

    @classmethod
    async def open(cls, url: str, *, migrate: bool = True) -> SQLiteStore:
        """Open the database, applying pending migrations unless `migrate` is False (then only
        check that its schema is not newer than this hubcrm)."""
        store = cls(path_from_url(url), None if migrate else 0)
        try:
            await store._writer.start()
        except BaseException:
            await store.close()
            raise
        return store

    async def close(self) -> None:
        await self._writer.close()
        await self._reader.close()

    def shared_rate_counters(self) -> None:
        # Rate limits are counted per process: a write per request would serialise readers
        # behind the single SQLite writer.
        return None

    # Portals and tokens

    async def create_portal(
        self, portal_id: int, created_at: int, schemas: dict[str, list[PropertyDefinition]]
    ) -> bool:
        def create(conn: sqlite3.Connection) -> bool:
            inserted = conn.execute(
                "INSERT OR IGNORE INTO portals (portal_id, created_at) VALUES (?, ?)",
                (portal_id, created_at),
            ).rowcount
            if inserted:
                _seed_schemas(conn, portal_id, schemas)
            return bool(inserted)

        return await self._writer.run(create)

    async def portal_ids(self) -> list[int]:
        return await self._reader.run(
            lambda conn: [r[0] for r in conn.execute("SELECT portal_id FROM portals ORDER BY 1")]
        )

    async def add_token(
        self,
        portal_id: int,
        token_hash: str,
        scopes: frozenset[str],
        name: str | None,
        created_at: int,
        expires_at: int | None,
    ) -> Token:
        def add(conn: sqlite3.Connection) -> Token:
            row = conn.execute(
                "INSERT INTO tokens (portal_id, token_id, token_hash, scopes, name, created_at,"
                " expires_at) VALUES (?, (SELECT COALESCE(MAX(token_id), 0) + 1 FROM tokens"
                " WHERE portal_id = ?), ?, ?, ?, ?, ?) RETURNING token_id",
                (
                    portal_id,
                    portal_id,
                    token_hash,
                    " ".join(sorted(scopes)),
                    name,
                    created_at,
                    expires_at,
                ),
            ).fetchone()
            return Token(row[0], portal_id, scopes, name, created_at, expires_at, None, token_hash)

        return await self._writer.run(add)

    async def token_by_hash(self, token_hash: str) -> Token | None:
        def find(conn: sqlite3.Connection) -> Token | None:
            row = conn.execute(
                f"SELECT {_TOKEN_COLUMNS} FROM tokens WHERE token_hash = ?", (token_hash,)
            ).fetchone()
            return _token(row) if row else None

        return await self._reader.run(find)

    async def tokens(self, portal_id: int | None = None) -> list[Token]:
        def list_all(conn: sqlite3.Connection) -> list[Token]:
            rows = conn.execute(
                f"SELECT {_TOKEN_COLUMNS} FROM tokens WHERE ? IS NULL OR portal_id = ?"
                " ORDER BY portal_id, token_id",
                (portal_id, portal_id),
            )
            return [_token(row) for row in rows]

        return await self._reader.run(list_all)

    async def revoke_token(self, portal_id: int, token_id: int, revoked_at: int) -> bool:
        def revoke(conn: sqlite3.Connection) -> bool:
            return bool(
                conn.execute(
                    "UPDATE tokens SET revoked_at = ? WHERE portal_id = ? AND token_id = ?"
                    " AND revoked_at IS NULL",
                    (revoked_at, portal_id, token_id),
                ).rowcount
            )

        return await self._writer.run(revoke)

    # Property definitions

    async def properties_version(self, portal_id: int, object_type: str) -> int:
        def version(conn: sqlite3.Connection) -> int:
            row = conn.execute(
                "SELECT properties_version FROM object_schemas"
                " WHERE portal_id = ? AND object_type = ?",
                (portal_id, object_type),
            ).fetchone()
            return int(row[0]) if row else 0

        return await self._reader.run(version)

    async def property_definitions(
        self, portal_id: int, object_type: str, *, archived: bool = False
    ) -> list[PropertyDefinition]:
        def definitions(conn: sqlite3.Connection) -> list[PropertyDefinition]:
            rows = conn.execute(
                "SELECT definition FROM property_definitions"
                " WHERE portal_id = ? AND object_type = ? AND archived = ? ORDER BY name",
                (portal_id, object_type, int(archived)),
            )
            return [_decode_definition(row[0]) for row in rows]

        return await self._reader.run(definitions)

    async def add_property(
        self, portal_id: int, object_type: str, definition: PropertyDefinition
    ) -> None:
        def add(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO property_definitions VALUES (?, ?, ?, ?, 0)",
                (portal_id, object_type, definition.name, _encode(definition)),
            )
            _bump_properties_version(conn, portal_id, object_type)

        await self._writer.run(add)

    async def update_property(
        self,
        portal_id: int,
        object_type: str,
        definition: PropertyDefinition,
        *,
        archived: bool = False,
    ) -> None:
        def update(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE property_definitions SET definition = ?, archived = ?"
                " WHERE portal_id = ? AND object_type = ? AND name = ?",
                (_encode(definition), int(archived), portal_id, object_type, definition.name),
            )
            _bump_properties_version(conn, portal_id, object_type)

        await self._writer.run(update)

    # Records

    async def record(self, portal_id: int, object_type: str, record_id: int) -> Record | None:
        def find(conn: sqlite3.Connection) -> Record | None:
            row = conn.execute(
                f"SELECT {_RECORD_COLUMNS} FROM records"
                " WHERE portal_id = ? AND object_type = ? AND record_id = ?",
                (portal_id, object_type, record_id),
            ).fetchone()
            return _record(row) if row else None

        return await self._reader.run(find)

    async def record_by_unique(
        self, portal_id: int, object_type: str, namespace: str, value: str
    ) -> Record | None:
        def find(conn: sqlite3.Connection) -> Record | None:
            row = conn.execute(
                f"SELECT {_RECORD_COLUMNS} FROM records WHERE portal_id = ? AND object_type = ?"
                " AND record_id = (SELECT record_id FROM unique_values WHERE portal_id = ?"
                " AND object_type = ? AND namespace = ? AND value = ?)",
                (portal_id, object_type, portal_id, object_type, namespace, value),
            ).fetchone()
            return _record(row) if row else None

        return await self._reader.run(find)

    async def records(
        self, portal_id: int, object_type: str, record_ids: Iterable[int]
    ) -> dict[int, Record]:
        wanted = _encode(list(record_ids))
        return await self._reader.run(
            lambda conn: _records_by_id(conn, portal_id, object_type, wanted)
        )

    async def records_by_unique(
        self,
        portal_id: int,
        object_type: str,
        namespace: str,
        values: Iterable[str],
        *,
        archived: bool = False,
    ) -> dict[str, Record]:
        table = "archived_unique_values" if archived else "unique_values"
        wanted = _encode(list(values))

        def find(conn: sqlite3.Connection) -> dict[str, Record]:
            # Several archived records may have held a value: the newest (highest id) wins.
            rows = conn.execute(
                f"SELECT u.value, {_RECORD_COLUMNS_R} FROM {table} u CROSS JOIN records r"
                " ON r.portal_id = u.portal_id AND r.object_type = u.object_type"
                " AND r.record_id = u.record_id WHERE u.portal_id = ? AND u.object_type = ?"
                " AND u.namespace = ? AND u.value IN (SELECT value FROM json_each(?))"
                " AND r.archived = ?",
                (portal_id, object_type, namespace, wanted, int(archived)),
            )
            # CROSS JOIN keeps SQLite looking each value up first, and sorting here keeps it from
            # walking the portal's whole by-record index to save a sort: either way round, a
            # read by email would cost the size of the portal.
            ordered = sorted(rows, key=lambda row: int(row[1]))
            return {row[0]: _record(row[1:]) for row in ordered}

        return await self._reader.run(find)

    async def records_page(
        self, portal_id: int, object_type: str, *, after: int, limit: int, archived: bool
    ) -> list[Record]:
        def page(conn: sqlite3.Connection) -> list[Record]:
            rows = conn.execute(
                f"SELECT {_RECORD_COLUMNS} FROM records WHERE portal_id = ? AND object_type = ?"
                " AND archived = ? AND record_id >= ? ORDER BY record_id LIMIT ?",
                (portal_id, object_type, int(archived), after, limit),
            )
            return [_record(row) for row in rows]

        return await self._reader.run(page)

    async def search(self, portal_id: int, object_type: str, query: SearchQuery) -> SearchResult:
        return await self._reader.run(
            lambda conn: sqlite_search.run(conn, portal_id, object_type, query)
        )

    async def search_lagging(self) -> list[tuple[int, str]]:
        sql = "SELECT DISTINCT portal_id, object_type FROM search_pending"
        return await self._reader.run(lambda conn: [(row[0], row[1]) for row in conn.execute(sql)])

    async def search_lags(self, portal_id: int, object_type: str) -> bool:
        return await self._reader.run(
            lambda conn: (
                conn.execute(
                    "SELECT 1 FROM search_pending WHERE portal_id = ? AND object_type = ? LIMIT 1",
                    (portal_id, object_type),
                ).fetchone()
                is not None
            )
        )

    async def history(
        self, portal_id: int, object_type: str, record_id: int, properties: Iterable[str]
    ) -> dict[str, list[HistoryEntry]]:
        names = list(properties)

        def read(conn: sqlite3.Connection) -> dict[str, list[HistoryEntry]]:
            rows = conn.execute(
                "SELECT timestamp, source_type, source_id, changes FROM property_changes"
                " WHERE portal_id = ? AND object_type = ? AND record_id = ?"
                " ORDER BY timestamp DESC, rowid DESC",
                (portal_id, object_type, record_id),
            )
            return history.entries(rows, names)

        return await self._reader.run(read)

    # Test controls

    async def reset_portal(
        self, portal_id: int, schemas: dict[str, list[PropertyDefinition]]
    ) -> bool:
        def reset(conn: sqlite3.Connection) -> bool:
            if not conn.execute(
                "SELECT 1 FROM portals WHERE portal_id = ?", (portal_id,)
            ).fetchone():
                return False
            for table in _portal_state_tables(conn):
                conn.execute(f'DELETE FROM "{table}" WHERE portal_id = ?', (portal_id,))
            _seed_schemas(conn, portal_id, schemas)
            return True

        return await self._writer.run(reset)

    async def set_next_record_id(
        self, portal_id: int, object_type: str, next_id: int
    ) -> int | None:
        def set_next(conn: sqlite3.Connection) -> int | None:
            if not conn.execute(
                "SELECT 1 FROM object_schemas WHERE portal_id = ? AND object_type = ?",
                (portal_id, object_type),
            ).fetchone():
                return None
            (highest,) = conn.execute(
                "SELECT COALESCE(MAX(record_id), 0) FROM records"
                " WHERE portal_id = ? AND object_type = ?",
                (portal_id, object_type),
            ).fetchone()
            if next_id > highest:
                conn.execute(
                    "UPDATE object_schemas SET next_record_id = ?"
                    " WHERE portal_id = ? AND object_type = ?",
                    (next_id, portal_id, object_type),
                )
            return int(highest)

        return await self._writer.run(set_next)

    async def transact(
        self,
        portal_id: int,
        object_type: str,
        work: Callable[[WriteTransaction], Awaitable[T]],
    ) -> T:
        async def job(conn: sqlite3.Connection) -> T:
            return await work(_WriteTransaction(conn, portal_id, object_type))

        return await self._writer.transact(job)


class _WriteTransaction:
    """One job's reads and writes, run directly on the writer thread's connection."""

    def __init__(self, conn: sqlite3.Connection, portal_id: int, object_type: str) -> None:
        self._conn = conn
        self._key = (portal_id, object_type)

    async def holders(self, namespace: str, values: Iterable[str]) -> dict[str, int]:
        rows = self._conn.execute(
            "SELECT value, record_id FROM unique_values WHERE portal_id = ?"
            " AND object_type = ? AND namespace = ?"
            " AND value IN (SELECT value FROM json_each(?))",
            (*self._key, namespace, _encode(list(values))),
        )
        return dict(rows.fetchall())

    async def records(self, record_ids: Iterable[int]) -> dict[int, Record]:
        return _records_by_id(self._conn, *self._key, _encode(list(record_ids)))

    async def search_lag(self, limit: int) -> list[SearchLag]:
        # The writer's turn excludes every other transaction, catching up included.
        rows = self._conn.execute(
            f"SELECT p.record_id, p.indexed, {_RECORD_COLUMNS_R} FROM search_pending p"
            " LEFT JOIN records r ON r.portal_id = p.portal_id AND r.object_type = p.object_type"
            " AND r.record_id = p.record_id WHERE p.portal_id = ? AND p.object_type = ?"
            " ORDER BY p.record_id LIMIT ?",
            (*self._key, limit),
        )
        return [
            SearchLag(
                row[0],
                None if row[1] is None else _decode_properties(row[1]),
                None if row[2] is None else _record(row[2:]),
            )
            for row in rows
        ]

    async def save_search(self, changes: list[tuple[int, SearchChange]]) -> None:
        sqlite_search.save(self._conn, *self._key, changes)
        self._conn.execute(
            "DELETE FROM search_pending WHERE portal_id = ? AND object_type = ?"
            " AND record_id IN (SELECT value FROM json_each(?))",
            (*self._key, _encode([record_id for record_id, _ in changes])),
        )

    async def allocate_ids(self, count: int) -> list[int]:
        (end,) = self._conn.execute(
            "UPDATE object_schemas SET next_record_id = next_record_id + ?"
            " WHERE portal_id = ? AND object_type = ? RETURNING next_record_id",
            (count, *self._key),
        ).fetchone()
        return list(range(end - count, end))

    async def save(self, writes: list[RecordWrite]) -> None:
        portal_id, object_type = self._key
        conn = self._conn
        # Before the records change: search still knows each record as it is now.
        conn.executemany(
            "INSERT OR IGNORE INTO search_pending VALUES (?, ?, ?, (SELECT properties FROM records"
            " WHERE portal_id = ? AND object_type = ? AND record_id = ? AND archived = 0))",
            [(*self._key, w.record.record_id) * 2 for w in writes],
        )
        conn.executemany(
            "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (portal_id, object_type, record_id) DO UPDATE SET"
            " properties = excluded.properties, updated_at = excluded.updated_at,"
            " archived = excluded.archived, archived_at = excluded.archived_at",
            [
                (
                    portal_id,
                    object_type,
                    w.record.record_id,
                    _encode(w.record.properties),
                    w.record.created_at,
                    w.record.updated_at,
                    int(w.record.archived),
                    w.record.archived_at,
                )
                for w in writes
            ],
        )
        conn.executemany(
            "DELETE FROM unique_values WHERE portal_id = ? AND object_type = ?"
            " AND namespace = ? AND record_id = ?",
            [
                (portal_id, object_type, namespace, w.record.record_id)
                for w in writes
                if not w.is_new
                for namespace in w.unique_values
            ],
        )
        conn.executemany(
            "INSERT INTO unique_values VALUES (?, ?, ?, ?, ?)",
            [
                (portal_id, object_type, namespace, value, w.record.record_id)
                for w in writes
                for namespace, values in w.unique_values.items()
                for value in values
            ],
        )
        _archive_unique_values(conn, portal_id, object_type, writes)
        conn.executemany(
            "INSERT INTO property_changes VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(portal_id, object_type, *row) for row in history.rows(writes)],
        )
