/* A user view as JSON, shaped by the API version of the request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refserver_internal.h"

/* "1250.37" -> 125037; false for anything but digits[.digits]. Amounts past
 * the cent are cut (the reference data never has them). */
static bool to_cents(const char *s, long long *out) {
  long long whole = 0, frac = 0;
  int frac_digits = 0;
  const char *p = s;
  if (!*p) return false;
  for (; *p >= '0' && *p <= '9'; p++) {
    if (whole > 1000000000000LL) return false;
    whole = whole * 10 + (*p - '0');
  }
  if (*p == '.') {
    p++;
    if (!(*p >= '0' && *p <= '9')) return false;
    for (; *p >= '0' && *p <= '9'; p++)
      if (frac_digits < 2) {
        frac = frac * 10 + (*p - '0');
        frac_digits++;
      }
  }
  if (*p) return false;
  while (frac_digits++ < 2) frac *= 10;
  *out = whole * 100 + frac;
  return true;
}

bool rs_total_usd(const rs_balance *b, size_t n, char out[32]) {
  long long cents = 0;
  bool any = false;
  for (size_t i = 0; i < n; i++) {
    long long c;
    if (!b[i].value_usd || !to_cents(b[i].value_usd, &c)) continue;
    cents += c;
    any = true;
  }
  if (!any) return false;
  snprintf(out, 32, "%lld.%02lld", cents / 100, cents % 100);
  return true;
}

static cJSON *string_or_null(const char *s) { return s ? cJSON_CreateString(s) : cJSON_CreateNull(); }

/* cJSON's constructors return NULL only when memory runs out; every add goes
 * through here so one flag says whether the tree is whole. */
static void add(cJSON *obj, const char *key, cJSON *item, bool *ok) {
  if (!obj || !item || !cJSON_AddItemToObject(obj, key, item)) {
    cJSON_Delete(item);
    *ok = false;
  }
}

static cJSON *render_balance(const rs_balance *b, rs_shape shape, bool *ok) {
  cJSON *o = cJSON_CreateObject();
  add(o, "symbol", cJSON_CreateString(b->symbol), ok);
  add(o, "name", cJSON_CreateString(b->name), ok);
  add(o, "balance", cJSON_CreateString(b->balance), ok);
  add(o, "value_usd", string_or_null(b->value_usd), ok);
  add(o, "price_usd", b->value_usd ? cJSON_CreateNumber(b->price_usd) : cJSON_CreateNull(), ok);
  if (shape >= RS_SHAPE_ICONS) add(o, "icon_url", string_or_null(b->icon_url), ok);
  if (shape >= RS_SHAPE_FULL) {
    cJSON *bd = cJSON_CreateObject();
    add(bd, "available", cJSON_CreateString(b->available), ok);
    add(bd, "pending", cJSON_CreateString(b->pending), ok);
    add(bd, "reserve", cJSON_CreateString(b->reserve), ok);
    add(o, "breakdown", bd, ok);
  }
  return o;
}

static cJSON *render_status(const char *status, bool *ok) {
  if (!status) return cJSON_CreateNull();
  cJSON *o = cJSON_CreateObject();
  add(o, "status", cJSON_CreateString(status), ok);
  return o;
}

cJSON *rs_render_user(const rs_view *v, const rs_render_opts *ro) {
  bool ok = true;
  cJSON *u = cJSON_CreateObject();
  add(u, "id", cJSON_CreateString(v->id), &ok);
  add(u, "username", cJSON_CreateString(v->username), &ok);
  add(u, "name", string_or_null(v->name), &ok);
  add(u, "bio", string_or_null(v->bio), &ok);
  add(u, "created_at", cJSON_CreateString(v->created_at), &ok);
  cJSON *pic = NULL;
  if (v->picture_url) {
    pic = cJSON_CreateObject();
    add(pic, "url", cJSON_CreateString(v->picture_url), &ok);
  } else {
    pic = cJSON_CreateNull();
  }
  add(u, "profile_picture", pic, &ok);
  if (ro->shape >= RS_SHAPE_BALANCES) {
    char total[32];
    bool show = ro->show_balances && rs_total_usd(v->balances, v->balance_count, total);
    add(u, "total_usd", show ? cJSON_CreateString(total) : cJSON_CreateNull(), &ok);
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; show && list && i < v->balance_count; i++) {
      cJSON *item = render_balance(&v->balances[i], ro->shape, &ok);
      if (!item || !cJSON_AddItemToArray(list, item)) {
        cJSON_Delete(item);
        ok = false;
      }
    }
    add(u, "balances", list, &ok);
  }
  if (ro->shape >= RS_SHAPE_VERIFICATION) {
    cJSON *ver = cJSON_CreateObject();
    add(ver, "individual", render_status(v->kyc_status, &ok), &ok);
    add(ver, "business", render_status(v->kyb_status, &ok), &ok);
    add(u, "verification", ver, &ok);
  }
  if (!ok) {
    cJSON_Delete(u);
    return NULL;
  }
  return u;
}
