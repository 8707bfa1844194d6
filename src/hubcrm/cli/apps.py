"""`hubcrm app create | list | delete`: HubSpot apps, for OAuth and webhooks (docs/webhooks.md)."""

from __future__ import annotations

import argparse
import asyncio
import sys

import msgspec

from hubcrm.control.webhooks import credentials
from hubcrm.domain import apps, portals
from hubcrm.domain.clock import SystemClock
from hubcrm.protocol.errors import HubSpotError
from hubcrm.runtime.settings import Settings
from hubcrm.store import open_store


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    app = commands.add_parser("app", help="Manage HubSpot apps (OAuth and webhooks)")
    app_commands = app.add_subparsers(dest="app_command", required=True)
    create = app_commands.add_parser(
        "create", help="Create an app installed in a portal; print its credentials"
    )
    create.add_argument("--portal", type=int, required=True, help="Portal id (created if new)")
    create.add_argument("--name", help=f"The app's name (default: {apps.DEFAULT_NAME})")
    create.add_argument(
        "--scopes", help="Comma-separated scopes the app may ask for (default: all, and oauth)"
    )
    create.add_argument(
        "--redirect-uri",
        action="append",
        help=f"An OAuth redirect URL, repeatable (default: {apps.DEFAULT_REDIRECT_URI})",
    )
    create.add_argument(
        "--json", action="store_true", help="Print the credentials as one JSON object"
    )
    listing = app_commands.add_parser("list", help="List apps (never their secrets)")
    listing.add_argument("--portal", type=int, help="Only the apps of this portal")
    delete = app_commands.add_parser("delete", help="Delete an app and its subscriptions")
    delete.add_argument("app_id", type=int, metavar="APP_ID")
    for command in (create, listing, delete):
        command.add_argument("--database", help="Database URL (env HUBCRM_DATABASE_URL)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.app_command == "create":
        return asyncio.run(_create(settings, args))
    if args.app_command == "list":
        return asyncio.run(_list(settings, args.portal))
    return asyncio.run(_delete(settings, args.app_id))


async def _create(settings: Settings, args: argparse.Namespace) -> int:
    scopes = (
        frozenset(s.strip() for s in args.scopes.split(",") if s.strip())
        if args.scopes is not None
        else None
    )
    store = await open_store(settings.database)
    clock = SystemClock()
    try:
        await portals.create_portal(store, clock, args.portal)
        redirect = tuple(args.redirect_uri) if args.redirect_uri else None
        made = await apps.create_app(store, clock, args.portal, args.name, scopes, redirect)
    except HubSpotError as error:
        print(f"hubcrm: {error.message}", file=sys.stderr)
        return 2
    finally:
        await store.close()
    app = made.app
    if args.json:
        body = credentials(made)
        wanted = {
            "appId": body.app_id,
            "clientId": body.client_id,
            "clientSecret": body.client_secret,
            "developerApiKey": body.developer_api_key,
            "portalId": body.portal_id,
        }
        print(msgspec.json.encode(wanted).decode())
        return 0
    print(f"portal {app.developer_portal_id}")
    print(f"app id {app.app_id}")
    print(f"client id {app.client_id}")
    print(f"client secret {app.client_secret}")
    print(f"developer API key {made.developer_api_key}")
    return 0


async def _list(settings: Settings, portal_id: int | None) -> int:
    store = await open_store(settings.database)
    try:
        found = await store.apps(portal_id)
    finally:
        await store.close()
    print("app\tportal\tname\tclient id\ttarget url\tscopes")
    for app in found:
        print(
            f"{app.app_id}\t{app.developer_portal_id}\t{app.name}\t{app.client_id}"
            f"\t{app.target_url or ''}\t{','.join(sorted(app.scopes))}"
        )
    return 0


async def _delete(settings: Settings, app_id: int) -> int:
    store = await open_store(settings.database)
    try:
        await apps.delete_app(store, app_id)
    except HubSpotError as error:
        print(f"hubcrm: {error.message}", file=sys.stderr)
        return 1
    finally:
        await store.close()
    print(f"deleted app {app_id}")
    return 0
