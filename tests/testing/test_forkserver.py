"""LiveServer's servers forked from a pre-started interpreter: each as `hubcrm serve` would be,
in the caller's environment and folder, with its exit status; and a new interpreter where a fork
cannot stand in for one."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from hubcrm.testing import forkserver
from tests.server import LiveServer

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _fork_server_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the fork server: on even where the suite is run with it off."""
    monkeypatch.delenv(forkserver.ENV, raising=False)


def _upsert(server: LiveServer, body: bytes) -> int:
    request = urllib.request.Request(
        server.base_url + "/crm/v3/objects/contacts/batch/upsert",
        data=body,
        headers={"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_a_forked_server_serves_and_exits_as_the_command_would(tmp_path: Path) -> None:
    server = LiveServer(f"sqlite:///{tmp_path / 'f.db'}").start()
    process = server.process
    assert isinstance(process, forkserver.Child)
    parent = re.search(r"PPid:\s+(\d+)", Path(f"/proc/{process.pid}/status").read_text())
    assert parent is not None
    assert int(parent.group(1)) != os.getpid()  # the fork server's child, not this process's
    body = json.dumps({"inputs": [{"idProperty": "email", "id": "a@x.io", "properties": {}}]})
    assert _upsert(server, body.encode()) == 200
    assert process.poll() is None
    with pytest.raises(subprocess.TimeoutExpired):
        process.wait(timeout=0.05)
    server.stop()
    assert process.returncode == 0
    assert "hubcrm listening on http://127.0.0.1:" in server.output
    assert "created portal" in server.output


def test_a_killed_server_reports_the_signal(tmp_path: Path) -> None:
    server = LiveServer(f"sqlite:///{tmp_path / 'k.db'}").start()
    process = server.process
    assert isinstance(process, forkserver.Child)
    server.stop(kill=True)
    assert process.returncode == -signal.SIGKILL


def test_a_forked_server_takes_the_callers_environment_and_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HUBCRM_MAX_BODY_BYTES", "200")
    server = LiveServer("sqlite:///relative.db").start()
    try:
        assert isinstance(server.process, forkserver.Child)
        assert (tmp_path / "relative.db").exists()
        small = {"idProperty": "email", "id": "a@x.io", "properties": {}}
        assert _upsert(server, json.dumps({"inputs": [small]}).encode()) == 200
        large = {**small, "properties": {"firstname": "y" * 300}}
        assert _upsert(server, json.dumps({"inputs": [large]}).encode()) == 413
    finally:
        server.stop()


def test_a_refused_start_prints_the_error_and_exits_2(tmp_path: Path) -> None:
    server = LiveServer(f"sqlite:///{tmp_path / 'r.db'}", "--rate-limit", "platinum")
    with pytest.raises(RuntimeError, match="invalid choice: 'platinum'"):
        server.start()


@pytest.mark.parametrize(
    ("extra", "env"),
    [(("--workers", "2"), {}), ((), {forkserver.ENV: "0"})],
    ids=["several-workers", "turned-off"],
)
def test_a_new_interpreter_where_a_fork_cannot_stand_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: tuple[str, ...], env: dict[str, str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    server = LiveServer(f"sqlite:///{tmp_path / 'n.db'}", *extra).start()
    try:
        assert isinstance(server.process, subprocess.Popen)
    finally:
        server.stop()
    assert server.output.count("hubcrm listening on") == 1


def test_the_exit_status_of_a_refused_start() -> None:
    arguments = ["serve", "--port", "0", "--rate-limit", "platinum"]
    spawned = forkserver.shared().spawn(arguments, {**os.environ, "PYTHONUNBUFFERED": "1"})
    assert spawned is not None
    assert spawned.wait(timeout=30) == 2
    assert "invalid choice: 'platinum'" in spawned.stdout.read()
    spawned.stdout.close()


def test_signalling_a_child_that_has_exited_does_nothing() -> None:
    """As with Popen: a child that exited, even one the fork server has reaped before this
    process heard of it, is not signalled, and keeps its exit status."""
    arguments = ["serve", "--port", "0", "--rate-limit", "platinum"]
    spawned = forkserver.shared().spawn(arguments, {**os.environ, "PYTHONUNBUFFERED": "1"})
    assert spawned is not None
    assert "invalid choice: 'platinum'" in spawned.stdout.read()  # to the end: it has exited
    spawned.stdout.close()
    time.sleep(0.2)  # and the fork server has reaped it
    spawned.send_signal(signal.SIGKILL)
    assert spawned.wait(timeout=30) == 2
    spawned.send_signal(signal.SIGTERM)
    assert spawned.returncode == 2
