"""`hubcrm owner create | list`: a portal's owners, which `hubspot_owner_id` values name."""

from __future__ import annotations

import argparse
import asyncio
import sys

from hubcrm.domain.clock import SystemClock
from hubcrm.domain.owners import NewOwner, Owners
from hubcrm.protocol import messages
from hubcrm.protocol.errors import HubSpotError
from hubcrm.runtime.settings import Settings
from hubcrm.store import open_store


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    owner = commands.add_parser("owner", help="Manage a portal's owners (hubspot_owner_id)")
    owner_commands = owner.add_subparsers(dest="owner_command", required=True)
    owner_create = owner_commands.add_parser("create", help="Add an owner and print it")
    owner_create.add_argument("--portal", type=int, help="Portal id (the only one if omitted)")
    owner_create.add_argument("--email", required=True)
    owner_create.add_argument("--first-name", default="")
    owner_create.add_argument("--last-name", default="")
    owner_list = owner_commands.add_parser("list", help="List owners, archived ones too")
    owner_list.add_argument("--portal", type=int, help="Only this portal's owners")
    for command in (owner_create, owner_list):
        command.add_argument("--database", help="Database URL (env HUBCRM_DATABASE_URL)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(owner_command(settings, args))


async def owner_command(settings: Settings, args: argparse.Namespace) -> int:
    store = await open_store(settings.database)
    try:
        portal_ids = await store.portal_ids()
        if args.owner_command == "list":
            print("portal\tid\tuserId\temail\tfirstName\tlastName\tarchived")
            for portal_id in [args.portal] if args.portal is not None else portal_ids:
                for o in await store.owners(portal_id):
                    print(
                        f"{portal_id}\t{o.owner_id}\t{o.user_id}\t{o.email}\t{o.first_name}"
                        f"\t{o.last_name}\t{str(o.archived_at is not None).lower()}"
                    )
            return 0
        portal_id = args.portal
        if portal_id is None and len(portal_ids) != 1:
            print("hubcrm: choose the portal with --portal", file=sys.stderr)
            return 2
        portal_id = portal_ids[0] if portal_id is None else portal_id
        if portal_id not in portal_ids:
            print(f"hubcrm: {messages.PORTAL_NOT_FOUND.format(portal=portal_id)}", file=sys.stderr)
            return 1
        new = NewOwner(args.email, args.first_name, args.last_name)
        owner = await Owners(store, SystemClock()).add(portal_id, new)
    except HubSpotError as error:
        print(f"hubcrm: {error.message}", file=sys.stderr)
        return 1
    finally:
        await store.close()
    print(f"portal {portal_id}")
    print(f"owner id {owner.owner_id}")
    print(f"user id {owner.user_id}")
    return 0
