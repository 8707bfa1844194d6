"""The `hubcrm import` and `hubcrm export` commands: their arguments, and what each exits with.

Exit 0 when every row was imported (or every record exported), 1 when some rows were rejected or
the transfer could not go on, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from hubcrm.transfer import exporting, importing, state
from hubcrm.transfer.client import Client, TransferError

TOKEN_ENV = "HUBSPOT_ACCESS_TOKEN"


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    into = commands.add_parser(
        "import", help="Import a CSV or JSON Lines file through the API (hubcrm's or HubSpot's)"
    )
    into.add_argument("path", metavar="PATH", help="A CSV file with a header row, or JSON Lines")
    into.add_argument(
        "--id-property", help="Upsert by this unique property (without it: batch create)"
    )
    into.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=PROPERTY",
        help="Import a column as another property (repeatable)",
    )
    into.add_argument("--concurrency", type=int, default=4, help="Batches in flight at once")
    into.add_argument("--batch-size", type=int, default=importing.BATCH_SIZE, help="Up to 100")
    into.add_argument("--errors", help="CSV of rejected rows (default PATH.errors.csv)")
    into.add_argument("--resume", action="store_true", help="Continue an interrupted import")
    into.add_argument("--state", help="The resume state file (default PATH.import-state)")
    out = commands.add_parser("export", help="Export every record of a type through the API")
    out.add_argument("--properties", help="Comma-separated (default: every writable property)")
    out.add_argument("--archived", action="store_true", help="Export the archived records")
    out.add_argument("--output", help="The file to write (default: standard output)")
    for command in (into, out):
        command.add_argument("--object", required=True, help="Object type: contacts, 0-1, ...")
        command.add_argument(
            "--format", choices=("csv", "jsonl"), help="File format (default: by file name; csv)"
        )
        command.add_argument(
            "--url", required=True, help="The API's base URL: https://api.hubapi.com, or hubcrm's"
        )
        command.add_argument("--token", help=f"A private app or hubcrm token (env {TOKEN_ENV})")


def run(args: argparse.Namespace) -> int:
    token = args.token or os.environ.get(TOKEN_ENV)
    if not token:
        return _usage(f"give a token with --token or {TOKEN_ENV}")
    try:
        client = Client(args.url, token)
    except ValueError as error:
        return _usage(str(error))
    try:
        if args.command == "import":
            return _import(client, args)
        return _export(client, args)
    except TransferError as error:
        print(f"hubcrm: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the output's reader went away (`| head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    finally:
        client.close()


def _import(client: Client, args: argparse.Namespace) -> int:
    renames = {}
    for item in args.map:
        column, _, prop = item.partition("=")
        if not column or not prop:
            return _usage(f"--map takes COLUMN=PROPERTY, not {item!r}")
        renames[column] = prop
    if not Path(args.path).is_file():
        return _usage(f"no such file: {args.path}")
    if not 1 <= args.batch_size <= importing.BATCH_SIZE or args.concurrency < 1:
        return _usage("--batch-size must be 1 to 100 and --concurrency at least 1")
    options = importing.Options(
        path=args.path,
        object_type=args.object,
        id_property=args.id_property,
        renames=renames,
        concurrency=args.concurrency,
        errors_path=args.errors or args.path + ".errors.csv",
        state_path=args.state or state.default_path(args.path),
        resume=args.resume,
        file_format=args.format,
        batch_size=args.batch_size,
    )
    try:
        summary = importing.Importer(client, options, sys.stderr).run()
    except ValueError as error:  # a state file of another import
        return _usage(str(error))
    print(summary.line(), flush=True)
    if summary.rejected:
        print(f"rejected rows are listed in {options.errors_path}", file=sys.stderr)
    Path(options.state_path).unlink(missing_ok=True)
    return 1 if summary.rejected else 0


def _export(client: Client, args: argparse.Namespace) -> int:
    names = [p.strip() for p in (args.properties or "").split(",") if p.strip()]
    kind = args.format or ("jsonl" if (args.output or "").endswith(".jsonl") else "csv")
    options = exporting.Options(args.object, names or None, kind, args.archived, args.output)
    summary = exporting.Exporter(client, options, sys.stderr).run()
    print(summary.line(), file=sys.stderr if args.output is None else sys.stdout, flush=True)
    return 0


def _usage(message: str) -> int:
    print(f"hubcrm: {message}", file=sys.stderr)
    return 2
