"""A portal's owners: the users records are assigned to."""

from __future__ import annotations

import sqlite3

from hubcrm.store.base import Owner
from hubcrm.store.rows import OWNER_COLUMNS, owner_row, owner_values
from hubcrm.store.sqlite.writer import Connections


class Owners(Connections):
    async def owners(self, portal_id: int) -> list[Owner]:
        def read(conn: sqlite3.Connection) -> list[Owner]:
            rows = conn.execute(
                f"SELECT {OWNER_COLUMNS} FROM owners WHERE portal_id = ? ORDER BY owner_id",
                (portal_id,),
            )
            return [owner_row(row) for row in rows]

        return await self._reader.run(read)

    async def add_owner(self, portal_id: int, owner: Owner) -> None:
        def add(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO owners VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                owner_values(portal_id, owner),
            )

        await self._writer.run(add)

    async def update_owner(self, portal_id: int, owner: Owner) -> bool:
        def update(conn: sqlite3.Connection) -> bool:
            values = owner_values(portal_id, owner)
            return bool(
                conn.execute(
                    "UPDATE owners SET user_id = ?3, email = ?4, first_name = ?5, last_name = ?6,"
                    " owner_type = ?7, teams = ?8, created_at = ?9, updated_at = ?10,"
                    " archived_at = ?11 WHERE portal_id = ?1 AND owner_id = ?2",
                    values,
                ).rowcount
            )

        return await self._writer.run(update)
