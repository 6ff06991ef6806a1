/* Update semantics. These change the profile, so they run only against the
 * embedded server or with --allow-writes, alone (exclusive state lock).
 * Whatever path a case body returns by, wc_case_close puts name, bio and
 * username back from the run's snapshot before it releases the lock, so the
 * other cases never see these values; the end-of-run restore and the
 * journal remain the safety net (runner_journal.c, docs/run.md).
 * Values come from the seed: the same seed sends the same names. */
#include "case_support.h"

static const char *const unsent_after_name[] = {"bio", "username", "profile_picture", "id", "created_at",
                                                NULL};
static const char *const unsent_after_bio_username[] = {"name", "profile_picture", "id", "created_at",
                                                        NULL};
static const char *const restorable[] = {"name", "bio", "username", NULL};

/* Sends desc and returns the user object of a 200, NULL otherwise. */
static const cJSON *send_for_user(wc_case *c, const wc_request_desc *d, const char *what, wc_sent *sent) {
  const wc_response *r = wc_case_send(c, d, what, WC_SEND_POSITIVE, sent);
  if (!r) return NULL;
  const cJSON *j = wc_response_json(r);
  return wc_response_status(r) == 200 && cJSON_IsObject(j) ? j : NULL;
}

/* The body as sent, for wc_check_reflected. */
static cJSON *body_of(const wc_request_desc *d) {
  cJSON *b = cJSON_CreateObject();
  if (d->name.kind == WC_FIELD_STRING) cJSON_AddStringToObject(b, "name", d->name.value);
  if (d->bio.kind == WC_FIELD_STRING) cJSON_AddStringToObject(b, "bio", d->bio.value);
  if (d->username.kind == WC_FIELD_STRING) cJSON_AddStringToObject(b, "username", d->username.value);
  return b;
}

static void reflect(wc_case *c, const wc_request_desc *d, const cJSON *user, int exchange) {
  cJSON *b = body_of(d);
  wc_check_reflected(user, b, exchange, wc_case_obs(c));
  cJSON_Delete(b);
}

static void refused(wc_case *c, const char *req, const wc_sent *sent, const char *what) {
  wc_observe(wc_case_obs(c), req, WC_OBS_FAIL, sent->exchange, "%s: expected 200 with the user", what);
}

/* profile_picture is written with an upload id and read back as a url: it
 * cannot be put back, so it is only set with --allow-picture-writes. */
static void update_picture(wc_case *c) {
  if (!wc_case_picture_writes(c)) {
    wc_observe(wc_case_obs(c), WC_REQ_UPD_REFLECTED, WC_OBS_SKIP, 0,
               "profile_picture not set: it cannot be restored (--allow-picture-writes)");
    return;
  }
  const char *id = wc_case_picture_id(c);
  if (!id) {
    wc_observe(wc_case_obs(c), WC_REQ_UPD_REFLECTED, WC_OBS_SKIP, 0,
               "profile_picture not set: needs --picture-id (the id of an uploaded file)");
    return;
  }
  wc_request_desc d = wc_case_pinned(c);
  d.picture_id = (wc_field){.kind = WC_FIELD_STRING, .value = id};
  wc_sent sent;
  const cJSON *u = send_for_user(c, &d, "PATCH {profile_picture: {id}}", &sent);
  if (!u) {
    if (!wc_case_stopped(c)) refused(c, WC_REQ_UPD_REFLECTED, &sent, "PATCH {profile_picture: {id}}");
    return;
  }
  const cJSON *url = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(u, "profile_picture"), "url");
  if (cJSON_IsString(url) && url->valuestring[0])
    wc_observe(wc_case_obs(c), WC_REQ_UPD_REFLECTED, WC_OBS_PASS, sent.exchange,
               "profile_picture set by id is returned with a url");
  else
    wc_observe(wc_case_obs(c), WC_REQ_UPD_REFLECTED, WC_OBS_FAIL, sent.exchange,
               "profile_picture set by id, but the response has no picture url");
}

