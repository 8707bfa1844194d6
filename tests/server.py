"""A real `hubcrm serve` process for end-to-end tests."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import IO

_LISTENING = re.compile(r"hubcrm listening on (http://\S+)")
_TOKEN = re.compile(r"created portal (\d+); its token: (pat-\S+)")


class LiveServer:
    def __init__(self, database_url: str, *extra: str) -> None:
        self.database_url = database_url
        self.extra = extra
        self.process: subprocess.Popen[str] | None = None
        self.base_url = ""
        self.token = ""
        self.portal_id = 0
        self.output = ""  # everything the server printed, once it has stopped

    def start(self, timeout: float = 20.0) -> LiveServer:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hubcrm",
                "serve",
                "--port",
                "0",
                "--database",
                self.database_url,
                *self.extra,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
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
