/* The PATCH body: strict JSON (whopconf's own checker, so duplicate keys,
 * invalid UTF-8, NaN and trailing bytes are refused rather than silently
 * altered by cJSON), then the schema of the request body. By default only
 * what the contract says is enforced; the rules it leaves open (lengths of
 * name and bio, the username alphabet) are lenient options
 * (refserver_lenient.c, docs/refserver.md). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refserver_internal.h"
#include "whopconf/json_strict.h"

#define USERNAME_MIN 3
#define USERNAME_MAX 40
#define PICTURE_ID_MAX 128
#define BODY_MAX_DEPTH 64

void rs_update_free(rs_update *u) {
  if (!u) return;
  free(u->name.value);
  free(u->bio.value);
  free(u->username.value);
  free(u->picture_url.value);
  memset(u, 0, sizeof *u);
}

bool rs_update_empty(const rs_update *u) {
  return !u->name.set && !u->bio.set && !u->username.set && !u->picture_url.set;
}

int rs_field_set(rs_field *f, const char *value) {
  char *copy = NULL;
  if (value && !(copy = wc_strdup(value))) return -1;
  free(f->value);
  f->value = copy;
  f->set = true;
  return 0;
}

static const char *type_name(const cJSON *v) {
  if (cJSON_IsNull(v)) return "null";
  if (cJSON_IsBool(v)) return "a boolean";
  if (cJSON_IsNumber(v)) return "a number";
  if (cJSON_IsString(v)) return "a string";
  if (cJSON_IsArray(v)) return "an array";
  if (cJSON_IsObject(v)) return "an object";
  return "an unknown value";
}

void rs_body_rules_default(rs_body_rules *rules) {
  *rules = (rs_body_rules){.name_max = SIZE_MAX, .bio_max = SIZE_MAX};
}

static bool username_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

/* The UTF-8 forms of the Unicode White_Space characters: what the lenient
 * trim drops at either edge (zero-width characters such as U+200B and
 * U+FEFF are not White_Space and stay). */
static const char *const white_space[] = {
    "\t", "\n", "\v", "\f", "\r", " ", "\xC2\x85", "\xC2\xA0", "\xE1\x9A\x80", "\xE2\x80\x80",
    "\xE2\x80\x81", "\xE2\x80\x82", "\xE2\x80\x83", "\xE2\x80\x84", "\xE2\x80\x85", "\xE2\x80\x86",
    "\xE2\x80\x87", "\xE2\x80\x88", "\xE2\x80\x89", "\xE2\x80\x8A", "\xE2\x80\xA8", "\xE2\x80\xA9",
    "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE3\x80\x80",
};

/* Length of the White_Space character at s[0..len) (from the end when
 * at_end), 0 if there is none. */
static size_t edge_space(const char *s, size_t len, bool at_end) {
  for (size_t i = 0; i < sizeof white_space / sizeof white_space[0]; i++) {
    size_t n = strlen(white_space[i]);
    if (n <= len && memcmp(at_end ? s + len - n : s, white_space[i], n) == 0) return n;
  }
  return 0;
}

/* A copy of s without White_Space at either edge. */
static char *trimmed(const char *s) {
  size_t len = strlen(s), n;
  while ((n = edge_space(s, len, false))) s += n, len -= n;
  while ((n = edge_space(s, len, true))) len -= n;
  return wc_strndup(s, len);
}

static bool id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool rs_id_valid(const char *id) {
  size_t n = id ? strlen(id) : 0;
  if (n < 1 || n > PICTURE_ID_MAX) return false;
  for (size_t i = 0; i < n; i++)
    if (!id_char(id[i])) return false;
  return true;
}

/* A string field: absent is fine; present must be a string within limits
 * (counted after the trim, when trimming). */
