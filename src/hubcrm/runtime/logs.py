"""`--log-format text|json`: how hubcrm's log lines look.

JSON lines carry the time, level, logger and message, and whatever fields the call names in
`extra` from FIELDS (the request log's correlation id, portal, route, status and duration). An
exception is logged by its type and stack only: its message could quote a value.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import traceback

# The fields a log call may add through `extra`; nothing else reaches a JSON line.
FIELDS = ("correlation_id", "portal_id", "method", "route", "status", "duration_ms")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": _iso(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                line[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            line["error"] = record.exc_info[0].__name__
            line["stack"] = "".join(traceback.format_tb(record.exc_info[2]))
        return json.dumps(line, ensure_ascii=False)


def _iso(created: float) -> str:
    return (
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created))
        + f".{int(created % 1 * 1000):03d}Z"
    )


def configure(log_format: str) -> None:
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


# --- Throttling (issue 20) ---
# Under overload or while the database is away, every request may be answered 503 and every
# retry would log a line: thousands a second, which fill a disk or block a process whose output
# nobody reads. Warnings are let through once per THROTTLE_SECONDS for each kind of message (its
# template); the next one that passes says how many like it were left out meanwhile.

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
