"""A private PostgreSQL server for tests that restart it or need password authentication: its own
data folder and port, so the machine's shared server is never disturbed. It runs as the
`postgres` OS user when the tests run as root (PostgreSQL refuses to run as root)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.backends import postgres_required

PASSWORD = "s3cret-test"


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder (or the one pg_ctl on PATH is in)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def _version(path: str) -> int:
    try:
        return int(path.split("/")[4])
    except (IndexError, ValueError):
        return 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PrivatePostgres:
    bin: Path
    data: Path
    folder: Path
    port: int
    user: str | None  # the OS user it runs as, when not the current one

    def url(self, password: str = PASSWORD) -> str:
        return f"postgresql://postgres:{password}@127.0.0.1:{self.port}/postgres"

    def ctl(self, *args: str, timeout: float = 60) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), *args, timeout=timeout)

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c max_connections=60 -c shared_buffers=16MB"
        )
        self.ctl("-o", options, "-l", str(self.folder / "log"), "-w", "start")

    def restart(self) -> None:
        """A fast restart: every connection is terminated, and new ones are refused until the
        server is up again."""
        self.ctl("-m", "fast", "-l", str(self.folder / "log"), "-w", "restart")

    def stop(self) -> None:
        self.ctl("-m", "immediate", "-w", "stop")

    def _run(self, *command: str, timeout: float) -> None:
        # Output to a file: a server started by pg_ctl would hold a pipe open for ever.
        with open(self.folder / "ctl.out", "a") as out:
            done = subprocess.run(
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=timeout,
                user=self.user,
                cwd=self.folder,
                check=False,
            )
        assert done.returncode == 0, (command, (self.folder / "ctl.out").read_text()[-2000:])


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A new PostgreSQL server on a free port, password authentication, torn down afterwards."""
    bin = binaries()
    if bin is None:
        if postgres_required():
            pytest.fail("HUBCRM_TEST_REQUIRE_POSTGRES is set but initdb and pg_ctl are missing")
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) for a private server")
    user = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="hubcrm-pg-"))
    try:
        if user:
            shutil.chown(folder, user, user)
        for name, text in (("pw", PASSWORD + "\n"), ("ctl.out", "")):
            (folder / name).write_text(text)
            if user:
                shutil.chown(folder / name, user, user)
        server = PrivatePostgres(bin, folder / "data", folder, free_port(), user)
        server._run(
            str(bin / "initdb"),
            "-D",
            str(server.data),
            "-U",
            "postgres",
            "--auth=scram-sha-256",
            f"--pwfile={folder / 'pw'}",
            "-E",
            "UTF8",
            "--no-sync",
            timeout=120,
        )
        server.start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
