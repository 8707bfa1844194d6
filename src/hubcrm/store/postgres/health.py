"""Readiness and the figures of the PostgreSQL store that metrics report."""

from __future__ import annotations

from collections.abc import Callable

from hubcrm.store import migrations
from hubcrm.store.postgres.connection import Pooled
from hubcrm.store.postgres.migrate import DIALECT


class Health(Pooled):
    async def schema_current(self) -> bool:
        rows = await self._fetch(f"SELECT version FROM {migrations.TABLE}")
        known = {m.version for m in migrations.available(DIALECT)}
        return {row[0] for row in rows} == known

    def gauges(self) -> dict[str, float]:
        size, idle = self._pool.get_size(), self._pool.get_idle_size()
        return {
            "postgres_pool_idle": idle,
            "postgres_pool_in_use": size - idle,
            "postgres_pool_max": self._pool.get_max_size(),
        }

    def observe_commit_groups(self, observer: Callable[[int], None]) -> None:
        pass  # every transaction commits on its own
