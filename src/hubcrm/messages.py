"""Every user-facing message text, in one place.

HubSpot's texts are reproduced exactly, including their punctuation and spacing quirks, because
integrations match on them. Texts for cases HubSpot is silent on are hubcrm's own and are marked so
in docs/fidelity.md.
"""

# Whole-request validation
BATCH_TOO_LARGE = (
    "The maximum number of inputs supported in a batch is {limit}. "
    "Please reduce the number of items and try again"
)
DUPLICATE_IDS = "Duplicate IDs found in batch input: [{ids}]. IDs must be unique"
NON_UNIQUE_ID_PROPERTY = (
    "Unable to perform update/upsert by non-unique {type_id} property {name} in portal ID {portal}"
)
ID_PROPERTY_REQUIRED = (
    "idProperty is required to upsert: name the unique property whose value is in id "
    "(email, or a property with hasUniqueValue)"
)
PROPERTY_VALUES_INVALID = "Property values were not valid: {details}"
INVALID_JSON_AT = "Invalid input JSON on line {line}, column {column}: {detail}"
INVALID_JSON = "Invalid input JSON: {detail}"
UNKNOWN_OBJECT_TYPE = "Unable to infer object type from: {name}"

# Per-property value errors (ErrorDetail.code → message)
PROPERTY_DOESNT_EXIST = 'Property "{name}" does not exist'
READ_ONLY_VALUE = '"{name}" is a read only property; its value cannot be set.'
INVALID_OPTION = "{value} was not one of the allowed options: [{options}]"
INVALID_NUMBER = "{value} was not a valid number."
DATE_NOT_MIDNIGHT = "{value} is at {hour}:{minute}:{second}.{millis} UTC, not midnight!"
INVALID_DATE = (
    "{value} is not a valid date. Use YYYY-MM-DD, or milliseconds since the epoch at midnight UTC."
)
INVALID_DATETIME = "{value} is not a valid datetime. Use ISO-8601 or milliseconds since the epoch."
INVALID_EMAIL = "Email address {value} is invalid"
VALUE_TOO_LONG = "{name} is longer than the maximum of {limit} characters."

# Records
RECORD_EXISTS = "{label} already exists. Existing ID: {id}"
NOT_FOUND = "resource not found"
WRITE_CONTENTION = (
    "These records are being written by other requests at the same time; retry in a few seconds"
)
OBJECT_NOT_FOUND_NON_NUMERIC = "Object not found.  objectId are usually numeric."

# Authentication and scopes
AUTHENTICATION_MISSING = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
    "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
AUTHENTICATION_INVALID = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
    "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
AUTHENTICATION_EXPIRED = "The OAuth token used to make this call expired {ago} ago."
MISSING_SCOPES = (
    "This app hasn't been granted all required scopes to make this call. "
    "Read more about required scopes here: https://developers.hubspot.com/scopes."
)
MISSING_SCOPES_DETAIL = "One or more of the following scopes are required."
SCOPES_LINK = "https://developers.hubspot.com/scopes"

# Rate limits: `policy` is the policy name in lower case, as HubSpot writes it
RATE_LIMITED = "You have reached your {policy} limit."

# HTTP plumbing (hubcrm's own texts)
ROUTE_NOT_FOUND = "No route for {method} {path}"
METHOD_NOT_ALLOWED = "Method {method} is not allowed on {path}"
HEADERS_TOO_LARGE = "Request headers are larger than the limit of {limit} bytes"
BODY_TOO_LARGE = "Request body is larger than the limit of {limit} bytes"
INTERNAL_ERROR = "Internal error"
BODY_INCOMPLETE = "Invalid input JSON: the request body ended early"
INVALID_QUERY_BOOL = "Query parameter {name} must be true or false, not {value}"

# The control API (hubcrm's own texts)
CONTROL_DISABLED = "The control API is off: start hubcrm serve with --control"
CONTROL_TOKEN_REQUIRED = "The control API needs the admin token: Authorization: Bearer <token>"
PORTAL_EXISTS = "Portal {portal} already exists"
PORTAL_NOT_FOUND = "Portal {portal} does not exist"
SEQUENCE_TOO_LOW = "The next id must be above every id in use ({highest}), not {next}"
INVALID_FAULT = "Invalid fault rule: {problem}"

# Injected faults (hubcrm's own texts: HubSpot documents these statuses, not their bodies)
LOCKED = "The portal is locked by a high volume of writes. Wait at least 2 seconds and retry."
MIGRATION_IN_PROGRESS = "The portal is migrating between data centres. Retry after the delay given."
INVALID_MOMENT = "Not a moment: {value}. Give epoch milliseconds or an ISO-8601 date and time"
FAULT_NOT_FOUND = "No fault rule {id} in this portal"
CONTROL_NEEDS_ADMIN_TOKEN = (
    "--control on {host}, which is not a loopback address, needs --admin-token"
)
INVALID_SEED = "Invalid seed: {problem}"
INVALID_SEED_PROPERTY = "Invalid seed: property {name}: {problem}"
SEED_KEY_NOT_UNIQUE = "Invalid seed: contacts are matched by idProperty {name}, which is not unique"
SEED_CONTACT_WITHOUT_KEY = "Invalid seed: contact {index} has no {name}"
PROPERTY_EXISTS = "A property named {name} already exists"