static rs_body_error string_field(const cJSON *root, const char *key, size_t max_chars, bool trim, rs_field *out,
                                  char msg[RS_MSG_LEN]) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
  if (!v) return RS_BODY_OK;
  if (!cJSON_IsString(v) || !v->valuestring) {
    snprintf(msg, RS_MSG_LEN, "%s must be a string, got %s", key, type_name(v));
    return RS_BODY_INVALID;
  }
  char *copy = trim ? trimmed(v->valuestring) : NULL;
  if (trim && !copy) return RS_BODY_NOMEM;
  const char *value = copy ? copy : v->valuestring;
  size_t chars = wc_utf8_count(value);
  rs_body_error e = RS_BODY_OK;
  if (chars > max_chars) {
    snprintf(msg, RS_MSG_LEN, "%s is too long: %zu characters (at most %zu)", key, chars, max_chars);
    e = RS_BODY_INVALID;
  } else if (rs_field_set(out, value) != 0) {
    e = RS_BODY_NOMEM;
  }
  free(copy);
  return e;
}

/* The lenient option username-rules: 3 to 40 of [a-z0-9_.]. */
static rs_body_error check_username(const rs_field *f, char msg[RS_MSG_LEN]) {
  if (!f->set) return RS_BODY_OK;
  size_t len = strlen(f->value);
  if (len < USERNAME_MIN || len > USERNAME_MAX) {
    snprintf(msg, RS_MSG_LEN, "username must be %d to %d characters long, got %zu", USERNAME_MIN,
             USERNAME_MAX, wc_utf8_count(f->value));
    return RS_BODY_INVALID;
  }
  for (size_t i = 0; i < len; i++)
    if (!username_char(f->value[i])) {
      snprintf(msg, RS_MSG_LEN, "username may contain only lowercase letters, digits, '_' and '.' (offending byte "
               "at index %zu)", i);
      return RS_BODY_INVALID;
    }
  return RS_BODY_OK;
}

/* No network: the picture is only ever a URL on a reserved name, the id
 * percent-encoded into its path. */
static rs_body_error picture_url(const char *id, rs_field *out) {
  static const char hex[] = "0123456789ABCDEF";
  wc_buf url;
  wc_buf_init(&url);
  bool ok = wc_buf_append(&url, "https://img.whopconf.invalid/profile/", 37) == 0;
  for (const unsigned char *p = (const unsigned char *)id; ok && *p; p++) {
    char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
    ok = id_char((char)*p) ? wc_buf_append(&url, (const char *)p, 1) == 0 : wc_buf_append(&url, enc, 3) == 0;
  }
  ok = ok && wc_buf_append(&url, ".png", 4) == 0 && rs_field_set(out, url.data) == 0;
  wc_buf_free(&url);
  return ok ? RS_BODY_OK : RS_BODY_NOMEM;
}

/* profile_picture: an object whose id or direct_upload_id names the picture
 * (id first when both are there; neither leaves the picture as it is).
 * Under id-rules exactly one of them, of the id alphabet. */
static rs_body_error picture_field(const cJSON *root, bool id_rules, rs_field *out, char msg[RS_MSG_LEN]) {
  const cJSON *pic = cJSON_GetObjectItemCaseSensitive(root, "profile_picture");
  if (!pic) return RS_BODY_OK;
  if (!cJSON_IsObject(pic)) {
    snprintf(msg, RS_MSG_LEN, "profile_picture must be an object with id or direct_upload_id, got %s",
             type_name(pic));
    return RS_BODY_INVALID;
  }
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(pic, "id");
  const cJSON *upload = cJSON_GetObjectItemCaseSensitive(pic, "direct_upload_id");
  static const char *const keys[2] = {"profile_picture.id", "profile_picture.direct_upload_id"};
  const cJSON *given[2] = {id, upload};
  for (int i = 0; i < 2; i++)
    if (given[i] && (!cJSON_IsString(given[i]) || !given[i]->valuestring)) {
      snprintf(msg, RS_MSG_LEN, "%s must be a string, got %s", keys[i], type_name(given[i]));
      return RS_BODY_INVALID;
    }
  if (id_rules && id && upload) {
    snprintf(msg, RS_MSG_LEN, "profile_picture takes either id or direct_upload_id, not both");
    return RS_BODY_INVALID;
  }
  if (id_rules && !id && !upload) {
    snprintf(msg, RS_MSG_LEN, "profile_picture must have id or direct_upload_id");
    return RS_BODY_INVALID;
  }
  if (!id && !upload) return RS_BODY_OK;
  const cJSON *v = id ? id : upload;
  if (id_rules && !rs_id_valid(v->valuestring)) {
    snprintf(msg, RS_MSG_LEN, "%s must be 1 to %d letters, digits, '_' or '-'", keys[id ? 0 : 1], PICTURE_ID_MAX);
    return RS_BODY_INVALID;
  }
  return picture_url(v->valuestring, out);
}

