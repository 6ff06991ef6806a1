/* The narrow faults: each breaks one requirement, but only on a small input
 * region the hand-written cases never send (a length past a threshold, one
 * class of code points, two members together, an odd query value, a
 * wrong-type variant, a later write, a particular rejected input). The run
 * passes against each; generated requests must find them, and shrinking
 * must end at the region's edge (docs/refserver.md gives every region).
 * The table entries are in refserver_faults.c, kind "narrow". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refserver_internal.h"

#define NAME_KEEP_CHARS 64 /* a longer name is cut to this */
#define BIO_CRASH_CHARS 255 /* a longer bio crashes the handler */
#define LEAKING_WRITE 3    /* from this write on, an override also goes global */

static const char ZWJ[] = "\xE2\x80\x8D";  /* U+200D ZERO WIDTH JOINER */
static const char NBSP[] = "\xC2\xA0";     /* U+00A0 NO-BREAK SPACE */

static void internal_error(rs_exchange *x) {
  rs_reply_error(&x->reply, 500, "internal_error", "Internal server error");
}

static const cJSON *member(const rs_exchange *x, const char *key) {
  return cJSON_GetObjectItemCaseSensitive(x->body_seen.json, key);
}

static bool contains(const rs_field *f, const char *what) { return f->set && f->value && strstr(f->value, what); }

/* Every occurrence of what in s becomes with (never longer), in place. */
static void replace_all(char *s, const char *what, const char *with) {
  size_t wn = strlen(what), rn = strlen(with);
  char *out = s;
  for (const char *in = s; *in;) {
    if (strncmp(in, what, wn) == 0) {
      memcpy(out, with, rn);
      out += rn;
      in += wn;
    } else {
      *out++ = *in++;
    }
  }
  *out = '\0';
}

/* ---- length thresholds ---------------------------------------------------- */

void rs_narrow_name_over_64_truncated(rs_exchange *x) {
  rs_field *f = &x->update.name;
  if (!f->set || !f->value) return;
  size_t chars = 0;
  for (char *p = f->value; *p; p++)
    if ((*p & 0xC0) != 0x80 && ++chars > NAME_KEEP_CHARS) {
      *p = '\0';
      return;
    }
}

void rs_narrow_bio_over_255_error(rs_exchange *x) {
  const rs_field *f = &x->update.bio;
  if (x->body_error == RS_BODY_OK && f->set && f->value && wc_utf8_count(f->value) > BIO_CRASH_CHARS)
    internal_error(x);
}

/* ---- code-point classes ------------------------------------------------------ */

/* A valid bio refused with a status the contract does not document. */
void rs_narrow_bio_cr_422(rs_exchange *x) {
  if (x->body_error == RS_BODY_OK && contains(&x->update.bio, "\r"))
    rs_reply_error(&x->reply, 422, "unprocessable_entity", "bio may not contain a carriage return");
}

void rs_narrow_zwj_dropped(rs_exchange *x) {
  if (contains(&x->update.name, ZWJ)) replace_all(x->update.name.value, ZWJ, "");
  if (contains(&x->update.bio, ZWJ)) replace_all(x->update.bio.value, ZWJ, "");
}

void rs_narrow_nbsp_replaced(rs_exchange *x) {
  if (contains(&x->update.bio, NBSP)) replace_all(x->update.bio.value, NBSP, " ");
}

/* ---- two members together ----------------------------------------------------- */

void rs_narrow_name_bio_angle_error(rs_exchange *x) {
  if (x->body_error == RS_BODY_OK && contains(&x->update.name, "<") && contains(&x->update.bio, "<"))
    internal_error(x);
}

/* ---- query values --------------------------------------------------------------- */

/* The reply is the 400 for a refused account_id (checked after the version
 * and the credentials, so only a user token with a good version gets it). */
static bool refused_account_id(const rs_exchange *x) {
  return x->account_id_bad && x->account_id_refused && x->cred == RS_CRED_USER && x->reply.status == 400 &&
         strcmp(x->reply.error_type, "invalid_parameters") == 0;
}

void rs_narrow_account_id_percent_error(rs_exchange *x) {
  if (refused_account_id(x) && strchr(x->account_id_refused, '%')) rs_reply_internal_error(&x->reply);
}

