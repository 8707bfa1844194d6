"""Starts `hubcrm serve` processes by forking an interpreter that has already imported hubcrm.

Most of a server's start is Python importing hubcrm and its dependencies, and a test suite that
starts a server per test pays that every time. The fork server is a helper process, started on
the first server a test process asks for, that imports the server's modules once and then forks
a child for each server. The child runs what `python -m hubcrm serve ...` runs, `hubcrm.cli.main`
with the same arguments, in the caller's environment and working directory, writing to the
caller's pipe, and exits as that command exits (atexit handlers and threads included). The child
is a process of its own with its own database connections; only the imports are shared.

It is used for single-process servers on Linux (it needs fork and pidfds) when the caller's
interpreter settings match the fork server's; anything else, or HUBCRM_TEST_FORKSERVER=0,
starts the command as a new interpreter. A server with several workers is always a new
interpreter: its metrics must be set up before their module is first imported.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
import importlib
import json
import os
import resource
import selectors
import signal
import socket
import subprocess
import sys
import threading
from typing import IO, Any

ENV = "HUBCRM_TEST_FORKSERVER"
# What servers import, so that a child imports (almost) nothing: the web UI and uvloop too,
# which a server imports on first use (the UI on its first page; uvloop where installed).
PRELOAD = (
    "hubcrm.cli",
    "hubcrm.cli.serve",
    "hubcrm.api.server",
    "hubcrm.store.sqlite",
    "hubcrm.store.postgres",
    "hubcrm.ui.routes",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.lifespan.on",
    "uvicorn.loops.auto",
    "anyio._backends._asyncio",
    "anyio._core._fileio",
    "encodings.unicode_escape",
)
OPTIONAL = ("uvloop", "uvicorn.loops.uvloop")
_MESSAGE_BYTES = 1 << 20


class Child:
    """A server forked by the fork server, with the part of `subprocess.Popen` tests use."""

    def __init__(self, pid: int, status: socket.socket, stdout: IO[str]) -> None:
        self.pid = pid
        self.stdout = stdout
        self.returncode: int | None = None
        self._status = status
        # Signals go through a pidfd: once the fork server has reaped the child, its pid may
        # name another process, and the pidfd still names this one (or none).
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:  # already exited and reaped: its status is on the way
            self._pidfd = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self._status.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                self._settle(self._status.recv(64))
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self._status.settimeout(timeout)
            try:
                self._settle(self._status.recv(64))
            except TimeoutError:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0.0) from None
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        """Signal the child, unless it has exited (as Popen does)."""
        if self.poll() is None and self._pidfd is not None:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, signum)

    def _settle(self, message: bytes) -> None:
        # An empty message: the fork server is gone before it could report (its caller ended).
        self.returncode = int(message) if message else -signal.SIGKILL
        self._status.close()
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None


class ForkServer:
    """The caller's side: starts the fork server on first use and asks it for children."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._control: socket.socket | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._interpreter: dict[str, str] = {}
        self._broken = False

    def spawn(self, arguments: list[str], env: dict[str, str]) -> Child | None:
        """`hubcrm <arguments>` in `env`, or None where a new interpreter must start it."""
        if self._broken or not usable(arguments, env):
            return None
        with self._lock:
            if self._control is None:
                self._start(env)
            if _interpreter(env) != self._interpreter:
                return None
            try:
                return self._fork(arguments, env)
            except (OSError, ValueError):
                self._broken = True  # it failed to start or died: new interpreters from now on
                return None

    def close(self) -> None:
        if self._control is not None and self._process is not None:
            self._control.close()
            self._process.wait()
            self._control = self._process = None

    def _fork(self, arguments: list[str], env: dict[str, str]) -> Child:
        assert self._control is not None
        read, write = os.pipe()
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        request = {"arguments": arguments, "env": env, "cwd": os.getcwd()}
        try:
            socket.send_fds(self._control, [json.dumps(request).encode()], [write, theirs.fileno()])
        except OSError:
            os.close(read)
            mine.close()
            raise
        finally:
            os.close(write)
            theirs.close()
        try:
            pid = int(mine.recv(64))
        except (OSError, ValueError):
            os.close(read)
            mine.close()
            raise
        return Child(pid, mine, os.fdopen(read, "r"))

    def _start(self, env: dict[str, str]) -> None:
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        start = f"from hubcrm.testing.forkserver import main; main({theirs.fileno()})"
        command = [sys.executable, "-u", "-c", start]
        self._process = subprocess.Popen(
            command, pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env=env
        )
        theirs.close()
        self._control = mine
        self._interpreter = _interpreter(env)
        atexit.register(self.close)


