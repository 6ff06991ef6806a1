/* The fault catalogue: each fault is one table entry naming the requirement
 * it breaks and the hooks (see refserver_internal.h) that break it. A fault
 * touches only what its requirement observes, so a conformance run against
 * it fails that requirement and, where the table says so in also_breaks,
 * only the ones that cannot help failing with it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refserver_internal.h"
#include "whopconf/catalog.h"

/* ---- helpers for user hooks --------------------------------------------- */

static bool latest(const rs_exchange *x) { return x->shape == RS_SHAPE_FULL; }

static cJSON *item(cJSON *obj, const char *key) { return cJSON_GetObjectItemCaseSensitive(obj, key); }

static cJSON *first_balance(cJSON *user) {
  cJSON *list = item(user, "balances");
  return cJSON_IsArray(list) ? cJSON_GetArrayItem(list, 0) : NULL;
}

static void replace(cJSON *obj, const char *key, cJSON *with) {
  if (!with) return;
  if (!obj || !item(obj, key) || !cJSON_ReplaceItemInObjectCaseSensitive(obj, key, with)) cJSON_Delete(with);
}

/* ---- user-schema (WC-US-001, 002, 003) ---------------------------------- */

static void user_missing_created_at(rs_exchange *x, cJSON *u) {
  if (latest(x)) cJSON_DeleteItemFromObjectCaseSensitive(u, "created_at");
}

static void balance_missing_breakdown(rs_exchange *x, cJSON *u) {
  if (latest(x)) cJSON_DeleteItemFromObjectCaseSensitive(first_balance(u), "breakdown");
}

static void balances_not_array(rs_exchange *x, cJSON *u) {
  if (latest(x)) replace(u, "balances", cJSON_CreateObject());
}

static void verification_null(rs_exchange *x, cJSON *u) {
  if (latest(x)) replace(u, "verification", cJSON_CreateNull());
}

static void price_usd_wrong_type(rs_exchange *x, cJSON *u) {
  cJSON *b = first_balance(u);
  cJSON *price = item(b, "price_usd");
  if (!latest(x) || !cJSON_IsNumber(price)) return;
  char text[64];
  snprintf(text, sizeof text, "%.4f", price->valuedouble);
  replace(b, "price_usd", cJSON_CreateString(text));
}

/* cJSON prints every member it holds, so a second member with the same name
 * (and the same value, so first-wins and last-wins parsers agree) is a
 * duplicate key on the wire. */
static void json_duplicate_key(rs_exchange *x, cJSON *u) {
  (void)x;
  cJSON *name = item(u, "username");
  cJSON *dup = name ? cJSON_Duplicate(name, false) : NULL;
  if (dup && !cJSON_AddItemToObject(u, "username", dup)) cJSON_Delete(dup);
}

/* A Latin-1 byte in an extra member nobody reads: only the framing breaks. */
static void json_invalid_utf8(rs_exchange *x, cJSON *u) {
  (void)x;
  cJSON_AddStringToObject(u, "locale_name", "Fran\xE7" "ais");
}

static void json_trailing_bytes(rs_exchange *x) {
  if (x->reply.status == 200) wc_buf_puts(&x->reply.body, "\n{}");
}

/* cJSON cannot print NaN (it writes null), so it goes in as bytes. Only the
 * intermediate versions' replies carry it (a legacy serializer): a body no
 * RFC 8259 parser reads breaks every check that reads it, and those replies
 * are read by WC-US-003 alone. */
static void json_nan(rs_exchange *x) {
  wc_buf *b = &x->reply.body;
  if (x->reply.status != 200 || x->shape == RS_SHAPE_ORIGINAL || x->shape == RS_SHAPE_FULL) return;
  if (b->len < 2 || b->data[b->len - 1] != '}') return;
  b->len--;
  b->data[b->len] = '\0';
  wc_buf_puts(b, ",\"risk_score\":NaN}");
}

static void original_id_not_string(rs_exchange *x, cJSON *u) {
  if (x->shape == RS_SHAPE_ORIGINAL) replace(u, "id", cJSON_CreateNumber(48213));
}

/* ---- documented meaning (WC-DM-*) --------------------------------------- */

