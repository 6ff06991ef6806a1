/* The reference server's users: a global profile each, a separate override
 * per account_id, all behind one mutex (updates are tiny; one lock keeps
 * "apply then render" atomic so a response never mixes two updates). */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "refserver_internal.h"

/* Overrides per user; past this the oldest is dropped, so a fuzzer sending
 * random account ids cannot grow the server without bound. */
#define MAX_OVERRIDES 4096

typedef struct rs_override {
  char *account_id;
  rs_update fields; /* the set fields override the global profile */
  unsigned writes;  /* non-empty updates so far (a narrow fault counts them) */
} rs_override;

typedef struct rs_user {
  const char *id, *created_at;
  char *username, *name, *bio, *picture_url; /* name/bio/picture NULL = null */
  const char *kyc_status, *kyb_status;
  const rs_balance *balances;
  size_t balance_count;
  rs_override *overrides;
  size_t override_count, override_cap;
} rs_user;

struct rs_state {
  pthread_mutex_t lock;
  rs_user users[RS_USER_COUNT];
};

/* Crypto and fiat, decimal strings in native units, a breakdown that adds up,
 * and one holding without an exchange rate (value_usd and price_usd null). */
static const rs_balance main_balances[] = {
    {"USDT", "Tether USD", "1250.500000", "1250.37", 0.9999, "https://img.whopconf.invalid/tokens/usdt.png",
     "1250.500000", "0", "0"},
    {"cbBTC", "Coinbase Wrapped BTC", "0.01520000", "931.00", 61250.0,
     "https://img.whopconf.invalid/tokens/cbbtc.png", "0.01520000", "0", "0"},
    {"EUR", "Euro", "420.75", "454.41", 1.08, "https://img.whopconf.invalid/tokens/eur.png", "300.00", "100.75",
     "20.00"},
    {"GEM", "Gem Points", "75", NULL, 0.0, NULL, "75", "0", "0"},
};

static void user_free(rs_user *u) {
  free(u->username);
  free(u->name);
  free(u->bio);
  free(u->picture_url);
  for (size_t i = 0; i < u->override_count; i++) {
    free(u->overrides[i].account_id);
    rs_update_free(&u->overrides[i].fields);
  }
  free(u->overrides);
  memset(u, 0, sizeof *u);
}

static bool user_init(rs_user *u, const char *id, const char *created_at, const char *username, const char *name,
                      const char *bio, const char *picture_url, const char *kyc, const char *kyb,
                      const rs_balance *balances, size_t balance_count) {
  memset(u, 0, sizeof *u);
  u->id = id;
  u->created_at = created_at;
  u->kyc_status = kyc;
  u->kyb_status = kyb;
  u->balances = balances;
  u->balance_count = balance_count;
  u->username = wc_strdup(username);
  u->name = name ? wc_strdup(name) : NULL;
  u->bio = bio ? wc_strdup(bio) : NULL;
  u->picture_url = picture_url ? wc_strdup(picture_url) : NULL;
  return u->username && (!name || u->name) && (!bio || u->bio) && (!picture_url || u->picture_url);
}

rs_state *rs_state_new(void) {
  rs_state *st = calloc(1, sizeof *st);
  if (!st) return NULL;
  bool ok = user_init(&st->users[RS_USER_MAIN], "user_Vq7Zp3KxR2mN8", "2023-04-05T10:11:12.000Z", "wc_ada",
                      "Ada Lovelace", "Analytical engines and poetry.",
                      "https://img.whopconf.invalid/profile/pic_A1b2C3.png", "approved", NULL, main_balances,
                      sizeof main_balances / sizeof main_balances[0]);
  ok = user_init(&st->users[RS_USER_NO_SCOPE], "user_T4hWc9LbQe1Jd", "2024-11-19T08:45:03.000Z", "wc_grace",
                 "Grace Hopper", NULL, NULL, "pending", "not_started", NULL, 0) &&
       ok;
  if (!ok || pthread_mutex_init(&st->lock, NULL) != 0) {
    for (int i = 0; i < RS_USER_COUNT; i++) user_free(&st->users[i]);
    free(st);
    return NULL;
  }
  return st;
}

void rs_state_free(rs_state *st) {
  if (!st) return;
  for (int i = 0; i < RS_USER_COUNT; i++) user_free(&st->users[i]);
  pthread_mutex_destroy(&st->lock);
  free(st);
}

static rs_override *find_override(rs_user *u, const char *account_id) {
  for (size_t i = 0; account_id && i < u->override_count; i++)
    if (strcmp(u->overrides[i].account_id, account_id) == 0) return &u->overrides[i];
  return NULL;
}