void rs_narrow_account_id_empty_plain(rs_exchange *x) {
  if (refused_account_id(x) && !*x->account_id_refused) x->reply.content_type = "text/plain; charset=utf-8";
}

/* ---- the nested object ----------------------------------------------------------- */

void rs_narrow_picture_both_ids_error(rs_exchange *x) {
  const cJSON *pic = member(x, "profile_picture");
  if (cJSON_IsObject(pic) && cJSON_GetObjectItemCaseSensitive(pic, "id") &&
      cJSON_GetObjectItemCaseSensitive(pic, "direct_upload_id"))
    internal_error(x);
}

/* ---- wrong-type variants ----------------------------------------------------------- */

/* The member is skipped as if absent; the rest of the body is judged as
 * usual (so another defect still gets its 400). */
static void ignore_member(rs_exchange *x, const char *key) {
  cJSON_DeleteItemFromObjectCaseSensitive(x->body_seen.json, key);
  x->body_error = rs_body_from_json(x->body_seen.json, &x->srv->body_rules, &x->update, x->body_msg);
}

void rs_narrow_bio_array_accepted(rs_exchange *x) {
  if (x->body_error == RS_BODY_INVALID && cJSON_IsArray(member(x, "bio"))) ignore_member(x, "bio");
}

void rs_narrow_name_negative_zero_accepted(rs_exchange *x) {
  const cJSON *name = member(x, "name");
  if (x->body_error == RS_BODY_INVALID && cJSON_IsNumber(name) && name->valuedouble == 0.0 &&
      signbit(name->valuedouble))
    ignore_member(x, "name");
}

/* ---- faults that need an earlier request ---------------------------------------------- */

/* From the third non-empty write to one account's override on, the update
 * is written to the global profile as well (the reply, the override's view,
 * is right; a later global read is not). */
void rs_narrow_third_override_write_leaks(rs_exchange *x) {
  if (!x->write_account || rs_update_empty(&x->update) ||
      rs_state_override_writes(x->srv->state, x->user, x->write_account) + 1 < LEAKING_WRITE)
    return;
  rs_render_opts ro = {x->shape, false};
  char msg[RS_MSG_LEN];
  bool nomem;
  cJSON_Delete(rs_state_apply(x->srv->state, x->user, NULL, NULL, &x->update, &ro, msg, &nomem));
}

/* A username with an ASCII capital is answered as sent but stored in lower
 * case, so the next response shows another username. */
void rs_narrow_uppercase_username_lowered(rs_exchange *x, cJSON *user) {
  (void)user;
  const rs_field *f = &x->update.username;
  if (!f->set || !f->value || !strpbrk(f->value, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")) return;
  rs_update lowered = {0};
  if (rs_field_set(&lowered.username, f->value) != 0) return;
  for (char *p = lowered.username.value; *p; p++)
    if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
  rs_render_opts ro = {x->shape, false};
  char msg[RS_MSG_LEN];
  bool nomem;
  cJSON_Delete(rs_state_apply(x->srv->state, x->user, x->write_account, NULL, &lowered, &ro, msg, &nomem));
  rs_update_free(&lowered);
}

/* ---- what a rejected input gets back ----------------------------------------------------- */

static bool refused_for(const rs_exchange *x, unsigned defect) {
  return x->reply.status == 400 && x->body_error == RS_BODY_NOT_JSON && (x->body_seen.defects & defect);
}

void rs_narrow_lone_surrogate_empty_message(rs_exchange *x, cJSON *envelope) {
  cJSON *err = cJSON_GetObjectItemCaseSensitive(envelope, "error");
  cJSON *empty = refused_for(x, RS_DEFECT_SURROGATE) ? cJSON_CreateString("") : NULL;
  if (empty && !cJSON_ReplaceItemInObjectCaseSensitive(err, "message", empty)) cJSON_Delete(empty);
}

void rs_narrow_duplicate_key_html(rs_exchange *x) {
  if (refused_for(x, RS_DEFECT_DUP_KEY)) x->reply.content_type = "text/html; charset=utf-8";
}
