"""The writer: one connection on its own thread, committing jobs in groups, durably."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from hubcrm.store.base import Backpressure
from hubcrm.store.errors import CannotWrite, Overloaded, StoreError
from hubcrm.store.sqlite.connection import (
    CHECKPOINT_DELAY,
    Connection,
    cannot_open,
    connect,
    fault_of,
    translated,
)
from hubcrm.store.sqlite.migrate import migrate_connection

T = TypeVar("T")
log = logging.getLogger("hubcrm")


# The most jobs one commit acknowledges: bounds how long the first of them waits for the last.
MAX_GROUP = 32


@dataclass
class _Job:
    work: Callable[[sqlite3.Connection], Awaitable[Any]]
    done: Future[Any]
    result: Any = None
    deadline: float | None = None  # time.monotonic() past which it is refused unstarted

    def fail(self, error: BaseException) -> None:
        """Answer the job with `error`, unless it has its answer already."""
        if not self.done.done():
            self.done.set_exception(error)


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
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._main, name="hubcrm-sqlite-checkpointer")

    def start(self) -> None:
        self._thread.start()

    def wrote(self) -> None:
        """Note a commit: its pages are to be copied soon."""
        self._wrote.set()

    def close(self) -> None:
        self._stopping.set()
        self._wrote.set()
        if self._thread.is_alive():
            self._thread.join()

    def _main(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while self._wrote.wait() and not self._stopping.is_set():
                # Let a few commits gather; close() ends the wait at once.
                if self._stopping.wait(CHECKPOINT_DELAY):
                    return
                self._wrote.clear()
                if self._stopping.is_set():  # close() set both just before that clear
                    return
                try:
                    conn = conn or connect(self._path, create=False)
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error as error:
                    # Nothing is lost: the pages stay in the WAL, and the writer copies them.
                    if fault_of(error) is not None:  # a full disk, say: expected, no traceback
                        log.warning("checkpointing the SQLite database failed: %s", error)
                    else:
                        log.exception("checkpointing the SQLite database failed")
        finally:
            if conn is not None:
                conn.close()


class Writer:
    """The writer connection on its own thread and event loop, committing jobs in groups."""

    def __init__(
        self, path: str, migrate_to: int | None, backpressure: Backpressure | None = None
    ) -> None:
        self._path = path
        self._backpressure = backpressure or Backpressure()
        self._pending = 0  # jobs queued or running, counted on the callers' event loop
        self._migrate_to = migrate_to
        self._checkpointer = _Checkpointer(path)
        self._loop = asyncio.new_event_loop()
        self._queue: asyncio.Queue[_Job | None] | None = None
        self._started: Future[None] = Future()
        self._thread = threading.Thread(target=self._main, name="hubcrm-sqlite-writer")
        self.on_commit_group: Callable[[int], None] = lambda jobs: None  # for metrics

    def queued(self) -> int:
        """Jobs waiting for the writer (read from another thread: a moment's figure)."""
        queue = self._queue
        return queue.qsize() if queue is not None else 0

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
        limit, timeout = self._backpressure.queue_limit, self._backpressure.queue_timeout
        if limit and self._pending >= limit:
            raise Overloaded(f"{self._pending} writes already waiting for the SQLite writer")
        job = _Job(work, Future(), deadline=time.monotonic() + timeout if timeout else None)
        queue = self._queue
        assert queue is not None, "the writer is not running"
        self._pending += 1
        try:
            self._loop.call_soon_threadsafe(queue.put_nowait, job)
            result: T = await asyncio.wrap_future(job.done)
        finally:
            self._pending -= 1
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
            try:
                with translated():
                    conn = connect(self._path)
            except StoreError as error:
                raise cannot_open(self._path, error) from error
            try:
                with translated():
                    migrate_connection(conn, self._migrate_to)
            except BaseException:
                conn.close()
                raise
        except BaseException as error:
            self._started.set_exception(error)
            self._loop.close()
            return
        self._checkpointer.start()
        try:
            self._loop.run_until_complete(self._serve(conn, _FileWatch(self._path)))
        finally:
            conn.close()
            self._loop.close()

    async def _serve(self, conn: sqlite3.Connection, watch: _FileWatch) -> None:
        queue: asyncio.Queue[_Job | None] = asyncio.Queue()
        self._queue = queue
        self._started.set_result(None)
        turns = _TurnLock(self._path)
        running = True
        try:
            while running and (job := await queue.get()) is not None:
                with turns:
                    running = await _run_group(conn, queue, job, watch, self.on_commit_group)
                self._checkpointer.wrote()
        finally:
            turns.close()


class _FileWatch:
    """The database file this writer opened. SQLite goes on writing to a file removed (or
    replaced) under it, in WAL mode without a word, and those writes would vanish at the next
    start: every transaction checks first, and again before it commits, that the file at the
    path is still the one open."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._identity = self._stat()

    def _stat(self) -> tuple[int, int] | None:
        try:
            found = os.stat(self._path)
        except OSError:
            return None
        return found.st_dev, found.st_ino

    def check(self) -> None:
        if self._stat() != self._identity:
            raise CannotWrite(
                f"the database file {self._path} was removed or replaced under the running"
                " server: restore it and restart hubcrm"
            )


async def _run_group(
    conn: sqlite3.Connection,
    queue: asyncio.Queue[_Job | None],
    job: _Job,
    watch: _FileWatch,
    observe: Callable[[int], None],
) -> bool:
    """Run `job` and those waiting behind it in one transaction; False once told to stop.

    Whatever fails (a full disk, a file gone read-only), every job taken from the queue gets an
    answer, none of a failed transaction is acknowledged, and the writer goes on with the next."""
    taken = [job]
    try:
        return await _run_taken(conn, queue, taken, watch, observe)
    except BaseException as error:
        cause = error.cause if isinstance(error, _Broken) else error
        lost: BaseException = cause if isinstance(cause, StoreError) else StoreError(str(cause))
        if isinstance(cause, sqlite3.Error):
            lost = fault_of(cause) or lost
        if not isinstance(lost, CannotWrite):
            lost = CannotWrite(f"the write transaction was rolled back: {cause}")
        log.warning("the SQLite writer's transaction failed: %s", cause)
        _roll_back(conn)
        for each in taken:
            each.fail(lost)
        if not isinstance(error, Exception):
            raise
        return True


async def _run_taken(
    conn: sqlite3.Connection,
    queue: asyncio.Queue[_Job | None],
    taken: list[_Job],
    watch: _FileWatch,
    observe: Callable[[int], None],
) -> bool:
    job = taken[0]
    try:
        watch.check()
        with translated():
            conn.execute("BEGIN IMMEDIATE")
    except StoreError as error:  # another program held the database too long; a full disk
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
        taken.append(job)
    _commit(conn, group, watch)
    observe(len(group))
    return running


def _roll_back(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error as error:
            log.warning("rolling back the SQLite writer's transaction failed: %s", error)


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


class _Broken(Exception):
    """The group's transaction cannot go on (SQLite rolled it back, or a savepoint could not be
    undone): nothing of it may be committed."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


