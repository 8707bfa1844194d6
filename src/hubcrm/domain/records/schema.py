"""One portal's property definitions for one object type, and checking values against them."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence

from hubcrm.domain.objects import ObjectType
from hubcrm.domain.records.references import Check
from hubcrm.domain.values import ValueRejected, checker
from hubcrm.protocol import messages
from hubcrm.protocol.definitions import PropertyDefinition
from hubcrm.protocol.errors import ErrorDetail, PropertyIssue, ValidationError
from hubcrm.protocol.wire import PropertyValue


class Schema:
    def __init__(self, object_type: ObjectType, definitions: Iterable[PropertyDefinition]) -> None:
        self.object_type = object_type
        self.definitions = {d.name: d for d in definitions}
        self.unique = {name for name, d in self.definitions.items() if d.has_unique_value}
        self.record_columns = object_type.record_columns()
        created = self.definitions.get(object_type.created_property)
        if created is not None and not created.read_only:
            # A writable creation date (deals, tickets) may differ from the record's own.
            del self.record_columns[object_type.created_property]
        self._kinds: dict[str, tuple[str, bool]] = {}
        # Each property's check, its rules looked up once, on its first value: a portal's schema
        # has hundreds of properties, and its writes set a few of them.
        self._checkers: dict[str, Callable[[str], str]] = {}
        self._writable = frozenset(n for n, d in self.definitions.items() if not d.read_only)
        self.checks: Sequence[Check] = ()  # of values naming pipelines, owners (references.py)

    def bound(self, checks: Sequence[Check]) -> Schema:
        """This schema, whose issues() also runs these checks (for one write request)."""
        if not checks:
            return self
        bound = copy.copy(self)
        bound.checks = checks
        return bound

    def check(self, name: str, value: str) -> str:
        """The stored form of `value`, or ValueRejected; `name` must be defined."""
        return (self._checkers.get(name) or self._checker(name))(value)

    def _checker(self, name: str) -> Callable[[str], str]:
        made = self._checkers[name] = checker(
            self.definitions[name],
            email=name in self.object_type.email_properties,
            multi=name in self.object_type.multi_value_properties,
        )
        return made

    def issues(
        self, properties: dict[str, PropertyValue]
    ) -> tuple[dict[str, str], list[PropertyIssue]]:
        """Check every value; return the stored forms and every problem found."""
        stored: dict[str, str] = {}
        issues: list[PropertyIssue] = []
        writable, checkers = self._writable, self._checkers
        for name, raw in properties.items():
            if raw is None:  # null never clears a value in HubSpot: it is ignored
                continue
            if name in writable:
                checked = checkers.get(name) or self._checker(name)
                try:
                    stored[name] = checked(text(raw))
                except ValueRejected as rejected:
                    issues.append(PropertyIssue(name, rejected.code, rejected.message))
            elif name not in self.definitions:
                issues.append(
                    PropertyIssue(
                        name,
                        "PROPERTY_DOESNT_EXIST",
                        messages.PROPERTY_DOESNT_EXIST.format(name=name),
                    )
                )
            else:
                issues.append(
                    PropertyIssue(
                        name, "READ_ONLY_VALUE", messages.READ_ONLY_VALUE.format(name=name)
                    )
                )
        for check in self.checks:
            issues += check(stored)
        return stored, issues

    def unique_values(self, properties: dict[str, str], namespace: str) -> set[str]:
        """Every value a record with these properties holds in a unique namespace."""
        out: set[str] = set()
        for name in self.unique:
            if self.object_type.unique_namespace(name) == namespace and properties.get(name):
                multi = name in self.object_type.multi_value_properties
                out.update(properties[name].split(";") if multi else [properties[name]])
        return out

    def namespaces(self) -> set[str]:
        return {self.object_type.unique_namespace(name) for name in self.unique}

    def kind(self, name: str) -> tuple[str, bool]:
        """The type of property `name` (a string if it is not defined) and whether a value holds
        several `;`-separated items; remembered, as search asks for every value it indexes."""
        known = self._kinds.get(name)
        if known is None:
            definition = self.definitions.get(name)
            multi = name in self.object_type.multi_value_properties or bool(
                definition and definition.multi_select
            )
            known = (definition.type if definition else "string", multi)
            self._kinds[name] = known
        return known

    def check_id_property(self, portal_id: int, id_property: str) -> None:
        """`id_property` must exist and hold one unique value per record."""
        if id_property not in self.definitions:
            message = messages.PROPERTY_DOESNT_EXIST.format(name=id_property)
            raise ValidationError(
                message,
                errors=[
                    ErrorDetail(message, "PROPERTY_DOESNT_EXIST", {"propertyName": [id_property]})
                ],
            )
        definition = self.definitions[id_property]
        offered = id_property in self.object_type.upsert_id_properties or not (
            definition.hubspot_defined or definition.read_only
        )
        if (
            id_property not in self.unique
            or id_property in self.object_type.multi_value_properties
            or not offered
        ):
            raise ValidationError(
                messages.NON_UNIQUE_ID_PROPERTY.format(
                    type_id=self.object_type.type_id, name=id_property, portal=portal_id
                )
            )

    def key(self, id_property: str, raw: str) -> tuple[str, str]:
        """The (namespace, stored value) a unique id names, or ValueRejected."""
        return self.object_type.unique_namespace(id_property), self.check(id_property, raw)


def text(value: PropertyValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
