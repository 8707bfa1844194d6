"""Webhook signatures against HubSpot's published examples, and the retry schedule's bounds."""

from __future__ import annotations

import base64
import hashlib
import hmac
import random

from hubcrm.domain.webhooks import signing
from hubcrm.domain.webhooks.delivery import DAY_MS, MAX_RETRIES, retry_delay_ms

# "Validating requests from HubSpot": its example secret, body and signatures.
SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
V1_BODY = (
    b'[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,'
    b'"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,'
    b'"changeSource":"CRM","changeFlag":"NEW","appId":54321}]'
)


def test_v1_and_v2_match_hubspots_examples() -> None:
    assert signing.v1(SECRET, V1_BODY) == (
        "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de"
    )
    assert signing.v2(SECRET, "GET", "https://www.example.com/webhook_uri", b"") == (
        "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e"
    )


def test_v3_is_hubspots_hmac_written_independently() -> None:
    uri, body, timestamp = "https://example.com/hooks?x=1", b'[{"a":1}]', 1_769_081_994_066
    source = f"POST{uri}{body.decode()}{timestamp}".encode()
    expected = base64.b64encode(hmac.new(SECRET.encode(), source, hashlib.sha256).digest())
    assert signing.v3(SECRET, "POST", uri, body, timestamp) == expected.decode()
    headers = signing.headers(SECRET, uri, body, timestamp)
    assert headers["X-HubSpot-Signature-Version"] == "v1"
    assert headers["X-HubSpot-Request-Timestamp"] == str(timestamp)
    assert headers["X-HubSpot-Timeout-Millis"] == "10000"


def test_ten_retries_grow_and_fit_in_a_day() -> None:
    rng = random.Random(7)
    for _ in range(200):
        delays = [retry_delay_ms(retry, rng, 1.0) for retry in range(1, MAX_RETRIES + 1)]
        assert sum(delays) <= DAY_MS
        assert sum(delays) >= DAY_MS * 0.49
        assert DAY_MS // 4 <= delays[-1] <= DAY_MS // 2  # the last one waits 6 to 12 hours
        assert delays == sorted(delays)
    scaled = [retry_delay_ms(r, rng, 0.001) for r in range(1, MAX_RETRIES + 1)]
    assert sum(scaled) <= DAY_MS * 0.001  # a day of retries in under two minutes
