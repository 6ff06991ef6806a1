/* The requirement catalogue: ids are stable and used by every report, by the
 * fault catalogue of the reference server and by `--only`. Never renumber;
 * retire an id instead. */
#include "whopconf/catalog.h"

#include <string.h>

#define OP "#/paths/~1users~1me/patch"
#define USER "#/components/schemas/User"
#define TOKEN "#/components/schemas/AccountBalanceToken"
#define VERSION_PARAM "#/components/parameters/ApiVersionDate"

static const wc_requirement catalog[] = {
    /* user-schema */
    {"WC-US-001", "user-schema", WC_LEVEL_MUST,
     "Every 200 to a request pinned to the latest version validates against the User schema.",
     "responses.200 content application/json schema $ref User", OP "/responses/200/content/application~1json/schema",
     "response_schema_conformance"},
    {"WC-US-002", "user-schema", WC_LEVEL_MUST,
     "Every JSON response body is strict RFC 8259 JSON (no duplicate keys, trailing bytes, invalid UTF-8, NaN).",
     "responses.*.content application/json (RFC 8259)", OP "/responses/200/content/application~1json",
     NULL},
    {"WC-US-003", "user-schema", WC_LEVEL_MUST,
     "A 2xx to a request without Api-Version-Date or pinned to an older known version is a JSON object "
     "whose id and username are strings (its shape is recorded, never judged by the latest schema).",
     "Api-Version-Date description: omitted means the original (2025-01-01) shapes", VERSION_PARAM "/description",
     "response_schema_conformance"},

    /* meaning: the documented meaning of fields, from their descriptions */
    {"WC-DM-001", "meaning", WC_LEVEL_MUST, "User.id is prefixed `user_`.",
     "User.id description: User ID, prefixed `user_`.", USER "/properties/id/description", NULL},
    {"WC-DM-002", "meaning", WC_LEVEL_MUST, "User.created_at is an ISO 8601 timestamp.",
     "User.created_at description: When the user was created, as an ISO 8601 timestamp",
     USER "/properties/created_at/description", NULL},
    {"WC-DM-003", "meaning", WC_LEVEL_MUST,
     "Each balance's `balance` and every `breakdown` amount is a decimal string.",
     "AccountBalanceToken.balance / breakdown descriptions: as a decimal string",
     TOKEN "/properties/balance/description", NULL},
    {"WC-DM-004", "meaning", WC_LEVEL_SHOULD,
     "total_usd and each value_usd, when not null, are decimal strings.",
     "User.total_usd / AccountBalanceToken.value_usd descriptions: USD value (type string)",
     USER "/properties/total_usd/description", NULL},
    {"WC-DM-005", "meaning", WC_LEVEL_MUST,
     "verification.individual and verification.business are each null or an object whose status is one of "
     "not_started, pending, approved, rejected.",
     "User.verification description", USER "/properties/verification/description", NULL},
    {"WC-DM-006", "meaning", WC_LEVEL_MUST, "balances is empty when total_usd is null.",
     "User.balances items description: Empty when `total_usd` is `null`.",
     USER "/properties/balances/items/description", NULL},
    {"WC-DM-007", "meaning", WC_LEVEL_MUST,
     "profile_picture is null or an object with a string url.",
     "User.profile_picture description: an object with a url", USER "/properties/profile_picture/description",
     NULL},
    {"WC-DM-008", "meaning", WC_LEVEL_SHOULD,
     "total_usd is null in a PATCH response (it is computed only on GET /users/me).",
     "User.total_usd description: Computed only on `GET /users/me` self-view ...; `null` otherwise.",
     USER "/properties/total_usd/description", NULL},
    {"WC-DM-009", "meaning", WC_LEVEL_SHOULD,
     "When total_usd is a number string, it equals the sum of the balances' non-null value_usd (to the cent).",
     "User.total_usd description: Total USD value across the user's balances with known exchange rates.",
     USER "/properties/total_usd/description", NULL},

    /* versioning */
    {"WC-VER-001", "versioning", WC_LEVEL_MUST, "Every known Api-Version-Date value is accepted.",
     "Api-Version-Date description: pins the request to a dated API version", VERSION_PARAM, NULL},
    {"WC-VER-002", "versioning", WC_LEVEL_MUST,
     "A well-formed but unknown date (past, between known versions, future) is rejected with exactly 400.",
     "Api-Version-Date description: An unrecognized value is rejected with a 400.", VERSION_PARAM "/description",
     "negative_data_rejection"},
    {"WC-VER-003", "versioning", WC_LEVEL_MUST,
     "A malformed Api-Version-Date (not a date, empty, inner whitespace, a timestamp, very long, non-ASCII) "
     "is rejected with exactly 400.",
     "Api-Version-Date description: An unrecognized value is rejected with a 400.", VERSION_PARAM "/description",
     "negative_data_rejection"},
    {"WC-VER-004", "versioning", WC_LEVEL_MUST, "A request without Api-Version-Date is accepted.",
     "Api-Version-Date: required: false; omitted uses the original (2025-01-01) shapes",
     VERSION_PARAM "/required", "positive_data_acceptance"},
    {"WC-VER-005", "versioning", WC_LEVEL_SHOULD,
     "The unknown-version 400 message lists the supported versions, and they match the configured list.",
     "Public docs: an unknown date gets a 400 whose message lists the supported versions",
     VERSION_PARAM "/description", NULL},

    /* errors */
    {"WC-ERR-001", "errors", WC_LEVEL_MUST, "Every 4xx response is JSON with a JSON content type.",
     "responses.400 $ref InvalidParameters: content application/json", "#/components/responses/InvalidParameters",
     "content_type_conformance"},
    {"WC-ERR-002", "errors", WC_LEVEL_MUST,
     "Every 4xx carries an error envelope with a non-empty string error.type and error.message.",
     "V1ErrorResponse: error.type and error.message required", "#/components/schemas/V1ErrorResponse",
     "response_schema_conformance"},
    {"WC-ERR-003", "errors", WC_LEVEL_MUST,
     "An API key updating the global profile gets exactly 400.",
     "responses.400 description: API keys cannot update a global profile", OP "/responses/400", NULL},
    {"WC-ERR-004", "errors", WC_LEVEL_MUST,
     "An invalid body (not JSON, not an object, wrong field types, wrong profile_picture shape) gets 400.",
     "requestBody schema", OP "/requestBody/content/application~1json/schema", "negative_data_rejection"},
    {"WC-ERR-005", "errors", WC_LEVEL_MUST,
     "A missing or unknown credential gets a 4xx with an error envelope, never a 2xx.",
     "security: bearerAuth", OP "/security", "ignored_auth"},
    {"WC-ERR-006", "errors", WC_LEVEL_MUST,
     "A user token without the user:profile:update scope never gets a 2xx.",
     "security: bearerAuth [user:profile:update]", OP "/security", "ignored_auth"},
    {"WC-ERR-007", "errors", WC_LEVEL_SHOULD,
     "Status codes are documented (200, 400) or the conventional 401, 403, 404, 405, 413, 429.",
     "responses", OP "/responses", "status_code_conformance"},

    /* updates: they change the profile, so they run only against the embedded
     * server or with --allow-writes */
    {"WC-UPD-001", "updates", WC_LEVEL_MUST,
     "Sent fields (name, bio, username) are accepted and reflected in the response.",
     "summary: Update Current User; requestBody properties", OP "/requestBody", "positive_data_acceptance"},
    {"WC-UPD-002", "updates", WC_LEVEL_MUST, "Fields not sent are left unchanged.",
     "PATCH semantics (RFC 5789) and requestBody: no property is required", OP, NULL},
    {"WC-UPD-003", "updates", WC_LEVEL_MUST, "An empty object {} changes nothing and returns the user.",
     "requestBody: no property is required", OP "/requestBody", NULL},
    {"WC-UPD-004", "updates", WC_LEVEL_MUST,
     "An update with account_id changes neither the global profile nor another account's view.",
     "account_id description: updates the profile override for this account instead of the global profile",
     OP "/parameters/0/description", NULL},
    {"WC-UPD-005", "updates", WC_LEVEL_MUST,
     "An input valid by the contract (request-body schema and parameters) gets a 2xx; a documented 400 with "
     "an error envelope (a rule the contract leaves open) or a 413 with an envelope is a warning.",
     "requestBody schema and parameters: what validates is a request the operation documents",
     OP "/requestBody/content/application~1json/schema", "positive_data_acceptance"},

    /* transport */
    {"WC-TR-001", "transport", WC_LEVEL_MUST, "No input, valid or invalid, gets a 5xx.",
     "responses: no 5xx is documented", OP "/responses", "not_a_server_error"},
    {"WC-TR-002", "transport", WC_LEVEL_MUST, "A 200 has a JSON content type (application/json).",
     "responses.200 content application/json", OP "/responses/200/content", "content_type_conformance"},
    {"WC-TR-003", "transport", WC_LEVEL_MUST, "No response is a redirect (3xx).",
     "responses: no 3xx is documented", OP "/responses", "status_code_conformance"},
    {"WC-TR-004", "transport", WC_LEVEL_SHOULD,
     "Every response arrives within --max-response-time (skipped when not set).", "whopconf option", OP,
     "max_response_time"},
    {"WC-TR-005", "transport", WC_LEVEL_SHOULD,
     "An undocumented method on /users/me gets 405 (with Allow), not 2xx or 5xx.",
     "paths./users/me documents only patch", "#/paths/~1users~1me", "unsupported_method"},
    {"WC-TR-006", "transport", WC_LEVEL_SHOULD,
     "A 401 carries WWW-Authenticate: Bearer (RFC 6750).", "securitySchemes.bearerAuth: http bearer",
     "#/components/securitySchemes/bearerAuth", "response_headers_conformance"},

    /* client: the request side of real traffic (`check`, `proxy`) */
    {"WC-CL-001", "client", WC_LEVEL_MUST, "A client's PATCH /users/me carries a request body.",
     "requestBody required: true", OP "/requestBody/required", "positive_data_acceptance"},
    {"WC-CL-002", "client", WC_LEVEL_MUST, "A client's request body is sent as Content-Type application/json.",
     "requestBody content application/json", OP "/requestBody/content", NULL},
    {"WC-CL-003", "client", WC_LEVEL_MUST,
     "A client's request body is strict RFC 8259 JSON (no duplicate keys, trailing bytes, invalid UTF-8, NaN).",
     "requestBody content application/json (RFC 8259)", OP "/requestBody/content/application~1json", NULL},
    {"WC-CL-004", "client", WC_LEVEL_MUST,
     "A client's request body validates against the requestBody schema (an object; name, bio, username "
     "strings; profile_picture an object of string ids).",
     "requestBody content application/json schema", OP "/requestBody/content/application~1json/schema", NULL},
    {"WC-CL-005", "client", WC_LEVEL_MUST,
     "A client's Api-Version-Date, when sent, is one well-formed date among the known versions.",
     "Api-Version-Date: schema format date; an unrecognized value is rejected", VERSION_PARAM "/schema", NULL},
    {"WC-CL-006", "client", WC_LEVEL_MUST,
     "A client's request carries exactly one Authorization: Bearer credential.",
     "security: bearerAuth [user:profile:update]; securitySchemes.bearerAuth: http bearer", OP "/security",
     NULL},
    {"WC-CL-007", "client", WC_LEVEL_MUST,
     "A client sends its credential only in Authorization: never in the query string, another header or a cookie.",
     "securitySchemes.bearerAuth: http bearer (RFC 6750 section 2.1, the header field)",
     "#/components/securitySchemes/bearerAuth", NULL},
};

