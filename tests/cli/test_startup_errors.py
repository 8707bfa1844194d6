"""Start-up and configuration errors: one line on stderr naming the cause and the fix, exit
status 2, no traceback unless --debug asks for one."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.resilience.private_postgres import PASSWORD, private_postgres

pytestmark = pytest.mark.slow


def serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hubcrm", "serve", "--port", "0", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    """The error line, after checking it is the only thing said and the status is 2."""
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    assert "listening" not in done.stdout
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("hubcrm: ")
    return lines[0]


def test_an_unsupported_database_url() -> None:
    line = one_line(serve("--database", "mysql://root:hunter2@db/crm"))
    assert line == (
        "hubcrm: unsupported database URL (scheme 'mysql'): give sqlite:///relative/path.db,"
        " sqlite:////absolute/path.db or postgresql://user:password@host:port/dbname"
    )
    assert "hunter2" not in line


def test_malformed_database_urls() -> None:
    assert one_line(serve("--database", "sqlite:/x.db")) == (
        "hubcrm: malformed SQLite URL 'sqlite:/x.db': write it as sqlite:///relative/path.db or"
        " sqlite:////absolute/path.db"
    )
    line = one_line(serve("--database", "postgresql://u:pw@host:notaport/db"))
    assert line.startswith("hubcrm: malformed PostgreSQL URL (")
    assert line.endswith("): write it as postgresql://user:password@host:port/dbname")


def test_an_unreachable_database_after_a_short_retry() -> None:
    began = time.monotonic()
    line = one_line(serve("--database", "postgresql://postgres:pw@127.0.0.1:1/crm"))
    assert 2.5 < time.monotonic() - began < 30
    assert line.startswith("hubcrm: cannot reach PostgreSQL at 127.0.0.1:1/crm (")
    assert line.endswith(
        "): start the server, or correct the host and port in --database / HUBCRM_DATABASE_URL"
    )


def test_a_wrong_password() -> None:
    with private_postgres() as pg:
        line = one_line(serve("--database", pg.url(password="wrong-one")))
        assert line == (
            f"hubcrm: PostgreSQL at 127.0.0.1:{pg.port}/postgres refused the password of user"
            " postgres: correct the password in --database / HUBCRM_DATABASE_URL"
            " (postgresql://user:password@host/db)"
        )
        assert "wrong-one" not in line
        assert PASSWORD not in line


def test_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        database = f"sqlite:///{tmp_path / 'h.db'}"
        done = subprocess.run(
            [sys.executable, "-m", "hubcrm", "serve", "--port", str(port), "--database", database],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    assert one_line(done) == (
        f"hubcrm: cannot listen on 127.0.0.1:{port}: the port is in use by another program;"
        " stop it, or choose another port with --port"
    )


def test_unopenable_sqlite_paths_say_which_and_why(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "h.db"
    assert one_line(serve("--database", f"sqlite:///{missing}")) == (
        f"hubcrm: cannot open the SQLite database {missing}: its folder {missing.parent} does"
        " not exist: create it, or give another path"
    )
    assert one_line(serve("--database", f"sqlite:///{tmp_path}")) == (
        f"hubcrm: cannot open the SQLite database {tmp_path}: it is a folder: give the path of a"
        " database file"
    )
    garbage = tmp_path / "notes.txt"
    garbage.write_text("not a database, " * 1000)
    assert one_line(serve("--database", f"sqlite:///{garbage}")) == (
        f"hubcrm: cannot open the SQLite database {garbage}: it is not a SQLite database: give"
        " another path"
    )


def test_debug_adds_the_traceback(tmp_path: Path) -> None:
    done = serve("--database", f"sqlite:///{tmp_path / 'no' / 'h.db'}", "--debug")
    assert done.returncode == 2
    assert "Traceback" in done.stderr
    assert done.stderr.splitlines()[-1].startswith("hubcrm: cannot open the SQLite database ")
