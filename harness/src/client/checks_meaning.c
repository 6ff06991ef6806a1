/* The documented meaning of User fields (WC-DM-*): what the descriptions in
 * spec/openapi.yml say beyond the schema keywords. Each check is observed
 * only where its field is present with the documented JSON type; a missing
 * or mistyped field is the schema check's finding (WC-US-001), not ours. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whopconf/checks.h"

#define USER_PTR "#/components/schemas/User/properties/"
#define TOKEN_PTR "#/components/schemas/AccountBalanceToken/properties/"

/* ---- value syntax ------------------------------------------------------ */

bool wc_is_decimal_string(const char *s) {
  if (!s) return false;
  if (*s == '-') s++;
  if (!isdigit((unsigned char)*s)) return false;
  while (isdigit((unsigned char)*s)) s++;
  if (*s == '.') {
    s++;
    if (!isdigit((unsigned char)*s)) return false;
    while (isdigit((unsigned char)*s)) s++;
  }
  return *s == '\0';
}

/* Reads exactly n digits; -1 if any is not a digit. */
static int digits(const char **p, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)(*p)[i])) return -1;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += n;
  return v;
}

static int days_in_month(int year, int month) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return days[month - 1];
}

/* ISO 8601 date and time of day, extended (2026-07-01T12:00:00.5Z) or basic
 * (20260701T120000Z) format; seconds and the zone designator optional as
 * ISO 8601 allows; a space instead of 'T' or a date alone is not a
 * timestamp. */
bool wc_is_iso8601_timestamp(const char *s) {
  if (!s) return false;
  const char *p = s;
  int year = digits(&p, 4);
  if (year < 0) return false;
  bool extended = *p == '-';
  if (extended) p++;
  int month = digits(&p, 2);
  if (extended && *p++ != '-') return false;
  int day = digits(&p, 2);
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return false;
  if (*p != 'T' && *p != 't') return false;
  p++;
  int hour = digits(&p, 2);
  if (hour < 0 || hour > 23) return false;
  if (extended && *p++ != ':') return false;
  int minute = digits(&p, 2);
  if (minute < 0 || minute > 59) return false;
  if ((extended && *p == ':') || (!extended && isdigit((unsigned char)*p))) {
    if (extended) p++;
    int second = digits(&p, 2);
    if (second < 0 || second > 60) return false;
    if (*p == '.' || *p == ',') {
      p++;
      if (!isdigit((unsigned char)*p)) return false;
      while (isdigit((unsigned char)*p)) p++;
    }
  }
  if (*p == 'Z' || *p == 'z') return p[1] == '\0';
  if (*p == '+' || *p == '-') {
    p++;
    int zh = digits(&p, 2);
    if (zh < 0 || zh > 23) return false;
    if (*p == '\0') return true;
    if (extended && *p++ != ':') return false;
    int zm = digits(&p, 2);
    return zm >= 0 && zm <= 59 && *p == '\0';
  }
  return *p == '\0'; /* local time: ISO 8601 allows it */
}

/* Decimal string -> integer scaled by 10^scale (exact), false on overflow. */
static bool scaled(const char *s, int scale, __int128 *out) {
  bool neg = *s == '-';
  if (neg) s++;
  __int128 v = 0;
  const __int128 limit = ((__int128)1 << 120);
  for (; isdigit((unsigned char)*s); s++) {
    v = v * 10 + (*s - '0');
    if (v > limit) return false;
  }
  int frac = 0;
  if (*s == '.') s++;
  for (; frac < scale; frac++) {
    int d = isdigit((unsigned char)*s) ? *s++ - '0' : 0;
    v = v * 10 + d;
    if (v > limit) return false;
  }
  *out = neg ? -v : v;
  return true;
}

static int fraction_digits(const char *s) {
  const char *dot = strchr(s, '.');
  return dot ? (int)strlen(dot + 1) : 0;
}

int wc_decimal_sum_matches(const char *total, const char *const *values, size_t count) {
  if (!wc_is_decimal_string(total)) return -1;
  int scale = fraction_digits(total);
  for (size_t i = 0; i < count; i++) {
    if (!wc_is_decimal_string(values[i])) return -1;
    if (fraction_digits(values[i]) > scale) scale = fraction_digits(values[i]);
  }
  if (scale < 2) scale = 2;
  if (scale <= 30) {
    __int128 t, sum = 0, v;
    bool ok = scaled(total, scale, &t);
    for (size_t i = 0; ok && i < count; i++) {
      ok = scaled(values[i], scale, &v);
      sum += v;
    }
    if (ok) {
      __int128 cent = 1;
      for (int i = 0; i < scale - 2; i++) cent *= 10;
      __int128 diff = t - sum;
      if (diff < 0) diff = -diff;
      return diff < cent ? 1 : 0;
    }
  }
  /* Beyond 128 bits: close enough in long double. */
  long double t = strtold(total, NULL), sum = 0;
  for (size_t i = 0; i < count; i++) sum += strtold(values[i], NULL);
  long double diff = t - sum;
  return (diff < 0 ? -diff : diff) < 0.01L ? 1 : 0;
}

