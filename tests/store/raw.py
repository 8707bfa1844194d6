"""Statements run straight on a test database, outside hubcrm, to look at or prepare its rows."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from hubcrm.store.postgres import DIALECT as POSTGRES
from hubcrm.store.sqlite import DIALECT as SQLITE
from hubcrm.store.sqlite import path_from_url


def dialect(url: str) -> str:
    return SQLITE if url.startswith("sqlite:") else POSTGRES


def sql(url: str, statements: list[tuple[str, tuple[Any, ...]]]) -> list[Any]:
    """Run statements straight on the database, outside hubcrm; the last one's rows."""
    if url.startswith("sqlite:"):
        conn = sqlite3.connect(path_from_url(url))
        try:
            rows: list[Any] = []
            for statement, args in statements:
                rows = conn.execute(statement.replace("$", "?"), args).fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()

    async def run() -> list[Any]:
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            rows: list[Any] = []
            for statement, args in statements:
                rows = [tuple(r) for r in await conn.fetch(statement, *args)]
            return rows
        finally:
            await conn.close()

    return asyncio.run(run())


def numbered(statement: str) -> str:
    """`?` placeholders as $1, $2 ... (sql() turns them back for SQLite)."""
    parts = statement.split("?")
    return "".join(p + (f"${i}" if i < len(parts) else "") for i, p in enumerate(parts, 1))