static void id_no_prefix(rs_exchange *x, cJSON *u) {
  (void)x;
  cJSON *id = item(u, "id");
  if (cJSON_IsString(id) && strncmp(id->valuestring, "user_", 5) == 0)
    replace(u, "id", cJSON_CreateString(id->valuestring + 5));
}

static void created_at_not_iso(rs_exchange *x, cJSON *u) {
  (void)x;
  cJSON *c = item(u, "created_at");
  int y, mo, d, h, mi, s;
  if (cJSON_IsString(c) && sscanf(c->valuestring, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) == 6) {
    char text[64];
    snprintf(text, sizeof text, "%02d/%02d/%04d %02d:%02d:%02d", mo, d, y, h, mi, s);
    replace(u, "created_at", cJSON_CreateString(text));
  }
}

static void balance_not_decimal(rs_exchange *x, cJSON *u) {
  (void)x;
  cJSON *b = first_balance(u);
  if (b) replace(b, "balance", cJSON_CreateString("1,250.50"));
}

static void total_usd_not_decimal(rs_exchange *x, cJSON *u) {
  (void)x;
  cJSON *t = item(u, "total_usd");
  if (!cJSON_IsString(t)) return;
  char text[48];
  snprintf(text, sizeof text, "$%s", t->valuestring);
  replace(u, "total_usd", cJSON_CreateString(text));
}

static void verification_bad_status(rs_exchange *x, cJSON *u) {
  (void)x;
  cJSON *v = item(u, "verification");
  cJSON *who = item(v, "individual");
  if (!cJSON_IsObject(who)) who = item(v, "business");
  if (cJSON_IsObject(who)) replace(who, "status", cJSON_CreateString("verified"));
}

static void total_null_balances_nonempty(rs_exchange *x, cJSON *u) {
  (void)x;
  if (cJSON_GetArraySize(item(u, "balances")) > 0) replace(u, "total_usd", cJSON_CreateNull());
}

static void picture_without_url(rs_exchange *x, cJSON *u) {
  (void)x;
  cJSON *pic = item(u, "profile_picture");
  if (!cJSON_IsObject(pic) || !item(pic, "url")) return;
  cJSON_DeleteItemFromObjectCaseSensitive(pic, "url");
  cJSON_AddStringToObject(pic, "id", "pic_A1b2C3");
}

static void total_usd_mismatch(rs_exchange *x, cJSON *u) {
  (void)x;
  cJSON *t = item(u, "total_usd");
  long long whole, cents;
  if (!cJSON_IsString(t) || sscanf(t->valuestring, "%lld.%2lld", &whole, &cents) != 2) return;
  char text[48];
  snprintf(text, sizeof text, "%lld.%02lld", whole + 1, cents);
  replace(u, "total_usd", cJSON_CreateString(text));
}

/* ---- versioning (WC-VER-*) ---------------------------------------------- */

/* The victim is a middle version (never the newest, which every latest-shape
 * check pins): a server that quietly dropped one version. */
static void version_known_refused(rs_exchange *x) {
  const rs_server *s = x->srv;
  if (x->ver_class != RS_VER_KNOWN || s->known_version_count < 2) return;
  const char *victim = s->known_versions[(s->known_version_count - 1) / 2];
  if (strcmp(x->version, victim) == 0) x->ver_class = RS_VER_UNKNOWN_DATE;
}

static void version_unknown_date_accepted(rs_exchange *x) {
  if (x->ver_class != RS_VER_UNKNOWN_DATE) return;
  x->ver_class = RS_VER_KNOWN;
  x->shape = RS_SHAPE_FULL;
}

static void version_malformed_accepted(rs_exchange *x) {
  if (x->ver_class != RS_VER_MALFORMED) return;
  x->ver_class = RS_VER_KNOWN;
  x->shape = RS_SHAPE_ORIGINAL;
}

static void version_absent_refused(rs_exchange *x) {
  if (x->ver_class == RS_VER_ABSENT) x->ver_class = RS_VER_REQUIRED;
}

static void version_message_no_list(rs_exchange *x, cJSON *env) {
  (void)x;
  cJSON *err = item(env, "error");
  cJSON *type = item(err, "type");
  cJSON *msg = item(err, "message");
  if (!cJSON_IsString(type) || strcmp(type->valuestring, "invalid_api_version") != 0 || !cJSON_IsString(msg))
    return;
  char *cut = strstr(msg->valuestring, ". Supported versions:");
  if (!cut) return;
  char *text = wc_strndup(msg->valuestring, (size_t)(cut - msg->valuestring));
  if (text) replace(err, "message", cJSON_CreateString(text));
  free(text);
}

