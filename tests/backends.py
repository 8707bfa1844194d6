"""The databases the suite runs against: a fresh SQLite file, or a fresh PostgreSQL database.

Each PostgreSQL test gets its own database, copied from a template that is migrated once per
schema (the template's name carries a hash of the migrations), which takes milliseconds instead
of running every migration per test. The server is HUBCRM_TEST_POSTGRES_URL, by default the local
one at 127.0.0.1:5432 as user postgres. Without a reachable server the PostgreSQL half of the
suite is skipped, unless HUBCRM_TEST_REQUIRE_POSTGRES=1 (as in CI), which makes that a failure.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from hubcrm.store import migrations, open_store

BACKENDS = ("sqlite", "postgres")
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

    conn = await asyncpg.connect(postgres_server_url(), timeout=5)
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
    text = "".join(m.sql for m in migrations.available("postgresql"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


async def _build_template(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(postgres_server_url(), timeout=5)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", _TEMPLATE_LOCK)
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if exists:
                return
            building = f"{name}_building"
            await conn.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{building}"')
            store = await open_store(with_database(postgres_server_url(), building))
            await store.close()
            await conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _TEMPLATE_LOCK)
    finally:
        await conn.close()


@functools.cache
def _template() -> str:
    name = f"hubcrm_test_template_{_schema_hash()}"
    asyncio.run(_build_template(name))
    return name


@contextmanager
def fresh_postgres(*, migrated: bool = True) -> Iterator[str]:
    """A new, empty PostgreSQL database (migrated to the latest schema unless told otherwise)."""
    require_postgres()
    name = f"hubcrm_test_{uuid.uuid4().hex[:16]}"
    template = f' TEMPLATE "{_template()}"' if migrated else ""
    asyncio.run(_admin(f'CREATE DATABASE "{name}"{template}'))
    try:
        yield with_database(postgres_server_url(), name)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def fresh_database(backend: str, folder: Path, *, migrated: bool = True) -> Iterator[str]:
    """A new database of this backend, as a URL; dropped afterwards."""
    if backend == "postgres":
        with fresh_postgres(migrated=migrated) as url:
            yield url
    else:
        yield f"sqlite:///{folder / f'hubcrm-{uuid.uuid4().hex[:8]}.db'}"
