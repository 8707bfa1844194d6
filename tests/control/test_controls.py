"""The pure parts of the test controls: the controlled clock, fault rules and the journal."""

from __future__ import annotations

import random

import pytest

from hubcrm.control import journal
from hubcrm.control.faults import FaultRule, Faults
from hubcrm.control.journal import Entry, Journal, Query, scrub_query
from hubcrm.domain import context
from hubcrm.domain.clock import ControlledClock, FrozenClock, parse_moment, portal_clock


def test_a_portal_clock_starts_from_the_server_clock_and_then_goes_its_own_way() -> None:
    real = FrozenClock(1_000)
    clock = ControlledClock(real)
    clock.advance(7, 500)
    assert (clock.read(7), clock.read(8), clock.read(None)) == (1_500, 1_000, 1_000)
    real.advance(100)  # real time passes for everyone not frozen
    assert (clock.read(7), clock.read(8)) == (1_600, 1_100)
    clock.freeze(7)
    real.advance(100)
    assert (clock.read(7), clock.is_frozen(7), clock.is_frozen(8)) == (1_600, True, False)
    clock.unfreeze(7)  # runs on from where it stood
    real.advance(10)
    assert clock.read(7) == 1_610
    clock.forget(7)
    assert clock.read(7) == clock.read(None) == 1_210


def test_the_server_clock_moves_portals_without_their_own() -> None:
    clock = ControlledClock(FrozenClock(0), frozen_at=5_000)
    clock.set(3, 9_000)
    clock.advance(None, 1_000)
    assert (clock.read(1), clock.read(3)) == (6_000, 9_000)
    clock.forget(None)
    assert clock.read(3) == 6_000


def test_now_ms_reads_the_clock_of_the_current_portal() -> None:
    clock = ControlledClock(FrozenClock(0))
    clock.set(42, 77)
    reset = context.current_portal.set(42)
    try:
        assert clock.now_ms() == 77
    finally:
        context.current_portal.reset(reset)
    assert clock.now_ms() == 0
    assert portal_clock(clock, 42).now_ms() == 77  # wherever it is read
    frozen = FrozenClock(3)
    assert portal_clock(frozen, 42) is frozen


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("2026-01-01T00:00:00Z", 1_767_225_600_000),
        ("2026-01-01T00:00:00.250", 1_767_225_600_250),
        ("2026-01-01T01:00:00+01:00", 1_767_225_600_000),
        (12, 12),
    ],
)
def test_moments(text: str | int, ms: int) -> None:
    assert parse_moment(text) == ms


def rules(*added: FaultRule, seed: int = 0) -> Faults:
    faults = Faults(random.Random(seed))
    for rule in added:
        faults.add(1, rule)
    return faults


def test_the_first_answering_rule_decides_and_latencies_add_up() -> None:
    faults = rules(
        FaultRule(latency_ms=100),
        FaultRule(status=503, times=1),
        FaultRule(latency_ms=50, times=2),
        FaultRule(status=500, times=1),
    )
    first = faults.fire(1, "POST", "/x")
    assert first is not None
    assert (first.status, first.latency_ms, first.rule_ids) == (
        503,
        150,
        ["fault-1", "fault-2", "fault-3"],
    )
    second = faults.fire(1, "GET", "/y")
    assert second is not None
    assert (second.status, second.latency_ms) == (500, 150)  # the 500 kept its turn
    third = faults.fire(1, "GET", "/y")
    assert third is not None
    assert (third.status, third.latency_ms, third.answers) == (None, 100, False)
    assert [r.id for r in faults.rules(1)] == ["fault-1"]


def test_rules_match_method_and_glob() -> None:
    faults = rules(FaultRule(method="post", path="/crm/*/batch/*", status=429))
    assert faults.fire(1, "GET", "/crm/v3/objects/contacts/batch/upsert") is None
    assert faults.fire(1, "POST", "/crm/v3/other") is None
    assert faults.fire(2, "POST", "/crm/v3/objects/contacts/batch/upsert") is None
    fired = faults.fire(1, "POST", "/crm/v3/objects/contacts/batch/upsert")
    assert fired is not None
    assert (fired.status, fired.policy_name, fired.retry_after) == (429, "TEN_SECONDLY_ROLLING", 1)


def test_probability_draws_from_the_generator_given() -> None:
    def draws(seed: int) -> list[bool]:
        faults = rules(FaultRule(status=500, probability=0.5), seed=seed)
        return [faults.fire(1, "GET", "/") is not None for _ in range(40)]

    assert draws(7) == draws(7)
    assert 5 < sum(draws(7)) < 35


def query(entries: list[Entry], **wanted: object) -> list[int]:
    return [e.sequence for e in entries if Query(**wanted).matches(e)]  # type: ignore[arg-type]


def entry(sequence: int, method: str, path: str, status: int, at: int) -> Entry:
    return Entry(
        sequence=sequence,
        at=at,
        method=method,
        path=path,
        query="",
        status=status,
        duration_ms=1.0,
        correlation_id="c",
        request_body="",
        request_truncated=False,
        response_body="",
        response_truncated=False,
    )


def test_journal_queries() -> None:
    entries = [
        entry(1, "POST", "/a/batch/upsert", 200, 10),
        entry(2, "GET", "/a/1", 404, 20),
        entry(3, "GET", "/a/2", 429, 30),
    ]
    assert query(entries, method="get") == [2, 3]
    assert query(entries, status="4xx") == [2, 3]
    assert query(entries, status="429") == [3]
    assert query(entries, path="*/batch/*") == [1]
    assert query(entries, since=20, until=20) == [2]


def test_the_journal_forgets_the_least_recently_used_portal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(journal, "MAX_PORTALS", 2)
    kept = Journal(size=2, body_bytes=10)
    for portal_id in (1, 2, 1, 3):
        kept.record(portal_id, entry(kept.next_sequence(portal_id), "GET", "/", 200, 0))
    assert kept.entries(2) == []
    assert [e.sequence for e in kept.entries(1)] == [1, 2]
    assert len(kept.entries(3)) == 1


def test_bodies_are_cut_and_scrubbed() -> None:
    kept = Journal(size=1, body_bytes=8)
    assert kept.clip(b"abcdefghij", None) == ("abcdefgh", True)
    assert kept.clip(b"tok=XY", "XY") == ("tok=[REDACTED]", False)
    assert kept.clip(b"\xff\xfeok", None) == ("\ufffd\ufffdok", False)
    assert scrub_query("a=1&HAPIKEY=k&code=c&b", "zz") == "a=1&HAPIKEY=[REDACTED]&code=[REDACTED]&b"
