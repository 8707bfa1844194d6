"""The databases the suite runs against: a fresh SQLite file, or a fresh PostgreSQL database.

Each PostgreSQL test gets its own database, copied from a template that is migrated once per
schema (the template's name carries a hash of the migrations), which takes milliseconds instead
of running every migration per test. The server is HUBCRM_TEST_POSTGRES_URL, by default the local
one at 127.0.0.1:5432 as user postgres. Without a reachable server the PostgreSQL half of the
suite is skipped, unless HUBCRM_TEST_REQUIRE_POSTGRES=1 (as in CI), which makes that a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import os
import shutil
import sqlite3
import tempfile
import threading
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

import hubcrm
from hubcrm.domain import portals
from hubcrm.domain.clock import FrozenClock
from hubcrm.store import migrations, open_store

BACKENDS = ("sqlite", "postgres")
DATA = Path(hubcrm.__file__).parent / "data"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
_TEMPLATE_LOCK = 0x687562_746D70  # advisory lock key while a template is built


def postgres_server_url() -> str:
    return os.environ.get("HUBCRM_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def postgres_required() -> bool:
    return os.environ.get("HUBCRM_TEST_REQUIRE_POSTGRES", "") not in ("", "0")


def with_database(url: str, name: str) -> str:
    """The same server URL, naming another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


async def _admin(sql: str, *args: object) -> None:
    import asyncpg

    conn = await asyncpg.connect(postgres_server_url(), timeout=15)
    try:
        await conn.execute(sql, *args)
    finally:
        await conn.close()


@functools.cache
def postgres_unavailable() -> str | None:
    """Why PostgreSQL cannot be used (None when it can)."""
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        return "asyncpg is not installed (pip install -e '.[test]')"
    try:
        asyncio.run(_admin("SELECT 1"))
    except Exception as error:
        return f"no PostgreSQL at {postgres_server_url()} ({error}); set HUBCRM_TEST_POSTGRES_URL"
    return None


def require_postgres() -> None:
    """Skip the calling test without PostgreSQL, or fail it where PostgreSQL is required."""
    reason = postgres_unavailable()
    if reason is None:
        return
    if postgres_required():
        pytest.fail(f"HUBCRM_TEST_REQUIRE_POSTGRES is set but {reason}")
    pytest.skip(f"PostgreSQL half skipped: {reason}")


def _schema_hash() -> str:
    """The migrations, and the default definitions a template stores (hubcrm/data)."""
    digest = hashlib.sha256("".join(m.sql for m in migrations.available("postgresql")).encode())
    for data in sorted(DATA.glob("*.json")):
        digest.update(data.read_bytes())
    return digest.hexdigest()[:12]


async def _build_template(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(postgres_server_url(), timeout=30)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _TEMPLATE_LOCK)
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if exists:
                return
            building = f"{name}_building"
            await conn.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{building}"')
            await _store_seeds(with_database(postgres_server_url(), building))
            seeded = await asyncpg.connect(with_database(postgres_server_url(), building))
            try:
                await _empty(seeded)
            finally:
                await seeded.close()
            for attempt in range(100):  # the store's sessions end a moment after it closes
                try:
                    await conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
                    break
                except asyncpg.ObjectInUseError:
                    if attempt == 99:
                        raise
                    await asyncio.sleep(0.05)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _TEMPLATE_LOCK)
    finally:
        await conn.close()


async def _store_seeds(url: str) -> None:
    """Migrate the database at `url` and store the default property definitions every portal
    shares (`seed_definitions`), as a database's first portal would; the portal is then removed
    by the caller. Tests then start from what a database looks like after its first portal."""
    store = await open_store(url)
    try:
        await portals.create_portal(store, FrozenClock(0), 1)
    finally:
        await store.close()


@functools.cache
def _template() -> str:
    name = f"hubcrm_test_template_{_schema_hash()}"
    asyncio.run(_build_template(name))
    return name


# Databases this process made from the template, used by a test and handed back clean: a
# finished test's database is emptied (DELETE) in the background and renamed, which costs a
# fraction of creating and dropping one, and is given to a later test. A database whose schema or
# migration records a test changed is dropped instead, never reused.
_clean: list[str] = []
# A test seldom waits for the one before it to be reset: a process keeps up to this many being
# reset before it waits for one rather than make another (CREATE DATABASE costs more than a reset).
SPARE_DATABASES = 2
_resetting: list[Future[str | None]] = []
_resetter: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_fresh_fingerprint: str | None = None

