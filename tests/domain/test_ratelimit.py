"""The rate limiter on a controllable clock: rolling windows, daily quotas, search per second."""

from __future__ import annotations

import asyncio

import pytest

from hubcrm.domain.ratelimit import DAY_MS, Limiter, Limits, MemoryCounters, Verdict
from hubcrm.protocol.errors import RateLimited

NOON_MS = 20_000 * DAY_MS + DAY_MS // 2


def limiter(tier: str = "free", **overrides: int) -> Limiter:
    return Limiter(Limits.of(tier, **overrides), MemoryCounters())


def check(limiter: Limiter, now_ms: int, portal: int = 1, policy: str = "standard") -> Verdict:
    return asyncio.run(limiter.check(portal, 1, policy, now_ms))


def refusal(verdict: Verdict) -> RateLimited:
    assert verdict.refusal is not None
    return verdict.refusal


@pytest.mark.parametrize(
    ("tier", "burst", "daily"),
    [
        ("off", 100, 250_000),
        ("free", 100, 250_000),
        ("starter", 100, 250_000),
        ("professional", 190, 650_000),
        ("enterprise", 190, 1_000_000),
    ],
)
def test_tiers_report_hubspot_numbers(tier: str, burst: int, daily: int) -> None:
    verdict = check(limiter(tier), NOON_MS)
    counted = 1 if tier != "off" else 0
    assert verdict.headers == {
        "X-HubSpot-RateLimit-Daily": str(daily),
        "X-HubSpot-RateLimit-Daily-Remaining": str(daily - counted),
        "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
        "X-HubSpot-RateLimit-Max": str(burst),
        "X-HubSpot-RateLimit-Remaining": str(burst - counted),
    }


def test_off_never_refuses_and_never_counts() -> None:
    off = limiter("off")
    for _ in range(500):
        verdict = check(off, NOON_MS)
    assert verdict.refusal is None
    assert verdict.headers["X-HubSpot-RateLimit-Remaining"] == "100"


def test_the_window_rolls_rather_than_resetting() -> None:
    limits = limiter(burst=3)
    for offset in (0, 4_000, 8_000):
        assert check(limits, NOON_MS + offset).refusal is None
    refused = refusal(check(limits, NOON_MS + 9_999))
    assert (refused.policy_name, refused.retry_after) == ("TEN_SECONDLY_ROLLING", 1)
    assert refused.message == "You have reached your ten_secondly_rolling limit."
    # At 10 s the first hit leaves the window: one more fits, then the one at 4 s is the oldest.
    assert check(limits, NOON_MS + 10_000).headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert refusal(check(limits, NOON_MS + 10_001)).retry_after == 4


def test_retry_after_is_the_wait_until_a_slot_frees_rounded_up() -> None:
    limits = limiter(burst=1)
    check(limits, NOON_MS)
    assert refusal(check(limits, NOON_MS + 1)).retry_after == 10
    assert refusal(check(limits, NOON_MS + 8_999)).retry_after == 2
    assert check(limits, NOON_MS + 10_000).refusal is None


def test_refused_requests_do_not_count() -> None:
    limits = limiter(burst=2)
    check(limits, NOON_MS)
    check(limits, NOON_MS + 1)
    for ms in range(2, 1_000):
        assert check(limits, NOON_MS + ms).refusal is not None
    assert check(limits, NOON_MS + 10_001).refusal is None  # as if the refusals never happened


def test_the_daily_quota_resets_at_midnight_utc() -> None:
    limits = limiter(daily=2, burst=100)
    check(limits, NOON_MS)
    assert check(limits, NOON_MS + 1).headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"
    refused = refusal(check(limits, NOON_MS + 20_000))
    assert refused.policy_name == "DAILY"
    assert refused.message == "You have reached your daily limit."
    assert refused.retry_after == (DAY_MS // 2 - 20_000) // 1000
    assert check(limits, NOON_MS + DAY_MS // 2).refusal is None


def test_portals_have_their_own_counters() -> None:
    limits = limiter(burst=1)
    check(limits, NOON_MS, portal=1)
    assert check(limits, NOON_MS, portal=1).refusal is not None
    assert check(limits, NOON_MS, portal=2).refusal is None


def test_search_has_its_own_limit_per_second() -> None:
    limits = limiter(search_per_second=5)
    for ms in range(5):
        assert check(limits, NOON_MS + ms, policy="search").refusal is None
    refused = refusal(check(limits, NOON_MS + 5, policy="search"))
    assert (refused.policy_name, refused.retry_after) == ("SECONDLY", 1)
    assert refused.message == "You have reached your secondly limit."
    assert check(limits, NOON_MS + 6).refusal is None  # other routes are not held back
    assert check(limits, NOON_MS + 1_000, policy="search").refusal is None


def test_search_counts_against_the_portal_too() -> None:
    limits = limiter(burst=2)
    check(limits, NOON_MS, policy="search")
    check(limits, NOON_MS + 1, policy="search")
    assert refusal(check(limits, NOON_MS + 2, policy="search")).policy_name == (
        "TEN_SECONDLY_ROLLING"
    )


def test_unknown_tiers_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown rate-limit tier 'gold'"):
        Limits.of("gold")
