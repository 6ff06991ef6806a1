/* Lenient options: rules a real server may add where the contract is silent
 * (it gives no length limits, no username alphabet, no normalization), each
 * answered the documented way, so a conformance tool must accept them: a
 * refusal is a 400 with the error envelope, and what is stored differs from
 * what was sent at most by edge whitespace, or (late-answer) by what a
 * concurrent update stored. They are kept with the body rules
 * (refserver_body.c); nothing is checked per request when none is set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refserver_internal.h"

#define LIMIT_MAX 1000000ULL

typedef struct lenient_def {
  wc_lenient_info info;
  const char *key; /* the name up to '=' */
  size_t *(*limit)(rs_body_rules *r); /* a "key=N" option: the limit it sets */
  bool *(*flag)(rs_body_rules *r);    /* a plain option: the flag it sets */
} lenient_def;

static bool *trim_flag(rs_body_rules *r) { return &r->trim; }
static bool *username_flag(rs_body_rules *r) { return &r->username_rules; }
static bool *id_flag(rs_body_rules *r) { return &r->id_rules; }
static bool *late_flag(rs_body_rules *r) { return &r->late_answer; }
static size_t *name_limit(rs_body_rules *r) { return &r->name_max; }
static size_t *bio_limit(rs_body_rules *r) { return &r->bio_max; }

static const lenient_def options[] = {
    {{"trim", "name and bio are stored without White_Space at either edge (the reply shows the trimmed value)"},
     "trim", NULL, trim_flag},
    {{"username-rules", "a username outside 3 to 40 of [a-z0-9_.] gets 400 invalid_parameters"}, "username-rules",
     NULL, username_flag},
    {{"max-name=N", "a name of more than N code points gets 400 invalid_parameters"}, "max-name",
     name_limit, NULL},
    {{"max-bio=N", "a bio of more than N code points gets 400 invalid_parameters"}, "max-bio",
     bio_limit, NULL},
    {{"id-rules", "an account_id or profile_picture id outside 1 to 128 of [A-Za-z0-9_-], or a profile_picture "
                  "without exactly one of id and direct_upload_id, gets 400 invalid_parameters"},
     "id-rules", NULL, id_flag},
    {{"late-answer", "the answer to an update is read from the stored profile 2 ms after the update, so an update "
                     "that lands in between shows in it (last writer wins)"},
     "late-answer", NULL, late_flag},
};

#define OPTION_COUNT (sizeof options / sizeof options[0])

size_t wc_lenient_count(void) { return OPTION_COUNT; }

const wc_lenient_info *wc_lenient_get(size_t index) { return index < OPTION_COUNT ? &options[index].info : NULL; }

static bool parse_limit(const char *s, size_t *out) {
  if (!s || *s < '0' || *s > '9') return false;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (*end || v == 0 || v > LIMIT_MAX) return false;
  *out = (size_t)v;
  return true;
}

int rs_lenient_apply(const char *option, rs_body_rules *rules, wc_err *err) {
  const char *eq = option ? strchr(option, '=') : NULL;
  size_t key_len = option ? (eq ? (size_t)(eq - option) : strlen(option)) : 0;
  for (size_t i = 0; option && i < OPTION_COUNT; i++) {
    const lenient_def *d = &options[i];
    if (strlen(d->key) != key_len || strncmp(option, d->key, key_len) != 0) continue;
    if (d->flag && !eq) {
      *d->flag(rules) = true;
      return 0;
    }
    if (d->limit && eq && parse_limit(eq + 1, d->limit(rules))) return 0;
    wc_err_set(err, WC_E_USAGE, "lenient option \"%s\" must be written %s%s", option, d->info.name,
               d->limit ? " with N from 1 to 1000000" : "");
    return -1;
  }
  wc_err_set(err, WC_E_USAGE, "unknown lenient option \"%s\" (see --list-lenient)", option ? option : "");
  return -1;
}
