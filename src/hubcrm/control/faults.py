"""Fault rules: per-portal failures injected on purpose, so that tests can exercise retry logic.

A rule matches requests by method and path pattern, and fires for the next `times` matching
requests, or with a `probability`, or both (each match is a draw, at most `times` fire). A rule
answers with an error status in HubSpot's shape, adds latency, or drops the connection; latency
combines with the others. Rules are kept in the order they were added: the first rule that answers
(with a status, or by dropping the connection) decides, and latency rules add up before it.
"""

from __future__ import annotations

import fnmatch
import random
from dataclasses import dataclass, field

import msgspec

from hubcrm.protocol import messages
from hubcrm.protocol.errors import ValidationError

RATE_LIMIT_POLICIES = ("TEN_SECONDLY_ROLLING", "DAILY", "SECONDLY")
STATUSES = (423, 429, 477, 500, 502, 503, 504)
# Seconds a client is told to wait when a rule names none. 423: HubSpot asks for at least 2 s.
DEFAULT_RETRY_AFTER = {423: 2, 429: 1, 477: 60}
MAX_LATENCY_MS = 120_000


class FaultRule(msgspec.Struct, rename="camel", kw_only=True, forbid_unknown_fields=True):
    method: str = "*"
    path: str = "*"  # exact, or a glob such as `/crm/v3/objects/contacts/*`
    status: int | None = None
    policy_name: str | None = None  # 429 only: TEN_SECONDLY_ROLLING (the default) or DAILY
    retry_after: int | None = None  # seconds, for 423, 429 and 477
    latency_ms: int = 0
    drop: bool = False
    times: int | None = None  # how many more times it fires; None for no limit
    probability: float | None = None
    id: str = ""
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (self.method == "*" or self.method.upper() == method) and fnmatch.fnmatchcase(
            path, self.path
        )


@dataclass
class Fault:
    """What the firing rules add up to for one request."""

    latency_ms: int = 0
    status: int | None = None
    policy_name: str | None = None
    retry_after: int | None = None
    drop: bool = False
    rule_ids: list[str] = field(default_factory=list)

    @property
    def answers(self) -> bool:
        return self.status is not None or self.drop


def check(rule: FaultRule) -> FaultRule:
    """The rule as kept (defaults filled in), or ValidationError naming what is wrong."""
    problem = _problem(rule)
    if problem:
        raise ValidationError(messages.INVALID_FAULT.format(problem=problem))
    policy = rule.policy_name or ("TEN_SECONDLY_ROLLING" if rule.status == 429 else None)
    retry_after = rule.retry_after
    if retry_after is None and rule.status is not None:
        retry_after = DEFAULT_RETRY_AFTER.get(rule.status)
    return msgspec.structs.replace(
        rule, method=rule.method.upper(), policy_name=policy, retry_after=retry_after
    )


def _problem(rule: FaultRule) -> str | None:
    if rule.status is None and not rule.drop and not rule.latency_ms:
        return "give a status, latencyMs or drop"
    if rule.status is not None and rule.drop:
        return "a rule either answers with a status or drops the connection, not both"
    if rule.status is not None and rule.status not in STATUSES:
        return f"status must be one of {', '.join(map(str, STATUSES))}"
    if rule.policy_name is not None and (
        rule.status != 429 or rule.policy_name not in RATE_LIMIT_POLICIES
    ):
        return f"policyName goes with status 429 and is one of {', '.join(RATE_LIMIT_POLICIES)}"
    if rule.retry_after is not None and (
        rule.retry_after < 0 or rule.status not in (423, 429, 477)
    ):
        return "retryAfter is a number of seconds, for status 423, 429 or 477"
    if not 0 <= rule.latency_ms <= MAX_LATENCY_MS:
        return f"latencyMs must be between 0 and {MAX_LATENCY_MS}"
    if rule.times is not None and rule.times < 1:
        return "times must be at least 1"
    if rule.probability is not None and not 0 <= rule.probability <= 1:
        return "probability must be between 0 and 1"
    return None


class Faults:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._rules: dict[int, list[FaultRule]] = {}
        self._next_id: dict[int, int] = {}

    def add(self, portal_id: int, rule: FaultRule) -> FaultRule:
        number = self._next_id.get(portal_id, 0) + 1
        self._next_id[portal_id] = number
        kept = msgspec.structs.replace(check(rule), id=f"fault-{number}", fired=0)
        self._rules.setdefault(portal_id, []).append(kept)
        return kept

    def rules(self, portal_id: int) -> list[FaultRule]:
        return list(self._rules.get(portal_id, ()))

    def remove(self, portal_id: int, rule_id: str) -> bool:
        rules = self._rules.get(portal_id, [])
        kept = [r for r in rules if r.id != rule_id]
        self._rules[portal_id] = kept
        return len(kept) != len(rules)

    def clear(self, portal_id: int | None = None) -> None:
        if portal_id is None:
            self._rules.clear()
            self._next_id.clear()
        else:
            self._rules.pop(portal_id, None)
            self._next_id.pop(portal_id, None)

    def fire(self, portal_id: int, method: str, path: str) -> Fault | None:
        """The fault this request meets, if any rule fires; spent rules are dropped."""
        rules = self._rules.get(portal_id)
        if not rules:
            return None
        fault = Fault()
        for rule in rules:
            if not rule.matches(method, path) or (rule.times is not None and rule.times < 1):
                continue
            if rule.probability is not None and self._rng.random() >= rule.probability:
                continue
            if fault.answers and (rule.status is not None or rule.drop):
                continue  # an earlier rule answers already; this one stays for a later request
            _spend(rule)
            fault.rule_ids.append(rule.id)
            fault.latency_ms += rule.latency_ms
            if not fault.answers and (rule.status is not None or rule.drop):
                fault.status, fault.drop = rule.status, rule.drop
                fault.policy_name, fault.retry_after = rule.policy_name, rule.retry_after
        self._rules[portal_id] = [r for r in rules if r.times is None or r.times > 0]
        return fault if fault.rule_ids else None


def _spend(rule: FaultRule) -> None:
    rule.fired += 1
    if rule.times is not None:
        rule.times -= 1
