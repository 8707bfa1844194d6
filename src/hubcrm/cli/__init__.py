"""The `hubcrm` command: parses arguments and calls functions, one module per command group.

A command imports only its own group's module and what that needs: `hubcrm serve` none of the
import, app or seed code, `hubcrm token list` no server. Every start of hubcrm pays for what it
imports, and test suites start it often. `hubcrm --help`, or a command hubcrm does not know,
builds every group's arguments, so that the help and the error list every command.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

from hubcrm.cli.errors import one_line
from hubcrm.runtime.settings import Settings
from hubcrm.store.errors import StoreError

# Each command's group, in the order `hubcrm --help` lists them. Import and export are clients of
# the API (transfer/), hubcrm's or HubSpot's own; the others are hubcrm.cli's modules.
COMMANDS = {
    "serve": "serve",
    "token": "tokens",
    "migrate": "tokens",
    "owner": "owners",
    "seed": "data",
    "reset": "data",
    "app": "apps",
    "import": "transfer",
    "export": "transfer",
}


def _group(name: str) -> ModuleType:
    if name == "transfer":
        from hubcrm.transfer import command

        return command
    return importlib.import_module(f"hubcrm.cli.{name}")


def _parser(command: str | None) -> argparse.ArgumentParser:
    """The parser of `command`'s group alone, or of every group when `command` is none of them."""
    parser = argparse.ArgumentParser(prog="hubcrm", description="A HubSpot-compatible CRM API")
    commands = parser.add_subparsers(dest="command", required=True)
    groups = [COMMANDS[command]] if command in COMMANDS else dict.fromkeys(COMMANDS.values())
    for name in groups:
        group = _group(name)
        if name == "transfer":
            group.add_parsers(commands)
        else:
            group.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    # The command comes first: hubcrm itself takes no option but --help.
    args = _parser(arguments[0] if arguments else None).parse_args(arguments)
    group = _group(COMMANDS[args.command])
    if args.command in ("import", "export"):
        status: int = group.run(args)
        return status
    try:
        if args.command == "serve":
            settings = Settings.load(vars(args))
        else:
            settings = Settings.load({"database": args.database})
    except ValueError as error:
        print(f"hubcrm: {error}", file=sys.stderr)
        return 2
    try:
        status = group.run(args, settings)
        return status
    except StoreError as error:
        # An unsupported or malformed URL, an unreachable database, a refused password, a file
        # that cannot be opened, a schema newer than this hubcrm: one line with cause and fix.
        if settings.debug or getattr(args, "debug", False):
            traceback.print_exc()
        print(f"hubcrm: {one_line(error)}", file=sys.stderr)
        return 2