/* ---- shape ------------------------------------------------------------- */

static const char *json_type(const cJSON *v) {
  if (cJSON_IsString(v)) return "string";
  if (cJSON_IsNumber(v)) return "number";
  if (cJSON_IsBool(v)) return "boolean";
  if (cJSON_IsNull(v)) return "null";
  if (cJSON_IsArray(v)) return "array";
  if (cJSON_IsObject(v)) return "object";
  return "invalid";
}

char *wc_json_shape(const cJSON *object) {
  wc_buf out;
  wc_buf_init(&out);
  const cJSON *m;
  int first = 1;
  cJSON_ArrayForEach(m, object) {
    if (wc_buf_printf(&out, "%s%s:%s", first ? "" : ", ", m->string ? m->string : "?",
                      json_type(m)) < 0) {
      wc_buf_free(&out);
      return NULL;
    }
    first = 0;
  }
  if (!out.data && wc_buf_puts(&out, "") < 0) return NULL;
  return wc_buf_steal(&out);
}

/* ---- the checks -------------------------------------------------------- */

static const cJSON *member(const cJSON *obj, const char *name) {
  return cJSON_GetObjectItemCaseSensitive(obj, name);
}

static void check_id(const cJSON *user, int ex, wc_observations *obs) {
  const cJSON *id = member(user, "id");
  if (!cJSON_IsString(id)) return;
  if (strncmp(id->valuestring, "user_", 5) == 0 && id->valuestring[5] != '\0')
    wc_observe(obs, WC_REQ_ID_PREFIX, WC_OBS_PASS, ex, "id is prefixed user_");
  else {
    wc_observation *o = wc_observe(obs, WC_REQ_ID_PREFIX, WC_OBS_FAIL, ex,
                                   "/id: \"%.60s\" is not prefixed user_", id->valuestring);
    if (o)
      wc_findings_add(o->findings, "/id", USER_PTR "id/description", "user_-prefix", WC_NO_OFFSET,
                      "\"%.60s\" is not a user_-prefixed id", id->valuestring);
  }
}

static void check_created_at(const cJSON *user, int ex, wc_observations *obs) {
  const cJSON *v = member(user, "created_at");
  if (!cJSON_IsString(v)) return;
  if (wc_is_iso8601_timestamp(v->valuestring)) {
    wc_observe(obs, WC_REQ_CREATED_AT, WC_OBS_PASS, ex, "created_at is ISO 8601");
    return;
  }
  wc_observation *o = wc_observe(obs, WC_REQ_CREATED_AT, WC_OBS_FAIL, ex,
                                 "/created_at: \"%.60s\" is not an ISO 8601 timestamp", v->valuestring);
  if (o)
    wc_findings_add(o->findings, "/created_at", USER_PTR "created_at/description", "iso8601",
                    WC_NO_OFFSET, "\"%.60s\" is not an ISO 8601 timestamp", v->valuestring);
}

/* Appends a finding for a string member that is not a decimal string. */
static void decimal_member(const cJSON *obj, const char *name, const char *base, const char *spec,
                           bool allow_null, wc_findings *found, size_t *seen) {
  const cJSON *v = member(obj, name);
  if (!v || (allow_null && cJSON_IsNull(v))) return;
  (*seen)++;
  char *ptr = wc_pointer_append(base, name);
  if (!cJSON_IsString(v))
    wc_findings_add(found, ptr, spec, "decimal-string", WC_NO_OFFSET, "%s is not a string", name);
  else if (!wc_is_decimal_string(v->valuestring))
    wc_findings_add(found, ptr, spec, "decimal-string", WC_NO_OFFSET,
                    "\"%.60s\" is not a decimal string", v->valuestring);
  free(ptr);
}

