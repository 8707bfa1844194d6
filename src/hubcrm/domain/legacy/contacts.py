"""Contacts v1 (hubspot-legacy-apis.md §7): the list readers, profiles by vid or email, and the
createOrUpdate and batch writes, over the same records, validation and history as v3.

Writes are checked in full before anything is written (every value against its definition,
every email, every vid), so a rejected request changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hubcrm.domain.clock import portal_clock
from hubcrm.domain.legacy.records import RECENT_WINDOW_MS, size
from hubcrm.domain.legacy.views import legacy_value
from hubcrm.domain.objects import CONTACTS
from hubcrm.domain.records import Actor, Records, Schema
from hubcrm.domain.records.planning import is_record_id
from hubcrm.domain.values import ValueRejected
from hubcrm.protocol import messages
from hubcrm.protocol.errors import Conflict, ObjectNotFound, PropertyIssue, PropertyValuesInvalid
from hubcrm.protocol.legacy import (
    BatchContact,
    Contact,
    ContactPropertyInput,
    ContactValue,
    ContactVersion,
    Identity,
    IdentityProfile,
    LegacyBadRequest,
    LegacyConflict,
    LegacyNotFound,
)
from hubcrm.protocol.wire import PropertyValue, UpdateInput, UpsertInput
from hubcrm.store.base import HistoryEntry, Record

LIST_DEFAULT, LIST_MAX = 20, 100  # D-LEG: count defaults to 20, at most 100
BATCH_MAX = 1000  # D-LEG batch page: at most 1,000 contacts a request
# Without `property`, list endpoints show this small set (RUBY 2015, AIR 2024 fixtures).
LIST_DEFAULT_PROPERTIES = ("firstname", "lastname", "lastmodifieddate", "company")
PROFILE_URL = "https://app.hubspot.com/contacts/{portal}/contact/{vid}"
MERGED_IDS = "hs_merged_object_ids"
ADDITIONAL_EMAILS = "hs_additional_emails"


@dataclass(frozen=True)
class ContactsPage:
    records: list[Record]
    has_more: bool
    vid_offset: int
    time_offset: int | None = None


class LegacyContacts:
    def __init__(self, records: Records) -> None:
        self.records = records
        self.store = records.store

    async def all(
        self, portal_id: int, *, vid_offset: int | None, count: int | None
    ) -> ContactsPage:
        wanted = size(count, LIST_DEFAULT, LIST_MAX)
        start = 0 if vid_offset is None else max(vid_offset, 0) + 1
        rows = await self.store.records_page(
            portal_id, CONTACTS.type_id, after=start, limit=wanted + 1, archived=False
        )
        shown = rows[:wanted]
        last = shown[-1].record_id if shown else (vid_offset or 0)
        return ContactsPage(shown, len(rows) > wanted, last)

    async def recent(
        self,
        portal_id: int,
        *,
        created: bool,
        time_offset: int | None,
        vid_offset: int | None,
        count: int | None,
    ) -> ContactsPage:
        """Newest first by last change (or creation); the offsets are the last contact's time
        and vid, and the next page holds those strictly before them in that order."""
        now = portal_clock(self.records.clock, portal_id).now_ms()
        before = None
        if time_offset is not None:
            # Without a vid, everything at that very moment is behind the caller already.
            before = (time_offset, vid_offset if vid_offset is not None else 0)
        wanted = size(count, LIST_DEFAULT, LIST_MAX)
        rows, _ = await self.store.records_recent(
            portal_id,
            CONTACTS.type_id,
            column="created_at" if created else "updated_at",
            since=now - RECENT_WINDOW_MS,
            before=before,
            offset=0,
            limit=wanted + 1,
        )
        shown = rows[:wanted]
        if not shown:
            return ContactsPage([], False, vid_offset or 0, time_offset or 0)
        last = shown[-1]
        at = last.created_at if created else last.updated_at
        return ContactsPage(shown, len(rows) > wanted, last.record_id, at)

    async def by_vid(self, portal_id: int, vid: str) -> Record:
        if not is_record_id(vid):
            raise LegacyNotFound(messages.LEGACY_CONTACT_NOT_FOUND)
        return await self._found(portal_id, vid, None)

    async def by_email(self, portal_id: int, email: str) -> Record:
        return await self._found(portal_id, email, "email")

    async def _found(self, portal_id: int, ref: str, id_property: str | None) -> Record:
        try:
            return await self.records.get(portal_id, CONTACTS, ref, id_property=id_property)
        except ObjectNotFound:
            raise LegacyNotFound(messages.LEGACY_CONTACT_NOT_FOUND) from None

    async def view(
        self,
        portal_id: int,
        record: Record,
        *,
        names: Iterable[str] | None,
        with_history: bool,
        added_at: int | None = None,
        profile: bool = False,
    ) -> Contact:
        """A contact as v1 shows it: the named properties that are set (all for None)."""
        wanted = set(record.properties) if names is None else set(names) & set(record.properties)
        history = (
            await self.store.history(portal_id, CONTACTS.type_id, record.record_id, wanted)
            if with_history and wanted
            else {}
        )
        schema = await self.records.schema(portal_id, CONTACTS)
        properties = {
            name: _value(schema, name, record.properties[name], history.get(name), with_history)
            for name in sorted(wanted)
        }
        contact = Contact(
            vid=record.record_id,
            canonical_vid=record.record_id,
            merged_vids=_merged(record),
            portal_id=portal_id,
            is_contact=True,
            profile_url=PROFILE_URL.format(portal=portal_id, vid=record.record_id),
            properties=properties,
            identity_profiles=[_identity_profile(record)],
        )
        if added_at is not None:
            contact.added_at = added_at
        if profile:
            contact.list_memberships = []
        return contact

    # Writes

    async def create_or_update(
        self, actor: Actor, email: str, inputs: list[ContactPropertyInput]
    ) -> tuple[int, bool]:
        schema = await self.records.schema(actor.portal_id, CONTACTS)
        key = _checked_email(schema, email)
        values = _values(inputs)
        _check(schema, [values])
        try:
            outcome = await self.records.batch_upsert(
                actor, CONTACTS, [UpsertInput(id=key, properties=values, id_property="email")]
            )
        except Conflict as conflict:
            raise await self._exists(actor.portal_id, str(values.get("email") or key)) from conflict
        except PropertyValuesInvalid as invalid:
            raise _invalid(invalid.issues) from invalid
        written = outcome.results[0]
        return written.record.record_id, written.new

    async def batch(self, actor: Actor, items: list[BatchContact]) -> None:
        if len(items) > BATCH_MAX:
            raise LegacyBadRequest(messages.LEGACY_BATCH_TOO_LARGE.format(limit=BATCH_MAX))
        schema = await self.records.schema(actor.portal_id, CONTACTS)
        upserts: list[UpsertInput] = []
        updates: list[UpdateInput] = []
        for item in items:
            values = _values(item.properties)
            if item.vid is not None:
                updates.append(UpdateInput(id=str(item.vid), properties=values))
            elif item.email is not None:
                key = _checked_email(schema, item.email)
                upserts.append(UpsertInput(id=key, properties=values, id_property="email"))
            else:
                raise LegacyBadRequest(messages.LEGACY_BATCH_NEEDS_KEY)
        _check(schema, [u.properties for u in upserts] + [u.properties for u in updates])
        if updates:
            _, missing = await self.records.read_batch(
                actor.portal_id, CONTACTS, [str(u.id) for u in updates]
            )
            if missing:
                raise LegacyNotFound(messages.LEGACY_CONTACT_NOT_FOUND)
        try:
            if upserts:
                await self.records.batch_upsert(actor, CONTACTS, upserts)
            if updates:
                await self.records.batch_update(actor, CONTACTS, updates)
        except Conflict as conflict:
            raise LegacyConflict(
                messages.LEGACY_CONTACT_EXISTS, error="CONTACT_EXISTS"
            ) from conflict
        except PropertyValuesInvalid as invalid:
            raise _invalid(invalid.issues) from invalid

    async def _exists(self, portal_id: int, email: str) -> LegacyConflict:
        holder = await self.store.record_by_unique(portal_id, CONTACTS.type_id, "email", email)
        profile = None
        if holder is not None:
            identity = _identity_profile(holder)
            profile = {
                "vid": holder.record_id,
                "identity": [
                    {"value": i.value, "type": i.type, "timestamp": i.timestamp}
                    | ({"isPrimary": True} if i.is_primary is True else {})
                    for i in identity.identities
                ],
                "linkedVid": [],
                "isContact": True,
                "savedAtTimestamp": holder.updated_at,
            }
        return LegacyConflict(
            messages.LEGACY_CONTACT_EXISTS, error="CONTACT_EXISTS", identity_profile=profile
        )


def _values(inputs: list[ContactPropertyInput]) -> dict[str, PropertyValue]:
    """v1 takes values as strings, numbers or booleans; HubSpot stores them as text."""
    values: dict[str, PropertyValue] = {}
    for item in inputs:
        value = item.value
        if isinstance(value, bool):
            values[item.property] = "true" if value else "false"
        elif value is None:
            values[item.property] = None
        else:
            values[item.property] = str(value)
    return values


def _checked_email(schema: Schema, email: str) -> str:
    try:
        return schema.check("email", email)
    except ValueRejected as rejected:
        raise _invalid([PropertyIssue("email", rejected.code, rejected.message)]) from None


def _check(schema: Schema, batches: list[dict[str, PropertyValue]]) -> None:
    issues = [issue for values in batches for issue in schema.issues(values)[1]]
    if issues:
        raise _invalid(issues)


def _invalid(issues: list[PropertyIssue]) -> LegacyBadRequest:
    return LegacyBadRequest(
        messages.LEGACY_PROPERTY_VALUES_INVALID,
        validation_results=[
            {"isValid": False, "message": i.message, "error": i.code, "name": i.name}
            for i in issues
        ],
    )


def _value(
    schema: Schema,
    name: str,
    value: str,
    history: list[HistoryEntry] | None,
    with_history: bool,
) -> ContactValue:
    definition = schema.definitions.get(name)
    kind = definition.type if definition else None
    shown = ContactValue(value=legacy_value(kind, value))
    if with_history:
        shown.versions = [
            ContactVersion(
                value=legacy_value(kind, e.value),
                source_type=e.source_type,
                source_id=e.source_id,
                source_label=None,
                timestamp=e.timestamp,
                selected=False,
            )
            for e in history or []
        ]
    return shown


def _merged(record: Record) -> list[int]:
    raw = record.properties.get(MERGED_IDS, "")
    return sorted(int(i) for i in raw.split(";") if i.strip().isdigit())


def _identity_profile(record: Record) -> IdentityProfile:
    identities: list[Identity] = []
    email = record.properties.get("email")
    if email:
        identities.append(
            Identity(type="EMAIL", value=email, timestamp=record.created_at, is_primary=True)
        )
    for extra in record.properties.get(ADDITIONAL_EMAILS, "").split(";"):
        if extra.strip():
            identities.append(
                Identity(type="EMAIL", value=extra.strip(), timestamp=record.created_at)
            )
    return IdentityProfile(
        vid=record.record_id,
        saved_at_timestamp=record.updated_at,
        deleted_changed_timestamp=0,
        identities=identities,
    )
