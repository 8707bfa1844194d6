"""`hubcrm serve --workers N`: N processes serving one listening socket.

The parent binds the socket, forks the workers and then only supervises them. Each worker builds
its own app and its own store, so the processes share nothing but the socket and the database,
like separate hosts behind a load balancer. SIGTERM or SIGINT to the parent is passed on to every
worker as SIGTERM, each of which finishes its requests in flight (within --shutdown-timeout) and
exits 0, and then so does the parent; if a worker dies on its own, the parent
stops the rest and exits non-zero, so that whatever runs hubcrm (systemd, a container runtime)
sees the failure and restarts it whole.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import traceback
from collections.abc import Callable
from types import FrameType

from hubcrm.runtime.settings import Settings

Serve = Callable[[Settings, socket.socket], None]


def run(settings: Settings, sock: socket.socket, serve: Serve) -> int:
    children = [_fork(settings, sock, serve) for _ in range(settings.workers)]
    # Only the workers accept: once they have stopped, a new connection is refused at once
    # rather than left waiting in a backlog nobody serves.
    sock.close()
    stopping = False

    def stop(signum: int = signal.SIGTERM, frame: FrameType | None = None) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    while children:
        try:
            pid, _ = os.wait()
        except ChildProcessError:
            break
        children.remove(pid)
        if not stopping:
            print(f"hubcrm: worker {pid} stopped; stopping the others", file=sys.stderr)
            status = 1
            stop()
    return status


def _fork(settings: Settings, sock: socket.socket, serve: Serve) -> int:
    pid = os.fork()
    if pid:
        return pid
    # A group of its own: Ctrl-C in a terminal reaches the parent alone, which passes on one
    # SIGTERM (a second signal would make uvicorn cut requests in flight short).
    os.setpgid(0, 0)
    code = 0
    try:
        serve(settings, sock)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
