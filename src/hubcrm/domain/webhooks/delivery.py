"""Delivering the outbox: batches of up to 100 events of one app and portal, POSTed signed to
the app's target URL, retried on HubSpot's schedule until delivered or out of retries.

Runs as a background task of every server process (like the search indexer), so writes never
wait for a target, however slow or unreachable. Each pass claims due events in the store (a
claim is a lease: nobody else delivers those events until it ends), POSTs each batch in its own
task, and records the answer. A process that dies mid-delivery leaves its claims to expire; any
process then delivers those events again, as a retry (`attemptNumber` one higher).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import msgspec

from hubcrm.domain.clock import Clock, SystemClock
from hubcrm.domain.webhooks import signing
from hubcrm.store.base import ClaimedBatch, ClaimedEvent, DeliveryOutcome, Store
from hubcrm.store.errors import StoreError

log = logging.getLogger("hubcrm.webhooks")

BATCH_SIZE = 100  # "up to 100 events" per request
MAX_RETRIES = 10  # "up to 10 retries", spread over 24 hours
DAY_MS = 86_400_000
CLAIM_BATCHES = 20  # batches claimed per pass
MAX_IN_FLIGHT = 100  # POSTs in flight per process, whatever the apps allow
RESPONSE_BYTES = 2048  # of each answer, kept for the control API
# With nothing due and nothing in flight, the pause between looks at the outbox doubles up to
# this. A write answered by this process wakes it at once (wake()); this bounds how late it finds
# what another process left, or a retry that fell due.
IDLE_POLL_S = 1.0


@dataclass(frozen=True)
class Answer:
    """What a target answered: its status (None: no answer at all, see `error`)."""

    status: int | None
    error: str | None = None
    body: str = ""
    retry_after_s: float | None = None


# (url, headers, body, timeout in seconds) -> the answer; never raises.
Sender = Callable[[str, dict[str, str], bytes, float], Awaitable[Answer]]


def retry_delay_ms(retry: int, rng: random.Random, scale: float) -> int:
    """The wait before retry number `retry` (1..10): exponentially growing, randomised between
    the previous ceiling and this one, so that ten retries spread over at most 24 hours."""
    ceiling = DAY_MS / 2 * 2.0 ** (retry - MAX_RETRIES)  # the ceilings add up to a day
    floor = ceiling / 2 if retry > 1 else 0.0
    return round(rng.uniform(floor, ceiling) * scale)


def payload(batch: ClaimedBatch, event: ClaimedEvent) -> dict[str, object]:
    """An event as HubSpot sends it, its fields in HubSpot's order."""
    return {
        "eventId": event.event_id,
        "subscriptionId": event.subscription_id,
        "portalId": batch.portal_id,
        "appId": batch.app_id,
        "occurredAt": event.occurred_at,
        "subscriptionType": event.event_type,
        "attemptNumber": event.attempt,
        **event.fields,
    }


_encode = msgspec.json.Encoder().encode


class Deliverer:
    def __init__(
        self,
        store: Store,
        send: Sender,
        *,
        retry_scale: float = 1.0,
        timeout_s: float = 5.0,
        poll_s: float = 0.1,
        rng: random.Random | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.store = store
        self.send = send
        self.retry_scale = retry_scale
        self.timeout_s = timeout_s
        self.poll_s = poll_s
        self.rng = rng or random.Random()
        self.clock = clock or SystemClock()  # real time: retries do not follow portal clocks
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self.looks = 0  # passes over the outbox so far

    @property
    def lease_ms(self) -> int:
        # Longer than any POST can take (the client gives up after twice the timeout and a
        # second), so a live process's claim never lapses under it.
        return round(self.timeout_s * 2000) + 3000

    def wake(self) -> None:
        """Look at the outbox now: a write that recorded events was acknowledged, or a delivery
        ended."""
        self._wake.set()

    async def run(self) -> None:
        pause = self.poll_s
        try:
            while True:
                self._wake.clear()
                self.looks += 1
                try:
                    started = await self.deliver_due()
                except StoreError as error:  # the database is away: try again next pass
                    log.warning("webhook delivery: %s", error)
                    started = []
                # Busy: look again soon. Idle: less and less often, until woken.
                busy = bool(started or self._tasks)
                pause = self.poll_s if busy else min(pause * 2, max(self.poll_s, IDLE_POLL_S))
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
                # cancellation that lands as the wake does, and run() would never end.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(pause):
                        await self._wake.wait()
                if self._wake.is_set():
                    pause = self.poll_s
        finally:
            for task in list(self._tasks):
                task.cancel()
            for task in list(self._tasks):
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def deliver_due(self, *, everything: bool = False) -> list[asyncio.Task[None]]:
        """Claim what is due (with `everything`, every pending event) and start delivering it."""
        now = self.clock.now_ms()
        room = MAX_IN_FLIGHT - len(self._tasks)
        if room <= 0 or (not everything and not await self.store.webhook_events_due(now)):
            return []
        batches = await self.store.claim_webhook_events(
            now,
            self.lease_ms,
            due_before=2**62 if everything else now,
            batch_size=BATCH_SIZE,
            batches=min(CLAIM_BATCHES, room),
        )
        started = []
        for batch in batches:
            task = asyncio.create_task(self._deliver(batch), name="hubcrm-webhook-delivery")
            self._tasks.add(task)
            task.add_done_callback(self._ended)
            started.append(task)
        return started

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self.wake()  # a failed delivery may now be due again

    async def deliver_now(self) -> int:
        """Deliver every pending event now, retries included, whatever their due time; wait for
        the answers. Returns the number of requests made."""
        made = 0
        while started := await self.deliver_due(everything=True):
            made += len(started)
            await asyncio.gather(*started)
        return made

    async def _deliver(self, batch: ClaimedBatch) -> None:
        body = _encode([payload(batch, event) for event in batch.events])
        timestamp = self.clock.now_ms()
        headers = signing.headers(batch.client_secret, batch.url, body, timestamp)
        answer = await self.send(batch.url, headers, body, self.timeout_s)
        finished = self.clock.now_ms()
        delivered = answer.status is not None and 200 <= answer.status < 300
        retry_at = {} if delivered else self._retries(batch, answer, finished)
        outcome = DeliveryOutcome(
            batch.delivery_id,
            finished,
            answer.status,
            answer.error,
            answer.body[:RESPONSE_BYTES],
            delivered,
            retry_at,
        )
        try:
            await self.store.finish_webhook_delivery(outcome)
        except StoreError as error:  # the claim lapses and the events are delivered again
            log.warning("webhook delivery %d not recorded: %s", batch.delivery_id, error)

    def _retries(self, batch: ClaimedBatch, answer: Answer, now: int) -> dict[int, int | None]:
        """When each event of a failed batch is tried again; None once its retries are spent."""
        retry_at: dict[int, int | None] = {}
        for event in batch.events:
            retry = event.attempt + 1
            if retry > MAX_RETRIES:
                retry_at[event.event_id] = None
                continue
            wait = retry_delay_ms(retry, self.rng, self.retry_scale)
            if answer.status == 429 and answer.retry_after_s is not None:
                wait = max(wait, round(answer.retry_after_s * 1000 * self.retry_scale))
            retry_at[event.event_id] = now + wait
        return retry_at
