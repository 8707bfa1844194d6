"""Take the screenshots of docs/ui.md from a seeded portal, in headless Chromium.

Usage:
    python scripts/ui_screenshots.py [--out docs/ui]

Starts `hubcrm serve --control` on a temporary SQLite file, makes a portal with an app whose
webhook target fails at first, fills the portal through the API (hubcrm.testing.demo, and deals
in the stages of the default pipeline for the board), signs in to the UI with the portal's token
and saves one PNG per page.
Needs Debian's chromium (apt-get install chromium) and Playwright (the [test] extra).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from hubcrm.testing import demo
from hubcrm.testing.browser import chromium
from hubcrm.testing.server import LiveServer
from hubcrm.testing.webhooks import WebhookReceiver

VIEWPORT = {"width": 1280, "height": 800}


def traffic(api: demo.Api, seconds: int) -> None:
    """A little traffic spread over some seconds, so the chart of the journal has a shape."""
    for second in range(seconds):
        for _ in range(1 + second % 4):
            api.call("GET", "/crm/v3/objects/contacts?limit=10")
        if second % 3 == 2:
            api.call("GET", f"/crm/v3/objects/contacts/{900000 + second}")
        time.sleep(1)


# Deals across the default pipeline's stages, for the board: (name, stage, amount, close date).
DEALS = [
    ("Analytical Engine", "appointmentscheduled", "48000", "2026-03-02"),
    ("Jacquard loom retrofit", "appointmentscheduled", "12500", "2026-02-20"),
    ("Tabulating machines", "qualifiedtobuy", "96000", "2026-04-15"),
    ("Punched card supply", "qualifiedtobuy", "3200", "2026-02-01"),
    ("Harvard Mark I", "presentationscheduled", "150000", "2026-05-30"),
    ("Bombe maintenance", "decisionmakerboughtin", "22000", "2026-03-12"),
    ("ENIAC programming course", "contractsent", "8700", "2026-02-14"),
    ("Compiler licence", "closedwon", "18000", "2026-01-20"),
    ("Differential analyser", "closedwon", "64000", "2026-01-09"),
    ("Slide rules", "closedlost", "900", "2026-01-05"),
]


def deals(api: demo.Api) -> None:
    for name, stage, amount, close in DEALS:
        properties = {"dealname": name, "dealstage": stage, "amount": amount, "closedate": close}
        api.call("POST", "/crm/v3/objects/deals", {"properties": properties})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/ui", type=Path)
    parser.add_argument("--traffic-seconds", type=int, default=12)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hubcrm-ui-") as folder:
        server = LiveServer(f"sqlite:///{folder}/ui.db", "--control").start()
        receiver = WebhookReceiver()
        try:
            portal = server.new_portal()
            server.token = portal.token  # the portal the pages show
            app = portal.create_app(name="Demo integration")
            receiver.fail(500, times=2)  # the first deliveries fail; retries come later
            app.configure(receiver)
            app.subscribe("contact.creation")
            app.subscribe("contact.propertyChange", "jobtitle")
            api = demo.seed(server.base_url, server.token)
            deals(api)
            traffic(api, args.traffic_seconds)
            shoot(server, args.out)
        finally:
            receiver.close()
            server.stop()


def shoot(server: LiveServer, out: Path) -> None:
    base = server.base_url + "/ui"
    with chromium() as browser:
        page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]

        def save(name: str, full: bool = False) -> None:
            page.screenshot(path=str(out / f"{name}.png"), full_page=full)
            print(f"saved {out / name}.png")

        page.goto(base + "/")
        save("signin")
        page.fill("#token", server.token)
        page.click("button.primary")
        page.wait_for_url("**/ui/objects")
        save("object-types")
        page.goto(base + "/objects/contacts")
        save("records")
        page.fill("input[name=q]", "ada")
        page.select_option("select[name=fo]", "EQ")
        page.fill("input[name=fp]", "lifecyclestage")
        page.fill("input[name=fv]", "customer")
        page.click("form.search button.primary")
        save("records-search")
        page.click("table.records tbody a")
        page.click("#p-jobtitle details.history summary")
        save("record", full=True)
        page.goto(base + "/objects/deals/board")
        save("board")
        page.goto(base + "/properties/contacts")
        save("properties")
        page.goto(base + "/requests")
        save("requests")
        page.goto(base + "/requests?status=4xx&path=batch/upsert")
        page.click("table.journal tbody tr:first-child td.path a")
        save("request")
        page.goto(base + "/webhooks")
        save("webhooks")
        page.goto(base + "/webhooks?show=events")
        save("webhook-events")


if __name__ == "__main__":
    main()
