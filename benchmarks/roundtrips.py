"""The PostgreSQL round trips one batch upsert over HTTP costs, counted on the wire.

    python -m benchmarks.roundtrips [--database postgresql://postgres@127.0.0.1:5432/postgres]
                                    [--object contacts|deals] [--warm 30]

A fresh database is seeded through the domain, then `hubcrm serve` is started against a small
TCP proxy in front of PostgreSQL that reads what the server sends. Each Sync or simple Query the
server sends is one round trip: it waits for the answer before going on. After `--warm` batches
(so every statement is prepared and every cache filled, as in a long-running server), one more
batch of the benchmark's workload (half new contacts, half updates) is sent and its round trips
are listed in order, with the connection each went over (`ids` is the id allocation pool). The
pool hands its connections out in turn, so warming takes more batches than it has connections.
A statement of the background work (the webhook deliverer's poll, search catching up) may show
among them, on a connection of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import struct
import sys
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from tests.server import LiveServer

from benchmarks import load
from benchmarks.upsert import PostgresEngine, seed_hubcrm
from benchmarks.workload import KINDS, batches, upsert_body

SSL_REQUEST = 80877103


@dataclass
class Wire:
    """What every connection through the proxy sent: one line per round trip."""

    trips: list[tuple[int, str, str]] = field(default_factory=list)  # (connection, pool, text)
    counting: bool = False


class Proxy:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.wire = Wire()
        self._connections = 0

    async def serve(self) -> tuple[asyncio.Server, int]:
        server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        return server, server.sockets[0].getsockname()[1]

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections += 1
        number = self._connections
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        back = asyncio.create_task(_pipe(up_reader, writer))
        try:
            await self._forward(number, reader, up_writer)
        finally:
            back.cancel()
            up_writer.close()
            writer.close()

    async def _forward(
        self, number: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        # The startup message has no type byte; its parameters tell the two pools apart.
        length = struct.unpack("!i", await reader.readexactly(4))[0]
        body = await reader.readexactly(length - 4)
        if struct.unpack("!i", body[:4])[0] == SSL_REQUEST:
            raise RuntimeError("connect with sslmode=disable: the proxy reads plain messages")
        writer.write(struct.pack("!i", length) + body)
        pool = "ids" if b"synchronous_commit\x00off" in body else "pool"
        names: dict[bytes, str] = {}
        pending: list[str] = []
        while True:
            head = await reader.readexactly(5)
            kind, length = head[:1], struct.unpack("!i", head[1:])[0]
            body = await reader.readexactly(length - 4)
            writer.write(head + body)
            if kind == b"P":  # Parse: statement name, then its text
                name, _, rest = body.partition(b"\x00")
                text = rest.partition(b"\x00")[0].decode()
                names[name] = text
                pending.append("prepare: " + text)
            elif kind == b"B":  # Bind: portal name, then the statement's
                statement = body.split(b"\x00", 2)[1]
                pending.append(names.get(statement, "(unnamed)"))
            elif kind == b"Q":
                pending.append(body.rstrip(b"\x00").decode())
            elif kind == b"X":
                return
            if kind in (b"S", b"Q"):
                if self.wire.counting:
                    text = " | ".join(dict.fromkeys(pending)) or "(sync)"
                    self.wire.trips.append((number, pool, text))
                pending = []


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()


def _short(text: str, width: int = 150) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


async def run(args: argparse.Namespace) -> str:
    kind = KINDS[args.object]
    engine = PostgresEngine(args.database)
    try:
        url = await engine.database("roundtrips")
        token = await seed_hubcrm(url, 0, kind)
        await engine.seeded(url)
        parts = urlsplit(url)
        proxy = Proxy((parts.hostname or "127.0.0.1", parts.port or 5432))
        listening, port = await proxy.serve()
        host = f"{parts.username}@127.0.0.1:{port}" if parts.username else f"127.0.0.1:{port}"
        proxied = urlunsplit(parts._replace(netloc=host, query="sslmode=disable"))
        server = await asyncio.to_thread(lambda: LiveServer(proxied).start())
        try:
            path = f"/crm/v3/objects/{kind.name}/batch/upsert"
            work = list(batches(0, args.warm + 1, kind=kind))
            bodies = [
                load.encode_request(server.base_url, path, token, upsert_body(b, kind.id_property))
                for b in work
            ]
            warm = await load.run(server.base_url, bodies[:-1], 1)
            await asyncio.sleep(0.5)  # let the background indexer catch up the warm batches
            proxy.wire.counting = True
            measured = await load.run(server.base_url, bodies[-1:], 1)
            proxy.wire.counting = False
            if set(warm.statuses) | set(measured.statuses) != {200}:
                raise RuntimeError(f"upserts failed: {warm.statuses} {measured.statuses}")
        finally:
            await asyncio.to_thread(server.stop)
            listening.close()
    finally:
        await engine.drop_all()
    trips = proxy.wire.trips
    lines = [f"{len(trips)} round trips for one batch of 100 {kind.name} (50 new, 50 updated):"]
    lines += [f"{i:2}. [{pool} {n}] {_short(text)}" for i, (n, pool, text) in enumerate(trips, 1)]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--object", choices=sorted(KINDS), default="contacts")
    parser.add_argument("--warm", type=int, default=30, help="batches sent before the counted one")
    args = parser.parse_args()
    print(asyncio.run(run(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
