"""HubSpot's rate limits: a rolling window and a daily quota per portal, and a per-second limit
for search per token.

The numbers per tier are HubSpot's for private apps. The limiter decides; the counting itself sits
behind store.base.RateCounters, kept in this process's memory (MemoryCounters) or, when the store
offers them, in the database that every process shares.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from hubcrm.protocol import messages
from hubcrm.protocol.errors import RateLimited
from hubcrm.store.base import RateCounters, WindowUsage

DAY_MS = 86_400_000
ROLLING_POLICY = "TEN_SECONDLY_ROLLING"
DAILY_POLICY = "DAILY"
SECONDLY_POLICY = "SECONDLY"


@dataclass(frozen=True)
class Tier:
    burst: int  # requests per rolling window
    daily: int


TIERS: dict[str, Tier | None] = {
    "off": None,
    "free": Tier(burst=100, daily=250_000),
    "starter": Tier(burst=100, daily=250_000),
    "professional": Tier(burst=190, daily=650_000),
    "enterprise": Tier(burst=190, daily=1_000_000),
}
# What the headers report when limits are off.
OFF_REPORTS = "free"


@dataclass(frozen=True)
class Limits:
    enforced: bool
    window_ms: int
    burst: int
    daily: int
    search_per_second: int

    @classmethod
    def of(
        cls,
        tier: str,
        window_ms: int = 10_000,
        burst: int = 0,
        daily: int = 0,
        search_per_second: int = 5,
    ) -> Limits:
        """A tier's limits; a positive burst or daily overrides the tier's number."""
        if tier not in TIERS:
            raise ValueError(f"unknown rate-limit tier {tier!r}: one of {', '.join(TIERS)}")
        numbers = TIERS[tier] or TIERS[OFF_REPORTS]
        assert numbers is not None
        return cls(
            enforced=TIERS[tier] is not None,
            window_ms=window_ms,
            burst=burst or numbers.burst,
            daily=daily or numbers.daily,
            search_per_second=search_per_second,
        )


@dataclass(frozen=True)
class Verdict:
    headers: dict[str, str]
    refusal: RateLimited | None = None


class Limiter:
    def __init__(self, limits: Limits, counters: RateCounters) -> None:
        self.limits = limits
        self.counters = counters

    def idle(self) -> dict[str, str]:
        """The headers of a response that counted against no portal."""
        return self._headers(self.limits.burst, self.limits.daily)

    async def check(self, portal_id: int, token_id: int, policy: str, now_ms: int) -> Verdict:
        """Count one request of the portal; `policy` is the route's ("standard" or "search")."""
        if not self.limits.enforced:
            return Verdict(self.idle())
        if policy == "search":
            refusal = await self._search(portal_id, token_id, now_ms)
            if refusal:
                return Verdict(self._headers(0, self.limits.daily), refusal)
        return await self._portal(portal_id, now_ms)

    async def _search(self, portal_id: int, token_id: int, now_ms: int) -> RateLimited | None:
        per_second = self.limits.search_per_second
        usage = await self.counters.take(
            f"{portal_id}:search:{token_id}",
            now_ms,
            1000,
            now_ms // DAY_MS,
            lambda u: u.in_window < per_second,
        )
        if usage.in_window < per_second:
            return None
        return _refusal(SECONDLY_POLICY, _until_oldest_leaves(usage, 1000, now_ms))

    async def _portal(self, portal_id: int, now_ms: int) -> Verdict:
        limits = self.limits
        day = now_ms // DAY_MS
        usage = await self.counters.take(
            f"{portal_id}", now_ms, limits.window_ms, day, self._admits
        )
        if usage.today >= limits.daily:
            next_day_ms = (day + 1) * DAY_MS - now_ms
            return Verdict(self._headers(0, 0), _refusal(DAILY_POLICY, next_day_ms))
        if usage.in_window >= limits.burst:
            wait = _until_oldest_leaves(usage, limits.window_ms, now_ms)
            remaining_daily = limits.daily - usage.today
            return Verdict(self._headers(0, remaining_daily), _refusal(ROLLING_POLICY, wait))
        return Verdict(
            self._headers(limits.burst - usage.in_window - 1, limits.daily - usage.today - 1)
        )

    @property
    def _admits(self) -> Callable[[WindowUsage], bool]:
        limits = self.limits
        return lambda u: u.in_window < limits.burst and u.today < limits.daily

    def exhausted(self, policy: str) -> dict[str, str]:
        """The headers of a 429 for `policy` that counted against no portal (an injected one)."""
        return self._headers(0, 0 if policy == DAILY_POLICY else self.limits.daily)

    def _headers(self, remaining: int, daily_remaining: int) -> dict[str, str]:
        return {
            "X-HubSpot-RateLimit-Daily": str(self.limits.daily),
            "X-HubSpot-RateLimit-Daily-Remaining": str(daily_remaining),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(self.limits.window_ms),
            "X-HubSpot-RateLimit-Max": str(self.limits.burst),
            "X-HubSpot-RateLimit-Remaining": str(remaining),
        }


def _until_oldest_leaves(usage: WindowUsage, window_ms: int, now_ms: int) -> int:
    oldest = usage.oldest_ms if usage.oldest_ms is not None else now_ms
    return oldest + window_ms - now_ms


def refusal(policy: str, retry_after: int) -> RateLimited:
    """HubSpot's 429 for `policy`, telling the client to wait `retry_after` seconds."""
    return RateLimited(
        messages.RATE_LIMITED.format(policy=policy.lower()),
        policy_name=policy,
        retry_after=retry_after,
    )


def _refusal(policy: str, wait_ms: int) -> RateLimited:
    return refusal(policy, max(1, math.ceil(wait_ms / 1000)))


class MemoryCounters:
    """Exact rolling windows in this process's memory: one timestamp per hit in the window."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[int]] = {}
        self._days: dict[str, tuple[int, int]] = {}

    async def take(
        self,
        key: str,
        now_ms: int,
        window_ms: int,
        day: int,
        admit: Callable[[WindowUsage], bool],
    ) -> WindowUsage:
        # No await inside: on one event loop this read-decide-record step is atomic.
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now_ms - window_ms:
            hits.popleft()
        counted_day, today = self._days.get(key, (day, 0))
        today = today if counted_day == day else 0
        usage = WindowUsage(len(hits), hits[0] if hits else None, today)
        if admit(usage):
            hits.append(now_ms)
            self._days[key] = (day, usage.today + 1)
        return usage
