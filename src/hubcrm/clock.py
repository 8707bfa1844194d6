"""Time for the domain: milliseconds since the epoch, and HubSpot's timestamp format."""

from __future__ import annotations

import functools
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int: ...


class SystemClock:
    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000


class FrozenClock:
    """A clock that moves only when told to; for tests and deterministic runs."""

    def __init__(self, now_ms: int) -> None:
        self._now = now_ms

    def now_ms(self) -> int:
        return self._now

    def advance(self, ms: int) -> None:
        self._now += ms


@functools.lru_cache(maxsize=256)  # a batch stamps every record it writes with one time
def format_ms(ms: int) -> str:
    """`2025-01-02T03:04:05.678Z`: UTC, always three fractional digits."""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
