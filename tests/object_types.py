"""Per object type, what the type-parametrised tests need: a valid record, and a text property.

Shared by the in-process suite (tests/api) and the SDK end-to-end tests (tests/sdk).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hubcrm.domain.objects import OBJECT_TYPES, ObjectType, object_type

WHEN = "2026-01-02T03:04:05.000Z"


@dataclass(frozen=True)
class Sample:
    """A type's name, the properties a valid create needs, and a writable text property."""

    name: str
    text: str  # a string property, searched by the free-text `query` where the type has one
    required: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> ObjectType:
        return object_type(self.name)

    def properties(self, text: str) -> dict[str, str]:
        return {**self.required, self.text: text}


SAMPLES: dict[str, Sample] = {
    s.name: s
    for s in (
        Sample("contacts", "firstname"),
        Sample("companies", "name"),
        Sample("deals", "dealname"),
        Sample("tickets", "subject", {"hs_pipeline_stage": "1"}),
        Sample("products", "name"),
        Sample("line_items", "name"),
        Sample("tasks", "hs_task_subject", {"hs_timestamp": WHEN}),
        Sample("notes", "hs_note_body", {"hs_timestamp": WHEN}),
        Sample("meetings", "hs_meeting_title", {"hs_timestamp": WHEN}),
        Sample("calls", "hs_call_title", {"hs_timestamp": WHEN}),
        Sample("emails", "hs_email_subject", {"hs_timestamp": WHEN}),
    )
}
assert set(SAMPLES) == {t.name for t in OBJECT_TYPES}, "every standard type needs a sample"

# The full behaviour matrix runs over these: the first type, one with a writable creation date
# and no email rules, and an engagement with a required property and hs_createdate.
REPRESENTATIVE = ("contacts", "deals", "notes")
