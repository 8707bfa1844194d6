"""Requests over time from the journal: counts per time bucket, drawn as an inline SVG.

The buckets are sized so that the journal's span fits in at most MAX_BARS of them (one second
each when it can), and the chart shows requests per second and errors per second of each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hubcrm.control.journal import Entry

MAX_BARS = 60
# A short journal still draws thin bars: at least this many slots across the chart.
MIN_SLOTS = 20
BUCKET_SECONDS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400)
WIDTH, HEIGHT = 720, 160
LEFT, BOTTOM, TOP = 44, 20, 10


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    height: float  # of all requests
    error_height: float
    start_ms: int
    requests: int
    errors: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    bucket_seconds: int
    peak_rate: float  # requests per second at the top of the scale
    start_ms: int
    end_ms: int
    requests: int
    errors: int
    end_x: float  # where the last bar ends
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM


def is_error(entry: Entry) -> bool:
    return entry.status >= 400 or entry.status == 0


def requests_over_time(entries: Sequence[Entry]) -> Chart | None:
    if not entries:
        return None
    first = min(e.at for e in entries)
    last = max(e.at for e in entries)
    span_s = (last - first) // 1000 + 1
    size = next((s for s in BUCKET_SECONDS if span_s / s <= MAX_BARS), BUCKET_SECONDS[-1])
    size_ms = size * 1000
    start = last // size_ms * size_ms - (MAX_BARS - 1) * size_ms
    start = max(start, first // size_ms * size_ms)
    count = (last - start) // size_ms + 1
    totals, errors = [0] * count, [0] * count
    for entry in entries:
        if entry.at >= start:
            index = (entry.at - start) // size_ms
            totals[index] += 1
            errors[index] += is_error(entry)
    peak = max(totals) / size
    plot_w, plot_h = WIDTH - LEFT - 4, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(count, MIN_SLOTS)
    bars = [
        Bar(
            x=LEFT + i * slot + slot * 0.1,
            width=slot * 0.8,
            height=plot_h * (n / size) / peak if peak else 0,
            error_height=plot_h * (e / size) / peak if peak else 0,
            start_ms=start + i * size_ms,
            requests=n,
            errors=e,
        )
        for i, (n, e) in enumerate(zip(totals, errors, strict=True))
    ]
    end_x = LEFT + count * slot
    return Chart(bars, size, peak, start, start + count * size_ms, sum(totals), sum(errors), end_x)
