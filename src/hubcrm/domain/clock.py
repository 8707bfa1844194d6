"""Time for the domain: milliseconds since the epoch, and HubSpot's timestamp format."""

from __future__ import annotations

import functools
import time
from datetime import UTC, datetime
from typing import Protocol

from hubcrm.domain import context


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


class _Setting:
    """One clock's deviation from real time: frozen at a moment, or running at an offset."""

    def __init__(self, frozen_at: int | None = None, offset: int = 0) -> None:
        self.frozen_at = frozen_at
        self.offset = offset

    def now_ms(self, real: Clock) -> int:
        return self.frozen_at if self.frozen_at is not None else real.now_ms() + self.offset


class ControlledClock:
    """Real time, unless told otherwise, for every portal or for one.

    The control API freezes, sets and advances it; a portal that was never given a time of its
    own follows the server-wide one. Which portal is asking comes from context.current_portal.
    """

    def __init__(self, real: Clock | None = None, frozen_at: int | None = None) -> None:
        self._real = real or SystemClock()
        self._everyone = _Setting(frozen_at)
        self._portals: dict[int, _Setting] = {}

    def now_ms(self) -> int:
        return self._setting(context.current_portal.get()).now_ms(self._real)

    def for_portal(self, portal_id: int) -> Clock:
        """This clock as one portal sees it, wherever it is read (on any thread or loop)."""
        return _PortalView(self, portal_id)

    def is_frozen(self, portal_id: int | None) -> bool:
        return self._setting(portal_id).frozen_at is not None

    def read(self, portal_id: int | None) -> int:
        return self._setting(portal_id).now_ms(self._real)

    def freeze(self, portal_id: int | None, at_ms: int | None = None) -> None:
        setting = self._own(portal_id)
        setting.frozen_at = setting.now_ms(self._real) if at_ms is None else at_ms

    def unfreeze(self, portal_id: int | None) -> None:
        setting = self._own(portal_id)
        if setting.frozen_at is not None:
            setting.offset = setting.frozen_at - self._real.now_ms()
            setting.frozen_at = None

    def set(self, portal_id: int | None, at_ms: int) -> None:
        setting = self._own(portal_id)
        if setting.frozen_at is not None:
            setting.frozen_at = at_ms
        else:
            setting.offset = at_ms - self._real.now_ms()

    def advance(self, portal_id: int | None, ms: int) -> None:
        setting = self._own(portal_id)
        if setting.frozen_at is not None:
            setting.frozen_at += ms
        else:
            setting.offset += ms

    def forget(self, portal_id: int | None) -> None:
        """Back to the server-wide time (for a portal), or to every portal following it."""
        if portal_id is None:
            self._portals.clear()
        else:
            self._portals.pop(portal_id, None)

    def _setting(self, portal_id: int | None) -> _Setting:
        return self._portals.get(portal_id, self._everyone) if portal_id else self._everyone

    def _own(self, portal_id: int | None) -> _Setting:
        if portal_id is None:
            return self._everyone
        if portal_id not in self._portals:
            everyone = self._everyone
            self._portals[portal_id] = _Setting(everyone.frozen_at, everyone.offset)
        return self._portals[portal_id]


class _PortalView:
    def __init__(self, clock: ControlledClock, portal_id: int) -> None:
        self._clock = clock
        self._portal_id = portal_id

    def now_ms(self) -> int:
        return self._clock.read(self._portal_id)


def portal_clock(clock: Clock, portal_id: int) -> Clock:
    """The clock as a portal sees it, for work that runs away from the request's context (the
    SQLite writer thread), where context.current_portal cannot say whose clock it is."""
    return clock.for_portal(portal_id) if isinstance(clock, ControlledClock) else clock


def parse_moment(value: int | str) -> int:
    """Epoch milliseconds, or an ISO-8601 moment (no zone means UTC), as epoch milliseconds."""
    if isinstance(value, int):
        return value
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)