# Everything about a database that a test may change and emptying its tables would not put
# back: its relations and their columns, functions, triggers, types, and the rows of tables a
# fresh database already holds (the migrations applied, the stored default definitions).
_FINGERPRINT = """
SELECT md5(string_agg(item, E'\\n' ORDER BY item)) FROM (
    SELECT 'relation ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text || ' '
        || coalesce((SELECT string_agg(a.attname || ':' || a.atttypid::regtype::text || ':'
                                       || a.attnotnull::text, ',' ORDER BY a.attnum)
                     FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
                       AND NOT a.attisdropped), '') AS item
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'
    UNION ALL
    SELECT 'function ' || p.oid::regprocedure::text || ' ' || md5(p.prosrc)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION ALL
    SELECT 'trigger ' || t.tgrelid::regclass::text || '.' || t.tgname
    FROM pg_trigger t WHERE NOT t.tgisinternal
    UNION ALL
    SELECT 'type ' || t.oid::regtype::text
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND t.typrelid = 0 AND t.typelem = 0
    UNION ALL
    SELECT 'namespace ' || nspname FROM pg_namespace
    WHERE nspname NOT LIKE 'pg_temp%' AND nspname NOT LIKE 'pg_toast_temp%'
    UNION ALL
    SELECT 'migrations ' || coalesce((SELECT string_agg(m::text, ',' ORDER BY m::text)
                                      FROM schema_migrations m), '')
    UNION ALL
    SELECT 'seeds ' || (SELECT count(*) FROM seed_definitions)::text
) items
"""


async def _fingerprint(conn: Any) -> str:
    fingerprint: str = await conn.fetchval(_FINGERPRINT)
    return fingerprint


async def _create_from_template(template: str) -> str:
    global _fresh_fingerprint
    import asyncpg

    name = f"hubcrm_test_{uuid.uuid4().hex[:16]}"
    for attempt in range(20):
        try:
            await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            break
        except asyncpg.ObjectInUseError:  # autovacuum was in the template: it soon goes
            if attempt == 19:
                raise
            await asyncio.sleep(0.25)
    if _fresh_fingerprint is None:
        try:
            conn = await asyncpg.connect(with_database(postgres_server_url(), name), timeout=30)
            try:
                _fresh_fingerprint = await _fingerprint(conn)
            finally:
                await conn.close()
        except BaseException:
            await _drop(name)
            raise
    return name


async def _drop(name: str) -> None:
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _reset(name: str) -> str | None:
    """`name` emptied as a fresh copy of the template, under a new name (so that anything still
    holding the old URL cannot reach it); None, with the database dropped, if it cannot be."""
    import asyncpg

    renamed = f"hubcrm_test_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(postgres_server_url(), timeout=30)
    try:
        for _ in range(100):  # terminated sessions take a moment to go
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
            try:
                await admin.execute(f'ALTER DATABASE "{name}" RENAME TO "{renamed}"')
                break
            except asyncpg.ObjectInUseError:
                await asyncio.sleep(0.05)
        else:
            await _drop(name)
            return None
    finally:
        await admin.close()
    conn = await asyncpg.connect(with_database(postgres_server_url(), renamed), timeout=30)
    try:
        clean = await _fingerprint(conn) == _fresh_fingerprint
        if clean:
            await _empty(conn)
            global _resets
            _resets += 1
            if _resets % VACUUM_EVERY == 0:  # deleted rows leave dead tuples, and indexes grow
                await conn.execute("VACUUM")
    finally:
        await conn.close()
    if not clean:
        await _drop(renamed)
        return None
    return renamed


# The server may run without autovacuum (this machine's does): every so many resets, a database
# is vacuumed as it is emptied.
VACUUM_EVERY = 25
_resets = 0

# What a fresh database holds rows of, and keeps: the migrations applied, and the default
# property definitions (keyed by their content, so what a later portal stores is the same).
_KEPT = ("schema_migrations", "seed_definitions")