/* ---- error envelope and auth (WC-ERR-*) --------------------------------- */

static bool is_4xx(const rs_exchange *x) { return x->reply.status >= 400 && x->reply.status < 500; }

/* The errors a framework answers before the handler runs (403, 404, 405):
 * the envelope faults break only these, whose own checks (never a 2xx, 405
 * with Allow) do not need an envelope, so only WC-ERR-001/002 notice. */
static bool framework_error(const rs_exchange *x) {
  unsigned s = x->reply.status;
  return s == 403 || s == 404 || s == 405;
}

static void error_wrong_content_type(rs_exchange *x) {
  if (is_4xx(x)) x->reply.content_type = "text/plain; charset=utf-8";
}

/* An HTML error page, as a proxy in front of the API would send. */
static void error_not_json(rs_exchange *x) {
  if (!framework_error(x)) return;
  x->reply.body.len = 0;
  wc_buf_printf(&x->reply.body, "<html><body><h1>%u</h1><p>Request refused.</p></body></html>\n",
                x->reply.status);
  x->reply.content_type = "text/html; charset=utf-8";
}

static void error_empty_type(rs_exchange *x, cJSON *env) {
  if (framework_error(x)) replace(item(env, "error"), "type", cJSON_CreateString(""));
}

static void error_missing_message(rs_exchange *x, cJSON *env) {
  if (framework_error(x)) cJSON_DeleteItemFromObjectCaseSensitive(item(env, "error"), "message");
}

static void error_code_instead_of_type(rs_exchange *x, cJSON *env) {
  if (!framework_error(x)) return;
  cJSON *err = item(env, "error");
  cJSON *type = cJSON_DetachItemFromObjectCaseSensitive(err, "type");
  if (type) cJSON_AddItemToObject(err, "code", type);
}

static void api_key_allowed(rs_exchange *x) {
  if (x->cred != RS_CRED_API_KEY) return;
  x->cred = RS_CRED_USER;
  x->user = RS_USER_MAIN;
}

static void invalid_body_accepted(rs_exchange *x) {
  if (x->body_error != RS_BODY_NOT_JSON && x->body_error != RS_BODY_INVALID) return;
  rs_update_free(&x->update);
  x->body_error = RS_BODY_OK;
}

static void missing_auth_accepted(rs_exchange *x) {
  if (x->cred != RS_CRED_MISSING && x->cred != RS_CRED_MALFORMED && x->cred != RS_CRED_UNKNOWN) return;
  x->cred = RS_CRED_USER;
  x->user = RS_USER_MAIN;
}

static void scope_ignored(rs_exchange *x) {
  if (x->cred == RS_CRED_NO_SCOPE) x->cred = RS_CRED_USER; /* still that token's own user */
}

static void undocumented_status(rs_exchange *x) {
  if (x->reply.status == 403 || x->reply.status == 404) x->reply.status = 418;
}

/* ---- update semantics (WC-UPD-*) ----------------------------------------- */

static void update_ignored(rs_exchange *x) { rs_update_free(&x->update); }

static void clear_unsent(rs_update *u) {
  if (!u->name.set) rs_field_set(&u->name, NULL);
  if (!u->bio.set) rs_field_set(&u->bio, NULL);
}

static void unsent_fields_cleared(rs_exchange *x) {
  if (!rs_update_empty(&x->update)) clear_unsent(&x->update);
}

/* {} read as a full replacement: PUT semantics on an empty object. */
static void empty_body_changes(rs_exchange *x) {
  if (rs_update_empty(&x->update)) clear_unsent(&x->update);
}

static void override_written_globally(rs_exchange *x) {
  free(x->write_account);
  x->write_account = NULL;
}

/* ---- transport (WC-TR-*) ------------------------------------------------- */

static void server_error_on_emoji(rs_exchange *x) {
  if (x->body_error == RS_BODY_OK && rs_update_has_non_bmp(&x->update))
    rs_reply_error(&x->reply, 500, "internal_error", "Internal server error");
}