WC_CASE(updates, update_fields, WC_CASE_WRITES,
        WC_REQ_UPD_REFLECTED " " WC_REQ_UPD_UNSENT " " WC_REQ_UPD_EMPTY) {
  if (!wc_case_need(c, WC_CRED_TOKEN) || !wc_case_need_writes(c)) return;
  wc_sent sent;
  wc_request_desc d = wc_case_pinned(c);
  const cJSON *before = send_for_user(c, &d, "PATCH {} (state before the updates)", &sent);
  if (!before) {
    if (!wc_case_stopped(c)) refused(c, WC_REQ_UPD_EMPTY, &sent, "PATCH {}");
    wc_case_skip_rest(c, "no user to start from");
    return;
  }
  /* {} twice: nothing may change between the two. */
  const cJSON *again = send_for_user(c, &d, "PATCH {} (changes nothing)", &sent);
  if (!again) {
    if (!wc_case_stopped(c)) refused(c, WC_REQ_UPD_EMPTY, &sent, "PATCH {}");
    wc_case_skip_rest(c, "PATCH {} did not return the user");
    return;
  }
  wc_check_unchanged(WC_REQ_UPD_EMPTY, before, again, wc_profile_members, sent.exchange,
                     "PATCH {} compared with the state before", wc_case_obs(c));

  char name[48], bio[64], username[48];
  /* A character outside the BMP (4 UTF-8 bytes) and an accented one: real
   * names carry both, and both must come back byte for byte. */
  wc_case_random_token(c, "whopconf \xf0\x9f\xa6\x89 ", name, sizeof name);
  wc_case_random_token(c, "whopconf conformance bio, caf\xc3\xa9 ", bio, sizeof bio);
  wc_case_random_token(c, "wc_", username, sizeof username);

  wc_request_desc upd = wc_case_pinned(c);
  upd.name = (wc_field){.kind = WC_FIELD_STRING, .value = name};
  const cJSON *after_name = send_for_user(c, &upd, "PATCH {name}", &sent);
  if (!after_name) {
    if (!wc_case_stopped(c)) refused(c, WC_REQ_UPD_REFLECTED, &sent, "PATCH {name}");
    wc_case_skip_rest(c, "the update of name was not accepted");
    return;
  }
  reflect(c, &upd, after_name, sent.exchange);
  wc_check_unchanged(WC_REQ_UPD_UNSENT, again, after_name, unsent_after_name, sent.exchange,
                     "fields not sent with {name}", wc_case_obs(c));

  upd = wc_case_pinned(c);
  upd.bio = (wc_field){.kind = WC_FIELD_STRING, .value = bio};
  upd.username = (wc_field){.kind = WC_FIELD_STRING, .value = username};
  const cJSON *after_two = send_for_user(c, &upd, "PATCH {bio, username}", &sent);
  if (!after_two) {
    if (!wc_case_stopped(c)) refused(c, WC_REQ_UPD_REFLECTED, &sent, "PATCH {bio, username}");
    return;
  }
  reflect(c, &upd, after_two, sent.exchange);
  wc_check_unchanged(WC_REQ_UPD_UNSENT, after_name, after_two, unsent_after_bio_username, sent.exchange,
                     "fields not sent with {bio, username}", wc_case_obs(c));

  /* The updates were stored, and {} still changes nothing. */
  const cJSON *stored = send_for_user(c, &d, "PATCH {} (after the updates)", &sent);
  if (!stored) return;
  wc_check_unchanged(WC_REQ_UPD_EMPTY, after_two, stored, wc_profile_members, sent.exchange,
                     "PATCH {} compared with the state after the updates", wc_case_obs(c));
  update_picture(c);
}

WC_CASE(updates, account_isolation, WC_CASE_WRITES, WC_REQ_UPD_ISOLATION) {
  if (!wc_case_need(c, WC_CRED_TOKEN) || !wc_case_need_writes(c)) return;
  if (wc_case_account_count(c) < 2) {
    wc_case_skip_rest(c, "needs two accounts (--account-id twice)");
    return;
  }
  const char *a = wc_case_account(c, 0), *b = wc_case_account(c, 1);
  wc_sent sent;
  char what[200];
  wc_request_desc global = wc_case_pinned(c);
  wc_request_desc view_b = wc_case_pinned(c);
  view_b.account_id = b;
  const cJSON *g0 = send_for_user(c, &global, "PATCH {} (global profile before)", &sent);
  snprintf(what, sizeof what, "PATCH {} (account %.40s before)", b);
  const cJSON *b0 = g0 ? send_for_user(c, &view_b, what, &sent) : NULL;
  if (!g0 || !b0) {
    wc_case_skip_rest(c, "could not read the profiles to compare (see the exchanges)");
    return;
  }
  char name[48];
  wc_case_random_token(c, "whopconf override ", name, sizeof name);
  wc_request_desc upd = wc_case_pinned(c);
  upd.account_id = a;
  upd.name = (wc_field){.kind = WC_FIELD_STRING, .value = name};
  snprintf(what, sizeof what, "PATCH {name} with account_id %.40s", a);
  const cJSON *a1 = send_for_user(c, &upd, what, &sent);
  if (!a1) {
    if (!wc_case_stopped(c)) refused(c, WC_REQ_UPD_ISOLATION, &sent, what);
    return;
  }
  reflect(c, &upd, a1, sent.exchange);
  const cJSON *g1 = send_for_user(c, &global, "PATCH {} (global profile after the override)", &sent);
  if (g1)
    wc_check_unchanged(WC_REQ_UPD_ISOLATION, g0, g1, restorable, sent.exchange,
                       "the global profile after an override for another account", wc_case_obs(c));
  snprintf(what, sizeof what, "PATCH {} (account %.40s after the override of %.40s)", b, a);
  const cJSON *b1 = send_for_user(c, &view_b, what, &sent);
  if (b1)
    wc_check_unchanged(WC_REQ_UPD_ISOLATION, b0, b1, restorable, sent.exchange,
                       "another account's view after an override", wc_case_obs(c));
}
