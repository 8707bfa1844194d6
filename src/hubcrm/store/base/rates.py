"""Hit counters behind the rate limiter (domain/ratelimit.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class WindowUsage:
    """A rate-limit key's use before the current request."""

    in_window: int  # hits inside the rolling window
    oldest_ms: int | None  # when the oldest of those hits happened
    today: int  # hits on the current day


class RateCounters(Protocol):
    """Hit counters behind the rate limiter (domain/ratelimit.py), one set per key."""

    async def take(
        self,
        key: str,
        now_ms: int,
        window_ms: int,
        day: int,
        admit: Callable[[WindowUsage], bool],
    ) -> WindowUsage:
        """Atomically read the key's usage and, if admit(usage), record a hit at now_ms."""
