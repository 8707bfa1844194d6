"""`hubcrm seed` and `hubcrm reset`: test data in a database, or through a running server's
control API."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from hubcrm.runtime.settings import Settings


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    seed = commands.add_parser(
        "seed", help="Seed a portal with property definitions and contacts (JSON or CSV)"
    )
    seed.add_argument("file", help="A .json or .csv file (see docs/testing.md)")
    reset = commands.add_parser(
        "reset", help="Reset a portal, or every portal, to a new portal's state (tokens kept)"
    )
    for command in (seed, reset):
        command.add_argument("--portal", type=int, help="The portal (reset: every portal if none)")
        command.add_argument("--database", help="Database URL (env HUBCRM_DATABASE_URL)")
        command.add_argument(
            "--url", help="Go through a running hubcrm's control API instead (serve --control)"
        )
        command.add_argument("--admin-token", help="The control API's admin token, with --url")
        command.add_argument("--debug", action="store_true", help="Show tracebacks of errors")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "seed":
        return seed(settings, args)
    return reset(settings, args)


def seed(settings: Settings, args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        raw = path.read_bytes()
    except OSError as error:
        print(f"hubcrm: {error}", file=sys.stderr)
        return 2
    is_csv = path.suffix.lower() == ".csv"
    if args.url:
        if args.portal is None:
            print("hubcrm: name the portal to seed with --portal", file=sys.stderr)
            return 2
        kind = "text/csv" if is_csv else "application/json"
        answer = _control(args, "POST", f"portals/{args.portal}/seed", raw, kind)
    else:
        answer = asyncio.run(_seed_database(settings, args.portal, raw, is_csv))
    if isinstance(answer, str):
        print(f"hubcrm: {answer}", file=sys.stderr)
        return 1
    named = ("schemas", "objects", "companies", "deals", "owners")
    extra = "".join(f", {answer[key]} {key}" for key in named if answer.get(key))
    print(f"seeded {answer['properties']} properties and {answer['contacts']} contacts{extra}")
    return 0


async def _seed_database(
    settings: Settings, portal_id: int | None, raw: bytes, is_csv: bool
) -> dict[str, int] | str:
    # The seeding code, only when seeding a database: through a server, the server runs it.
    from hubcrm.control import seed as seeding
    from hubcrm.domain.clock import SystemClock
    from hubcrm.domain.pipelines import check_references
    from hubcrm.domain.records import Records
    from hubcrm.protocol import messages
    from hubcrm.protocol.errors import HubSpotError
    from hubcrm.store import open_store

    store = await open_store(settings.database)
    try:
        if portal_id is None:
            existing = await store.portal_ids()
            if len(existing) != 1:
                return "choose the portal to seed with --portal"
            portal_id = existing[0]
        if portal_id not in await store.portal_ids():
            return messages.PORTAL_NOT_FOUND.format(portal=portal_id)
        records = Records(store, SystemClock())
        check_references(records)
        done = await seeding.seed(records, portal_id, seeding.parse(raw, csv_text=is_csv))
        counts = {
            "properties": done.properties,
            "contacts": done.contacts,
            "schemas": done.schemas,
            "objects": done.objects,
            "owners": done.owners,
        }
        extra = {"companies": done.companies, "deals": done.deals}
        return counts | {name: count for name, count in extra.items() if count}
    except HubSpotError as error:
        return error.message
    finally:
        await store.close()


def reset(settings: Settings, args: argparse.Namespace) -> int:
    if args.url:
        path = "reset" if args.portal is None else f"portals/{args.portal}/reset"
        answer = _control(args, "POST", path, b"", "application/json")
    else:
        answer = asyncio.run(_reset_database(settings, args.portal))
    if isinstance(answer, str):
        print(f"hubcrm: {answer}", file=sys.stderr)
        return 1
    print("reset portals " + ", ".join(map(str, answer["portalIds"])))
    return 0


async def _reset_database(settings: Settings, portal_id: int | None) -> dict[str, list[int]] | str:
    from hubcrm.control import service as control
    from hubcrm.protocol.errors import HubSpotError
    from hubcrm.store import open_store

    store = await open_store(settings.database)
    try:
        return {"portalIds": await control.reset_portals(store, portal_id)}
    except HubSpotError as error:
        return error.message
    finally:
        await store.close()


def _control(args: argparse.Namespace, method: str, path: str, raw: bytes, kind: str) -> Any:
    """The control API's answer, or its error message."""
    from hubcrm.testing.client import ControlClient, ControlError

    try:
        return ControlClient(args.url, args.admin_token).call(
            method, path, raw=raw, content_type=kind
        )
    except ControlError as error:
        try:
            return str(json.loads(error.body)["message"])
        except (ValueError, KeyError, TypeError):
            return str(error)
    except OSError as error:
        return f"cannot reach {args.url}: {error}"