/* A crash in the permission check: the token without the scope gets 500,
 * which its own check (never a 2xx) does not mind. */
static void scope_check_error(rs_exchange *x) {
  if (x->reply.status == 403 && x->cred == RS_CRED_NO_SCOPE) rs_reply_internal_error(&x->reply);
}

static void success_wrong_content_type(rs_exchange *x) {
  if (x->reply.status == 200) x->reply.content_type = "text/plain; charset=utf-8";
}

/* Insufficient permission sent to a login page: the only request whose own
 * check (never a 2xx) a redirect does not also break. */
static void redirect(rs_exchange *x) {
  if (x->reply.status != 403 || x->cred != RS_CRED_NO_SCOPE) return;
  x->reply.status = 302;
  x->reply.location = "http://127.0.0.2:1/login";
  x->reply.content_type = NULL;
  x->reply.body.len = 0;
  if (x->reply.body.data) x->reply.body.data[0] = '\0';
}

/* Only the unversioned (legacy) path is slow, so a run stays short. */
static void slow_response(rs_exchange *x) {
  if (x->ver_class == RS_VER_ABSENT) x->reply.delay_ms = 1500;
}

static void method_not_405(rs_exchange *x) {
  if (x->route == RS_ROUTE_METHOD) x->route = RS_ROUTE_NOT_FOUND;
}

static void no_www_authenticate(rs_exchange *x) { x->reply.www_authenticate = false; }

/* ---- the catalogue -------------------------------------------------------- */

#define C "conformance"
#define T "transport"
#define N "narrow"
#define SB RS_FAULT_SHOWS_BALANCES
#define IDR RS_FAULT_ID_RULES
#define DM8 WC_REQ_TOTAL_NULL

