/* The PATCH body: strict JSON (whopconf's own checker, so duplicate keys,
 * invalid UTF-8, NaN and trailing bytes are refused rather than silently
 * altered by cJSON), then the schema of the request body with the limits
 * documented in docs/refserver.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refserver_internal.h"
#include "whopconf/json_strict.h"

#define NAME_MAX_CHARS 100
#define BIO_MAX_CHARS 1000
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
  *rules = (rs_body_rules){.name_max = NAME_MAX_CHARS, .bio_max = BIO_MAX_CHARS};
}

static bool username_char(char c, bool lower_only) {
  if (lower_only) return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
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

static rs_body_error check_username(const rs_field *f, bool lower_only, char msg[RS_MSG_LEN]) {
  if (!f->set) return RS_BODY_OK;
  size_t len = strlen(f->value);
  if (len < USERNAME_MIN || len > USERNAME_MAX) {
    snprintf(msg, RS_MSG_LEN, "username must be %d to %d characters long, got %zu", USERNAME_MIN,
             USERNAME_MAX, wc_utf8_count(f->value));
    return RS_BODY_INVALID;
  }
  for (size_t i = 0; i < len; i++)
    if (!username_char(f->value[i], lower_only)) {
      snprintf(msg, RS_MSG_LEN, "username may contain only %s (offending byte at index %zu)",
               lower_only ? "lowercase letters, digits, '_' and '.'" : "letters, digits, '_', '-' and '.'", i);
      return RS_BODY_INVALID;
    }
  return RS_BODY_OK;
}

static rs_body_error picture_field(const cJSON *root, rs_field *out, char msg[RS_MSG_LEN]) {
  const cJSON *pic = cJSON_GetObjectItemCaseSensitive(root, "profile_picture");
  if (!pic) return RS_BODY_OK;
  if (!cJSON_IsObject(pic)) {
    snprintf(msg, RS_MSG_LEN, "profile_picture must be an object with id or direct_upload_id, got %s",
             type_name(pic));
    return RS_BODY_INVALID;
  }
  const cJSON *id = cJSON_GetObjectItemCaseSensitive(pic, "id");
  const cJSON *upload = cJSON_GetObjectItemCaseSensitive(pic, "direct_upload_id");
  if (id && upload) {
    snprintf(msg, RS_MSG_LEN, "profile_picture takes either id or direct_upload_id, not both");
    return RS_BODY_INVALID;
  }
  if (!id && !upload) {
    snprintf(msg, RS_MSG_LEN, "profile_picture must have id or direct_upload_id");
    return RS_BODY_INVALID;
  }
  const cJSON *v = id ? id : upload;
  const char *key = id ? "profile_picture.id" : "profile_picture.direct_upload_id";
  if (!cJSON_IsString(v) || !v->valuestring) {
    snprintf(msg, RS_MSG_LEN, "%s must be a string, got %s", key, type_name(v));
    return RS_BODY_INVALID;
  }
  size_t len = strlen(v->valuestring);
  bool ok = len >= 1 && len <= PICTURE_ID_MAX;
  for (size_t i = 0; ok && i < len; i++) ok = id_char(v->valuestring[i]);
  if (!ok) {
    snprintf(msg, RS_MSG_LEN, "%s must be 1 to %d letters, digits, '_' or '-'", key, PICTURE_ID_MAX);
    return RS_BODY_INVALID;
  }
  /* No network: the picture is only ever a URL string on a reserved name. */
  char url[256];
  snprintf(url, sizeof url, "https://img.whopconf.invalid/profile/%s.png", v->valuestring);
  return rs_field_set(out, url) == 0 ? RS_BODY_OK : RS_BODY_NOMEM;
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
  if ((e = string_field(root, "username", USERNAME_MAX * 4, false, &u->username, msg))) return e;
  if ((e = check_username(&u->username, rules->username_lower, msg))) return e;
  return picture_field(root, &u->picture_url, msg);
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
