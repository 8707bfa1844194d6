"""A real `hubcrm serve` process on a free loopback port, for tests of any runner."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from hubcrm.testing import forkserver
from hubcrm.testing.client import ControlClient, ControlError
from hubcrm.testing.portal import ClockView, Portal

_LISTENING = re.compile(r"hubcrm listening on (http://\S+)")
_TOKEN = re.compile(r"created portal (\d+); its token: (pat-\S+)")


class LiveServer:
    """`hubcrm serve --port 0` over `database_url`, with `extra` arguments, in a child process:
    forked from this process's fork server where it can be (hubcrm.testing.forkserver)."""

    def __init__(self, database_url: str, *extra: str, admin_token: str | None = None) -> None:
        self.database_url = database_url
        self.extra = extra
        self.admin_token = admin_token
        self.process: subprocess.Popen[str] | forkserver.Child | None = None
        self.base_url = ""
        self.token = ""  # the first portal's, when the server made one on an empty database
        self.portal_id = 0
        self.output = ""  # what the server printed: its start-up lines, the rest once stopped

    @classmethod
    def attach(cls, base_url: str, admin_token: str | None = None) -> LiveServer:
        """A hubcrm already running at `base_url` (started with --control); stop() leaves it be."""
        server = cls("", admin_token=admin_token)
        server.base_url = base_url.rstrip("/")
        return server

    def for_portal(self, portal: Portal) -> LiveServer:
        """This server as one of its portals sees it: the same base_url and database_url, with
        `portal`'s token and portal_id. Many tests can share one server this way, each with a
        portal of its own; stop() on the view leaves the server running (as attach() does)."""
        view = LiveServer.attach(self.base_url, self.admin_token)
        view.database_url = self.database_url
        view.extra = self.extra
        view.token, view.portal_id = portal.token, portal.portal_id
        return view

    @property
    def control(self) -> ControlClient:
        return ControlClient(self.base_url, self.admin_token)

    @property
    def clock(self) -> ClockView:
        """The server-wide clock, followed by every portal not given a time of its own."""
        return ClockView(self.control, None)

    def start(self, timeout: float = 60.0) -> LiveServer:
        admin = ["--admin-token", self.admin_token] if self.admin_token else []
        arguments = ["serve", "--port", "0", "--database", self.database_url, *admin, *self.extra]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = forkserver.shared().spawn(arguments, env) or subprocess.Popen(
            [sys.executable, "-m", "hubcrm", *arguments],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        self.base_url = self._read_until_listening(self.process.stdout, timeout)
        self._wait_ready(timeout)
        return self

    def _read_until_listening(self, stdout: IO[str], timeout: float) -> str:
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            line = stdout.readline()
            if not line:
                break
            seen.append(line)
            self.output += line
            if created := _TOKEN.search(line):
                self.portal_id, self.token = int(created.group(1)), created.group(2)
            if listening := _LISTENING.search(line):
                return listening.group(1)
        self.stop(kill=True)
        raise RuntimeError("hubcrm serve did not start:\n" + "".join(seen))

    def _wait_ready(self, timeout: float) -> None:
        """Poll until the server answers (any HTTP status means it is serving)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base_url + "/crm/v3/objects/contacts/1", timeout=1)
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.05)
        self.stop(kill=True)
        raise RuntimeError("hubcrm serve did not answer in time")

    def stop(self, kill: bool = False) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        self.process.wait(timeout=20)
        if self.process.stdout:
            self.output += self.process.stdout.read()
            self.process.stdout.close()
        self.process = None

    def new_portal(self, portal_id: int | None = None, scopes: list[str] | None = None) -> Portal:
        """A new portal and its token (needs --control); a portal id that is taken is an error."""
        body: dict[str, object] = {}
        if portal_id is not None:
            body["portalId"] = portal_id
        if scopes is not None:
            body["scopes"] = scopes
        made = self.control.call("POST", "portals", body=body)
        return Portal(self.base_url, made["token"], made["portalId"], self.control)

    def portal_for(self, name: str, scopes: list[str] | None = None) -> Portal:
        """A new portal whose id derives from `name` (a test's id), so that it is the same from
        run to run whatever else runs alongside; the next id along if that one is taken."""
        digest = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
        for attempt in range(100):
            try:
                return self.new_portal(10_000_000 + (digest + attempt) % 90_000_000, scopes)
            except ControlError as error:
                if error.status != 409:
                    raise
        raise RuntimeError(f"no free portal id near the one for {name!r}")

    def reset(self) -> None:
        """Reset every portal: records, property definitions, journals, faults and clocks."""
        self.control.call("POST", "reset")


@contextmanager
def serve(
    *extra: str,
    database_url: str | None = None,
    deterministic: bool = False,
    search_delay_ms: int = 0,
    admin_token: str | None = None,
) -> Iterator[LiveServer]:
    """A live hubcrm with the control API on, over a temporary SQLite file unless one is named.

    with hubcrm.testing.serve() as hs:
        portal = hs.new_portal()
        ...  # point your client at portal.base_url with portal.token
    """
    options = ["--control", *extra]
    if deterministic:
        options.append("--deterministic")
    if search_delay_ms:
        options += ["--search-delay", str(search_delay_ms)]
    with tempfile.TemporaryDirectory(prefix="hubcrm-") as folder:
        url = database_url or f"sqlite:///{os.path.join(folder, 'hubcrm.db')}"
        server = LiveServer(url, *options, admin_token=admin_token).start()
        try:
            yield server
        finally:
            server.stop()
