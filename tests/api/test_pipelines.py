"""The pipelines API in process, and deals and tickets moving through validated stages."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from hubcrm.domain.pipelines import FIRST_NEW_ID
from hubcrm.protocol import messages
from tests.api.helpers import assert_error
from tests.conftest import Api

DEALS = "/crm/v3/pipelines/deals"
TICKETS = "/crm/v3/pipelines/tickets"
NOW = "2026-01-01T00:00:00.000Z"
EPOCH = "1970-01-01T00:00:00Z"


def renewals(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "label": "Renewals",
        "displayOrder": 1,
        "stages": [
            {"label": "Open", "displayOrder": 0, "metadata": {"probability": "0.5"}},
            {"label": "Won", "displayOrder": 1, "metadata": {"probability": "1.0"}},
        ],
    }
    return body | overrides


def create(api: Api, body: dict[str, Any] | None = None, path: str = DEALS) -> dict[str, Any]:
    response = api.post(path, body or renewals())
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def send(api: Api, method: str, path: str, body: Any = None, **params: Any) -> Any:
    return api.client.request(method, path, json=body, params=params, headers=api.headers())


def deal(api: Api, **properties: str) -> Any:
    return api.post("/crm/v3/objects/deals", {"properties": {"dealname": "Big", **properties}})


def recorded(object_type: str) -> list[dict[str, Any]]:
    raw = resources.files("hubcrm.data").joinpath("pipelines.json").read_text()
    pipelines: list[dict[str, Any]] = json.loads(raw)[object_type]
    return pipelines


@pytest.mark.parametrize("object_type", ["deals", "tickets", "0-3", "0-5"])
def test_a_portal_starts_with_hubspots_default_pipelines(api: Api, object_type: str) -> None:
    name = {"0-3": "deals", "0-5": "tickets"}.get(object_type, object_type)
    response = api.get(f"/crm/v3/pipelines/{object_type}")
    assert response.status_code == 200
    stamps = {"createdAt": EPOCH, "updatedAt": EPOCH, "archived": False}
    expected = [
        {
            **{k: v for k, v in p.items() if k != "archived"},
            **stamps,
            "stages": [
                {**s, **stamps, "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT"}
                for s in p["stages"]
            ],
        }
        for p in recorded(name)
    ]
    assert response.json() == {"results": expected}


def test_the_recorded_deal_pipeline_is_served_as_recorded(api: Api) -> None:
    (pipeline,) = api.get(DEALS).json()["results"]
    assert pipeline["id"] == "default"
    assert pipeline["label"] == "Sales Pipeline"
    closed = {
        s["id"]: (s["metadata"]["probability"], s["metadata"]["isClosed"])
        for s in pipeline["stages"]
    }
    assert closed["closedwon"] == ("1.0", "true")
    assert closed["closedlost"] == ("0.0", "true")
    assert closed["appointmentscheduled"] == ("0.2", "false")


def test_types_without_pipelines_and_unknown_types(api: Api) -> None:
    no_pipelines = api.get("/crm/v3/pipelines/contacts")
    assert_error(
        no_pipelines, 400, "VALIDATION_ERROR", messages.NO_PIPELINES.format(name="contacts")
    )
    unknown = api.get("/crm/v3/pipelines/widgets")
    assert_error(
        unknown, 400, "VALIDATION_ERROR", messages.UNKNOWN_OBJECT_TYPE.format(name="widgets")
    )


def test_create_get_and_list_a_pipeline(api: Api) -> None:
    created = create(api)
    first = str(FIRST_NEW_ID)
    assert created == {
        "label": "Renewals",
        "displayOrder": 1,
        "id": first,
        "stages": [
            {
                "label": "Open",
                "displayOrder": 0,
                "metadata": {"probability": "0.5", "isClosed": "false"},
                "id": str(FIRST_NEW_ID + 1),
                "createdAt": NOW,
                "updatedAt": NOW,
                "archived": False,
                "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
            },
            {
                "label": "Won",
                "displayOrder": 1,
                "metadata": {"probability": "1.0", "isClosed": "true"},
                "id": str(FIRST_NEW_ID + 2),
                "createdAt": NOW,
                "updatedAt": NOW,
                "archived": False,
                "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
            },
        ],
        "createdAt": NOW,
        "updatedAt": NOW,
        "archived": False,
    }
    assert api.get(f"{DEALS}/{first}").json() == created
    assert [p["id"] for p in api.get(DEALS).json()["results"]] == ["default", first]
    assert api.get(f"{DEALS}/{first}/stages").json() == {"results": created["stages"]}
    stage = created["stages"][1]
    assert api.get(f"{DEALS}/{first}/stages/{stage['id']}").json() == stage


def test_pipelines_belong_to_their_portal_and_type(api: Api) -> None:
    created = create(api)
    _, other = api.new_portal()
    assert api.get(f"{DEALS}/{created['id']}", token=other).status_code == 404
    assert api.get(f"{TICKETS}/{created['id']}").status_code == 404
    assert api.get(f"{TICKETS}/default").status_code == 404


def test_missing_pipelines_and_stages_are_404(api: Api) -> None:
    missing = api.get(f"{DEALS}/nope")
    message = messages.PIPELINE_NOT_FOUND.format(id="nope", type_id="0-3")
    assert_error(missing, 404, "OBJECT_NOT_FOUND", message)
    stage = api.get(f"{DEALS}/default/stages/nope")
    message = messages.STAGE_NOT_FOUND.format(id="nope", pipeline="default", type_id="0-3")
    assert_error(stage, 404, "OBJECT_NOT_FOUND", message)
    for method in ("PUT", "PATCH", "DELETE"):
        body = renewals() if method == "PUT" else {"label": "x"}
        assert send(api, method, f"{DEALS}/nope", body).status_code == 404
        stage_body = body["stages"][0] if method == "PUT" else body
        assert send(api, method, f"{DEALS}/default/stages/nope", stage_body).status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (renewals(stages=[]), messages.PIPELINE_NEEDS_STAGE),
        (
            renewals(
                stages=[
                    {"label": "Open", "displayOrder": 0, "metadata": {"probability": "0.1"}},
                    {"label": "open", "displayOrder": 1, "metadata": {"probability": "0.2"}},
                ]
            ),
            messages.STAGE_LABEL_TAKEN.format(label="open"),
        ),
        (
            renewals(stages=[{"label": "Open", "displayOrder": 0, "metadata": {}}]),
            messages.DEAL_STAGE_PROBABILITY.format(label="Open", value="nothing"),
        ),
        (
            renewals(
                stages=[{"label": "Open", "displayOrder": 0, "metadata": {"probability": "0.55"}}]
            ),
            messages.DEAL_STAGE_PROBABILITY.format(label="Open", value="0.55"),
        ),
        (
            renewals(
                stages=[{"label": "Open", "displayOrder": 0, "metadata": {"probability": "2"}}]
            ),
            messages.DEAL_STAGE_PROBABILITY.format(label="Open", value="2"),
        ),
        (
            renewals(
                stages=[{"label": "Open", "displayOrder": 0, "metadata": {"probability": "NaN"}}]
            ),
            messages.DEAL_STAGE_PROBABILITY.format(label="Open", value="NaN"),
        ),
    ],
)
def test_invalid_pipelines_are_refused_and_nothing_changes(
    api: Api, body: dict[str, Any], message: str
) -> None:
    before = api.get(DEALS).json()
    assert_error(api.post(DEALS, body), 400, "VALIDATION_ERROR", message)
    assert api.get(DEALS).json() == before


def test_malformed_bodies_are_400(api: Api) -> None:
    bodies: list[Any] = [{"label": "x"}, {"label": "x", "displayOrder": 0, "stages": [{}]}, []]
    for body in bodies:
        response = api.post(DEALS, body)
        assert response.status_code == 400
        assert response.json()["category"] == "VALIDATION_ERROR"
    assert len(api.get(DEALS).json()["results"]) == 1


def test_a_pipeline_label_is_unique_per_type(api: Api) -> None:
    taken = api.post(DEALS, renewals(label="sales pipeline"))
    message = messages.PIPELINE_LABEL_TAKEN.format(label="sales pipeline", type_id="0-3")
    assert_error(taken, 409, "CONFLICT", message)
    ticket_stages = [{"label": "New", "displayOrder": 0, "metadata": {}}]
    assert (
        api.post(
            TICKETS, {"label": "Renewals", "displayOrder": 0, "stages": ticket_stages}
        ).status_code
        == 201
    )
    create(api)


def test_ticket_stages_take_a_ticket_state(api: Api) -> None:
    stages = [
        {"label": "Open", "displayOrder": 0, "metadata": {"ticketState": "OPEN"}},
        {"label": "Done", "displayOrder": 1, "metadata": {"ticketState": "CLOSED"}},
        {"label": "Other", "displayOrder": 2, "metadata": {}},
    ]
    created = create(api, {"label": "Escalations", "displayOrder": 1, "stages": stages}, TICKETS)
    assert [s["metadata"] for s in created["stages"]] == [
        {"ticketState": "OPEN", "isClosed": "false"},
        {"ticketState": "CLOSED", "isClosed": "true"},
        {"isClosed": "false"},
    ]
    bad = [{"label": "Open", "displayOrder": 0, "metadata": {"ticketState": "SHUT"}}]
    refused = api.post(TICKETS, {"label": "Bad", "displayOrder": 2, "stages": bad})
    message = messages.TICKET_STATE.format(label="Open", value="SHUT")
    assert_error(refused, 400, "VALIDATION_ERROR", message)


def test_patch_and_put_a_pipeline(api: Api) -> None:
    created = create(api)
    path = f"{DEALS}/{created['id']}"
    api.clock.advance(1000)
    patched = send(api, "PATCH", path, {"label": "Upsells", "displayOrder": 5})
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["label"], body["displayOrder"], body["updatedAt"]) == (
        "Upsells",
        5,
        "2026-01-01T00:00:01.000Z",
    )
    assert body["stages"] == created["stages"]
    put = send(api, "PUT", path, renewals(label="Replaced", stages=[renewals()["stages"][1]]))
    assert put.status_code == 200, put.text
    (stage,) = put.json()["stages"]
    # PUT overwrites the stages: the new one has a new id, the old ones are gone.
    assert stage["label"] == "Won"
    assert stage["id"] not in {s["id"] for s in created["stages"]}
    assert api.get(f"{path}/stages/{created['stages'][0]['id']}").status_code == 404
    assert api.get(path).json() == put.json()
    renamed = send(api, "PATCH", path, {"label": "Sales Pipeline"})
    assert renamed.status_code == 409


def test_archive_a_pipeline(api: Api) -> None:
    created = create(api)
    path = f"{DEALS}/{created['id']}"
    assert send(api, "DELETE", path).status_code == 204
    assert api.get(path).status_code == 404
    assert [p["id"] for p in api.get(DEALS).json()["results"]] == ["default"]
    assert send(api, "DELETE", path).status_code == 404
    # The last pipeline of a type stays.
    last = send(api, "DELETE", f"{DEALS}/default")
    message = messages.LAST_PIPELINE.format(type_id="0-3")
    assert_error(last, 400, "VALIDATION_ERROR", message)
    # PATCH archived=false brings it back, with its stages.
    restored = send(api, "PATCH", path, {"archived": False})
    assert restored.status_code == 200, restored.text
    assert restored.json()["stages"] == created["stages"]
    assert send(api, "PATCH", path, {"archived": True}).json()["archived"] is True


def test_archiving_a_pipeline_with_deals_in_it(api: Api) -> None:
    created = create(api)
    stage = created["stages"][0]["id"]
    assert deal(api, pipeline=created["id"], dealstage=stage).status_code == 201
    path = f"{DEALS}/{created['id']}"
    for param in ("validateDealStageUsagesBeforeDelete", "validateReferencesBeforeDelete"):
        refused = send(api, "DELETE", path, **{param: "true"})
        message = messages.PIPELINE_IN_USE.format(id=created["id"], count=1, type_id="0-3")
        assert_error(
            refused,
            400,
            "VALIDATION_ERROR",
            message.replace(
                "validateReferencesBeforeDelete", "validateDealStageUsagesBeforeDelete"
            ),
        )
        assert api.get(path).status_code == 200
    # HubSpot's v3 default (no validation) archives it all the same.
    assert send(api, "DELETE", path).status_code == 204
    moved = deal(api, pipeline=created["id"], dealstage=stage)
    assert moved.status_code == 400


def test_stages_create_update_replace_and_archive(api: Api) -> None:
    created = create(api)
    base = f"{DEALS}/{created['id']}/stages"
    new = api.post(base, {"label": "Lost", "displayOrder": 2, "metadata": {"probability": "0.0"}})
    assert new.status_code == 201, new.text
    stage = new.json()
    assert stage["metadata"] == {"probability": "0.0", "isClosed": "true"}
    assert [s["label"] for s in api.get(base).json()["results"]] == ["Open", "Won", "Lost"]
    dup = api.post(base, {"label": "won", "displayOrder": 3, "metadata": {"probability": "1.0"}})
    assert_error(dup, 400, "VALIDATION_ERROR", messages.STAGE_LABEL_TAKEN.format(label="won"))
    patched = send(api, "PATCH", f"{base}/{stage['id']}", {"label": "Lost forever"})
    assert patched.json()["label"] == "Lost forever"
    assert patched.json()["metadata"] == stage["metadata"]
    replaced = send(
        api,
        "PUT",
        f"{base}/{stage['id']}",
        {"label": "Stalled", "displayOrder": 0, "metadata": {"probability": "0.1"}},
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["metadata"] == {"probability": "0.1", "isClosed": "false"}
    assert [s["label"] for s in api.get(base).json()["results"]] == ["Open", "Stalled", "Won"]
    assert send(api, "DELETE", f"{base}/{stage['id']}").status_code == 204
    assert api.get(f"{base}/{stage['id']}").status_code == 404
    assert [s["label"] for s in api.get(base).json()["results"]] == ["Open", "Won"]
    assert send(api, "DELETE", f"{base}/{created['stages'][0]['id']}").status_code == 204
    last = send(api, "DELETE", f"{base}/{created['stages'][1]['id']}")
    message = messages.LAST_STAGE.format(pipeline=created["id"])
    assert_error(last, 400, "VALIDATION_ERROR", message)


def test_a_stage_with_deals_in_it_is_kept_when_asked_to_validate(api: Api) -> None:
    assert deal(api, dealstage="contractsent").status_code == 201
    path = f"{DEALS}/default/stages/contractsent"
    refused = send(api, "DELETE", path, validateReferencesBeforeDelete="true")
    assert refused.status_code == 400
    assert api.get(path).status_code == 200


def test_audit_records_each_change(api: Api) -> None:
    assert api.get(f"{DEALS}/default/audit").json() == {"results": []}
    created = create(api)
    path = f"{DEALS}/{created['id']}"
    api.clock.advance(5)
    send(api, "PATCH", path, {"label": "Upsells"})
    stage = created["stages"][0]["id"]
    send(api, "PATCH", f"{path}/stages/{stage}", {"label": "Opened"})
    audit = api.get(f"{path}/audit").json()["results"]
    assert [(a["identifier"], a["action"]) for a in audit] == [
        (created["id"], "CREATE"),
        (created["id"], "UPDATE"),
        (stage, "UPDATE"),
    ]
    assert audit[0]["rawObject"] == created
    assert audit[0]["portalId"] == api.portal_id
    assert audit[1]["timestamp"] == "2026-01-01T00:00:00.005Z"
    stage_audit = api.get(f"{path}/stages/{stage}/audit").json()["results"]
    assert [(a["identifier"], a["rawObject"]["label"]) for a in stage_audit] == [(stage, "Opened")]
    assert api.get(f"{path}/stages/nope/audit").status_code == 404


def test_pipelines_demand_the_types_scopes(api: Api) -> None:
    contacts_only = api.new_token(
        frozenset({"crm.objects.contacts.read", "crm.objects.contacts.write"})
    )
    response = api.get(DEALS, token=contacts_only)
    body = assert_error(response, 403, "MISSING_SCOPES", messages.MISSING_SCOPES)
    assert body["errors"][0]["context"] == {"requiredGranularScopes": ["crm.objects.deals.read"]}
    read_only = api.new_token(frozenset({"crm.objects.deals.read"}))
    assert api.get(DEALS, token=read_only).status_code == 200
    assert api.post(DEALS, renewals(), token=read_only).status_code == 403
    tickets = api.new_token(frozenset({"tickets"}))
    assert api.get(TICKETS, token=tickets).status_code == 200


# Deals and tickets naming pipelines and stages


def test_a_deal_named_by_stage_alone_lands_in_that_stages_pipeline(api: Api) -> None:
    created = deal(api, dealstage="qualifiedtobuy")
    assert created.status_code == 201, created.text
    assert created.json()["properties"]["pipeline"] == "default"
    renewal = create(api)
    stage = renewal["stages"][0]["id"]
    moved = send(
        api,
        "PATCH",
        f"/crm/v3/objects/deals/{created.json()['id']}",
        {"properties": {"dealstage": stage}},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["properties"]["pipeline"] == renewal["id"]


def test_a_deal_without_a_stage_has_no_pipeline(api: Api) -> None:
    # Recorded: a deal created with only dealname and amount has neither (object-types.SOURCE.md).
    created = deal(api, amount="10")
    assert created.status_code == 201
    assert created.json()["properties"]["pipeline"] is None
    assert created.json()["properties"]["dealstage"] is None


@pytest.mark.parametrize(
    ("properties", "name", "value", "options"),
    [
        ({"dealstage": "nope"}, "dealstage", "nope", "all"),
        ({"pipeline": "nope", "dealstage": "closedwon"}, "pipeline", "nope", "pipelines"),
        ({"pipeline": "default", "dealstage": "renewal"}, "dealstage", "renewal", "default"),
    ],
)
def test_a_bad_pipeline_or_stage_is_refused_and_nothing_is_written(
    api: Api, properties: dict[str, str], name: str, value: str, options: str
) -> None:
    renewal = create(api)
    default_stages = [s["id"] for s in recorded("deals")[0]["stages"]]
    renewal_stages = [s["id"] for s in renewal["stages"]]
    if properties.get("dealstage") == "renewal":
        properties = {**properties, "dealstage": renewal_stages[0]}
        value = renewal_stages[0]
    allowed = {
        "all": default_stages + renewal_stages,
        "pipelines": ["default", renewal["id"]],
        "default": default_stages,
    }[options]
    response = deal(api, **properties)
    body = assert_error(response, 400, "VALIDATION_ERROR", response.json()["message"])
    text = messages.INVALID_STAGE.format(value=value, options=", ".join(allowed))
    assert body["errors"] == [
        {"message": text, "code": "INVALID_OPTION", "context": {"propertyName": [name]}}
    ]
    assert api.get("/crm/v3/objects/deals").json()["results"] == []


def test_a_stage_change_is_in_the_property_history(api: Api) -> None:
    created = deal(api, dealstage="appointmentscheduled").json()
    path = f"/crm/v3/objects/deals/{created['id']}"
    api.clock.advance(1000)
    moved = send(api, "PATCH", path, {"properties": {"dealstage": "closedwon"}})
    assert moved.status_code == 200, moved.text
    refused = send(api, "PATCH", path, {"properties": {"dealstage": "closed"}})
    assert refused.status_code == 400
    history = api.get(path, propertiesWithHistory="dealstage").json()["propertiesWithHistory"]
    assert [(h["value"], h["timestamp"]) for h in history["dealstage"]] == [
        ("closedwon", "2026-01-01T00:00:01.000Z"),
        ("appointmentscheduled", NOW),
    ]


def test_an_archived_stage_takes_no_new_deals(api: Api) -> None:
    send(api, "DELETE", f"{DEALS}/default/stages/contractsent")
    refused = deal(api, dealstage="contractsent")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "INVALID_OPTION"


def test_tickets_are_checked_against_ticket_pipelines(api: Api) -> None:
    ok = api.post(
        "/crm/v3/objects/tickets", {"properties": {"subject": "Help", "hs_pipeline_stage": "2"}}
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["properties"]["hs_pipeline"] == "0"
    for properties in (
        {"hs_pipeline_stage": "9"},
        {"hs_pipeline": "default", "hs_pipeline_stage": "1"},
    ):
        refused = api.post(
            "/crm/v3/objects/tickets", {"properties": {"subject": "x", **properties}}
        )
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["code"] == "INVALID_OPTION"


def test_batch_inputs_with_trace_ids_fail_alone(api: Api) -> None:
    inputs = [
        {"properties": {"dealname": "a", "dealstage": "closedwon"}, "objectWriteTraceId": "a"},
        {"properties": {"dealname": "b", "dealstage": "nope"}, "objectWriteTraceId": "b"},
    ]
    response = api.post("/crm/v3/objects/deals/batch/create", {"inputs": inputs})
    assert response.status_code == 207, response.text
    body = response.json()
    assert [r["properties"]["dealname"] for r in body["results"]] == ["a"]
    assert body["errors"][0]["context"]["objectWriteTraceId"] == ["b"]


def test_numbers_in_metadata_are_taken_as_their_text(api: Api) -> None:
    # HubSpot's guide writes {"probability": 0.5}; its answers hold strings.
    stage = {
        "label": "Open",
        "displayOrder": 0,
        "metadata": {"probability": 0.5, "isClosed": False},
    }
    created = create(api, renewals(stages=[stage]))
    assert created["stages"][0]["metadata"] == {"probability": "0.5", "isClosed": "false"}


@pytest.mark.parametrize(
    "body",
    [
        renewals(displayOrder=2**63),
        renewals(displayOrder=2**64 - 1),
        renewals(displayOrder=-(2**63) - 1),
        renewals(label="x" * 5000),
        renewals(stages=[{"label": "a", "displayOrder": 0, "metadata": {"probability": "1e400"}}]),
        renewals(stages=[{"label": "a", "displayOrder": 0, "metadata": {"probability": "-0"}}]),
        renewals(stages=[{"label": "a", "displayOrder": 0, "metadata": {"probability": []}}]),
        renewals(
            stages=[{"label": "a\u0000", "displayOrder": 0, "metadata": {"probability": "1"}}]
        ),
        renewals(stages=[{"label": "a", "displayOrder": 0, "metadata": "x"}]),
        {"label": None, "displayOrder": 0, "stages": []},
    ],
)
def test_no_pipeline_input_causes_a_500(api: Api, body: dict[str, Any]) -> None:
    before = api.get(DEALS).json()
    created = api.post(DEALS, body)
    assert created.status_code < 500, created.text
    if created.status_code >= 400:
        assert api.get(DEALS).json() == before  # a refused write changes nothing
    stages = body.get("stages")
    stage = stages[0] if isinstance(stages, list) and stages else body
    for method, path, sent in (
        ("PUT", f"{DEALS}/default", body),
        ("PATCH", f"{DEALS}/default", body),
        ("POST", f"{DEALS}/default/stages", stage),
        ("PUT", f"{DEALS}/default/stages/closedwon", stage),
        ("PATCH", f"{DEALS}/default/stages/closedwon", stage),
    ):
        response = send(api, method, path, sent)
        assert response.status_code < 500, response.text


@pytest.mark.parametrize(
    "path",
    [
        "/crm/v3/owners/%00",
        "/crm/v3/owners/" + "9" * 400,
        "/crm/v3/owners?limit=99999999999999999999999",
        "/crm/v3/owners?after=99999999999999999999999999999",
        "/crm/v3/owners?email=%00",
        DEALS + "/%00",
        DEALS + "/" + "x" * 5000 + "/stages/y",
        DEALS + "/default/stages/%00/audit",
    ],
)
def test_no_path_or_query_causes_a_500(api: Api, path: str) -> None:
    assert api.client.get(path, headers=api.headers()).status_code < 500
