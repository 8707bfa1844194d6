"""SIGTERM under load, with one process and with `--workers 2`: the server stops accepting,
answers every request it accepted, commits what it acknowledged, stops the search indexer and
exits 0; a restart finds every acknowledged write."""

from __future__ import annotations

import signal
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.backends import BACKENDS, fresh_database
from tests.resilience.load import REFUSED, Load, check, stored_tags
from tests.server import LiveServer

pytestmark = pytest.mark.slow


def _terminate(server: LiveServer, signum: int = signal.SIGTERM, timeout: float = 30) -> int:
    """SIGTERM (or `signum`), then the exit status once the process has stopped by itself."""
    assert server.process is not None
    server.process.send_signal(signum)
    status = server.process.wait(timeout)
    assert server.process.stdout is not None
    server.output += server.process.stdout.read()
    server.process.stdout.close()
    server.process = None
    return status


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("backend", BACKENDS)
def test_sigterm_under_load_loses_nothing_and_exits_0(
    backend: str, workers: int, tmp_path: Path
) -> None:
    stop_under_load(backend, workers, signal.SIGTERM, tmp_path)


@pytest.mark.parametrize("workers", [1, 2])
def test_sigint_is_as_graceful(workers: int, tmp_path: Path) -> None:
    stop_under_load("sqlite", workers, signal.SIGINT, tmp_path)


def stop_under_load(backend: str, workers: int, signum: int, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        server = LiveServer(url, "--workers", str(workers), "--shutdown-timeout", "10").start()
        try:
            with Load(server.base_url, server.token, clients=6, size=40) as load:
                load.wait_for(201, 5)  # under load: writes are being acknowledged
                began = time.monotonic()
                status = _terminate(server, signum)
                stopped_in = time.monotonic() - began
                load.wait_for(REFUSED)  # clients now find the port closed
        finally:
            server.stop(kill=True)
        assert status == 0, server.output[-3000:]
        assert stopped_in < 10
        assert "Traceback" not in server.output, server.output[-3000:]

        restarted = LiveServer(url).start()
        try:
            stored = stored_tags(restarted.base_url, server.token)
        finally:
            restarted.stop()
        statuses = check(load.outcomes, stored, allowed=frozenset({201, REFUSED}))
        assert statuses[201] > 0, statuses
        assert statuses[REFUSED] > 0, statuses  # the load went on past the shutdown


def test_a_connection_whose_request_comes_just_after_the_signal_is_answered(
    tmp_path: Path,
) -> None:
    """A client that has connected but not yet sent when SIGTERM arrives (the moment between
    connect and send) is answered, not hung up on."""
    server = LiveServer(f"sqlite:///{tmp_path / 'late.db'}").start()
    address = urlsplit(server.base_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        time.sleep(0.2)  # the server has taken the connection: it waits for a request
        assert server.process is not None
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)  # the server is shutting down
        sock.sendall(
            b"GET /crm/v3/objects/contacts/1 HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer " + server.token.encode() + b"\r\nConnection: close\r\n\r\n"
        )
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert received.startswith(b"HTTP/1.1 404 "), received
    assert b'"category":"OBJECT_NOT_FOUND"' in received
    assert _terminate(server) == 0
