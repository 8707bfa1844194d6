"""`hubcrm serve`: the HTTP server, with a portal and token made on an empty database."""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import traceback

from hubcrm.cli.errors import one_line
from hubcrm.domain import auth, ids, portals
from hubcrm.domain.clock import SystemClock
from hubcrm.protocol import messages
from hubcrm.runtime import logs, workers
from hubcrm.runtime.settings import SETTINGS, Settings, is_loopback
from hubcrm.store import open_store


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    return f"cannot listen on {where}: {one_line(error)}; check --host and --port"


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


def run(args: argparse.Namespace, settings: Settings) -> int:
    return serve(settings)


def serve(settings: Settings) -> int:
    logs.configure(settings.log_format)
    metrics_folder = _metrics_before_workers(settings)
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
    # The server (the whole API) loads once the settings are checked, the database opened and the
    # port bound: a start that fails on any of them says so without loading it.
    from hubcrm.api import server

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
