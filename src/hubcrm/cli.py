"""The `hubcrm` command: parses arguments and calls functions."""

from __future__ import annotations

import argparse
import asyncio
import errno
import json
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hubcrm import cli_apps
from hubcrm.control import seed as seeding
from hubcrm.control import service as control
from hubcrm.domain import auth, ids, portals
from hubcrm.domain.clock import SystemClock, format_ms
from hubcrm.domain.owners import NewOwner, Owners
from hubcrm.domain.pipelines import check_references
from hubcrm.domain.records import Records
from hubcrm.protocol import messages
from hubcrm.protocol.errors import HubSpotError
from hubcrm.runtime import logs, workers
from hubcrm.runtime.settings import SETTINGS, Settings, is_loopback
from hubcrm.store import migrate as store_migrate
from hubcrm.store import open_store
from hubcrm.store.base import Store, Token
from hubcrm.store.errors import StoreError
from hubcrm.transfer import command as transfer_command


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
                choices=setting.choices,
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
    cli_apps.add_parser(commands)

    # Import and export: clients of the API (transfer/), hubcrm's or HubSpot's own.
    transfer_command.add_parsers(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in ("import", "export"):
        return transfer_command.run(args)
    try:
        if args.command == "serve":
            settings = Settings.load(vars(args))
        else:
            settings = Settings.load({"database": args.database})
    except ValueError as error:
        print(f"hubcrm: {error}", file=sys.stderr)
        return 2
    try:
        return _run(args, settings)
    except StoreError as error:
        # An unsupported or malformed URL, an unreachable database, a refused password, a file
        # that cannot be opened, a schema newer than this hubcrm: one line with cause and fix.
        if settings.debug or getattr(args, "debug", False):
            traceback.print_exc()
        print(f"hubcrm: {_one_line(error)}", file=sys.stderr)
        return 2


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "serve":
        return serve(settings)
    if args.command == "migrate":
        return asyncio.run(migrate(settings))
    if args.command == "seed":
        return seed(settings, args)
    if args.command == "reset":
        return reset(settings, args)
    if args.command == "owner":
        return asyncio.run(owner_command(settings, args))
    if args.command == "app":
        return cli_apps.run(args, settings)
    if args.token_command == "create":
        scopes = (
            frozenset(s.strip() for s in args.scopes.split(",") if s.strip())
            if args.scopes is not None
            else auth.DEFAULT_SCOPES
        )
        return asyncio.run(token_create(settings, args.portal, scopes, args.name, args.expires_in))
    if args.token_command == "list":
        return asyncio.run(token_list(settings, args.portal))
    return asyncio.run(token_revoke(settings, args.token, args.portal))


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


def _cannot_listen(settings: Settings, error: BaseException) -> str:
    where = f"{settings.host}:{settings.port}"
    code = getattr(error, "errno", None)
    if code == errno.EADDRINUSE:
        return (
            f"cannot listen on {where}: the port is in use by another program; stop it, or choose"
            " another port with --port"
        )
    if code == errno.EACCES:
        return (
            f"cannot listen on {where}: permission denied (ports below 1024 need privileges);"
            " choose a port above 1023 with --port"
        )
    if code in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) or isinstance(error, socket.gaierror):
        return (
            f"cannot listen on {where}: no such address on this machine; give one of its"
            " addresses with --host (127.0.0.1, 0.0.0.0)"
        )
    return f"cannot listen on {where}: {_one_line(error)}; check --host and --port"


async def _bootstrap(settings: Settings) -> str | None:
    """On an empty database, create a portal and a token ready to use; say which."""
    store = await open_store(settings.database)
    clock = SystemClock()
    try:
        if not await store.portal_ids():
            first = ids.FIRST_DETERMINISTIC_PORTAL if settings.deterministic else None
            portal_id = await portals.create_portal(store, clock, first)
            if settings.log_format == "json":  # logs are collected: no secret in them
                logging.getLogger("hubcrm").info(
                    f"created portal {portal_id}: make a token with"
                    f" `hubcrm token create --portal {portal_id}`"
                )
                return None
            secret, _ = await auth.issue_token(store, clock, portal_id)
            return f"hubcrm: created portal {portal_id}; its token: {secret}"
    finally:
        await store.close()
    return None


def serve(settings: Settings) -> int:
    logs.configure(settings.log_format)
    metrics_folder = _metrics_before_workers(settings)
    from hubcrm.api import server

    logs.throttle_warnings("hubcrm", "asyncpg.pool")
    if not is_loopback(settings.host):
        if settings.control and not settings.admin_token:
            print(
                f"hubcrm: {messages.CONTROL_NEEDS_ADMIN_TOKEN.format(host=settings.host)}",
                file=sys.stderr,
            )
            return 2
        if settings.auth == "open" and not settings.insecure:
            print(
                f"hubcrm: refusing --auth open on {settings.host}: anyone who can reach it could"
                " create portals and read them. Listen on 127.0.0.1, or pass --insecure.",
                file=sys.stderr,
            )
            return 2
        if not settings.tls_terminator:
            print(
                f"hubcrm: warning: listening on {settings.host} without TLS; tokens and contact"
                " data cross the network in clear text. Put a TLS terminator in front"
                " (docs/deployment.md) and pass --tls-terminator.",
                file=sys.stderr,
                flush=True,
            )
    # A file-size limit (ulimit -f) makes a write past it fail, answered 503, rather than kill
    # the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    created = asyncio.run(_bootstrap(settings))
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
    except (OSError, OverflowError) as error:
        sock.close()
        if settings.debug:
            traceback.print_exc()
        print(f"hubcrm: {_cannot_listen(settings, error)}", file=sys.stderr)
        return 2
    host, port = sock.getsockname()[:2]
    display = f"[{host}]" if family == socket.AF_INET6 else host
    # The web UI's address beside the first portal's token, which signs in to it.
    ui_address = f"http://{display}:{port}/ui/"
    if created:
        print(created, flush=True)
        print(f"hubcrm: the web UI is at {ui_address}; sign in with that token", flush=True)
    else:
        print(f"hubcrm: the web UI is at {ui_address}; sign in with a token", flush=True)
    print(f"hubcrm listening on http://{display}:{port}", flush=True)
    _metrics_port(settings)
    if settings.workers > 1:
        status = workers.run(settings, sock, server.run)
        if metrics_folder:
            shutil.rmtree(metrics_folder, ignore_errors=True)
        return status
    server.run(settings, sock)
    return 0


# Metrics across processes and on a port of their own (api/metrics.py, docs/deployment.md).
def _metrics_before_workers(settings: Settings) -> str | None:
    """With several workers, each writes its figures to files in one folder that a scrape of
    any of them reads; prometheus_client needs the folder named before it is first imported.
    The folder made, to be removed once the workers stop."""
    if (
        settings.metrics == "on"
        and settings.workers > 1
        and "PROMETHEUS_MULTIPROC_DIR" not in os.environ
    ):
        folder = tempfile.mkdtemp(prefix="hubcrm-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
        return folder
    return None


def _metrics_port(settings: Settings) -> None:
    """Serve /metrics on --metrics-port from this (the parent) process, on a thread."""
    if settings.metrics != "on" or not settings.metrics_port:
        return
    from prometheus_client import start_http_server

    from hubcrm.api import metrics

    start_http_server(settings.metrics_port, settings.host, registry=metrics.registry())
    print(f"hubcrm metrics on http://{settings.host}:{settings.metrics_port}/metrics", flush=True)
