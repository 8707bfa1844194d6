"""No input causes a 500 on any type's objects routes or on the schemas API."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubcrm.domain.objects import OBJECT_TYPES
from tests.conftest import Api

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "name",
                    "labels",
                    "singular",
                    "plural",
                    "properties",
                    "requiredProperties",
                    "searchableProperties",
                    "primaryDisplayProperty",
                    "secondaryDisplayProperties",
                    "associatedObjects",
                    "type",
                    "fieldType",
                    "label",
                    "inputs",
                    "hs_timestamp",
                    "hs_pipeline_stage",
                ]
            )
            | st.text(max_size=10),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)
FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


CARS = {
    "name": "cars",
    "labels": {"singular": "Car", "plural": "Cars"},
    "requiredProperties": ["model"],
    "properties": [{"name": "model", "label": "Model", "type": "string", "fieldType": "text"}],
}


def _post(api: Api, path: str, body: Any) -> Any:
    return api.client.post(
        path,
        content=json.dumps(body).encode(),
        headers=api.headers() | {"Content-Type": "application/json"},
    )


@FUZZ
@given(body=json_values, method=st.sampled_from(["POST", "PATCH", "DELETE", "GET"]))
def test_no_schema_request_causes_a_500(api: Api, body: Any, method: str) -> None:
    _post(api, "/crm/v3/schemas", CARS)  # 201 once, then 409 (or 400 once archived)
    path = "/crm/v3/schemas" if method == "POST" else "/crm/v3/schemas/cars"
    response = api.client.request(
        method,
        path,
        content=json.dumps(body).encode(),
        headers=api.headers() | {"Content-Type": "application/json"},
    )
    assert response.status_code in (200, 201, 204, 400, 409), response.text


@FUZZ
@given(
    name=st.sampled_from([t.name for t in OBJECT_TYPES] + ["2-1"]),
    route=st.sampled_from(["", "/batch/create", "/batch/upsert", "/batch/update", "/search"]),
    body=json_values,
)
def test_no_record_request_of_any_type_causes_a_500(
    api: Api, name: str, route: str, body: Any
) -> None:
    _post(api, "/crm/v3/schemas", CARS)
    response = _post(api, f"/crm/v3/objects/{name}{route}", body)
    assert response.status_code in (200, 201, 207, 400, 409), response.text
