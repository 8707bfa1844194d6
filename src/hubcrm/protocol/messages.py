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

HISTORY_BATCH_TOO_LARGE = (
    "The maximum number of inputs supported in a batch request for property histories is "
    "{limit}. Please reduce the number of items and try again"
)

# Records
NO_PROPERTIES_TO_UPDATE = "No properties found to update, please provide at least one."
OBJECTS_NOT_FOUND = (
    "Could not get some {type} objects, they may be deleted or not exist. Check that ids are valid."
)
INVALID_LIMIT = "limit must be between 1 and {max}, not {limit}"
INVALID_AFTER = "after must be a paging cursor from a previous answer, not {after}"

# Search
SEARCH_WINDOW = (
    "The search window is limited to {max} results: after plus limit must not exceed {max}"
)
TOO_MANY_FILTER_GROUPS = "Too many filter groups: the maximum is {max}"
TOO_MANY_FILTERS_IN_GROUP = "Too many filters in a filter group: the maximum is {max}"
TOO_MANY_FILTERS = "Too many filters: the maximum across all filter groups is {max}"
QUERY_TOO_LONG = "The search query has too many words: the maximum is {max}"
SEARCH_UNKNOWN_PROPERTY = 'Property "{name}" does not exist and cannot be searched'
FILTER_NEEDS = "A filter with operator {operator} needs {field}"
UNKNOWN_OPERATOR = "Unknown filter operator {operator}; use one of {operators}"
FILTER_VALUE_INVALID = "{value} is not a valid {type} value for property {name}"
INVALID_SORT_DIRECTION = "Sort direction must be ASCENDING or DESCENDING, not {direction}"

# Properties
PROPERTY_NOT_FOUND = "Unable to find property {name} for object type {type_id}"
INVALID_PROPERTY_NAME = (
    "Property name {name} is invalid: use lower-case letters, digits and underscores, "
    "starting with a letter"
)
INVALID_FIELD_TYPE = "fieldType {field_type} is not valid for type {type}; use one of {allowed}"
INVALID_PROPERTY_TYPE = "type {type} is not valid; use one of {allowed}"
ENUMERATION_NEEDS_OPTIONS = "An enumeration property needs at least one option"
DUPLICATE_OPTION = "Option values must be unique; {value} appears more than once"
UNIQUE_NOT_CHANGEABLE = "hasUniqueValue cannot be changed after a property is created"
TYPE_NOT_CHANGEABLE = "type and fieldType of property {name} cannot be changed"
READ_ONLY_DEFINITION = "Property {name} is a HubSpot-defined property and cannot be changed"
NOT_ARCHIVABLE = "Property {name} is a HubSpot-defined property and cannot be archived"
UNIQUE_TYPE = "hasUniqueValue is only available for string and number properties"

# Records (continued)
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
INVALID_QUERY_INT = "Query parameter {name} must be a whole number, not {value}"

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
SEED_UNKNOWN_CONTACT = (
    "Invalid seed: a company or deal names contact {key}, which is neither seeded nor stored"
)
SEED_CONTACT_WITHOUT_KEY = "Invalid seed: contact {index} has no {name}"
PROPERTY_EXISTS = "A property named {name} already exists"

# Faults of the database (hubcrm's own texts: HubSpot's 503 comes from its edge, docs/fidelity.md)
STORE_UNAVAILABLE = "The database is unavailable; nothing was written. Retry after the delay given."
STORE_OUTCOME_UNKNOWN = (
    "The database connection was lost while committing; the write may or may not have been"
    " applied. Upserts and updates are safe to retry."
)
STORE_OVERLOADED = (
    "Too many writes are waiting for the database; this one was not run. Retry after the delay"
    " given."
)
STORE_CANNOT_WRITE = (
    "The database cannot take writes now (disk full, read-only or removed); nothing was written."
    " Reads still work. Retry after the delay given."
)
# Object types (issue 13)
REQUIRED_PROPERTIES_MISSING = "Error creating {type}. Some required properties were not set."
# Custom object schemas (the schemas API); texts are hubcrm's own (docs/fidelity.md)
SCHEMA_EXISTS = "An object type named {name} already exists"
SCHEMA_NAME_INVALID = (
    "Object type name {name} is not valid: use letters, numbers and underscores, "
    "starting with a letter"
)
SCHEMA_LABELS_REQUIRED = "Object type {name} needs labels.singular and labels.plural"
SCHEMA_PROPERTY_UNKNOWN = "{field} names {property}, which is not a property of {name}"
SCHEMA_DUPLICATE_PROPERTY = "Property {property} is defined twice in object type {name}"
SCHEMA_HAS_RECORDS = (
    "Object type {type_id} has {count} records and cannot be archived: archive its records first"
)
SCHEMA_NOT_ARCHIVED = "Object type {type_id} must be archived before it is purged"
SCHEMA_READ_ONLY = "Object type {type_id} is defined by HubSpot and cannot be changed"
SCHEMA_UNKNOWN_ASSOCIATION = "Unable to associate {name} with unknown object type {target}"

