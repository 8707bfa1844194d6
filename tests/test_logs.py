"""The server's warnings are throttled: one line per kind per few seconds, then a count."""

from __future__ import annotations

import logging
import time

import pytest

from hubcrm.runtime.logs import Throttle


def test_warnings_of_one_kind_pass_once_then_with_a_count(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("hubcrm.test_logs")
    throttle = Throttle(seconds=0.2)
    log.addFilter(throttle)
    try:
        with caplog.at_level(logging.INFO, logger="hubcrm.test_logs"):
            for n in range(50):
                log.warning("503 for %s", n)
            log.info("info is never throttled")
            log.info("info is never throttled")
            time.sleep(0.25)
            log.warning("503 for %s", "later")
    finally:
        log.removeFilter(throttle)
    assert [r.getMessage() for r in caplog.records] == [
        "503 for 0",
        "info is never throttled",
        "info is never throttled",
        "503 for later (and 49 more like it)",
    ]
