"""Apps, their installs, OAuth codes and refresh tokens, and webhook subscriptions."""

from __future__ import annotations

from typing import Any

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
from hubcrm.store.postgres.connection import Pooled, acquired, translated


class Apps(Pooled):
    async def _execute(self, query: str, *args: Any) -> str:
        with translated():
            async with acquired(self._pool) as conn:
                return str(await conn.execute(query, *args))

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
        with translated():
            async with acquired(self._pool) as conn, conn.transaction():
                row = await conn.fetchrow(
                    "INSERT INTO apps (developer_portal_id, name, client_id, client_secret,"
                    " developer_key_hash, scopes, redirect_uris, created_at)"
                    f" VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {APP_COLUMNS}",
                    developer_portal_id,
                    name,
                    client_id,
                    client_secret,
                    developer_key_hash,
                    scopes_text(scopes),
                    " ".join(redirect_uris),
                    created_at,
                )
                await conn.execute(
                    "INSERT INTO app_installs VALUES ($1, $2, $3)",
                    row[0],
                    developer_portal_id,
                    created_at,
                )
        return app_from_row(row)

    async def app(self, app_id: int) -> App | None:
        row = await self._fetchrow(f"SELECT {APP_COLUMNS} FROM apps WHERE app_id = $1", app_id)
        return app_from_row(row) if row else None

    async def app_by_client_id(self, client_id: str) -> App | None:
        row = await self._fetchrow(
            f"SELECT {APP_COLUMNS} FROM apps WHERE client_id = $1", client_id
        )
        return app_from_row(row) if row else None

    async def apps(self, developer_portal_id: int | None = None) -> list[App]:
        rows = await self._fetch(
            f"SELECT {APP_COLUMNS} FROM apps WHERE $1::bigint IS NULL OR developer_portal_id = $1"
            " ORDER BY app_id",
            developer_portal_id,
        )
        return [app_from_row(row) for row in rows]

    async def delete_app(self, app_id: int) -> bool:
        with translated():
            async with acquired(self._pool) as conn, conn.transaction():
                for table in APP_TABLES:
                    await conn.execute(f"DELETE FROM {table} WHERE app_id = $1", app_id)
                await conn.execute(
                    "DELETE FROM webhook_events WHERE app_id = $1 AND state = 'pending'", app_id
                )
                done = await conn.execute("DELETE FROM apps WHERE app_id = $1", app_id)
        return bool(done != "DELETE 0")

    async def install_app(self, app_id: int, hub_id: int, installed_at: int) -> None:
        await self._execute(
            "INSERT INTO app_installs VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            app_id,
            hub_id,
            installed_at,
        )

    async def set_webhook_settings(
        self, app_id: int, target_url: str | None, max_concurrent: int, at: int
    ) -> App | None:
        row = await self._fetchrow(
            "UPDATE apps SET target_url = $2, max_concurrent = $3,"
            " settings_created_at = CASE WHEN $2::text IS NULL THEN NULL"
            " ELSE COALESCE(settings_created_at, $4) END,"
            " settings_updated_at = CASE WHEN $2::text IS NULL THEN NULL ELSE $4 END"
            f" WHERE app_id = $1 RETURNING {APP_COLUMNS}",
            app_id,
            target_url,
            max_concurrent,
            at,
        )
        return app_from_row(row) if row else None

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
        await self._execute(
            "INSERT INTO oauth_codes VALUES ($1, $2, $3, $4, $5, $6, NULL)",
            code_hash,
            app_id,
            hub_id,
            redirect_uri,
            scopes_text(scopes),
            expires_at,
        )

    async def auth_code(self, code_hash: str) -> AuthCode | None:
        row = await self._fetchrow(
            "SELECT app_id, hub_id, redirect_uri, scopes, expires_at, used_at"
            " FROM oauth_codes WHERE code_hash = $1",
            code_hash,
        )
        return AuthCode(row[0], row[1], row[2], scopes_of(row[3]), row[4], row[5]) if row else None

    async def use_auth_code(self, code_hash: str, used_at: int) -> bool:
        done = await self._execute(
            "UPDATE oauth_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL",
            code_hash,
            used_at,
        )
        return done != "UPDATE 0"

    async def add_refresh_token(
        self, token_hash: str, app_id: int, hub_id: int, scopes: frozenset[str], created_at: int
    ) -> None:
        await self._execute(
            "INSERT INTO oauth_refresh_tokens VALUES ($1, $2, $3, $4, $5, NULL)",
            token_hash,
            app_id,
            hub_id,
            scopes_text(scopes),
            created_at,
        )

    async def refresh_token(self, token_hash: str) -> RefreshToken | None:
        row = await self._fetchrow(
            "SELECT app_id, hub_id, scopes, created_at, revoked_at FROM oauth_refresh_tokens"
            " WHERE token_hash = $1",
            token_hash,
        )
        return RefreshToken(row[0], row[1], scopes_of(row[2]), row[3], row[4]) if row else None

    async def revoke_refresh_token(self, token_hash: str, revoked_at: int) -> bool:
        done = await self._execute(
            "UPDATE oauth_refresh_tokens SET revoked_at = $2 WHERE token_hash = $1"
            " AND revoked_at IS NULL",
            token_hash,
            revoked_at,
        )
        return done != "UPDATE 0"

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
        with translated():
            async with acquired(self._pool) as conn, conn.transaction():
                # The portal row serialises token numbering across processes.
                await conn.execute(
                    "SELECT 1 FROM portals WHERE portal_id = $1 FOR UPDATE", portal_id
                )
                token_id = await conn.fetchval(
                    "INSERT INTO tokens (portal_id, token_id, token_hash, scopes, name, created_at,"
                    " expires_at, app_id) VALUES ($1, (SELECT COALESCE(MAX(token_id), 0) + 1"
                    " FROM tokens WHERE portal_id = $1), $2, $3, $4, $5, $6, $7)"
                    " RETURNING token_id",
                    portal_id,
                    token_hash,
                    scopes_text(scopes),
                    name,
                    created_at,
                    expires_at,
                    app_id,
                )
        return Token(
            token_id, portal_id, scopes, name, created_at, expires_at, None, token_hash, app_id
        )

    # Webhook subscriptions

    async def subscriptions(self, app_id: int) -> list[Subscription]:
        rows = await self._fetch(
            f"SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE app_id = $1"
            " ORDER BY subscription_id",
            app_id,
        )
        return [subscription_from_row(row) for row in rows]

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
        row = await self._fetchrow(
            "INSERT INTO webhook_subscriptions (app_id, event_type, action, object_type_id,"
            " property_name, active, created_at, updated_at)"
            f" VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {SUBSCRIPTION_COLUMNS}",
            app_id,
            event_type,
            action,
            object_type_id,
            property_name,
            active,
            at,
        )
        return subscription_from_row(row)

    async def set_subscriptions_active(
        self, app_id: int, active: dict[int, bool], at: int
    ) -> list[Subscription]:
        rows = await self._fetch(
            "UPDATE webhook_subscriptions s SET active = c.active, updated_at = $2"
            " FROM unnest($3::bigint[], $4::boolean[]) AS c (id, active)"
            " WHERE s.app_id = $1 AND s.subscription_id = c.id"
            f" RETURNING {', '.join('s.' + c.strip() for c in SUBSCRIPTION_COLUMNS.split(','))}",
            app_id,
            at,
            list(active),
            list(active.values()),
        )
        by_id = {row[0]: subscription_from_row(row) for row in rows}
        return [by_id[i] for i in active if i in by_id]

    async def delete_subscription(self, app_id: int, subscription_id: int) -> bool:
        done = await self._execute(
            "DELETE FROM webhook_subscriptions WHERE app_id = $1 AND subscription_id = $2",
            app_id,
            subscription_id,
        )
        return done != "DELETE 0"
