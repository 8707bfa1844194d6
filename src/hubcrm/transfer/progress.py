"""Progress on stderr: a bar on a terminal (tqdm), a plain line every few seconds otherwise."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import IO, Any

# How often the plain lines come when stderr is not a terminal.
LINE_SECONDS = 5.0


class Progress:
    def __init__(
        self,
        verb: str,
        total: int | None,
        stream: IO[str] | None = None,
        interval: float = LINE_SECONDS,
    ) -> None:
        self._stream = stream or sys.stderr
        self._verb = verb
        self._total = total
        self._interval = interval
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._last_line = self._started
        self.done = 0
        self.rejected = 0
        self._bar: Any = None
        if self._stream.isatty():
            from tqdm import tqdm

            columns, lines = _size(self._stream)
            self._bar = tqdm(total=total, unit="row", file=self._stream, ncols=columns, nrows=lines)
            self._bar.set_description(verb)

    def advance(self, done: int, rejected: int = 0) -> None:
        with self._lock:
            self.done += done
            self.rejected += rejected
            if self._bar is not None:
                self._bar.update(done)
                if rejected:
                    self._bar.set_postfix(rejected=self.rejected)
                return
            now = time.monotonic()
            if now - self._last_line >= self._interval:
                self._last_line = now
                self._line(now)

    def _line(self, now: float) -> None:
        seconds = now - self._started
        rate = self.done / seconds if seconds > 0 else 0.0
        text = f"{self._verb}: {self.done} rows"
        if self._total:
            left = (self._total - self.done) / rate if rate else 0.0
            text += f" of {self._total} ({100 * self.done / self._total:.0f}%), ~{left:.0f}s left"
        text += f", {rate:.0f} rows/s, {self.rejected} rejected"
        print(text, file=self._stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _size(stream: IO[str]) -> tuple[int, int]:
    """The terminal's size; 80 by 24 where it reports none (a new pseudo-terminal says 0 by 0,
    and tqdm then draws nothing)."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (OSError, ValueError):
        return 80, 24
    return size.columns or 80, size.lines or 24
