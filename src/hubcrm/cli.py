"""The `hubcrm` command: parses arguments and calls functions."""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import sys
from collections.abc import Sequence

from hubcrm import auth, portals
from hubcrm.clock import SystemClock
from hubcrm.settings import SETTINGS, Settings
from hubcrm.store import open_store


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hubcrm", description="A HubSpot-compatible CRM API")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="Run the HTTP server")
    for setting in SETTINGS:
        kind = type(setting.default)
        if kind is bool:
            serve.add_argument(
                setting.flag,
                action="store_true",
                default=None,
                help=f"{setting.help} (env {setting.env})",
            )
        else:
            serve.add_argument(
                setting.flag,
                type=kind,
                default=None,
                dest=setting.name,
                help=f"{setting.help} (default {setting.default}; env {setting.env})",
            )

    token = commands.add_parser("token", help="Manage access tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    create = token_commands.add_parser("create", help="Create a token and print it")
    create.add_argument("--portal", type=int, help="Portal id (created if it does not exist)")
    create.add_argument(
        "--scopes",
        help="Comma-separated scopes (default: " + ",".join(sorted(auth.DEFAULT_SCOPES)) + ")",
    )
    create.add_argument("--name", help="A label for the token")
    create.add_argument("--database", help="Database URL (env HUBCRM_DATABASE_URL)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return serve(Settings.load(vars(args)))
    if args.command == "token":
        settings = Settings.load({"database": args.database})
        scopes = (
            frozenset(s.strip() for s in args.scopes.split(",") if s.strip())
            if args.scopes is not None
            else auth.DEFAULT_SCOPES
        )
        return asyncio.run(token_create(settings, args.portal, scopes, args.name))
    return 2


async def token_create(
    settings: Settings, portal_id: int | None, scopes: frozenset[str], name: str | None
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
        secret, _ = await auth.issue_token(store, clock, portal_id, scopes, name)
    finally:
        await store.close()
    print(f"portal {portal_id}")
    print(secret)
    return 0


async def _bootstrap(settings: Settings) -> None:
    """On an empty database, create a portal and print a token ready to use."""
    store = await open_store(settings.database)
    clock = SystemClock()
    try:
        if not await store.portal_ids():
            portal_id = await portals.create_portal(store, clock)
            secret, _ = await auth.issue_token(store, clock, portal_id)
            print(f"hubcrm: created portal {portal_id}; its token: {secret}", flush=True)
    finally:
        await store.close()


def serve(settings: Settings) -> int:
    import uvicorn

    from hubcrm.api import create_app

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    asyncio.run(_bootstrap(settings))
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    host, port = sock.getsockname()[:2]
    display = f"[{host}]" if family == socket.AF_INET6 else host
    print(f"hubcrm listening on http://{display}:{port}", flush=True)
    config = uvicorn.Config(
        create_app(settings), log_level="warning", access_log=False, lifespan="on"
    )
    uvicorn.Server(config).run(sockets=[sock])
    return 0
