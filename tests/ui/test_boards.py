"""Deals and tickets as a board by pipeline stage: each column is its stage's search."""

from __future__ import annotations

import html
import re
from typing import Any

from hubcrm.protocol import messages
from hubcrm.ui.boards import CARDS_PER_STAGE
from tests.conftest import Api
from tests.ui.helpers import page, sign_in, text_of

SCRIPT = "<script>alert(1)</script>"
BOARD = "/ui/objects/deals/board"


def made(api: Api, object_type: str, **properties: str) -> int:
    answer = api.post(f"/crm/v3/objects/{object_type}", {"properties": properties})
    assert answer.status_code == 201, answer.text
    api.clock.advance(1000)  # a later createdate: the board shows the newest first
    return int(answer.json()["id"])


def columns(markup: str, object_type: str = "deals") -> dict[str, tuple[list[int], int]]:
    """Each stage's record ids, in the order shown, and its total."""
    found = {}
    for section in markup.split('<section class="stage')[1:]:
        stage = re.search(r'data-stage="([^"]+)"', section)
        total = re.search(r'class="count badge">([\d,]+)<', section)
        assert stage, section
        assert total, section
        ids = re.findall(rf'class="cardlet" href="/ui/objects/{object_type}/(\d+)"', section)
        found[stage.group(1)] = ([int(i) for i in ids], int(total.group(1).replace(",", "")))
    return found


def test_each_column_shows_its_stages_deals_newest_first_with_its_total(api: Api) -> None:
    first = made(api, "deals", dealname="Alpha", dealstage="appointmentscheduled", amount="10")
    second = made(api, "deals", dealname="Beta", dealstage="appointmentscheduled")
    won = made(
        api,
        "deals",
        dealname="Gamma",
        dealstage="closedwon",
        amount="99000",
        closedate="2026-03-01",
    )
    made(api, "deals", dealname="Unstaged")
    sign_in(api)
    markup = page(api, BOARD)
    assert columns(markup) == {
        "appointmentscheduled": ([second, first], 2),
        "qualifiedtobuy": ([], 0),
        "presentationscheduled": ([], 0),
        "decisionmakerboughtin": ([], 0),
        "contractsent": ([], 0),
        "closedwon": ([won], 1),
        "closedlost": ([], 0),
    }
    text = text_of(markup)
    assert "Appointment Scheduled 2 20% appointmentscheduled Beta" in text
    assert f"Alpha Amount 10 #{first} · 2026-01-01 00:00" in text
    assert "Closed Won 1 100% closedwon Gamma Amount 99,000 Close Date 2026-03-01 #" in text
    assert "No deals in this stage." in text
    assert "Unstaged" not in text


def test_all_n_opens_the_table_filtered_to_the_stage(api: Api) -> None:
    api.post(
        "/crm/v3/objects/deals/batch/create",
        {"inputs": [{"properties": {"dealname": f"D{i}", "dealstage": "contractsent"}}
                    for i in range(CARDS_PER_STAGE + 1)]},
    )  # fmt: skip
    made(api, "deals", dealname="Elsewhere", dealstage="closedlost")
    sign_in(api)
    markup = page(api, BOARD)
    shown, total = columns(markup)["contractsent"]
    assert (len(shown), total) == (CARDS_PER_STAGE, CARDS_PER_STAGE + 1)
    link = re.search(r'href="(/ui/objects/deals\?[^"]+)">all 21 →', markup)
    assert link is not None
    table = api.client.get(html.unescape(link.group(1)))  # its own query string, as given
    assert table.status_code == 200
    assert "21 records" in text_of(table.text)
    assert "Elsewhere" not in table.text


def test_each_pipeline_is_a_tab_of_its_own_stages(api: Api) -> None:
    body = {
        "label": "Renewals",
        "displayOrder": 1,
        "stages": [
            {"label": "Due", "displayOrder": 0, "metadata": {"probability": "0.5"}},
            {"label": "Renewed", "displayOrder": 1, "metadata": {"probability": "1.0"}},
        ],
    }
    created: dict[str, Any] = api.post("/crm/v3/pipelines/deals", body).json()
    due, renewed = (s["id"] for s in created["stages"])
    renewal = made(api, "deals", dealname="Renew", pipeline=created["id"], dealstage=due)
    sign_in(api)
    default = page(api, BOARD)
    assert f'href="?pipeline={created["id"]}"' in default
    assert "Renew" not in text_of(default).replace("Renewals", "")
    board = page(api, BOARD, pipeline=created["id"])
    assert columns(board) == {due: ([renewal], 1), renewed: ([], 0)}
    assert re.search(r'class="on" aria-current="page">Renewals', board)
    missing = text_of(page(api, BOARD, 404, pipeline="nope"))
    assert messages.PIPELINE_NOT_FOUND.format(id="nope", type_id="0-3") in missing


def test_tickets_have_a_board_of_their_own(api: Api) -> None:
    waiting = made(api, "tickets", subject="Printer on fire", hs_pipeline_stage="2")
    new = made(api, "tickets", subject="Password reset", hs_pipeline_stage="1")
    sign_in(api)
    markup = page(api, "/ui/objects/tickets/board")
    assert columns(markup, "tickets") == {
        "1": ([new], 1),
        "2": ([waiting], 1),
        "3": ([], 0),
        "4": ([], 0),
    }
    text = text_of(markup)
    assert "Tickets by pipeline stage" in text
    assert "Support Pipeline 0" in text
    assert "Waiting on contact 1 2 Printer on fire" in text


def test_a_deal_named_like_a_script_is_shown_as_text(api: Api) -> None:
    body = {
        "label": '"><img src=x>',
        "displayOrder": -1,  # the first tab, shown by default
        "stages": [{"label": SCRIPT, "displayOrder": 0, "metadata": {"probability": "0.1"}}],
    }
    created = api.post("/crm/v3/pipelines/deals", body).json()
    stage = created["stages"][0]["id"]
    made(api, "deals", dealname=SCRIPT, pipeline=created["id"], dealstage=stage)
    sign_in(api)
    markup = page(api, BOARD)
    assert columns(markup) == {stage: ([1], 1)}
    assert SCRIPT not in markup
    assert "<img src=x>" not in markup
    assert len(re.findall(r"<script\b", markup)) == 1  # the UI's own ui.js only
    assert "<b>&lt;script&gt;alert(1)&lt;/script&gt;</b>" in markup


def test_a_type_without_pipelines_answers_a_readable_error(api: Api) -> None:
    sign_in(api)
    text = text_of(page(api, "/ui/objects/contacts/board", 400))
    assert messages.NO_PIPELINES.format(name="contacts") in text
    assert "Something went wrong" not in text
    text = text_of(page(api, "/ui/objects/widgets/board", 400))
    assert messages.UNKNOWN_OBJECT_TYPE.format(name="widgets") in text


def test_the_board_needs_the_types_read_scope(api: Api) -> None:
    sign_in(api, api.new_token(frozenset({"crm.objects.contacts.read"})))
    assert "crm.objects.deals.read" in text_of(page(api, BOARD, 403))


def test_deals_and_tickets_link_to_their_board(api: Api) -> None:
    sign_in(api)
    types = page(api, "/ui/objects")
    assert 'href="/ui/objects/deals/board"' in types
    assert 'href="/ui/objects/tickets/board"' in types
    assert 'href="/ui/objects/contacts/board"' not in types
    assert 'href="/ui/objects/deals/board"' in page(api, "/ui/objects/deals")
    assert "/board" not in page(api, "/ui/objects/companies")
