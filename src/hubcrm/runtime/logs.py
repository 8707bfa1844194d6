"""The server's log: one line per event, and no flood of them.

Under overload or while the database is away, every request may be answered 503 and every
retry would log a line: thousands a second, which fill a disk or block a process whose output
nobody reads. Warnings are let through once per THROTTLE_SECONDS for each kind of message (its
template); the next one that passes says how many like it were left out meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time

THROTTLE_SECONDS = 5.0


class Throttle(logging.Filter):
    def __init__(self, seconds: float = THROTTLE_SECONDS) -> None:
        super().__init__()
        self._seconds = seconds
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._left_out: dict[str, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.WARNING:
            return True
        key = str(record.msg)
        now = time.monotonic()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self._seconds:
                self._left_out[key] = self._left_out.get(key, 0) + 1
                return False
            self._last[key] = now
            left_out = self._left_out.pop(key, 0)
        if left_out:
            record.msg = f"{record.getMessage()} (and {left_out} more like it)"
            record.args = ()
        return True


def throttle_warnings(*names: str) -> None:
    """Throttle the warnings of these loggers (those hubcrm logs faults to)."""
    for name in names:
        logging.getLogger(name).addFilter(Throttle())
