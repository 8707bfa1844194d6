"""How many writes may wait for the database, and for how long."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Backpressure:
    """Writes beyond `queue_limit` waiting at once (0: no bound), or one that has waited
    `queue_timeout` seconds without starting (0: no bound), are refused with errors.Overloaded
    rather than left to wait: a client is told to come back instead of timing out."""

    queue_limit: int = 256
    queue_timeout: float = 5.0
