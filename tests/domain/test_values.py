"""Value checking against property definitions: pure functions, no database."""

from __future__ import annotations

import pytest

from hubcrm.domain.objects import CONTACTS
from hubcrm.domain.values import ValueRejected, checker
from hubcrm.protocol.definitions import PropertyDefinition, PropertyOption


def definition(
    type_: str,
    field_type: str = "text",
    options: list[PropertyOption] | None = None,
    external_options: bool = False,
) -> PropertyDefinition:
    return PropertyDefinition(
        name="p",
        label="P",
        type=type_,
        field_type=field_type,
        group_name="g",
        options=options or [],
        external_options=external_options,
    )


@pytest.mark.parametrize(
    ("type_", "value", "stored"),
    [
        ("string", "  spaced  ", "  spaced  "),
        ("number", "12", "12"),
        ("number", "-0.5", "-0.5"),
        ("number", ".5", ".5"),
        ("bool", "False", "false"),
        ("date", "2024-02-29", "2024-02-29"),
        ("date", "0", "1970-01-01"),
        ("datetime", "0", "1970-01-01T00:00:00.000Z"),
        ("datetime", "2024-01-02T03:04:05.6Z", "2024-01-02T03:04:05.600Z"),
        ("datetime", "2024-01-02", "2024-01-02T00:00:00.000Z"),
        ("phone_number", "+1 (555) 000", "+1 (555) 000"),
        ("number", "", ""),
    ],
)
def test_accepted_values_are_normalised(type_: str, value: str, stored: str) -> None:
    assert checker(definition(type_))(value) == stored


@pytest.mark.parametrize(
    ("type_", "value", "code"),
    [
        ("number", "1e5", "INVALID_INTEGER"),
        ("number", "1 000", "INVALID_INTEGER"),
        ("number", "-", "INVALID_INTEGER"),
        ("bool", "yes", "INVALID_OPTION"),
        ("date", "2023-02-29", "INVALID_DATE"),
        ("date", "86400001", "INVALID_DATE"),
        ("date", "99999999999999999", "INVALID_DATE"),
        ("datetime", "999999999999999", "INVALID_DATETIME"),
        ("datetime", "tomorrow", "INVALID_DATETIME"),
        ("string", "x" * 65_537, "INVALID_STRING"),
    ],
)
def test_rejected_values_carry_hubspot_codes(type_: str, value: str, code: str) -> None:
    with pytest.raises(ValueRejected) as rejected:
        checker(definition(type_))(value)
    assert rejected.value.code == code


def test_enumerations_check_every_selected_option() -> None:
    options = [PropertyOption(label=v, value=v) for v in ("a", "b")]
    multi = definition("enumeration", "checkbox", options=options)
    single = definition("enumeration", "select", options=options)
    assert checker(multi)("a;b") == "a;b"
    with pytest.raises(ValueRejected) as rejected:
        checker(multi)("a;c")
    assert rejected.value.message == "c was not one of the allowed options: [a, b]"
    with pytest.raises(ValueRejected):
        checker(single)("a;b")
    assert checker(definition("enumeration", external_options=True))("owner-7") == "owner-7"


def test_emails_are_lower_cased_and_lists_split_on_semicolons() -> None:
    assert checker(definition("string"), email=True)("A@B.Co") == "a@b.co"
    assert checker(definition("string"), email=True, multi=True)("A@b.co; c@d.io") == (
        "a@b.co;c@d.io"
    )
    with pytest.raises(ValueRejected) as rejected:
        checker(definition("string"), email=True)("a@b")
    assert rejected.value.message == "Email address a@b is invalid"


def test_seed_defines_the_contact_properties_every_validation_path_needs() -> None:
    seeded = {d.name: d for d in CONTACTS.seed_properties()}
    for name in (
        "email",
        "firstname",
        "lastname",
        "phone",
        "mobilephone",
        "company",
        "website",
        "jobtitle",
        "address",
        "city",
        "state",
        "zip",
        "country",
        "lifecyclestage",
        "hs_lead_status",
        "hs_additional_emails",
        "createdate",
        "lastmodifieddate",
        "hs_object_id",
    ):
        assert name in seeded
    assert [o.value for o in seeded["lifecyclestage"].options] == [
        "subscriber",
        "lead",
        "marketingqualifiedlead",
        "salesqualifiedlead",
        "opportunity",
        "customer",
        "evangelist",
        "other",
    ]
    assert {d.type for d in seeded.values()} >= {
        "string",
        "number",
        "bool",
        "enumeration",
        "date",
        "datetime",
        "phone_number",
    }
    assert seeded["email"].has_unique_value
    assert seeded["hs_object_id"].read_only
    assert all(d.description == "" for d in seeded.values())