static const struct {
  const char *id;
  const char *title;
} families[] = {
    {"user-schema", "User schema"}, {"meaning", "Documented meaning"}, {"versioning", "Versioning"},
    {"errors", "Error envelope and auth"}, {"updates", "Update semantics"}, {"transport", "Transport"},
    {"client", "Client requests"},
};

size_t wc_catalog_count(void) { return sizeof catalog / sizeof catalog[0]; }

const wc_requirement *wc_catalog_get(size_t index) {
  return index < wc_catalog_count() ? &catalog[index] : NULL;
}

const wc_requirement *wc_catalog_find(const char *id) {
  if (!id) return NULL;
  /* Observations hold the catalogue's own id pointers: on the judge's hot
   * path a pointer match spares the string compares. */
  for (size_t i = 0; i < wc_catalog_count(); i++)
    if (catalog[i].id == id) return &catalog[i];
  for (size_t i = 0; i < wc_catalog_count(); i++)
    if (strcmp(catalog[i].id, id) == 0) return &catalog[i];
  return NULL;
}

bool wc_requirement_is_client(const wc_requirement *req) {
  return req && strcmp(req->family, "client") == 0;
}

const char *wc_level_name(wc_level level) { return level == WC_LEVEL_MUST ? "MUST" : "SHOULD"; }

size_t wc_family_count(void) { return sizeof families / sizeof families[0]; }

const char *wc_family_get(size_t index) { return index < wc_family_count() ? families[index].id : NULL; }

const char *wc_family_title(const char *family) {
  for (size_t i = 0; family && i < wc_family_count(); i++)
    if (strcmp(families[i].id, family) == 0) return families[i].title;
  return family;
}