def usable(arguments: list[str], env: dict[str, str]) -> bool:
    """Whether a fork can stand in for `hubcrm <arguments>` started in `env`."""
    if env.get(ENV, "").lower() in ("0", "false", "no", "off"):
        return False
    if not _forks():
        return False
    return arguments[:1] == ["serve"] and "--workers" not in arguments


@functools.cache
def _forks() -> bool:
    """Whether this system can fork and watch children by pidfd (Linux 5.3 and later)."""
    if not hasattr(os, "fork") or not hasattr(os, "pidfd_open"):
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return False
    return True


def _interpreter(env: dict[str, str]) -> dict[str, str]:
    """What an interpreter takes from its environment only when it starts (the fork server's
    output is unbuffered whatever the caller asks)."""
    return {
        name: value
        for name, value in env.items()
        if name.startswith("PYTHON") and name != "PYTHONUNBUFFERED"
    }


_shared: ForkServer | None = None


def shared() -> ForkServer:
    """This process's fork server."""
    global _shared
    if _shared is None:
        _shared = ForkServer()
    return _shared


# The fork server's side.
def main(control_fd: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the caller's Ctrl-C stops the caller
    for name in PRELOAD:
        importlib.import_module(name)
    for name in OPTIONAL:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    # What the imports built is out of the collector's sight in every child (as a server does
    # for itself once started): collecting it again in each child would cost more than the rest
    # of the child's start, and copy every page it shares with the fork server.
    gc.collect()
    gc.freeze()
    control = socket.socket(fileno=control_fd)
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ)
    running: dict[int, tuple[int, socket.socket]] = {}  # pidfd: (pid, status socket)
    while True:
        for key, _ in selector.select():
            if key.fileobj is control:
                message, fds, _flags, _address = socket.recv_fds(control, _MESSAGE_BYTES, 2)
                if not message:
                    return  # the caller is gone; its servers live on until it stops them
                output, status_fd = fds
                status = socket.socket(fileno=status_fd)
                pid = os.fork()
                if pid == 0:
                    _child(json.loads(message), output)
                os.close(output)
                _report(status, pid)
                pidfd = os.pidfd_open(pid)
                running[pidfd] = (pid, status)
                selector.register(pidfd, selectors.EVENT_READ)
            else:
                pidfd = int(key.fd)
                pid, status = running.pop(pidfd)
                selector.unregister(pidfd)
                os.close(pidfd)
                _, wait_status = os.waitpid(pid, 0)
                _report(status, os.waitstatus_to_exitcode(wait_status))
                status.close()


def _report(status: socket.socket, number: int) -> None:
    with contextlib.suppress(OSError):  # the caller is gone or stopped waiting
        status.send(str(number).encode())


def _child(request: dict[str, Any], output: int) -> None:
    """Become `python -m hubcrm <arguments>`: the exit raises SystemExit past the fork server's
    frames, so the interpreter ends as that command's would."""
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.closerange(3, resource.getrlimit(resource.RLIMIT_NOFILE)[0])  # the fork server's, others'
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    import hubcrm
    from hubcrm.cli import main as hubcrm_main

    command = os.path.join(os.path.dirname(hubcrm.__file__), "__main__.py")
    sys.argv = [command, *request["arguments"]]
    raise SystemExit(hubcrm_main(request["arguments"]))
