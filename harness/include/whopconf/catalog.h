/* whopconf: the requirement catalogue.
 *
 * Every check has a stable id, a level and a source. MUST: a schema keyword,
 * a documented status or media type, the security requirement, or an explicit
 * statement about this operation; a MUST failure fails the run. SHOULD:
 * guidance from the public docs or a description whose reading for this
 * operation is ambiguous; reported as a warning, fails only with --strict.
 *
 * Ids are stable and used by every report, by the fault catalogue of the
 * reference server and by `--only`. Never renumber; retire an id instead. */
#ifndef WHOPCONF_CATALOG_H
#define WHOPCONF_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum wc_level { WC_LEVEL_MUST = 0, WC_LEVEL_SHOULD } wc_level;

/* The requirement ids, by the C name the code uses. String literals, so a
 * conformance case can join several into its Criterion description at compile
 * time; the preprocessor cannot define them from the list below, whose rows
 * name them (WC_REQ_<name>): a row or a use with a misspelt name does not
 * compile, and a test checks that every id here has its row. */
#define WC_REQ_USER_SCHEMA "WC-US-001"
#define WC_REQ_STRICT_JSON "WC-US-002"
#define WC_REQ_OLD_SHAPE "WC-US-003"
#define WC_REQ_ID_PREFIX "WC-DM-001"
#define WC_REQ_CREATED_AT "WC-DM-002"
#define WC_REQ_BALANCE_DECIMAL "WC-DM-003"
#define WC_REQ_USD_DECIMAL "WC-DM-004"
#define WC_REQ_VERIFICATION "WC-DM-005"
#define WC_REQ_BALANCES_EMPTY "WC-DM-006"
#define WC_REQ_PICTURE_SHAPE "WC-DM-007"
#define WC_REQ_TOTAL_NULL "WC-DM-008"
#define WC_REQ_TOTAL_SUM "WC-DM-009"
#define WC_REQ_KNOWN_ACCEPTED "WC-VER-001"
#define WC_REQ_UNKNOWN_400 "WC-VER-002"
#define WC_REQ_MALFORMED_400 "WC-VER-003"
#define WC_REQ_ABSENT_ACCEPTED "WC-VER-004"
#define WC_REQ_VERSION_LIST "WC-VER-005"
#define WC_REQ_ERR_JSON "WC-ERR-001"
#define WC_REQ_ERR_ENVELOPE "WC-ERR-002"
#define WC_REQ_API_KEY_400 "WC-ERR-003"
#define WC_REQ_INVALID_BODY_400 "WC-ERR-004"
#define WC_REQ_AUTH_REJECTED "WC-ERR-005"
#define WC_REQ_SCOPE_ENFORCED "WC-ERR-006"
#define WC_REQ_STATUS_DOCUMENTED "WC-ERR-007"
#define WC_REQ_UPD_REFLECTED "WC-UPD-001"
#define WC_REQ_UPD_UNSENT "WC-UPD-002"
#define WC_REQ_UPD_EMPTY "WC-UPD-003"
#define WC_REQ_UPD_ISOLATION "WC-UPD-004"
#define WC_REQ_POSITIVE_ACCEPTED "WC-UPD-005"
#define WC_REQ_NO_5XX "WC-TR-001"
#define WC_REQ_200_JSON "WC-TR-002"
#define WC_REQ_NO_REDIRECT "WC-TR-003"
#define WC_REQ_RESPONSE_TIME "WC-TR-004"
#define WC_REQ_METHOD_405 "WC-TR-005"
#define WC_REQ_WWW_AUTH "WC-TR-006"
/* Client requests (judged on recorded or proxied traffic, never by `run`). */
#define WC_REQ_CL_BODY_PRESENT "WC-CL-001"
#define WC_REQ_CL_CONTENT_TYPE "WC-CL-002"
#define WC_REQ_CL_STRICT_JSON "WC-CL-003"
#define WC_REQ_CL_BODY_SCHEMA "WC-CL-004"
#define WC_REQ_CL_VERSION "WC-CL-005"
#define WC_REQ_CL_AUTHORIZATION "WC-CL-006"
#define WC_REQ_CL_CREDENTIAL_PLACE "WC-CL-007"

/* Spec nodes the rows point at. */
#define WC_SPEC_OP "#/paths/~1users~1me/patch"
#define WC_SPEC_USER "#/components/schemas/User"
#define WC_SPEC_TOKEN "#/components/schemas/AccountBalanceToken"
#define WC_SPEC_VERSION_PARAM "#/components/parameters/ApiVersionDate"

