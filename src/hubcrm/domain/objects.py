"""The CRM object types hubcrm serves, as data.

HubSpot's objects API has one shape for every object type; what differs between contacts and the
next type is captured here, so the domain and the storage stay keyed by type.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from hubcrm.protocol import messages
from hubcrm.protocol.definitions import PropertyDefinition, decode_definitions
from hubcrm.protocol.errors import ValidationError


@dataclass(frozen=True)
class ObjectType:
    name: str  # the plural path name, e.g. "contacts"
    type_id: str  # HubSpot's object type id, e.g. "0-1"
    label: str  # used in messages: "Contact already exists..."
    seed_file: str
    # Properties whose values are email addresses: validated, stored lower-case, and unique
    # across each other (a contact's primary and additional emails share one namespace).
    email_properties: frozenset[str] = frozenset()
    # Properties whose value is a `;`-separated list, each item unique on its own.
    multi_value_properties: frozenset[str] = frozenset()
    # Returned by reads that name no properties.
    default_properties: tuple[str, ...] = ()
    # Searched by the free-text `query` of a search request.
    search_properties: tuple[str, ...] = ()
    read_scope: str = ""
    write_scope: str = ""
    schema_read_scope: str = ""
    schema_write_scope: str = ""
    # Maintained by hubcrm itself on every write.
    created_property: str = "createdate"
    modified_property: str = "lastmodifieddate"
    id_property: str = "hs_object_id"

    def record_columns(self) -> dict[str, str]:
        """The properties hubcrm maintains that equal a column of the record itself."""
        return {
            self.id_property: "record_id",
            self.created_property: "created_at",
            self.modified_property: "updated_at",
        }

    def unique_namespace(self, property_name: str) -> str:
        """Values in one namespace must be unique across the portal's records of this type."""
        return "email" if property_name in self.email_properties else property_name

    def record_url(self, portal_id: int, record_id: int) -> str:
        return f"https://app.hubspot.com/contacts/{portal_id}/record/{self.type_id}/{record_id}"

    def seed_properties(self) -> list[PropertyDefinition]:
        return _seed(self.seed_file)


CONTACTS = ObjectType(
    name="contacts",
    type_id="0-1",
    label="Contact",
    seed_file="contact_properties.json",
    email_properties=frozenset({"email", "hs_additional_emails"}),
    multi_value_properties=frozenset({"hs_additional_emails"}),
    default_properties=(
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    ),
    # HubSpot's search guide lists these as the default searchable contact properties.
    search_properties=(
        "firstname",
        "lastname",
        "email",
        "phone",
        "hs_additional_emails",
        "fax",
        "mobilephone",
        "company",
        "hs_marketable_until_renewal",
    ),
    read_scope="crm.objects.contacts.read",
    write_scope="crm.objects.contacts.write",
    schema_read_scope="crm.schemas.contacts.read",
    schema_write_scope="crm.schemas.contacts.write",
)

OBJECT_TYPES: tuple[ObjectType, ...] = (CONTACTS,)
_BY_PATH = {key: t for t in OBJECT_TYPES for key in (t.name, t.type_id)}


def object_type(path_name: str) -> ObjectType:
    """The object type a URL names, by plural name or type id."""
    try:
        return _BY_PATH[path_name]
    except KeyError:
        raise ValidationError(messages.UNKNOWN_OBJECT_TYPE.format(name=path_name)) from None


@cache
def _seed(file_name: str) -> list[PropertyDefinition]:
    return decode_definitions(resources.files("hubcrm.data").joinpath(file_name).read_bytes())
