"""Apps, their installs, OAuth codes and refresh tokens, and webhook subscriptions."""

from __future__ import annotations

import sqlite3

from hubcrm.store.app_rows import (
    APP_COLUMNS,
    APP_TABLES,
    SUBSCRIPTION_COLUMNS,
    app_from_row,
    scopes_of,
    scopes_text,
    subscription_from_row,
)
from hubcrm.store.base import App, AuthCode, RefreshToken, Subscription, Token
from hubcrm.store.sqlite.writer import Connections


class Apps(Connections):
    async def create_app(
        self,
        developer_portal_id: int,
        name: str,
        client_id: str,
        client_secret: str,
        developer_key_hash: str,
        scopes: frozenset[str],
        redirect_uris: tuple[str, ...],
        created_at: int,
    ) -> App:
        def create(conn: sqlite3.Connection) -> App:
            row = conn.execute(
                "INSERT INTO apps (developer_portal_id, name, client_id, client_secret,"
                " developer_key_hash, scopes, redirect_uris, created_at)"
                f" VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING {APP_COLUMNS}",
                (
                    developer_portal_id,
                    name,
                    client_id,
                    client_secret,
                    developer_key_hash,
                    scopes_text(scopes),
                    " ".join(redirect_uris),
                    created_at,
                ),
            ).fetchone()
            conn.execute(
                "INSERT INTO app_installs VALUES (?, ?, ?)",
                (row[0], developer_portal_id, created_at),
            )
            return app_from_row(row)

        return await self._writer.run(create)

    async def _one_app(self, where: str, value: object) -> App | None:
        def find(conn: sqlite3.Connection) -> App | None:
            row = conn.execute(f"SELECT {APP_COLUMNS} FROM apps WHERE {where} = ?", (value,))
            found = row.fetchone()
            return app_from_row(found) if found else None

        return await self._reader.run(find)

    async def app(self, app_id: int) -> App | None:
        return await self._one_app("app_id", app_id)

    async def app_by_client_id(self, client_id: str) -> App | None:
        return await self._one_app("client_id", client_id)

    async def apps(self, developer_portal_id: int | None = None) -> list[App]:
        def list_all(conn: sqlite3.Connection) -> list[App]:
            rows = conn.execute(
                f"SELECT {APP_COLUMNS} FROM apps WHERE ? IS NULL OR developer_portal_id = ?"
                " ORDER BY app_id",
                (developer_portal_id, developer_portal_id),
            )
            return [app_from_row(row) for row in rows]

        return await self._reader.run(list_all)

    async def delete_app(self, app_id: int) -> bool:
        def delete(conn: sqlite3.Connection) -> bool:
            for table in APP_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE app_id = ?", (app_id,))
            conn.execute(
                "DELETE FROM webhook_events WHERE app_id = ? AND state = 'pending'", (app_id,)
            )
            return bool(conn.execute("DELETE FROM apps WHERE app_id = ?", (app_id,)).rowcount)

        return await self._writer.run(delete)

    async def install_app(self, app_id: int, hub_id: int, installed_at: int) -> None:
        await self._writer.run(
            lambda conn: conn.execute(
                "INSERT OR IGNORE INTO app_installs VALUES (?, ?, ?)",
                (app_id, hub_id, installed_at),
            )
        )

    async def set_webhook_settings(
        self, app_id: int, target_url: str | None, max_concurrent: int, at: int
    ) -> App | None:
        def update(conn: sqlite3.Connection) -> App | None:
            row = conn.execute(
                "UPDATE apps SET target_url = ?, max_concurrent = ?,"
                " settings_created_at = CASE WHEN ? IS NULL THEN NULL"
                " ELSE COALESCE(settings_created_at, ?) END,"
                " settings_updated_at = CASE WHEN ? IS NULL THEN NULL ELSE ? END"
                f" WHERE app_id = ? RETURNING {APP_COLUMNS}",
                (target_url, max_concurrent, target_url, at, target_url, at, app_id),
            ).fetchone()
            return app_from_row(row) if row else None

        return await self._writer.run(update)

    # OAuth

    async def add_auth_code(
        self,
        code_hash: str,
        app_id: int,
        hub_id: int,
        redirect_uri: str,
        scopes: frozenset[str],
        expires_at: int,
    ) -> None:
        await self._writer.run(
            lambda conn: conn.execute(
                "INSERT INTO oauth_codes VALUES (?, ?, ?, ?, ?, ?, NULL)",
                (code_hash, app_id, hub_id, redirect_uri, scopes_text(scopes), expires_at),
            )
        )

    async def auth_code(self, code_hash: str) -> AuthCode | None:
        def find(conn: sqlite3.Connection) -> AuthCode | None:
            row = conn.execute(
                "SELECT app_id, hub_id, redirect_uri, scopes, expires_at, used_at"
                " FROM oauth_codes WHERE code_hash = ?",
                (code_hash,),
            ).fetchone()
            return (
                AuthCode(row[0], row[1], row[2], scopes_of(row[3]), row[4], row[5]) if row else None
            )

        return await self._reader.run(find)

    async def use_auth_code(self, code_hash: str, used_at: int) -> bool:
        def use(conn: sqlite3.Connection) -> bool:
            return bool(
                conn.execute(
                    "UPDATE oauth_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL",
                    (used_at, code_hash),
                ).rowcount
            )

        return await self._writer.run(use)

    async def add_refresh_token(
        self, token_hash: str, app_id: int, hub_id: int, scopes: frozenset[str], created_at: int
    ) -> None:
        await self._writer.run(
            lambda conn: conn.execute(
                "INSERT INTO oauth_refresh_tokens VALUES (?, ?, ?, ?, ?, NULL)",
                (token_hash, app_id, hub_id, scopes_text(scopes), created_at),
            )
        )

    async def refresh_token(self, token_hash: str) -> RefreshToken | None:
        def find(conn: sqlite3.Connection) -> RefreshToken | None:
            row = conn.execute(
                "SELECT app_id, hub_id, scopes, created_at, revoked_at FROM oauth_refresh_tokens"
                " WHERE token_hash = ?",
                (token_hash,),
            ).fetchone()
            return RefreshToken(row[0], row[1], scopes_of(row[2]), row[3], row[4]) if row else None

        return await self._reader.run(find)

    async def revoke_refresh_token(self, token_hash: str, revoked_at: int) -> bool:
        def revoke(conn: sqlite3.Connection) -> bool:
            return bool(
                conn.execute(
                    "UPDATE oauth_refresh_tokens SET revoked_at = ? WHERE token_hash = ?"
                    " AND revoked_at IS NULL",
                    (revoked_at, token_hash),
                ).rowcount
            )

        return await self._writer.run(revoke)

    async def add_app_token(
        self,
        portal_id: int,
        token_hash: str,
        scopes: frozenset[str],
        app_id: int,
        created_at: int,
        expires_at: int,
    ) -> Token:
        name = f"oauth app {app_id}"
        times = (created_at, expires_at)

        def add(conn: sqlite3.Connection) -> Token:
            (token_id,) = conn.execute(
                "INSERT INTO tokens (portal_id, token_id, token_hash, scopes, name, created_at,"
                " expires_at, app_id) VALUES (?, (SELECT COALESCE(MAX(token_id), 0) + 1"
                " FROM tokens WHERE portal_id = ?), ?, ?, ?, ?, ?, ?) RETURNING token_id",
                (portal_id, portal_id, token_hash, scopes_text(scopes), name, *times, app_id),
            ).fetchone()
            return Token(
                token_id, portal_id, scopes, name, created_at, expires_at, None, token_hash, app_id
            )

        return await self._writer.run(add)

    # Webhook subscriptions

    async def subscriptions(self, app_id: int) -> list[Subscription]:
        def list_all(conn: sqlite3.Connection) -> list[Subscription]:
            rows = conn.execute(
                f"SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE app_id = ?"
                " ORDER BY subscription_id",
                (app_id,),
            )
            return [subscription_from_row(row) for row in rows]

        return await self._reader.run(list_all)

    async def add_subscription(
        self,
        app_id: int,
        event_type: str,
        action: str,
        object_type_id: str,
        property_name: str,
        active: bool,
        at: int,
    ) -> Subscription:
        def add(conn: sqlite3.Connection) -> Subscription:
            row = conn.execute(
                "INSERT INTO webhook_subscriptions (app_id, event_type, action, object_type_id,"
                " property_name, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                f" RETURNING {SUBSCRIPTION_COLUMNS}",
                (app_id, event_type, action, object_type_id, property_name, int(active), at, at),
            ).fetchone()
            return subscription_from_row(row)

        return await self._writer.run(add)

    async def set_subscriptions_active(
        self, app_id: int, active: dict[int, bool], at: int
    ) -> list[Subscription]:
        def update(conn: sqlite3.Connection) -> list[Subscription]:
            changed = []
            for subscription_id, value in active.items():
                row = conn.execute(
                    "UPDATE webhook_subscriptions SET active = ?, updated_at = ?"
                    " WHERE app_id = ? AND subscription_id = ?"
                    f" RETURNING {SUBSCRIPTION_COLUMNS}",
                    (int(value), at, app_id, subscription_id),
                ).fetchone()
                if row:
                    changed.append(subscription_from_row(row))
            return changed

        return await self._writer.run(update)

    async def delete_subscription(self, app_id: int, subscription_id: int) -> bool:
        def delete(conn: sqlite3.Connection) -> bool:
            return bool(
                conn.execute(
                    "DELETE FROM webhook_subscriptions WHERE app_id = ? AND subscription_id = ?",
                    (app_id, subscription_id),
                ).rowcount
            )

        return await self._writer.run(delete)
