"""A portal's owners: the users records are assigned to."""

from __future__ import annotations

from hubcrm.store.base import Owner
from hubcrm.store.postgres.connection import Pooled, translated
from hubcrm.store.rows import OWNER_COLUMNS, owner_row, owner_values


class Owners(Pooled):
    async def owners(self, portal_id: int) -> list[Owner]:
        rows = await self._fetch(
            f"SELECT {OWNER_COLUMNS} FROM owners WHERE portal_id = $1 ORDER BY owner_id",
            portal_id,
        )
        return [owner_row(row) for row in rows]

    async def add_owner(self, portal_id: int, owner: Owner) -> None:
        with translated():
            await self._pool.execute(
                "INSERT INTO owners VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                *owner_values(portal_id, owner),
            )

    async def update_owner(self, portal_id: int, owner: Owner) -> bool:
        values = owner_values(portal_id, owner)
        with translated():
            status = await self._pool.execute(
                "UPDATE owners SET user_id = $3, email = $4, first_name = $5, last_name = $6,"
                " owner_type = $7, teams = $8, created_at = $9, updated_at = $10,"
                " archived_at = $11 WHERE portal_id = $1 AND owner_id = $2",
                *values,
            )
        return bool(status != "UPDATE 0")