async def _empty(conn: Any) -> None:
    """Delete every row a test may have written, and restart the sequences. DELETE, with
    foreign keys unchecked, costs a few milliseconds where TRUNCATE (new files for every table
    and index) cost over 100 of the server's CPU."""
    await conn.execute("SET lock_timeout = '10s'")
    tables = await conn.fetch(
        "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
        " WHERE schemaname = 'public' AND tablename <> ALL($1::text[])",
        list(_KEPT),
    )
    sequences = await conn.fetch(
        "SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences"
        " WHERE schemaname = 'public'"
    )
    script = ["BEGIN", "SET LOCAL session_replication_role = replica"]
    script += [f"DELETE FROM {row[0]}" for row in tables]
    script += [f"ALTER SEQUENCE {row[0]} RESTART" for row in sequences]
    await conn.execute(";\n".join([*script, "COMMIT"]))


def _reset_or_drop(name: str) -> str | None:
    try:
        return asyncio.run(_reset(name))
    except Exception:
        with contextlib.suppress(Exception):
            asyncio.run(_drop(name))
        return None


def _take_clean() -> str | None:
    """A clean database of this process; None (make a new one) while fewer than
    SPARE_DATABASES are being reset, else it waits for the first of them."""
    while True:
        with _pool_lock:
            for future in [f for f in _resetting if f.done()]:
                _resetting.remove(future)
                if (name := future.result()) is not None:
                    _clean.append(name)
            if _clean:
                return _clean.pop()
            pending = list(_resetting)
        if len(pending) < SPARE_DATABASES:
            return None
        wait(pending, return_when=FIRST_COMPLETED)


def _hand_back(name: str) -> None:
    global _resetter
    with _pool_lock:
        if _resetter is None:
            _resetter = ThreadPoolExecutor(1, thread_name_prefix="hubcrm-test-db-reset")
        _resetting.append(_resetter.submit(_reset_or_drop, name))


def close_databases() -> None:
    """Drop this process's reusable databases (at the end of the session)."""
    global _resetter
    with _pool_lock:
        pending, resetter = list(_resetting), _resetter
        _resetting.clear()
        _resetter = None
    if resetter is not None:
        resetter.shutdown(wait=True)
    names = [name for future in pending if (name := future.result()) is not None]
    with _pool_lock:
        names += _clean
        _clean.clear()
    for name in names:
        asyncio.run(_drop(name))
    for folder in _folders:
        shutil.rmtree(folder, ignore_errors=True)
    _folders.clear()


@contextmanager
def fresh_postgres(*, migrated: bool = True) -> Iterator[str]:
    """A new, empty PostgreSQL database (migrated to the latest schema unless told otherwise)."""
    require_postgres()
    if not migrated:
        name = f"hubcrm_test_{uuid.uuid4().hex[:16]}"
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
        try:
            yield with_database(postgres_server_url(), name)
        finally:
            asyncio.run(_drop(name))
        return
    name = _take_clean() or asyncio.run(_create_from_template(_template()))
    try:
        yield with_database(postgres_server_url(), name)
    finally:
        _hand_back(name)


def _run_apart(work: Coroutine[Any, Any, None]) -> None:
    """Run `work` to completion on an event loop of its own thread (a caller may be on one)."""
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, work).result()


@functools.cache
def _sqlite_template() -> Path:
    """A migrated SQLite file holding the stored default definitions, made once per process
    (in a folder removed at the end of the session) and copied for each test."""
    folder = Path(tempfile.mkdtemp(prefix="hubcrm-test-template-"))
    _folders.append(folder)
    path = folder / "template.db"
    _run_apart(_store_seeds(f"sqlite:///{path}"))
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        tables = [
            row[0]
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if row[0] not in _KEPT and not row[0].startswith("sqlite_stat")
        ]
        conn.executescript(
            "BEGIN;" + "".join(f'DELETE FROM "{table}";' for table in tables) + "COMMIT;"
        )
    finally:
        conn.close()  # the last connection to close moves the WAL into the file
    return path


_folders: list[Path] = []


def fresh_sqlite(folder: Path, *, migrated: bool = True) -> str:
    """A new SQLite file's URL: a copy of the template, or no file yet if not `migrated`."""
    path = folder / f"hubcrm-{uuid.uuid4().hex[:8]}.db"
    if migrated:
        shutil.copyfile(_sqlite_template(), path)
    return f"sqlite:///{path}"


@contextmanager
def fresh_database(backend: str, folder: Path, *, migrated: bool = True) -> Iterator[str]:
    """A new database of this backend, as a URL; dropped afterwards."""
    if backend == "postgres":
        with fresh_postgres(migrated=migrated) as url:
            yield url
    else:
        yield fresh_sqlite(folder, migrated=migrated)
