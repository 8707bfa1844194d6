"""The `hubcrm` command: parses arguments and calls functions, one module per command group."""

from __future__ import annotations

import argparse
import asyncio
import sys
import traceback
from collections.abc import Sequence

from hubcrm.cli import apps, data, owners, serve, tokens
from hubcrm.cli.errors import one_line
from hubcrm.runtime.settings import Settings
from hubcrm.store.errors import StoreError
from hubcrm.transfer import command as transfer_command


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hubcrm", description="A HubSpot-compatible CRM API")
    commands = parser.add_subparsers(dest="command", required=True)
    for group in (serve, tokens, owners, data, apps):
        group.add_parser(commands)
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
        print(f"hubcrm: {one_line(error)}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "serve":
        return serve.serve(settings)
    if args.command == "migrate":
        return asyncio.run(tokens.migrate(settings))
    if args.command == "seed":
        return data.seed(settings, args)
    if args.command == "reset":
        return data.reset(settings, args)
    if args.command == "owner":
        return asyncio.run(owners.owner_command(settings, args))
    if args.command == "app":
        return apps.run(args, settings)
    if args.token_command == "create":
        scopes = tokens.scopes_of(args)
        return asyncio.run(
            tokens.token_create(settings, args.portal, scopes, args.name, args.expires_in)
        )
    if args.token_command == "list":
        return asyncio.run(tokens.token_list(settings, args.portal))
    return asyncio.run(tokens.token_revoke(settings, args.token, args.portal))