/* The catalogue, in report order: one row per requirement,
 *   X(name, family, level, title, source, spec_pointer, schemathesis)
 * family: "user-schema", "meaning", "versioning", "errors", "updates",
 * "transport", "client"; level: MUST or SHOULD; title: one sentence, what must hold;
 * source: where the contract says so, in words; spec_pointer: the node of
 * spec/openapi.yml that states it (SARIF location); schemathesis: the matching
 * Schemathesis check name, or NULL. */
#define WC_REQUIREMENT_MAP(X)                                                                                \
  /* user-schema */                                                                                          \
  X(USER_SCHEMA, "user-schema", MUST,                                                                        \
    "Every 200 to a request pinned to the latest version validates against the User schema.",                \
    "responses.200 content application/json schema $ref User", WC_SPEC_OP "/responses/200/content/application~1json/schema", \
    "response_schema_conformance")                                                                           \
  X(STRICT_JSON, "user-schema", MUST,                                                                        \
    "Every JSON response body is strict RFC 8259 JSON (no duplicate keys, trailing bytes, invalid UTF-8, NaN).", \
    "responses.*.content application/json (RFC 8259)", WC_SPEC_OP "/responses/200/content/application~1json", \
    NULL)                                                                                                    \
  X(OLD_SHAPE, "user-schema", MUST,                                                                          \
    "A 2xx to a request without Api-Version-Date or pinned to an older known version is a JSON object "      \
    "whose id and username are strings (its shape is recorded, never judged by the latest schema).",         \
    "Api-Version-Date description: omitted means the original (2025-01-01) shapes", WC_SPEC_VERSION_PARAM "/description", \
    "response_schema_conformance")                                                                           \
  /* meaning: the documented meaning of fields, from their descriptions */                                   \
  X(ID_PREFIX, "meaning", MUST, "User.id is prefixed `user_`.",                                              \
    "User.id description: User ID, prefixed `user_`.", WC_SPEC_USER "/properties/id/description", NULL)      \
  X(CREATED_AT, "meaning", MUST, "User.created_at is an ISO 8601 timestamp.",                                \
    "User.created_at description: When the user was created, as an ISO 8601 timestamp",                      \
    WC_SPEC_USER "/properties/created_at/description", NULL)                                                 \
  X(BALANCE_DECIMAL, "meaning", MUST,                                                                        \
    "Each balance's `balance` and every `breakdown` amount is a decimal string.",                            \
    "AccountBalanceToken.balance / breakdown descriptions: as a decimal string",                             \
    WC_SPEC_TOKEN "/properties/balance/description", NULL)                                                   \
  X(USD_DECIMAL, "meaning", SHOULD,                                                                          \
    "total_usd and each value_usd, when not null, are decimal strings.",                                     \
    "User.total_usd / AccountBalanceToken.value_usd descriptions: USD value (type string)",                  \
    WC_SPEC_USER "/properties/total_usd/description", NULL)                                                  \
  X(VERIFICATION, "meaning", MUST,                                                                           \
    "verification.individual and verification.business are each null or an object whose status is one of "   \
    "not_started, pending, approved, rejected.",                                                             \
    "User.verification description", WC_SPEC_USER "/properties/verification/description", NULL)              \
  X(BALANCES_EMPTY, "meaning", MUST, "balances is empty when total_usd is null.",                            \
    "User.balances items description: Empty when `total_usd` is `null`.",                                    \
    WC_SPEC_USER "/properties/balances/items/description", NULL)                                             \
  X(PICTURE_SHAPE, "meaning", MUST,                                                                          \
    "profile_picture is null or an object with a string url.",                                               \
    "User.profile_picture description: an object with a url", WC_SPEC_USER "/properties/profile_picture/description", \
    NULL)                                                                                                    \
  X(TOTAL_NULL, "meaning", SHOULD,                                                                           \
    "total_usd is null in a PATCH response (it is computed only on GET /users/me).",                         \
    "User.total_usd description: Computed only on `GET /users/me` self-view ...; `null` otherwise.",         \
    WC_SPEC_USER "/properties/total_usd/description", NULL)                                                  \
  X(TOTAL_SUM, "meaning", SHOULD,                                                                            \
    "When total_usd is a number string, it equals the sum of the balances' non-null value_usd (to the cent).", \
    "User.total_usd description: Total USD value across the user's balances with known exchange rates.",     \
    WC_SPEC_USER "/properties/total_usd/description", NULL)                                                  \
  /* versioning */                                                                                           \
  X(KNOWN_ACCEPTED, "versioning", MUST, "Every known Api-Version-Date value is accepted.",                   \
    "Api-Version-Date description: pins the request to a dated API version", WC_SPEC_VERSION_PARAM, NULL)    \
  X(UNKNOWN_400, "versioning", MUST,                                                                         \
    "A well-formed but unknown date (past, between known versions, future) is rejected with exactly 400.",   \
    "Api-Version-Date description: An unrecognized value is rejected with a 400.", WC_SPEC_VERSION_PARAM "/description", \
    "negative_data_rejection")                                                                               \
  X(MALFORMED_400, "versioning", MUST,                                                                       \
    "A malformed Api-Version-Date (not a date, empty, inner whitespace, a timestamp, very long, non-ASCII) " \
    "is rejected with exactly 400.",                                                                         \
    "Api-Version-Date description: An unrecognized value is rejected with a 400.", WC_SPEC_VERSION_PARAM "/description", \
    "negative_data_rejection")                                                                               \
  X(ABSENT_ACCEPTED, "versioning", MUST, "A request without Api-Version-Date is accepted.",                  \
    "Api-Version-Date: required: false; omitted uses the original (2025-01-01) shapes",                      \
    WC_SPEC_VERSION_PARAM "/required", "positive_data_acceptance")                                           \
  X(VERSION_LIST, "versioning", SHOULD,                                                                      \
    "The unknown-version 400 message lists the supported versions, and they match the configured list.",     \
    "Public docs: an unknown date gets a 400 whose message lists the supported versions",                    \
    WC_SPEC_VERSION_PARAM "/description", NULL)                                                              \
  /* errors */                                                                                               \
  X(ERR_JSON, "errors", MUST, "Every 4xx response is JSON with a JSON content type.",                        \
    "responses.400 $ref InvalidParameters: content application/json", "#/components/responses/InvalidParameters", \
    "content_type_conformance")                                                                              \
  X(ERR_ENVELOPE, "errors", MUST,                                                                            \
    "Every 4xx carries an error envelope with a non-empty string error.type and error.message.",             \
    "V1ErrorResponse: error.type and error.message required", "#/components/schemas/V1ErrorResponse",        \
    "response_schema_conformance")                                                                           \
  X(API_KEY_400, "errors", MUST,                                                                             \
    "An API key updating the global profile gets exactly 400.",                                              \
    "responses.400 description: API keys cannot update a global profile", WC_SPEC_OP "/responses/400", NULL) \
  X(INVALID_BODY_400, "errors", MUST,                                                                        \
    "An invalid body (not JSON, not an object, wrong field types, wrong profile_picture shape) gets 400.",   \
    "requestBody schema", WC_SPEC_OP "/requestBody/content/application~1json/schema", "negative_data_rejection") \
  X(AUTH_REJECTED, "errors", MUST,                                                                           \
    "A missing or unknown credential gets a 4xx with an error envelope, never a 2xx.",                       \
    "security: bearerAuth", WC_SPEC_OP "/security", "ignored_auth")                                          \
  X(SCOPE_ENFORCED, "errors", MUST,                                                                          \
    "A user token without the user:profile:update scope never gets a 2xx.",                                  \
    "security: bearerAuth [user:profile:update]", WC_SPEC_OP "/security", "ignored_auth")                    \
  X(STATUS_DOCUMENTED, "errors", SHOULD,                                                                     \
    "Status codes are documented (200, 400) or the conventional 401, 403, 404, 405, 413, 429.",              \
    "responses", WC_SPEC_OP "/responses", "status_code_conformance")                                         \
  /* updates: they change the profile, so they run only against the embedded  server or with --allow-writes */ \
  X(UPD_REFLECTED, "updates", MUST,                                                                          \
    "Sent fields (name, bio, username) are accepted and reflected in the response.",                         \
    "summary: Update Current User; requestBody properties", WC_SPEC_OP "/requestBody", "positive_data_acceptance") \
  X(UPD_UNSENT, "updates", MUST, "Fields not sent are left unchanged.",                                      \
    "PATCH semantics (RFC 5789) and requestBody: no property is required", WC_SPEC_OP, NULL)                 \
  X(UPD_EMPTY, "updates", MUST, "An empty object {} changes nothing and returns the user.",                  \
    "requestBody: no property is required", WC_SPEC_OP "/requestBody", NULL)                                 \
  X(UPD_ISOLATION, "updates", MUST,                                                                          \
    "An update with account_id changes neither the global profile nor another account's view.",              \
    "account_id description: updates the profile override for this account instead of the global profile",   \
    WC_SPEC_OP "/parameters/0/description", NULL)                                                            \
  X(POSITIVE_ACCEPTED, "updates", MUST,                                                                      \
    "An input valid by the contract (request-body schema and parameters) gets a 2xx; a documented 400 with " \
    "an error envelope (a rule the contract leaves open) or a 413 with an envelope is a warning.",           \
    "requestBody schema and parameters: what validates is a request the operation documents",                \
    WC_SPEC_OP "/requestBody/content/application~1json/schema", "positive_data_acceptance")                  \
  /* transport */                                                                                            \
  X(NO_5XX, "transport", MUST, "No input, valid or invalid, gets a 5xx.",                                    \
    "responses: no 5xx is documented", WC_SPEC_OP "/responses", "not_a_server_error")                        \
  X(200_JSON, "transport", MUST, "A 200 has a JSON content type (application/json).",                        \
    "responses.200 content application/json", WC_SPEC_OP "/responses/200/content", "content_type_conformance") \
  X(NO_REDIRECT, "transport", MUST, "No response is a redirect (3xx).",                                      \
    "responses: no 3xx is documented", WC_SPEC_OP "/responses", "status_code_conformance")                   \
  X(RESPONSE_TIME, "transport", SHOULD,                                                                      \
    "Every response arrives within --max-response-time (skipped when not set).", "whopconf option", WC_SPEC_OP, \
    "max_response_time")                                                                                     \
  X(METHOD_405, "transport", SHOULD,                                                                         \
    "An undocumented method on /users/me gets 405 (with Allow), not 2xx or 5xx.",                            \
    "paths./users/me documents only patch", "#/paths/~1users~1me", "unsupported_method")                     \
  X(WWW_AUTH, "transport", SHOULD,                                                                           \
    "A 401 carries WWW-Authenticate: Bearer (RFC 6750).", "securitySchemes.bearerAuth: http bearer",         \
    "#/components/securitySchemes/bearerAuth", "response_headers_conformance")                               \
  /* client: the request side of real traffic (`check`, `proxy`) */                                          \
  X(CL_BODY_PRESENT, "client", MUST, "A client's PATCH /users/me carries a request body.",                   \
    "requestBody required: true", WC_SPEC_OP "/requestBody/required", "positive_data_acceptance")            \
  X(CL_CONTENT_TYPE, "client", MUST, "A client's request body is sent as Content-Type application/json.",    \
    "requestBody content application/json", WC_SPEC_OP "/requestBody/content", NULL)                         \
  X(CL_STRICT_JSON, "client", MUST,                                                                          \
    "A client's request body is strict RFC 8259 JSON (no duplicate keys, trailing bytes, invalid UTF-8, NaN).", \
    "requestBody content application/json (RFC 8259)", WC_SPEC_OP "/requestBody/content/application~1json", NULL) \
  X(CL_BODY_SCHEMA, "client", MUST,                                                                          \
    "A client's request body validates against the requestBody schema (an object; name, bio, username "      \
    "strings; profile_picture an object of string ids).",                                                    \
    "requestBody content application/json schema", WC_SPEC_OP "/requestBody/content/application~1json/schema", \
    NULL)                                                                                                    \
  X(CL_VERSION, "client", MUST,                                                                              \
    "A client's Api-Version-Date, when sent, is one well-formed date among the known versions.",             \
    "Api-Version-Date: schema format date; an unrecognized value is rejected", WC_SPEC_VERSION_PARAM "/schema", \
    NULL)                                                                                                    \
  X(CL_AUTHORIZATION, "client", MUST, "A client's request carries exactly one Authorization: Bearer credential.", \
    "security: bearerAuth [user:profile:update]; securitySchemes.bearerAuth: http bearer", WC_SPEC_OP "/security", \
    NULL)                                                                                                    \
  X(CL_CREDENTIAL_PLACE, "client", MUST,                                                                     \
    "A client sends its credential only in Authorization: never in the query string, another header or a cookie.", \
    "securitySchemes.bearerAuth: http bearer (RFC 6750 section 2.1, the header field)",                      \
    "#/components/securitySchemes/bearerAuth", NULL)

typedef struct wc_requirement {
  const char *id;          /* "WC-US-001" */
  const char *family;
  wc_level level;
  const char *title;
  const char *source;
  const char *spec_pointer;
  const char *schemathesis; /* or NULL */
} wc_requirement;

size_t wc_catalog_count(void);
const wc_requirement *wc_catalog_get(size_t index);
const wc_requirement *wc_catalog_find(const char *id);
const char *wc_level_name(wc_level level); /* "MUST" / "SHOULD" */
/* The "client" family judges the requests of real traffic (`check`,
 * `proxy`); `run` sends its own requests, so its reports leave them out. */
bool wc_requirement_is_client(const wc_requirement *req);

/* The families in catalogue order (for report grouping). */
size_t wc_family_count(void);
const char *wc_family_get(size_t index);
const char *wc_family_title(const char *family); /* "User schema", ... */

#endif