# Pipelines and owners (hubcrm's own texts unless docs/fidelity.md says otherwise)
NO_PIPELINES = "Object type {name} has no pipelines: pipelines are served for deals and tickets"
PIPELINE_NOT_FOUND = "Unable to find pipeline {id} for object type {type_id}"
STAGE_NOT_FOUND = "Unable to find stage {id} in pipeline {pipeline} for object type {type_id}"
PIPELINE_LABEL_TAKEN = "A pipeline labelled {label} already exists for object type {type_id}"
STAGE_LABEL_TAKEN = "Stage labels must be unique within a pipeline; {label} appears more than once"
PIPELINE_NEEDS_STAGE = "A pipeline needs at least one stage"
LAST_PIPELINE = "The last pipeline of object type {type_id} cannot be archived"
LAST_STAGE = "The last stage of pipeline {pipeline} cannot be archived"
DEAL_STAGE_PROBABILITY = (
    "Deal stage {label} needs metadata.probability, a number from 0.0 to 1.0 in steps of 0.1,"
    " not {value}"
)
TICKET_STATE = "Ticket stage {label}: metadata.ticketState must be OPEN or CLOSED, not {value}"
PIPELINE_IN_USE = (
    "Pipeline {id} cannot be archived: {count} {type_id} records are in it"
    " (pass validateReferencesBeforeDelete=false to archive it anyway)"
)
STAGE_IN_USE = (
    "Stage {id} cannot be archived: {count} {type_id} records are in it"
    " (pass validateReferencesBeforeDelete=false to archive it anyway)"
)
# Record values that name a pipeline, a stage or an owner
INVALID_PIPELINE = "{value} was not one of the allowed options: [{options}]"
INVALID_STAGE = "{value} was not one of the allowed options: [{options}]"
INVALID_OWNER = "{value} is not a valid owner id"
OWNER_NOT_FOUND = "Unable to find owner {id}"
OWNER_EXISTS = "An owner with email {email} already exists"
OWNER_ID_TAKEN = "Owner id {id} or user id {user_id} is already taken"
INVALID_OWNER_INPUT = "Invalid owner: {problem}"
INVALID_ID_PROPERTY = "idProperty must be id or userId, not {value}"