static const rs_fault_def faults[] = {
    /* user schema */
    {{"user-missing-created-at", WC_REQ_USER_SCHEMA, C, "latest shape lacks the required created_at"}, 0, NULL,
     .user = user_missing_created_at},
    {{"balance-missing-breakdown", WC_REQ_USER_SCHEMA, C, "latest shape: balances[0] lacks the required breakdown (balances shown)"},
     SB, DM8, .user = balance_missing_breakdown},
    {{"balances-not-array", WC_REQ_USER_SCHEMA, C, "latest shape: balances is an empty object instead of an array"}, 0,
     NULL, .user = balances_not_array},
    {{"verification-null", WC_REQ_USER_SCHEMA, C, "latest shape: verification is null (not nullable)"}, 0, NULL,
     .user = verification_null},
    {{"price-usd-wrong-type", WC_REQ_USER_SCHEMA, C, "latest shape: balances[0].price_usd is a string, not a number (balances shown)"},
     SB, DM8, .user = price_usd_wrong_type},
    {{"json-duplicate-key", WC_REQ_STRICT_JSON, C, "200 bodies repeat the username member"}, 0, NULL,
     .user = json_duplicate_key},
    {{"json-trailing-bytes", WC_REQ_STRICT_JSON, C, "200 bodies are followed by a second JSON value"}, 0, NULL,
     .reply = json_trailing_bytes},
    {{"json-invalid-utf8", WC_REQ_STRICT_JSON, C, "200 bodies carry a Latin-1 byte in an extra member"}, 0, NULL,
     .user = json_invalid_utf8},
    {{"json-nan", WC_REQ_STRICT_JSON, C, "200 bodies of the intermediate versions carry a NaN (so no parser reads them)"},
     0, WC_REQ_OLD_SHAPE, .reply = json_nan},
    {{"original-id-not-string", WC_REQ_OLD_SHAPE, C, "the original (unversioned, 2025-01-01) shape has a numeric id"}, 0,
     NULL, .user = original_id_not_string},
    /* documented meaning */
    {{"id-no-prefix", WC_REQ_ID_PREFIX, C, "user ids lack the user_ prefix"}, 0, NULL, .user = id_no_prefix},
    {{"created-at-not-iso", WC_REQ_CREATED_AT, C, "created_at is MM/DD/YYYY hh:mm:ss, not ISO 8601"}, 0, NULL,
     .user = created_at_not_iso},
    {{"balance-not-decimal", WC_REQ_BALANCE_DECIMAL, C, "balances[0].balance is \"1,250.50\" (balances shown)"}, SB, DM8,
     .user = balance_not_decimal},
    {{"total-usd-not-decimal", WC_REQ_USD_DECIMAL, C, "total_usd is \"$2635.78\" (balances shown)"}, SB, DM8,
     .user = total_usd_not_decimal},
    {{"verification-bad-status", WC_REQ_VERIFICATION, C, "a verification status is \"verified\", outside the documented set"},
     0, NULL, .user = verification_bad_status},
    {{"total-null-balances-nonempty", WC_REQ_BALANCES_EMPTY, C, "balances are listed while total_usd is null"}, SB, NULL,
     .user = total_null_balances_nonempty},
    {{"picture-without-url", WC_REQ_PICTURE_SHAPE, C, "profile_picture is an object without url"}, 0, NULL,
     .user = picture_without_url},
    {{"total-usd-on-patch", WC_REQ_TOTAL_NULL, C, "PATCH responses carry total_usd and balances (computed only on GET)"}, SB,
     NULL, .user = NULL},
    {{"total-usd-mismatch", WC_REQ_TOTAL_SUM, C, "total_usd is 1.00 more than the sum of value_usd (balances shown)"}, SB,
     DM8, .user = total_usd_mismatch},
    /* versioning */
    {{"version-known-refused", WC_REQ_KNOWN_ACCEPTED, C, "the middle known version is refused with 400"}, 0, NULL,
     .request = version_known_refused},
    {{"version-unknown-date-accepted", WC_REQ_UNKNOWN_400, C, "unknown calendar dates are accepted (latest shape)"}, 0,
     NULL, .request = version_unknown_date_accepted},
    {{"version-malformed-accepted", WC_REQ_MALFORMED_400, C, "malformed Api-Version-Date values are accepted (original shape)"},
     0, NULL, .request = version_malformed_accepted},
    {{"version-absent-refused", WC_REQ_ABSENT_ACCEPTED, C, "requests without Api-Version-Date get 400"}, 0, NULL,
     .request = version_absent_refused},
    {{"version-message-no-list", WC_REQ_VERSION_LIST, C, "the unknown-version 400 message does not list the supported versions"},
     0, NULL, .error = version_message_no_list},
    /* errors */
    {{"error-wrong-content-type", WC_REQ_ERR_JSON, C, "4xx envelopes are sent as text/plain"}, 0, NULL,
     .reply = error_wrong_content_type},
    {{"error-not-json", WC_REQ_ERR_JSON, C, "403/404/405 bodies are an HTML page (so no envelope either)"}, 0,
     WC_REQ_ERR_ENVELOPE, .reply = error_not_json},
    {{"error-empty-type", WC_REQ_ERR_ENVELOPE, C, "403/404/405: error.type is the empty string"}, 0, NULL,
     .error = error_empty_type},
    {{"error-missing-message", WC_REQ_ERR_ENVELOPE, C, "403/404/405: error.message is missing"}, 0, NULL,
     .error = error_missing_message},
    {{"error-code-instead-of-type", WC_REQ_ERR_ENVELOPE, C, "403/404/405: the envelope has error.code, not error.type"}, 0,
     NULL, .error = error_code_instead_of_type},
    {{"api-key-allowed", WC_REQ_API_KEY_400, C, "an API key updates the global profile (200)"}, 0, NULL,
     .request = api_key_allowed},
    {{"invalid-body-accepted", WC_REQ_INVALID_BODY_400, C, "invalid bodies are ignored and answered 200 with the user"}, 0, NULL,
     .body = invalid_body_accepted},
    {{"missing-auth-accepted", WC_REQ_AUTH_REJECTED, C, "missing, malformed or unknown credentials act as the main user"}, 0,
     NULL, .request = missing_auth_accepted},
    {{"scope-ignored", WC_REQ_SCOPE_ENFORCED, C, "a token without user:profile:update updates its user (200)"}, 0, NULL,
     .request = scope_ignored},
    {{"undocumented-status", WC_REQ_STATUS_DOCUMENTED, C, "403 and 404 become 418"}, 0, NULL, .reply = undocumented_status},
    /* updates */
    {{"update-ignored", WC_REQ_UPD_REFLECTED, C, "updates are validated, then not applied"}, 0, NULL, .update = update_ignored},
    {{"unsent-fields-cleared", WC_REQ_UPD_UNSENT, C, "name and bio not sent in a non-empty update are set to null"}, 0,
     NULL, .update = unsent_fields_cleared},
    {{"empty-body-changes", WC_REQ_UPD_EMPTY, C, "{} sets name and bio to null (read as a full replacement)"}, 0, NULL,
     .update = empty_body_changes},
    {{"override-written-globally", WC_REQ_UPD_ISOLATION, C, "updates with account_id change the global profile"}, 0, NULL,
     .update = override_written_globally},
    /* transport */
    {{"server-error-on-emoji", WC_REQ_NO_5XX, C, "500 when name, bio or username holds a non-BMP character"}, 0,
     WC_REQ_UPD_REFLECTED "," WC_REQ_STATUS_DOCUMENTED, .body = server_error_on_emoji},
    {{"scope-check-error", WC_REQ_NO_5XX, C, "a token without the scope gets 500 instead of 403"}, 0, WC_REQ_STATUS_DOCUMENTED,
     .reply = scope_check_error},
    {{"success-wrong-content-type", WC_REQ_200_JSON, C, "200 responses are labelled text/plain"}, 0, NULL,
     .reply = success_wrong_content_type},
    {{"redirect", WC_REQ_NO_REDIRECT, C, "a token without the scope is redirected (302) to a login page"}, 0, WC_REQ_STATUS_DOCUMENTED,
     .reply = redirect},
    {{"slow-response", WC_REQ_RESPONSE_TIME, C, "unversioned requests take 1.5 s"}, 0, NULL, .reply = slow_response},
    {{"method-not-405", WC_REQ_METHOD_405, C, "other methods on /users/me get 404 instead of 405"}, 0, NULL,
     .request = method_not_405},
    {{"no-www-authenticate", WC_REQ_WWW_AUTH, C, "401 responses lack WWW-Authenticate"}, 0, NULL,
     .reply = no_www_authenticate},
    /* narrow: only on an input region the hand-written cases never send
     * (refserver_narrow.c; the regions are in docs/refserver.md) */
    {{"name-over-64-truncated", WC_REQ_UPD_REFLECTED, N, "a name of more than 64 code points is stored and echoed cut to 64"},
     0, NULL, .update = rs_narrow_name_over_64_truncated},
    {{"bio-over-255-error", WC_REQ_NO_5XX, N, "a bio of more than 255 code points gets 500"}, 0, WC_REQ_STATUS_DOCUMENTED,
     .body = rs_narrow_bio_over_255_error},
    {{"bio-cr-422", WC_REQ_POSITIVE_ACCEPTED, N, "a bio containing a carriage return (U+000D) gets 422 with an envelope"}, 0,
     WC_REQ_STATUS_DOCUMENTED, .body = rs_narrow_bio_cr_422},
    {{"zwj-dropped", WC_REQ_UPD_REFLECTED, N, "U+200D (zero width joiner) is dropped from name and bio"}, 0, NULL,
     .update = rs_narrow_zwj_dropped},
    {{"nbsp-replaced", WC_REQ_UPD_REFLECTED, N, "U+00A0 (no-break space) in bio is stored and echoed as U+0020"}, 0, NULL,
     .update = rs_narrow_nbsp_replaced},
    {{"name-bio-angle-error", WC_REQ_NO_5XX, N, "500 when name and bio both contain '<'"}, 0, WC_REQ_STATUS_DOCUMENTED,
     .body = rs_narrow_name_bio_angle_error},
    {{"account-id-percent-error", WC_REQ_NO_5XX, N, "an account_id containing '%' gets 500 instead of 400"}, IDR,
     WC_REQ_STATUS_DOCUMENTED, .reply = rs_narrow_account_id_percent_error},
    {{"account-id-empty-plain", WC_REQ_ERR_JSON, N, "the 400 for an empty account_id is labelled text/plain"}, IDR, NULL,
     .reply = rs_narrow_account_id_empty_plain},
    {{"picture-both-ids-error", WC_REQ_NO_5XX, N, "500 when profile_picture has both id and direct_upload_id"}, 0,
     WC_REQ_STATUS_DOCUMENTED, .body = rs_narrow_picture_both_ids_error},
    {{"bio-array-accepted", WC_REQ_INVALID_BODY_400, N, "a bio that is an array is ignored (200) instead of refused"}, 0, NULL,
     .body = rs_narrow_bio_array_accepted},
    {{"name-negative-zero-accepted", WC_REQ_INVALID_BODY_400, N, "a name that is the number -0 is ignored (200) instead of refused"},
     0, NULL, .body = rs_narrow_name_negative_zero_accepted},
    {{"third-override-write-leaks", WC_REQ_UPD_ISOLATION, N, "the third and later writes to one account's override also change the global profile"},
     0, NULL, .update = rs_narrow_third_override_write_leaks},
    {{"uppercase-username-lowered", WC_REQ_UPD_UNSENT, N, "a username with an ASCII capital is echoed, but stored in lower case"},
     0, NULL, .user = rs_narrow_uppercase_username_lowered},
    {{"lone-surrogate-empty-message", WC_REQ_ERR_ENVELOPE, N, "the 400 for a body with a lone surrogate escape has an empty error.message"},
     0, NULL, .error = rs_narrow_lone_surrogate_empty_message},
    {{"duplicate-key-html", WC_REQ_ERR_JSON, N, "the 400 for a body with a duplicate key is labelled text/html"}, 0, NULL,
     .reply = rs_narrow_duplicate_key_html},
    /* transport faults: the whole server becomes a raw-socket responder */
    {{"slow-drip", NULL, T, "200 with the user, one byte every 200 ms (for at most 30 s)"}, 0, NULL,
     .raw = rs_raw_slow_drip},
    {{"endless-chunked", NULL, T, "200 chunked body that never ends (stops after 30 s)"}, 0, NULL,
     .raw = rs_raw_endless_chunked},
    {{"oversized-body", NULL, T, "200 with a 64 MiB JSON body"}, 0, NULL, .raw = rs_raw_oversized_body},
    {{"deep-nesting", NULL, T, "200 whose body is 100,000 nested arrays"}, 0, NULL, .raw = rs_raw_deep_nesting},
    {{"truncated-body", NULL, T, "Content-Length 100 bytes longer than the body, then close"}, 0, NULL,
     .raw = rs_raw_truncated_body},
    {{"reset", NULL, T, "headers and half the body, then a TCP reset"}, 0, NULL, .raw = rs_raw_reset},
    {{"silence", NULL, T, "reads the request, never answers (closes after 30 s)"}, 0, NULL, .raw = rs_raw_silence},
    {{"malformed-status-line", NULL, T, "answers with an unparseable status line"}, 0, NULL,
     .raw = rs_raw_malformed_status},
};

