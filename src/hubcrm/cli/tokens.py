"""`hubcrm token create | list | revoke` and `hubcrm migrate`: operator commands on the database."""

from __future__ import annotations

import argparse
import asyncio
import sys

from hubcrm.domain import auth, portals
from hubcrm.domain.clock import SystemClock, format_ms
from hubcrm.runtime.settings import Settings
from hubcrm.store import migrate as store_migrate
from hubcrm.store import open_store
from hubcrm.store.base import Store, Token


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = commands.add_parser("token", help="Manage access tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    create = token_commands.add_parser("create", help="Create a token and print it")
    create.add_argument("--portal", type=int, help="Portal id (created if it does not exist)")
    create.add_argument(
        "--scopes",
        help="Comma-separated scopes (default: " + ",".join(sorted(auth.DEFAULT_SCOPES)) + ")",
    )
    create.add_argument("--name", help="A label for the token")
    create.add_argument(
        "--expires-in", type=int, metavar="SECONDS", help="Expire the token after this long"
    )
    listing = token_commands.add_parser("list", help="List tokens (never their secrets)")
    listing.add_argument("--portal", type=int, help="Only this portal's tokens")
    revoke = token_commands.add_parser("revoke", help="Revoke a token, by its secret or its id")
    revoke.add_argument("token", metavar="TOKEN_OR_ID")
    revoke.add_argument("--portal", type=int, help="The portal of the token id")
    migrate = commands.add_parser(
        "migrate", help="Create or upgrade the database schema to this hubcrm's version"
    )
    for command in (create, listing, revoke, migrate):
        command.add_argument("--database", help="Database URL (env HUBCRM_DATABASE_URL)")
        command.add_argument("--debug", action="store_true", help="Show tracebacks of errors")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "migrate":
        return asyncio.run(migrate(settings))
    if args.token_command == "create":
        scopes = scopes_of(args)
        return asyncio.run(token_create(settings, args.portal, scopes, args.name, args.expires_in))
    if args.token_command == "list":
        return asyncio.run(token_list(settings, args.portal))
    return asyncio.run(token_revoke(settings, args.token, args.portal))


def scopes_of(args: argparse.Namespace) -> frozenset[str]:
    if args.scopes is None:
        return auth.DEFAULT_SCOPES
    return frozenset(s.strip() for s in args.scopes.split(",") if s.strip())


async def migrate(settings: Settings) -> int:
    applied = await store_migrate(settings.database)
    if applied:
        print("applied schema migrations " + ", ".join(str(v) for v in applied))
    else:
        print("the database schema is up to date")
    return 0


async def token_create(
    settings: Settings,
    portal_id: int | None,
    scopes: frozenset[str],
    name: str | None,
    expires_in: int | None = None,
) -> int:
    store = await open_store(settings.database)
    clock = SystemClock()
    try:
        if portal_id is None:
            existing = await store.portal_ids()
            if len(existing) > 1:
                print("several portals exist: choose one with --portal", file=sys.stderr)
                return 2
            portal_id = existing[0] if existing else None
        portal_id = await portals.create_portal(store, clock, portal_id)
        secret, token = await auth.issue_token(
            store,
            clock,
            portal_id,
            scopes,
            name,
            expires_in_ms=None if expires_in is None else expires_in * 1000,
        )
    finally:
        await store.close()
    print(f"portal {portal_id}")
    print(f"token id {token.token_id}")
    print(secret)
    return 0


async def token_list(settings: Settings, portal_id: int | None) -> int:
    store = await open_store(settings.database)
    try:
        tokens = await store.tokens(portal_id)
    finally:
        await store.close()
    now = SystemClock().now_ms()
    print("portal\tid\tstatus\tcreated\texpires\tname\tscopes")
    for t in tokens:
        expires = format_ms(t.expires_at) if t.expires_at is not None else "never"
        print(
            f"{t.portal_id}\t{t.token_id}\t{auth.status(t, now)}\t{format_ms(t.created_at)}"
            f"\t{expires}\t{t.name or ''}\t{','.join(sorted(t.scopes))}"
        )
    return 0


async def token_revoke(settings: Settings, token_or_id: str, portal_id: int | None) -> int:
    store = await open_store(settings.database)
    try:
        found = await _find_token(store, token_or_id, portal_id)
        if isinstance(found, str):
            print(f"hubcrm: {found}", file=sys.stderr)
            return 1
        revoked = await store.revoke_token(found.portal_id, found.token_id, SystemClock().now_ms())
    finally:
        await store.close()
    if not revoked:
        print(f"hubcrm: token {found.token_id} of portal {found.portal_id} was already revoked")
        return 0
    print(f"revoked token {found.token_id} of portal {found.portal_id}")
    return 0


async def _find_token(store: Store, token_or_id: str, portal_id: int | None) -> Token | str:
    """The token a secret or an id names, or why it names none (never echoing a secret)."""
    if not token_or_id.isdigit():
        token = await store.token_by_hash(auth.token_hash(token_or_id))
        return token if token is not None else "no such token"
    matches = [t for t in await store.tokens(portal_id) if t.token_id == int(token_or_id)]
    if not matches:
        return f"no token with id {token_or_id}"
    if len(matches) > 1:
        return f"several portals have a token {token_or_id}: choose one with --portal"
    return matches[0]