static void check_decimals(const cJSON *user, int ex, wc_observations *obs) {
  const cJSON *balances = member(user, "balances");
  wc_findings *must = wc_findings_new(), *should = wc_findings_new();
  size_t must_seen = 0, should_seen = 0;
  if (!must || !should) goto done;
  if (cJSON_IsArray(balances)) {
    size_t i = 0;
    const cJSON *b;
    cJSON_ArrayForEach(b, balances) {
      char *base = wc_pointer_append_index("/balances", i++);
      if (!base) goto done;
      if (cJSON_IsObject(b)) {
        const cJSON *bal = member(b, "balance");
        if (cJSON_IsString(bal))
          decimal_member(b, "balance", base, TOKEN_PTR "balance/description", false, must,
                         &must_seen);
        const cJSON *breakdown = member(b, "breakdown");
        if (cJSON_IsObject(breakdown)) {
          char *bd = wc_pointer_append(base, "breakdown");
          const cJSON *amount;
          cJSON_ArrayForEach(amount, breakdown) {
            if (amount->string)
              decimal_member(breakdown, amount->string, bd, TOKEN_PTR "breakdown/description", false,
                             must, &must_seen);
          }
          free(bd);
        }
        const cJSON *usd = member(b, "value_usd");
        if (cJSON_IsString(usd))
          decimal_member(b, "value_usd", base, TOKEN_PTR "value_usd/description", true, should,
                         &should_seen);
      }
      free(base);
    }
  }
  if (cJSON_IsString(member(user, "total_usd")))
    decimal_member(user, "total_usd", "", USER_PTR "total_usd/description", true, should,
                   &should_seen);
  if (must_seen)
    wc_observe_pass_or_findings(obs, WC_REQ_BALANCE_DECIMAL, ex, must, "balance amounts are decimal strings",
                                "balance amounts are not decimal strings");
  if (should_seen)
    wc_observe_pass_or_findings(obs, WC_REQ_USD_DECIMAL, ex, should, "USD values are decimal strings",
                                "USD values are not decimal strings");
done:
  wc_findings_free(must);
  wc_findings_free(should);
}

static void check_verification(const cJSON *user, int ex, wc_observations *obs) {
  const cJSON *ver = member(user, "verification");
  if (!cJSON_IsObject(ver)) return;
  static const char *const parts[] = {"individual", "business"};
  static const char *const statuses[] = {"not_started", "pending", "approved", "rejected"};
  wc_findings *found = wc_findings_new();
  if (!found) return;
  for (size_t i = 0; i < 2; i++) {
    const cJSON *part = member(ver, parts[i]);
    char *ptr = wc_pointer_append("/verification", parts[i]);
    if (!part) {
      wc_findings_add(found, ptr, USER_PTR "verification/description", "verification",
                      WC_NO_OFFSET, "%s is missing (null until created, else an object)", parts[i]);
    } else if (!cJSON_IsNull(part)) {
      const cJSON *st = cJSON_IsObject(part) ? member(part, "status") : NULL;
      bool ok = false;
      for (size_t k = 0; cJSON_IsString(st) && k < 4; k++)
        ok = ok || strcmp(st->valuestring, statuses[k]) == 0;
      if (!cJSON_IsObject(part))
        wc_findings_add(found, ptr, USER_PTR "verification/description", "verification",
                        WC_NO_OFFSET, "%s is neither null nor an object", parts[i]);
      else if (!ok) {
        char *sp = wc_pointer_append(ptr, "status");
        if (cJSON_IsString(st))
          wc_findings_add(found, sp, USER_PTR "verification/description", "enum", WC_NO_OFFSET,
                          "status \"%.40s\" is not one of not_started, pending, approved, rejected",
                          st->valuestring);
        else
          wc_findings_add(found, sp, USER_PTR "verification/description", "enum", WC_NO_OFFSET,
                          "%s has no string status", parts[i]);
        free(sp);
      }
    }
    free(ptr);
  }
  wc_observe_pass_or_findings(obs, WC_REQ_VERIFICATION, ex, found,
                              "verification statuses are documented values",
                              "verification statuses outside the documented set");
  wc_findings_free(found);
}

static void check_balances_empty(const cJSON *user, int ex, wc_observations *obs) {
  const cJSON *total = member(user, "total_usd");
  const cJSON *balances = member(user, "balances");
  if (!cJSON_IsNull(total) || !cJSON_IsArray(balances)) return;
  int n = cJSON_GetArraySize(balances);
  if (n == 0) {
    wc_observe(obs, WC_REQ_BALANCES_EMPTY, WC_OBS_PASS, ex, "total_usd is null and balances is empty");
    return;
  }
  wc_observation *o = wc_observe(obs, WC_REQ_BALANCES_EMPTY, WC_OBS_FAIL, ex,
                                 "/balances: %d entries while total_usd is null", n);
  if (o)
    wc_findings_add(o->findings, "/balances", USER_PTR "balances/items/description", "empty-when-null",
                    WC_NO_OFFSET, "%d balances while total_usd is null (must be empty)", n);
}

