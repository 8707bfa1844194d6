"""Every setting in one table: its name, default, environment variable and help.

The command line, docs/settings.md and a test that keeps the two in step all derive from the
fields of Settings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any


def _setting(default: Any, help: str, env: str | None = None) -> Any:
    return field(default=default, metadata={"help": help, "env": env})


@dataclass(frozen=True)
class Settings:
    database: str = _setting(
        "sqlite:///hubcrm.db",
        "Database URL: sqlite:///relative/path.db or sqlite:////absolute/path.db",
        env="HUBCRM_DATABASE_URL",
    )
    host: str = _setting("127.0.0.1", "Address to listen on")
    port: int = _setting(8080, "Port to listen on (0 picks a free port)")
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

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f.name, f.default, f.metadata["help"], f.metadata["env"] or "HUBCRM_" + f.name.upper())
    for f in fields(Settings)
)


def _parse(default: Any, text: str) -> Any:
    if isinstance(default, bool):
        return text.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(text)
    return text
