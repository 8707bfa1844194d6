"""The headers HubSpot signs a webhook request with ("Validating requests from HubSpot").

Webhook requests carry both: v1 (`X-HubSpot-Signature`, the SHA-256 hex of the client secret
followed by the body, with `X-HubSpot-Signature-Version: v1`), and v3 (`X-HubSpot-Signature-v3`,
base64 of the HMAC-SHA256, keyed by the client secret, of method + URI + body + timestamp, with the
timestamp in `X-HubSpot-Request-Timestamp`, epoch milliseconds).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

USER_AGENT = (
    "HubSpot Connect 2.0 (http://dev.hubspot.com/) (namespace: webhooks-nio-http-client)"
    " - WebhooksExecutorDaemon-executor"
)
# What HubSpot's requests announce; hubcrm waits for the time its delivery timeout says.
TIMEOUT_MILLIS_HEADER = "10000"


def v1(client_secret: str, body: bytes) -> str:
    return hashlib.sha256(client_secret.encode() + body).hexdigest()


def v2(client_secret: str, method: str, uri: str, body: bytes) -> str:
    return hashlib.sha256(
        client_secret.encode() + method.encode() + uri.encode() + body
    ).hexdigest()


def v3(client_secret: str, method: str, uri: str, body: bytes, timestamp_ms: int) -> str:
    source = method.encode() + uri.encode() + body + str(timestamp_ms).encode()
    mac = hmac.new(client_secret.encode(), source, hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def headers(client_secret: str, url: str, body: bytes, timestamp_ms: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Accept": "*/*",
        "User-Agent": USER_AGENT,
        "X-HubSpot-Signature": v1(client_secret, body),
        "X-HubSpot-Signature-Version": "v1",
        "X-HubSpot-Signature-v3": v3(client_secret, "POST", url, body, timestamp_ms),
        "X-HubSpot-Request-Timestamp": str(timestamp_ms),
        "X-HubSpot-Timeout-Millis": TIMEOUT_MILLIS_HEADER,
    }