async def _attempt(conn: sqlite3.Connection, job: _Job) -> bool:
    """Run one job in its own savepoint; on failure undo just its writes and answer it.

    A job whose caller was cancelled before it started is dropped, and one that waited past its
    deadline is refused unstarted; once started it can no longer be cancelled, and runs to its
    answer (which nobody may be waiting for). Raises _Broken when the failure took the whole
    transaction with it."""
    if not job.done.set_running_or_notify_cancel():
        return False
    if job.deadline is not None and time.monotonic() > job.deadline:
        job.done.set_exception(Overloaded("waited too long for the SQLite writer"))
        return False
    try:
        with translated():
            conn.execute("SAVEPOINT job")
            job.result = await job.work(conn)
            conn.execute("RELEASE job")
        return True
    except BaseException as error:
        job.done.set_exception(error)
        if not conn.in_transaction:  # SQLite rolled back the whole transaction (full disk, I/O)
            raise _Broken(error) from error
        try:
            conn.execute("ROLLBACK TO job")
            conn.execute("RELEASE job")
        except sqlite3.Error as undo:
            raise _Broken(undo) from undo
        return False


def _commit(conn: sqlite3.Connection, group: list[_Job], watch: _FileWatch) -> None:
    """Commit; only a durable commit answers the group's jobs with their results."""
    try:
        watch.check()
        with translated():
            conn.execute("COMMIT")
    except StoreError as error:
        _roll_back(conn)
        for job in group:
            job.fail(error)
        return
    for job in group:
        job.done.set_result(job.result)


class Connections:
    """What each part of the SQLite store reaches the file through."""

    _reader: Connection
    _writer: Writer