#define FAULT_COUNT (sizeof faults / sizeof faults[0])

size_t wc_fault_count(void) { return FAULT_COUNT; }

const wc_fault_info *wc_fault_get(size_t index) { return index < FAULT_COUNT ? &faults[index].info : NULL; }

const rs_fault_def *rs_fault_def_find(const char *name) {
  for (size_t i = 0; name && i < FAULT_COUNT; i++)
    if (strcmp(faults[i].info.name, name) == 0) return &faults[i];
  return NULL;
}

const wc_fault_info *wc_fault_find(const char *name) {
  const rs_fault_def *f = rs_fault_def_find(name);
  return f ? &f->info : NULL;
}

const char *wc_fault_also_breaks(const wc_fault_info *info) {
  const rs_fault_def *f = info ? rs_fault_def_find(info->name) : NULL;
  return f ? f->also_breaks : NULL;
}

/* ---- hook runners (table order) ------------------------------------------- */

#define RUN(hook, ...)                                              \
  for (size_t i = 0; i < x->srv->fault_count; i++)                  \
    if (x->srv->faults[i]->hook) x->srv->faults[i]->hook(__VA_ARGS__)

void rs_faults_request(rs_exchange *x) { RUN(request, x); }
void rs_faults_body(rs_exchange *x) { RUN(body, x); }
void rs_faults_update(rs_exchange *x) { RUN(update, x); }
void rs_faults_user(rs_exchange *x, cJSON *user) { RUN(user, x, user); }
void rs_faults_error(rs_exchange *x, cJSON *envelope) { RUN(error, x, envelope); }
void rs_faults_reply(rs_exchange *x) { RUN(reply, x); }