static void check_picture(const cJSON *user, int ex, wc_observations *obs) {
  const cJSON *pic = member(user, "profile_picture");
  if (!pic) return;
  if (cJSON_IsNull(pic)) {
    wc_observe(obs, WC_REQ_PICTURE_SHAPE, WC_OBS_PASS, ex, "profile_picture is null");
    return;
  }
  const cJSON *url = cJSON_IsObject(pic) ? member(pic, "url") : NULL;
  if (cJSON_IsString(url) && url->valuestring[0]) {
    wc_observe(obs, WC_REQ_PICTURE_SHAPE, WC_OBS_PASS, ex, "profile_picture has a url");
    return;
  }
  const char *why = !cJSON_IsObject(pic) ? "profile_picture is neither null nor an object"
                    : !url               ? "profile_picture has no url"
                    : !cJSON_IsString(url) ? "profile_picture.url is not a string"
                                           : "profile_picture.url is empty";
  wc_observation *o = wc_observe(obs, WC_REQ_PICTURE_SHAPE, WC_OBS_FAIL, ex, "%s", why);
  if (o)
    wc_findings_add(o->findings, cJSON_IsObject(pic) ? "/profile_picture/url" : "/profile_picture",
                    USER_PTR "profile_picture/description", "picture-url", WC_NO_OFFSET, "%s", why);
}

static void check_total(const cJSON *user, int ex, wc_observations *obs) {
  const cJSON *total = member(user, "total_usd");
  if (!total) return;
  if (cJSON_IsNull(total)) {
    wc_observe(obs, WC_REQ_TOTAL_NULL, WC_OBS_PASS, ex, "total_usd is null in the PATCH response");
    return;
  }
  wc_observation *o = wc_observe(obs, WC_REQ_TOTAL_NULL, WC_OBS_FAIL, ex,
                                 "/total_usd is not null in a PATCH response (computed only on GET)");
  if (o)
    wc_findings_add(o->findings, "/total_usd", USER_PTR "total_usd/description", "computed-on-get",
                    WC_NO_OFFSET, "total_usd is %s, expected null outside GET /users/me",
                    cJSON_IsString(total) ? "a string" : "not null");

  const cJSON *balances = member(user, "balances");
  if (!cJSON_IsString(total) || !wc_is_decimal_string(total->valuestring) ||
      !cJSON_IsArray(balances))
    return;
  size_t n = (size_t)cJSON_GetArraySize(balances), count = 0;
  const char **values = calloc(n ? n : 1, sizeof *values);
  if (!values) return;
  const cJSON *b;
  bool usable = true;
  cJSON_ArrayForEach(b, balances) {
    const cJSON *usd = cJSON_IsObject(b) ? member(b, "value_usd") : NULL;
    if (cJSON_IsNull(usd)) continue;
    if (!cJSON_IsString(usd)) {
      usable = false;
      break;
    }
    values[count++] = usd->valuestring;
  }
  int m = usable ? wc_decimal_sum_matches(total->valuestring, values, count) : -1;
  free(values);
  if (m < 0) {
    wc_observe(obs, WC_REQ_TOTAL_SUM, WC_OBS_SKIP, ex, "a value_usd is not a decimal string");
  } else if (m == 1) {
    wc_observe(obs, WC_REQ_TOTAL_SUM, WC_OBS_PASS, ex, "total_usd equals the sum of value_usd");
  } else {
    o = wc_observe(obs, WC_REQ_TOTAL_SUM, WC_OBS_FAIL, ex,
                   "/total_usd \"%.40s\" differs from the sum of the %zu non-null value_usd",
                   total->valuestring, count);
    if (o)
      wc_findings_add(o->findings, "/total_usd", USER_PTR "total_usd/description", "sum",
                      WC_NO_OFFSET, "total_usd \"%.40s\" is not the sum of value_usd (to the cent)",
                      total->valuestring);
  }
}

void wc_check_user_meaning(const cJSON *user, int exchange, wc_observations *obs) {
  if (!cJSON_IsObject(user)) return;
  check_id(user, exchange, obs);
  check_created_at(user, exchange, obs);
  check_decimals(user, exchange, obs);
  check_verification(user, exchange, obs);
  check_balances_empty(user, exchange, obs);
  check_picture(user, exchange, obs);
  check_total(user, exchange, obs);
}
