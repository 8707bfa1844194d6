"""The UI in headless Chromium against a live `hubcrm serve`, on each store."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Dialog, expect

from hubcrm.testing import demo
from hubcrm.testing.webhooks import WebhookReceiver
from tests.ui.conftest import Ui

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]
SCRIPT = "<script>alert(1)</script>"


def test_sign_in_find_a_contact_open_it_and_see_its_history_after_an_upsert(ui: Ui) -> None:
    demo.seed(ui.server.base_url, ui.token)
    page = ui.page
    page.goto(ui.base + "/objects")
    expect(page).to_have_url(re.compile(r"/ui/signin\?next="))
    ui.sign_in()
    expect(page.locator("table.types")).to_contain_text("Contacts")
    expect(page.locator("table.types tbody tr").first).to_contain_text("40")

    page.locator("table.types").get_by_role("link", name="Contacts").click()
    page.fill("input[name=q]", "hopper")
    page.press("input[name=q]", "Enter")
    rows = page.locator("table.records tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("grace.hopper@example.com")
    rows.first.locator("a").click()
    expect(page.locator("h1")).to_have_text("Grace Hopper")

    answer = ui.api().upsert([demo.by_email("grace.hopper@example.com", jobtitle="Rear Admiral")])
    assert answer.status == 200
    ui.api().upsert([demo.by_email("grace.hopper@example.com", jobtitle="Commodore")])
    page.reload()
    row = page.locator("#p-jobtitle")
    expect(row.locator("td.value")).to_contain_text("Commodore")
    row.locator("details.history summary").click()
    expect(row.locator("ol.timeline li")).to_have_count(2)
    expect(row.locator("ol.timeline li").nth(1)).to_contain_text("Rear Admiral")
    expect(row.locator("ol.timeline li").first).to_contain_text("API")


def test_a_contact_named_like_a_script_is_shown_as_text(ui: Ui) -> None:
    made = ui.api().call(
        "POST", "/crm/v3/objects/contacts", {"properties": {"firstname": SCRIPT, "email": "s@x.io"}}
    )
    assert made.status == 201
    dialogs: list[str] = []
    ui.page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    ui.sign_in()
    ui.page.goto(ui.base + "/objects/contacts?columns=hs_object_id,firstname")
    expect(ui.page.locator("table.records tbody td").nth(1)).to_have_text(SCRIPT)
    ui.page.goto(ui.base + f"/objects/contacts/{made.body['id']}")
    expect(ui.page.locator("h1")).to_have_text(SCRIPT)
    assert ui.page.evaluate("document.querySelectorAll('script').length") == 1
    assert dialogs == []


def test_edit_a_value_and_archive_the_record(ui: Ui) -> None:
    ui.api().upsert([demo.by_email("ann@x.io", firstname="Ann")])
    ui.sign_in()
    page = ui.page
    page.goto(ui.base + "/objects/contacts/1")
    row = page.locator("#p-firstname")
    row.locator("details.edit summary").click()
    row.locator("input[name=value]").fill("Anne")
    row.locator("button").click()
    expect(page.locator(".notice")).to_have_text("Saved firstname.")
    read = ui.api().call("GET", "/crm/v3/objects/contacts/1?propertiesWithHistory=firstname")
    assert read.body["propertiesWithHistory"]["firstname"][0]["sourceType"] == "CRM_UI"

    row = page.locator("#p-email")
    row.locator("details.edit summary").click()
    row.locator("input[name=value]").fill("not-an-email")
    row.locator("button").click()
    expect(page.locator(".alert")).to_contain_text("Email address not-an-email is invalid")

    def accept(dialog: Dialog) -> None:
        dialog.accept()

    page.on("dialog", accept)
    page.click("button.danger")
    expect(page.locator(".notice")).to_have_text("Record 1 archived.")
    assert ui.api().call("GET", "/crm/v3/objects/contacts/1").status == 404


def test_the_journal_shows_a_failed_request_its_body_and_the_chart(ui: Ui) -> None:
    ui.api().upsert([demo.by_email("ann@x.io", firstname="Ann")])
    ui.api().upsert([demo.by_email("bad-email", firstname="Bob")])
    ui.sign_in()
    page = ui.page
    page.locator("header nav").get_by_role("link", name="Requests").click()
    expect(page.locator("figure.chart svg rect.err")).to_have_count(1)
    page.fill("input[name=status]", "4xx")
    page.click("form.search button.primary")
    rows = page.locator("table.journal tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Email address bad-email is invalid")
    rows.first.locator("td.path a").click()
    expect(page.locator("pre.body").first).to_contain_text('"firstname": "Bob"')
    expect(page.locator("pre.body").nth(1)).to_contain_text('"category": "VALIDATION_ERROR"')


def test_with_open_auth_each_token_sees_its_own_portal_only(open_ui: Ui) -> None:
    first, second = "pat-na1-first-portal-token", "pat-na1-second-portal-token"
    assert open_ui.api(first).upsert([demo.by_email("first@x.io")]).status == 200
    open_ui.sign_in(second)
    page = open_ui.page
    page.goto(open_ui.base + "/objects/contacts")
    expect(page.locator("h1")).to_contain_text("0 records")
    page.get_by_role("button", name="Sign out").click()
    open_ui.sign_in(first)
    page.goto(open_ui.base + "/objects/contacts")
    expect(page.locator("table.records tbody")).to_contain_text("first@x.io")


def test_a_failed_webhook_delivery_is_highlighted(control_ui: Ui) -> None:
    portal = control_ui.portal
    assert portal is not None
    app = portal.create_app()
    receiver = WebhookReceiver()
    try:
        receiver.fail(500)
        app.configure(receiver)
        app.subscribe("contact.creation")
        assert control_ui.api(portal.token).upsert([demo.by_email("hook@x.io")]).status == 200
        receiver.wait_for_arrivals(1)
        deadline = time.monotonic() + 15  # the server stores the answer a moment after it came
        while not any(d.get("status") == 500 for d in portal.webhook_deliveries()):
            assert time.monotonic() < deadline, "the failed delivery was never recorded"
            time.sleep(0.05)
        control_ui.sign_in(portal.token)
        page = control_ui.page
        page.locator("header nav").get_by_role("link", name="Webhooks").click()
        failed = page.locator("table.deliveries tbody tr.bad")
        expect(failed).to_have_count(1)
        expect(failed).to_contain_text("500")
        expect(failed).to_contain_text(receiver.url)
        page.get_by_role("link", name="events").click()
        page.locator("table.events").get_by_role("link", name="Contact 1").click()
        expect(page.locator("table.events")).to_contain_text("contact.creation")
    finally:
        receiver.close()


def test_follow_an_association_from_a_contact_to_its_company(ui: Ui) -> None:
    api = ui.api()
    assert api.upsert([demo.by_email("ann@x.io", firstname="Ann")]).status == 200
    company = api.call("POST", "/crm/v3/objects/companies", {"properties": {"name": "Acme"}})
    assert company.status == 201
    path = f"/crm/v4/objects/contacts/1/associations/default/companies/{company.body['id']}"
    assert api.call("PUT", path).status == 200
    ui.sign_in()
    page = ui.page
    page.goto(ui.base + "/objects/contacts/1")
    page.locator(".assoc").get_by_role("link", name="Acme").click()
    expect(page.locator("h1")).to_have_text("Acme")
    page.locator(".assoc").get_by_role("link", name="Ann").click()
    expect(page.locator("h1")).to_have_text("Ann")


def test_open_the_deals_board_see_a_deal_in_its_stage_and_open_it(ui: Ui) -> None:
    api = ui.api()
    for name, stage in (("Analytical Engine", "contractsent"), ("Mill", "qualifiedtobuy")):
        made = api.call(
            "POST", "/crm/v3/objects/deals", {"properties": {"dealname": name, "dealstage": stage}}
        )
        assert made.status == 201
    ui.sign_in()
    page = ui.page
    page.locator("table.types").get_by_role("link", name="board").first.click()
    expect(page.locator("h1")).to_contain_text("Deals by pipeline stage")
    column = page.locator("section.stage[data-stage=contractsent]")
    expect(column.locator("a.cardlet")).to_have_count(1)
    expect(column.locator(".count")).to_have_text("1")
    column.get_by_role("link", name="Analytical Engine").click()
    expect(page.locator("h1")).to_have_text("Analytical Engine")
    expect(page.locator("#p-dealstage td.value")).to_contain_text("contractsent")