static rs_override *get_override(rs_user *u, const char *account_id) {
  rs_override *o = find_override(u, account_id);
  if (o) return o;
  char *id = wc_strdup(account_id);
  if (!id) return NULL;
  if (u->override_count == MAX_OVERRIDES) {
    free(u->overrides[0].account_id);
    rs_update_free(&u->overrides[0].fields);
    memmove(&u->overrides[0], &u->overrides[1], (u->override_count - 1) * sizeof u->overrides[0]);
    u->override_count--;
  }
  if (u->override_count == u->override_cap) {
    size_t cap = u->override_cap ? u->override_cap * 2 : 8;
    rs_override *grown = realloc(u->overrides, cap * sizeof *grown);
    if (!grown) {
      free(id);
      return NULL;
    }
    u->overrides = grown;
    u->override_cap = cap;
  }
  o = &u->overrides[u->override_count++];
  memset(o, 0, sizeof *o);
  o->account_id = id;
  return o;
}

/* Copies a set field into a global string slot (NULL = null). */
static int assign(char **slot, const rs_field *f) {
  if (!f->set) return 0;
  char *copy = NULL;
  if (f->value && !(copy = wc_strdup(f->value))) return -1;
  free(*slot);
  *slot = copy;
  return 0;
}

static int merge_field(rs_field *dst, const rs_field *src) {
  return src->set ? rs_field_set(dst, src->value) : 0;
}

static int apply_locked(rs_user *u, const char *write_account, const rs_update *up) {
  if (rs_update_empty(up)) return 0;
  if (write_account) {
    rs_override *o = get_override(u, write_account);
    if (!o) return -1;
    o->writes++;
    if (merge_field(&o->fields.name, &up->name) || merge_field(&o->fields.bio, &up->bio) ||
        merge_field(&o->fields.username, &up->username) || merge_field(&o->fields.picture_url, &up->picture_url))
      return -1;
    return 0;
  }
  rs_field username = up->username;
  if (username.set && !username.value) username.set = false; /* a username is never null */
  if (assign(&u->name, &up->name) || assign(&u->bio, &up->bio) || assign(&u->username, &username) ||
      assign(&u->picture_url, &up->picture_url))
    return -1;
  return 0;
}

unsigned rs_state_override_writes(rs_state *st, int user, const char *account_id) {
  if (user < 0 || user >= RS_USER_COUNT || !account_id) return 0;
  pthread_mutex_lock(&st->lock);
  const rs_override *o = find_override(&st->users[user], account_id);
  unsigned n = o ? o->writes : 0;
  pthread_mutex_unlock(&st->lock);
  return n;
}

static const char *pick(const rs_field *f, const char *global) { return f->set ? f->value : global; }

cJSON *rs_state_apply(rs_state *st, int user, const char *write_account, const char *view_account,
                      const rs_update *up, const rs_render_opts *ro, char msg[RS_MSG_LEN], bool *nomem) {
  *nomem = false;
  msg[0] = '\0';
  if (user < 0 || user >= RS_USER_COUNT) {
    snprintf(msg, RS_MSG_LEN, "unknown user");
    return NULL;
  }
  pthread_mutex_lock(&st->lock);
  rs_user *u = &st->users[user];
  cJSON *out = NULL;
  if (up->username.set && up->username.value) {
    for (int i = 0; i < RS_USER_COUNT; i++)
      if (i != user && strcasecmp(st->users[i].username, up->username.value) == 0) {
        snprintf(msg, RS_MSG_LEN, "username \"%s\" is already taken", up->username.value);
        goto done;
      }
  }
  if (apply_locked(u, write_account, up) != 0) {
    *nomem = true;
    goto done;
  }
  rs_view v = {
      .id = u->id, .created_at = u->created_at, .username = u->username, .name = u->name, .bio = u->bio,
      .picture_url = u->picture_url, .kyc_status = u->kyc_status, .kyb_status = u->kyb_status,
      .balances = u->balances, .balance_count = u->balance_count,
  };
  const rs_override *o = find_override(u, view_account);
  if (o) {
    v.name = pick(&o->fields.name, v.name);
    v.bio = pick(&o->fields.bio, v.bio);
    if (o->fields.username.set && o->fields.username.value) v.username = o->fields.username.value;
    v.picture_url = pick(&o->fields.picture_url, v.picture_url);
  }
  out = rs_render_user(&v, ro);
  if (!out) *nomem = true;
done:
  pthread_mutex_unlock(&st->lock);
  return out;
}
