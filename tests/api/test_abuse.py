"""A real server against slow, oversized and hostile clients; and what it prints."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.server import LiveServer

# The deadline tests share one server (on one worker): each opens connections of its own, and
# the server's settings are what they are about.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("abuse-deadlines")]

TIMEOUTS = ("--header-timeout", "0.6", "--body-timeout", "0.6", "--keep-alive-timeout", "1")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("abuse")
    live = LiveServer(
        f"sqlite:///{folder / 'abuse.db'}", *TIMEOUTS, "--max-header-bytes", "4096"
    ).start()
    yield live
    live.stop()


def connect(server: LiveServer) -> socket.socket:
    address = urlsplit(server.base_url)
    sock = socket.create_connection((address.hostname, address.port), timeout=5)
    return sock


def closed_after(sock: socket.socket) -> tuple[float, bytes]:
    """Seconds until the server closes the connection, and what it sent before."""
    started = time.monotonic()
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return time.monotonic() - started, received


def get_ok(server: LiveServer) -> int:
    request = urllib.request.Request(
        server.base_url + "/crm/v3/objects/contacts/1",
        headers={"Authorization": f"Bearer {server.token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def test_a_silent_connection_is_closed_after_the_header_timeout(server: LiveServer) -> None:
    with connect(server) as sock:
        waited, received = closed_after(sock)
    assert received == b""
    assert 0.4 < waited < 3


def trickle(sock: socket.socket, piece: bytes, every: float = 0.1) -> float:
    """Send `piece` every `every` seconds until the server hangs up; how long that took."""
    started = time.monotonic()
    while time.monotonic() - started < 10:
        try:
            sock.sendall(piece)
            time.sleep(every)
            if sock.recv(65536, socket.MSG_DONTWAIT) == b"":
                return time.monotonic() - started
        except BlockingIOError:
            continue  # nothing to read yet: the connection is open
        except OSError:
            return time.monotonic() - started
    raise AssertionError("the server never hung up")


def test_a_client_trickling_its_headers_is_cut_off(server: LiveServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /crm/v3/objects/contacts/1 HTTP/1.1\r\nHost: x\r\n")
        # Each header line arrives well within the deadline; the head as a whole does not.
        assert 0.4 < trickle(sock, b"X-Slow: 1\r\n") < 3
    assert get_ok(server) == 404  # and the server serves others


def test_a_client_trickling_its_body_is_cut_off(server: LiveServer) -> None:
    with connect(server) as sock:
        sock.sendall(
            b"POST /crm/v3/objects/contacts/batch/upsert HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer " + server.token.encode() + b"\r\n"
            b'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"inputs":'
        )
        waited, _ = closed_after(sock)
    assert waited < 3
    assert get_ok(server) == 404


def test_a_slow_but_steady_client_within_the_deadlines_is_served(server: LiveServer) -> None:
    body = b'{"inputs": []}'
    with connect(server) as sock:
        sock.sendall(b"POST /crm/v3/objects/contacts/batch/upsert HTTP/1.1\r\nHost: x\r\n")
        time.sleep(0.2)
        sock.sendall(
            b"Authorization: Bearer " + server.token.encode() + b"\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n"
        )
        time.sleep(0.2)
        sock.sendall(body)
        _, received = closed_after(sock)
    assert received.startswith(b"HTTP/1.1 200 ")


def test_oversized_headers_are_refused(server: LiveServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 8000 + b"\r\n\r\n")
        _, received = closed_after(sock)
    assert received.startswith(b"HTTP/1.1 431 ")
    assert b'"message":"Request headers are larger than the limit of 4096 bytes"' in received
    assert get_ok(server) == 404


def test_headers_trickled_past_the_limit_are_refused(server: LiveServer) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        received = b""
        try:
            for _ in range(10):
                sock.sendall(b"X-Big: " + b"a" * 1000 + b"\r\n")
                time.sleep(0.02)
        except OSError:
            pass  # the server answered and hung up before the last piece
        _, received = closed_after(sock)
    assert received.startswith(b"HTTP/1.1 400 ")


def test_beyond_max_concurrency_requests_get_503(tmp_path: Path) -> None:
    live = LiveServer(f"sqlite:///{tmp_path / 'busy.db'}", "--max-concurrency", "2").start()
    try:
        with connect(live), connect(live):
            time.sleep(0.2)
            assert get_ok(live) == 503
        time.sleep(0.2)
        assert get_ok(live) == 404
    finally:
        live.stop()


def test_tokens_never_reach_the_output(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'quiet.db'}"
    live = LiveServer(url).start()
    unknown = "pat-na1-11111111-2222-4333-8444-555555555555"
    try:
        for token in (live.token, unknown, "Bearer-ish secret"):
            request = urllib.request.Request(
                live.base_url + "/crm/v3/objects/contacts/batch/upsert",
                data=b'{"inputs": [{"id": "' + token.encode() + b'"}]}',
                headers={"Authorization": f"Bearer {token}"},
                method="POST",
            )
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(request, timeout=5)
            assert token.encode() not in answer.value.read()
            answer.value.close()
    finally:
        live.stop()
    after_start = live.output.split("hubcrm listening on", 1)[1]
    assert live.token not in after_start
    assert unknown not in live.output


def test_listening_beyond_loopback_warns_without_a_tls_terminator(tmp_path: Path) -> None:
    live = LiveServer(f"sqlite:///{tmp_path / 'wide.db'}", "--host", "0.0.0.0").start()
    live.stop()
    assert "warning: listening on 0.0.0.0 without TLS" in live.output
    assert "docs/deployment.md" in live.output
    quiet = LiveServer(
        f"sqlite:///{tmp_path / 'wide.db'}", "--host", "0.0.0.0", "--tls-terminator"
    ).start()
    quiet.stop()
    assert "warning" not in quiet.output


def test_open_auth_beyond_loopback_with_insecure_starts(tmp_path: Path) -> None:
    live = LiveServer(
        f"sqlite:///{tmp_path / 'open.db'}", "--host", "0.0.0.0", "--auth", "open", "--insecure"
    ).start()
    try:
        request = urllib.request.Request(
            live.base_url + "/crm/v3/objects/contacts/1",
            headers={"Authorization": "Bearer any-token-at-all"},
        )
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=5)
        answer.value.close()
        assert answer.value.code == 404  # a portal of its own, empty
    finally:
        live.stop()


def test_negative_settings_are_refused(tmp_path: Path) -> None:
    ran = subprocess.run(
        [sys.executable, "-m", "hubcrm", "serve", "--body-timeout", "-1"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert ran.returncode == 2
    assert ran.stderr == "hubcrm: --body-timeout must not be negative, not -1.0\n"
