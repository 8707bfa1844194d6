"""What hubcrm tells Prometheus, at /metrics (or on --metrics-port), through prometheus_client.

No label holds user data: routes are templates (`/crm/v3/objects/{object_type}`), object types
are the catalogue's ids (`0-1`) or `unknown`, and the rest are small fixed sets. With
`serve --workers N` every worker writes its figures to files in PROMETHEUS_MULTIPROC_DIR, which
`hubcrm serve` sets before the workers start, and a scrape of any worker adds them all up.

For other parts of hubcrm: call `records_written`, `batch_size`, `rate_limited`, and, for webhook
deliveries, `webhook_delivery(outcome)` with `succeeded` or `failed`, and
`webhook_pending(count)` from whichever process holds the queue. Code below the api layer cannot
import this module: the api wires these functions into the hooks it offers (Records.on_written,
Records.on_batch, SearchIndexer.on_caught_up, Store.observe_commit_groups).
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess

from hubcrm.domain.objects import OBJECT_TYPES

CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
_KNOWN_TYPES = {t.type_id for t in OBJECT_TYPES}

REQUESTS = Counter(
    "hubcrm_http_requests",
    "HTTP requests answered, by route template, method and status",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "hubcrm_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template and method",
    ["route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
BATCH_SIZE = Histogram(
    "hubcrm_batch_inputs",
    "Inputs per batch write request, by object type and operation",
    ["object_type", "operation"],
    buckets=(1, 2, 5, 10, 25, 50, 75, 100),
)
RECORDS_WRITTEN = Counter(
    "hubcrm_records_written", "Records created or updated, by object type", ["object_type"]
)
RATE_LIMITED = Counter(
    "hubcrm_rate_limited", "Requests refused with 429, by rate-limit policy", ["policy"]
)
SEARCH_PENDING = Gauge(
    "hubcrm_search_catchup_pending",
    "Portal object types whose search rows lag behind their writes",
    multiprocess_mode="livesum",
)
SEARCH_LAG = Histogram(
    "hubcrm_search_catchup_lag_seconds",
    "Time from a write being noted to search having caught up with it",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
SQLITE_QUEUE = Gauge(
    "hubcrm_sqlite_writer_queue",
    "Write jobs waiting for the SQLite writer",
    multiprocess_mode="livesum",
)
SQLITE_GROUP = Histogram(
    "hubcrm_sqlite_commit_group_jobs",
    "Write jobs committed together by one SQLite commit",
    buckets=(1, 2, 4, 8, 16, 32),
)
POSTGRES_POOL = Gauge(
    "hubcrm_postgres_pool_connections",
    "Connections of the PostgreSQL pool, by state (idle, in_use, max)",
    ["state"],
    multiprocess_mode="livesum",
)
WEBHOOKS_PENDING = Gauge(
    "hubcrm_webhook_deliveries_pending",
    "Webhook deliveries waiting to be sent",
    multiprocess_mode="livesum",
)
WEBHOOKS = Counter(
    "hubcrm_webhook_deliveries", "Webhook deliveries attempted, by outcome", ["outcome"]
)


def object_type_label(type_id: str) -> str:
    if type_id in _KNOWN_TYPES:
        return type_id
    # Custom object types are per portal: one label for them all keeps the series bounded.
    return "custom" if type_id.startswith("2-") else "unknown"


def records_written(type_id: str, count: int) -> None:
    if count:
        RECORDS_WRITTEN.labels(object_type_label(type_id)).inc(count)


def batch_size(type_id: str, operation: str, size: int) -> None:
    BATCH_SIZE.labels(object_type_label(type_id), operation).observe(size)


def rate_limited(policy: str) -> None:
    RATE_LIMITED.labels(policy).inc()


def search_caught_up(lag_seconds: float) -> None:
    SEARCH_LAG.observe(lag_seconds)


def commit_group(jobs: int) -> None:
    SQLITE_GROUP.observe(jobs)


def webhook_delivery(outcome: str) -> None:
    """A webhook delivery ended: `succeeded`, or `failed` (each failed attempt counts)."""
    WEBHOOKS.labels(outcome).inc()


def webhook_pending(count: int) -> None:
    WEBHOOKS_PENDING.set(count)


def sample(gauges: dict[str, float], search_pending: int) -> None:
    """Set the gauges from the store's figures (Store.gauges) and the search indexer's."""
    SEARCH_PENDING.set(search_pending)
    if "sqlite_writer_queue" in gauges:
        SQLITE_QUEUE.set(gauges["sqlite_writer_queue"])
    for state in ("idle", "in_use", "max"):
        if f"postgres_pool_{state}" in gauges:
            POSTGRES_POOL.labels(state).set(gauges[f"postgres_pool_{state}"])


def registry() -> CollectorRegistry:
    """Every process's figures with several workers; this process's otherwise."""
    if not os.environ.get(MULTIPROCESS_ENV):
        return REGISTRY
    gathered = CollectorRegistry()
    _multiprocess.MultiProcessCollector(gathered)  # type: ignore[no-untyped-call]
    return gathered


def exposition() -> bytes:
    return generate_latest(registry())
