"""Every setting in one table: its name, default, environment variable and help.

The command line, docs/settings.md and a test that keeps the two in step all derive from the
fields of Settings.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any


def _setting(
    default: Any, help: str, env: str | None = None, choices: tuple[str, ...] | None = None
) -> Any:
    return field(default=default, metadata={"help": help, "env": env, "choices": choices})


@dataclass(frozen=True)
class Settings:
    database: str = _setting(
        "sqlite:///hubcrm.db",
        "Database URL: sqlite:///relative/path.db, sqlite:////absolute/path.db,"
        " or postgresql://user@host:port/dbname",
        env="HUBCRM_DATABASE_URL",
    )
    host: str = _setting("127.0.0.1", "Address to listen on")
    port: int = _setting(8080, "Port to listen on (0 picks a free port)")
    workers: int = _setting(1, "Worker processes serving the port, for multi-core machines")
    max_body_bytes: int = _setting(
        10 * 1024 * 1024, "Largest request body accepted, in bytes; a larger one gets 413"
    )
    email_partial_upserts: bool = _setting(
        False, "Allow 207 partial results for upserts keyed by email (HubSpot does not)"
    )
    control: bool = _setting(
        False, "Serve the control API under /_hubcrm/ (reset, seed, clock, journal, faults)"
    )
    admin_token: str = _setting(
        "", "Token the control API requires (always required when not on a loopback host)"
    )
    deterministic: bool = _setting(
        False,
        "Stable ids, timestamps and correlation ids from run to run (the clock starts frozen)",
    )
    journal_size: int = _setting(1000, "Requests the journal keeps per portal (0 turns it off)")
    journal_body_bytes: int = _setting(
        65_536, "Bytes of each request and response body the journal keeps"
    )
    search_delay: int = _setting(
        0, "Milliseconds before a new or changed record is visible to search"
    )
    auth: str = _setting(
        "tokens",
        "tokens: only issued tokens; open: any well-formed bearer token, each its own portal",
        choices=("tokens", "open"),
    )
    insecure: bool = _setting(False, "Allow --auth open on an address other than loopback")
    tls_terminator: bool = _setting(
        False, "A TLS terminator is in front: no warning when listening beyond loopback"
    )
    rate_limit: str = _setting(
        "off",
        "HubSpot rate-limit tier to enforce per portal",
        choices=("off", "free", "starter", "professional", "enterprise"),
    )
    rate_limit_window_ms: int = _setting(10_000, "Length of the rolling rate-limit window")
    rate_limit_burst: int = _setting(0, "Requests per rolling window (0: the tier's)")
    rate_limit_daily: int = _setting(0, "Requests per day (0: the tier's)")
    rate_limit_search_per_second: int = _setting(5, "Search requests per second per token")
    max_header_bytes: int = _setting(
        32 * 1024, "Largest request line and headers accepted, in bytes; larger gets 400"
    )
    header_timeout: float = _setting(
        10.0, "Seconds a client may take to send a request's line and headers"
    )
    body_timeout: float = _setting(60.0, "Seconds a client may take to send a request's body")
    keep_alive_timeout: int = _setting(5, "Seconds an idle keep-alive connection stays open")
    max_concurrency: int = _setting(
        1000, "Most connections and requests served at once; beyond, requests get 503"
    )
    # --- Staying up (issue 20): backpressure, shutdown, start-up errors ---
    write_queue_limit: int = _setting(
        256,
        "Most writes waiting for the database at once per process; beyond, writes get 503 with"
        " Retry-After at once (0: no bound)",
    )
    write_queue_timeout: float = _setting(
        5.0,
        "Seconds a write may wait for the database before it starts; past it, 503 with"
        " Retry-After (0: no bound)",
    )
    shutdown_timeout: int = _setting(
        30, "Seconds in-flight requests get to finish after SIGTERM or SIGINT"
    )
    debug: bool = _setting(False, "Print the traceback of a start-up error, not just its line")
    # Webhooks of apps (docs/webhooks.md)
    webhook_retry_scale: float = _setting(
        1.0,
        "Scale HubSpot's webhook retry schedule (10 retries over 24 hours) by this factor;"
        " 0.001 makes a day of retries take under two minutes",
    )
    webhook_timeout: float = _setting(
        5.0, "Seconds a webhook target has to answer a delivery (HubSpot's documented 5)"
    )

    # Operations: metrics, logs (api/metrics.py, api/observing.py; docs/deployment.md).
    metrics: str = _setting("on", "Serve Prometheus metrics (on or off)", choices=("on", "off"))
    metrics_port: int = _setting(
        0, "Serve /metrics on this port instead of the API's (0: on the API's port)"
    )
    log_format: str = _setting(
        "text",
        "text: plain messages; json: one JSON object a line, and one per request",
        choices=("text", "json"),
    )

    def __post_init__(self) -> None:
        for setting in SETTINGS:
            value = getattr(self, setting.name)
            if setting.choices and value not in setting.choices:
                raise ValueError(
                    f"{setting.flag} must be one of {', '.join(setting.choices)}, not {value!r}"
                )
            if type(value) in (int, float) and value < 0:
                raise ValueError(f"{setting.flag} must not be negative, not {value!r}")

    @classmethod
    def load(
        cls, overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] = os.environ
    ) -> Settings:
        """Defaults, then environment variables, then explicit overrides (None means unset)."""
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            if setting.env in env:
                values[setting.name] = _parse(setting.default, env[setting.env])
        for setting in SETTINGS:
            value = (overrides or {}).get(setting.name)
            if value is not None:
                values[setting.name] = value
        return cls(**values)


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    env: str
    choices: tuple[str, ...] | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(
        f.name,
        f.default,
        f.metadata["help"],
        f.metadata["env"] or "HUBCRM_" + f.name.upper(),
        f.metadata["choices"],
    )
    for f in fields(Settings)
)


def _parse(default: Any, text: str) -> Any:
    if isinstance(default, bool):
        return text.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(text)
    if isinstance(default, float):
        return float(text)
    return text


def is_loopback(host: str) -> bool:
    """Whether a listening address is reachable only from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve anywhere