rs_body_error rs_body_from_json(const cJSON *root, const rs_body_rules *rules, rs_update *u, char msg[RS_MSG_LEN]) {
  rs_update_free(u);
  if (!cJSON_IsObject(root)) {
    snprintf(msg, RS_MSG_LEN, "Request body must be a JSON object, got %s", type_name(root));
    return RS_BODY_INVALID;
  }
  rs_body_error e;
  if ((e = string_field(root, "name", rules->name_max, rules->trim, &u->name, msg))) return e;
  if ((e = string_field(root, "bio", rules->bio_max, rules->trim, &u->bio, msg))) return e;
  if ((e = string_field(root, "username", SIZE_MAX, false, &u->username, msg))) return e;
  if (rules->username_rules && (e = check_username(&u->username, msg))) return e;
  return picture_field(root, rules->id_rules, &u->picture_url, msg);
}

/* The defects the faults care about, among all the strict parser found. */
static unsigned defects_of(const wc_findings *findings) {
  unsigned bits = 0;
  for (size_t i = 0; i < wc_findings_count(findings); i++) {
    const char *k = wc_findings_get(findings, i)->keyword;
    if (!k) continue;
    if (strcmp(k, WC_JSON_DEFECT_SURROGATE) == 0) bits |= RS_DEFECT_SURROGATE;
    if (strcmp(k, WC_JSON_DEFECT_DUP_KEY) == 0) bits |= RS_DEFECT_DUP_KEY;
  }
  return bits;
}

rs_body_error rs_body_parse(const char *buf, size_t len, const rs_body_rules *rules, rs_update *u,
                            rs_body_seen *seen, char msg[RS_MSG_LEN]) {
  memset(u, 0, sizeof *u);
  if (seen) *seen = (rs_body_seen){0};
  msg[0] = '\0';
  if (len == 0) {
    snprintf(msg, RS_MSG_LEN, "Request body is required: a JSON object such as {\"name\": \"Ada\"}");
    return RS_BODY_MISSING;
  }
  wc_findings *findings = wc_findings_new();
  if (!findings) return RS_BODY_NOMEM;
  wc_json_opts jo = {.max_depth = BODY_MAX_DEPTH};
  wc_err err;
  cJSON *root = wc_json_parse(buf, len, &jo, findings, &err);
  rs_body_error e = RS_BODY_OK;
  if (wc_findings_count(findings) > 0) {
    const wc_finding *f = wc_findings_get(findings, 0);
    if (f->offset != WC_NO_OFFSET)
      snprintf(msg, RS_MSG_LEN, "Request body is not valid JSON (%.40s at byte %zu): %.400s", f->keyword, f->offset,
               f->message);
    else
      snprintf(msg, RS_MSG_LEN, "Request body is not valid JSON (%.40s): %.400s", f->keyword, f->message);
    e = RS_BODY_NOT_JSON;
    if (seen) seen->defects = defects_of(findings);
  } else if (!root) {
    if (err.code == WC_E_NOMEM) e = RS_BODY_NOMEM;
    else {
      snprintf(msg, RS_MSG_LEN, "Request body is not valid JSON: %.400s", err.msg);
      e = RS_BODY_NOT_JSON;
    }
  } else {
    e = rs_body_from_json(root, rules, u, msg);
  }
  if (seen && e != RS_BODY_NOT_JSON) {
    seen->json = root;
    root = NULL;
  }
  cJSON_Delete(root);
  wc_findings_free(findings);
  return e;
}

static bool has_non_bmp(const rs_field *f) {
  if (!f->set || !f->value) return false;
  for (const unsigned char *p = (const unsigned char *)f->value; *p; p++)
    if (*p >= 0xF0) return true;
  return false;
}

bool rs_update_has_non_bmp(const rs_update *u) {
  return has_non_bmp(&u->name) || has_non_bmp(&u->bio) || has_non_bmp(&u->username);
}