# Apps, OAuth and webhooks (docs/webhooks.md; sources in docs/fidelity.md)
APP_PORTAL_NOT_FOUND = "Portal {portal} does not exist"
APP_NOT_FOUND = "App {app} does not exist"
APP_BAD_REDIRECT_URI = "A redirect URL must be an absolute http or https URL, not {uri}"
APP_BAD_SCOPE = "A scope must be a word without spaces, not {scope!r}"
# The authorize page (a browser page in HubSpot, shown here as a 400 HTML page).
AUTHORIZE_BAD_CLIENT_ID = (
    "Authorization failed because the client_id {client_id} is not a known app"
)
AUTHORIZE_BAD_REDIRECT = (
    "Authorization failed as the redirect URL '{redirect_uri}' doesn't match the app's registered"
    " redirect URL"
)
AUTHORIZE_BAD_SCOPES = (
    "Authorization failed because there is a mismatch between the scopes in the install URL and"
    " the app's configured scopes: {scopes}"
)
AUTHORIZE_NO_SCOPE = "Authorization failed because the install URL names no scope"
AUTHORIZE_BAD_PORTAL = "Authorization failed because portal {portal} does not exist"
# POST /oauth/v1/token and the token info endpoints: HubSpot's status, message and RFC 6749 error.
OAUTH_BAD_GRANT_TYPE = ("BAD_GRANT_TYPE", "missing or unknown grant type", "unsupported_grant_type")
OAUTH_BAD_CLIENT_ID = ("BAD_CLIENT_ID", "missing or unknown client id", "invalid_client")
OAUTH_BAD_CLIENT_SECRET = (
    "BAD_CLIENT_SECRET",
    "missing or invalid client secret",
    "invalid_client",
)
OAUTH_BAD_REDIRECT_URI = (
    "BAD_REDIRECT_URI",
    "redirect_uri does not match the redirect_uri of the authorization request",
    "invalid_grant",
)
OAUTH_BAD_AUTH_CODE = ("BAD_AUTH_CODE", "missing or unknown auth code", "invalid_grant")
OAUTH_EXPIRED_AUTH_CODE = ("BAD_AUTH_CODE", "auth code is expired", "invalid_grant")
OAUTH_BAD_REFRESH_TOKEN = (
    "BAD_REFRESH_TOKEN",
    "refresh token is invalid, expired or revoked",
    "invalid_grant",
)
OAUTH_BAD_ACCESS_TOKEN = ("BAD_ACCESS_TOKEN", "access token is invalid or expired", "invalid_token")
# Webhooks API
HAPIKEY_INVALID = (
    "The API key provided is invalid. View or manage your API key here:"
    " https://app.hubspot.com/l/api-key/"
)
WEBHOOK_UNKNOWN_EVENT_TYPE = "Unknown event type: {event_type}. Use one of: {known}"
WEBHOOK_OBJECT_TYPE_REQUIRED = "objectTypeId is required for {event_type} subscriptions"
WEBHOOK_BAD_OBJECT_TYPE = "Invalid objectTypeId {object_type_id} for {event_type} subscriptions"
WEBHOOK_PROPERTY_REQUIRED = "propertyName is required for {event_type} subscriptions"
WEBHOOK_PROPERTY_NOT_ALLOWED = "propertyName is only allowed for propertyChange subscriptions"
WEBHOOK_UNKNOWN_PROPERTY = "Property {name} does not exist for object type {object_type_id}"
WEBHOOK_PROPERTY_NOT_SUBSCRIBABLE = "Property {name} cannot be subscribed to"
WEBHOOK_TOO_MANY_SUBSCRIPTIONS = (
    "Couldn't create another subscription. You've reached the maximum number allowed per"
    " application (1000)."
)
WEBHOOK_SUBSCRIPTION_NOT_FOUND = "Subscription {id} does not exist"
WEBHOOK_SETTINGS_NOT_FOUND = "No webhook settings exist for app {app}"
WEBHOOK_BAD_TARGET_URL = "targetUrl must be an absolute http or https URL, not {url}"
WEBHOOK_BAD_CONCURRENCY = "maxConcurrentRequests must be a number greater than five, not {value}"
# Associations, merge and GDPR delete
ASSOCIATIONS_INVALID = "One or more associations are invalid"
INVALID_OBJECT_ID = "{type}={id} is not valid"
INVALID_ASSOCIATION_TYPE = "{spec} is not a valid association definition id"
UNKNOWN_V3_ASSOCIATION_TYPE = "{name} is not a valid association type"
NO_ASSOCIATIONS_FOUND = "No {to} is associated with {from_} {id}."
ASSOCIATION_BODY_EXPECTED = "Invalid JSON input: a request body was expected, but none found"
INVALID_ASSOCIATION_AFTER = "after must be a paging cursor from a previous answer, not {after}"
ASSOCIATION_LIMIT_INVALID = "limit must be between 1 and {max}, not {limit}"
LABEL_NAME_INVALID = (
    "Invalid association label name {name}: use letters, digits and underscores, and do not"
    " start with a digit"
)
LABEL_EXISTS = "An association label named {name} already exists between these object types"
LABEL_NOT_FOUND = "No association label {type_id} between these object types"
LABEL_HUBSPOT_DEFINED = "HubSpot-defined association type {type_id} cannot be changed or deleted"
LABEL_IN_USE = "Association label {type_id} is in use: remove its associations first"
TOO_MANY_LABELS = "Object pair already has the maximum of {limit} custom association labels"
MERGE_SAME_OBJECT = "Cannot merge an object with itself: {id}"
MERGE_NOT_SUPPORTED = "Merging is not supported for object type {type}"
GDPR_NOT_SUPPORTED = "GDPR delete is not supported for object type {type}"
INLINE_ASSOCIATION_TYPES = "The types of one association must all lead to one object type"
