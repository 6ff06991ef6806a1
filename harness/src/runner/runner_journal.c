/* Leaving the target as found: the snapshot taken before any request that
 * could change state, the put-back at the end of each update case (before it
 * releases the exclusive lock, so the other cases only ever see the profile
 * as found and a parallel run is as deterministic as a serial one), the
 * journal that survives a crash, the restore at the end (or on a signal:
 * the safety net for an update case that was stopped or killed before its
 * put-back), and the recovery of a journal an interrupted run left behind.
 *
 * Only name, bio and username can be put back: profile_picture is written
 * with an upload id and read back as a url, so a changed picture is
 * reported, never restored (docs/run.md). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "runner_internal.h"

static const char *const restorable[] = {"name", "bio", "username", NULL};

/* Keeps the members that describe the profile. */
static cJSON *profile_fields(const cJSON *user) {
  cJSON *p = cJSON_CreateObject();
  static const char *const keep[] = {"name", "bio", "username", "profile_picture"};
  for (size_t i = 0; p && i < sizeof keep / sizeof keep[0]; i++) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(user, keep[i]);
    if (v) cJSON_AddItemToObject(p, keep[i], cJSON_Duplicate(v, 1));
  }
  return p;
}

static const char *profile_label(const char *account_id, char *buf, size_t n) {
  if (!account_id) return "the global profile";
  snprintf(buf, n, "account %s", account_id);
  return buf;
}

static void msg_add(wc_buf *m, const char *fmt, const char *a, const char *b) {
  if (!m) return;
  if (m->len) wc_buf_puts(m, "; ");
  wc_buf_printf(m, fmt, a, b);
}

/* Reads the profile with PATCH {} (the operation has no GET here). */
static const cJSON *read_profile(wc_case *c, const wc_run_ctx *ctx, const char *account,
                                 const char *what) {
  wc_request_desc d = {.token = ctx->token, .api_version = ctx->api_version, .account_id = account};
  const wc_response *r = wc_case_send(c, &d, what, WC_SEND_POSITIVE, NULL);
  if (!r || wc_response_status(r) != 200) return NULL;
  const cJSON *j = wc_response_json(r);
  return cJSON_IsObject(j) ? j : NULL;
}

static void set_field(wc_field *f, const cJSON *v) {
  *f = (wc_field){.kind = WC_FIELD_STRING, .value = v->valuestring};
}

/* Reads every snapshotted profile with c and puts back what differs, in
 * snapshot order (the global profile first: an account view that only
 * inherits a global field is then already as found when it is read).
 * Returns 0 when all are as they were. */
static int restore_with(wc_case *c, const wc_run_ctx *ctx, const wc_profile_snapshot *snaps, size_t n,
                        wc_buf *message) {
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    char label[160];
    const char *who = profile_label(snaps[i].account_id, label, sizeof label);
    char what[256];
    snprintf(what, sizeof what, "PATCH {} (read %s before restoring)", who);
    const cJSON *now = read_profile(c, ctx, snaps[i].account_id, what);
    if (!now) {
      msg_add(message, "could not read %s to restore it%s", who, "");
      rc = -1;
      if (wc_case_stopped(c)) break;
      continue;
    }
    wc_request_desc d = {.token = ctx->token, .api_version = ctx->api_version,
                         .account_id = snaps[i].account_id};
    wc_field *slots[] = {&d.name, &d.bio, &d.username};
    wc_buf changed;
    wc_buf_init(&changed);
    for (size_t k = 0; restorable[k]; k++) {
      const cJSON *was = cJSON_GetObjectItemCaseSensitive(snaps[i].user, restorable[k]);
      const cJSON *is = cJSON_GetObjectItemCaseSensitive(now, restorable[k]);
      if (!was || cJSON_Compare(was, is, 1)) continue;
      if (!cJSON_IsString(was)) {
        /* The request schema takes strings only: a null cannot be sent back. */
        msg_add(message, "the %s of %s was null and cannot be put back", restorable[k], who);
        continue;
      }
      set_field(slots[k], was);
      wc_buf_printf(&changed, "%s%s", changed.len ? ", " : "", restorable[k]);
    }
    const cJSON *pic_was = cJSON_GetObjectItemCaseSensitive(snaps[i].user, "profile_picture");
    const cJSON *pic_now = cJSON_GetObjectItemCaseSensitive(now, "profile_picture");
    /* The embedded server goes away with the run: nothing to warn about. */
    if (pic_was && !ctx->embedded && !cJSON_Compare(pic_was, pic_now, 1))
      msg_add(message, "the profile_picture of %s changed and cannot be restored%s", who, "");
    if (!changed.len) {
      wc_buf_free(&changed);
      continue;
    }
    snprintf(what, sizeof what, "PATCH restoring %s of %s", changed.data, who);
    const wc_response *r = wc_case_send(c, &d, what, WC_SEND_POSITIVE, NULL);
    const cJSON *after = r && wc_response_status(r) == 200 ? wc_response_json(r) : NULL;
    bool ok = cJSON_IsObject(after);
    for (size_t k = 0; ok && restorable[k]; k++) {
      const cJSON *was = cJSON_GetObjectItemCaseSensitive(snaps[i].user, restorable[k]);
      if (cJSON_IsString(was)) ok = cJSON_Compare(was, cJSON_GetObjectItemCaseSensitive(after, restorable[k]), 1);
    }
    if (ok) {
      msg_add(message, "restored %s of %s", changed.data, who);
    } else {
      msg_add(message, "could not restore %s of %s", changed.data, who);
      rc = -1;
    }
    wc_buf_free(&changed);
  }
  return rc;
}

/* Restores every snapshot with a case of its own (teardown, recover). */
static int restore_profiles(wc_run_ctx *ctx, const wc_spec *spec, const char *case_name,
                            const wc_profile_snapshot *snaps, size_t n, wc_buf *message) {
  wc_err err;
  wc_err_clear(&err);
  wc_case *c = wc_case_open_in(ctx, spec, case_name, "", 0, true, &err);
  if (!c) {
    msg_add(message, "could not restore: %s%s", err.msg, "");
    return -1;
  }
  int rc = restore_with(c, ctx, snaps, n, message);
  wc_case_close(c, NULL);
  return rc;
}

/* ---- the snapshot, for the workers ------------------------------------------- */

/* The profiles as the journal and the snapshot file hold them: the fields
 * of profile_fields plus account_id (null for the global profile). */
static cJSON *profiles_json(const wc_run *run) {
  cJSON *profiles = cJSON_CreateArray();
  for (size_t i = 0; profiles && i < run->snap_count; i++) {
    cJSON *p = cJSON_Duplicate(run->snaps[i].user, 1);
    if (!p) continue;
    cJSON_AddItemToObject(p, "account_id", run->snaps[i].account_id
                                               ? cJSON_CreateString(run->snaps[i].account_id)
                                               : cJSON_CreateNull());
    cJSON_AddItemToArray(profiles, p);
  }
  return profiles;
}

/* Borrows the entries of a "profiles" array (journal or snapshot file). */
static size_t snapshots_from_json(const cJSON *profiles, wc_profile_snapshot *snaps, size_t max) {
  size_t n = 0;
  const cJSON *p;
  cJSON_ArrayForEach(p, profiles) {
    if (n == max || !cJSON_IsObject(p)) continue;
    const cJSON *acc = cJSON_GetObjectItemCaseSensitive(p, "account_id");
    snaps[n].account_id = cJSON_IsString(acc) ? acc->valuestring : NULL;
    snaps[n].user = (cJSON *)p;
    n++;
  }
  return n;
}

/* In the run's private directory (0700), for the workers: the journal is
 * in the report directory and only exists for a remote target. */
static int write_snapshot_file(const wc_run *run, wc_err *err) {
  cJSON *j = cJSON_CreateObject();
  if (!j) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return -1;
  }
  cJSON_AddStringToObject(j, "format", "whopconf-snapshot");
  cJSON_AddItemToObject(j, "profiles", profiles_json(run));
  char *text = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  char *path = wc_path_join(run->dir, WC_RUN_SNAPSHOT);
  int rc = -1;
  if (!text || !path) wc_err_set(err, WC_E_NOMEM, "out of memory");
  else rc = wc_write_file_atomic(path, text, 0600, err);
  free(text);
  free(path);
  return rc;
}

int wc_case_put_back(wc_case *c, const wc_run_ctx *ctx) {
  if (!ctx->token || wc_case_stopped(c)) return -1; /* the end-of-run restore does it */
  char *path = wc_path_join(ctx->run_dir, WC_RUN_SNAPSHOT);
  if (!path) return -1;
  size_t len = 0;
  char *text = wc_read_file(path, 1 << 20, &len, NULL);
  free(path);
  if (!text) return 0; /* no snapshot (no token, or setup could not read the profile) */
  cJSON *j = cJSON_ParseWithLength(text, len);
  free(text);
  wc_profile_snapshot snaps[WC_RUN_MAX_LIST + 1];
  size_t count = snapshots_from_json(cJSON_GetObjectItemCaseSensitive(j, "profiles"), snaps,
                                     sizeof snaps / sizeof snaps[0]);
  /* What cannot be put back is said once, by the end-of-run restore. */
  int rc = count ? restore_with(c, ctx, snaps, count, NULL) : 0;
  cJSON_Delete(j);
  return rc;
}

/* ---- the journal ------------------------------------------------------------- */

static int write_journal(const wc_run *run, wc_err *err) {
  cJSON *j = cJSON_CreateObject();
  if (!j) return -1;
  cJSON_AddStringToObject(j, "format", "whopconf-journal");
  cJSON_AddNumberToObject(j, "format_version", 1);
  cJSON_AddStringToObject(j, "target", run->ctx->base_url);
  cJSON_AddNumberToObject(j, "pid", (double)getpid());
  cJSON_AddStringToObject(j, "started_at", run->started_at);
  cJSON_AddStringToObject(j, "note",
                          "written by whopconf run before changing the profile; a later run against "
                          "the same target restores it; holds no credential");
  cJSON_AddItemToObject(j, "profiles", profiles_json(run));
  char *text = cJSON_Print(j);
  cJSON_Delete(j);
  if (!text) return -1;
  int rc = wc_write_file_atomic(run->journal_path, text, 0600, err);
  free(text);
  return rc;
}

int wc_run_setup(wc_run *run, wc_err *err) {
  wc_run_ctx *ctx = run->ctx;
  wc_case *c = wc_case_open_in(ctx, run->spec, WC_CASE_SETUP, "", 0, true, err);
  if (!c) return -1;
  /* The first request doubles as the reachability check; with the token it
   * is also the snapshot of the global profile. */
  wc_request_desc d = {.token = ctx->token, .api_version = ctx->api_version};
  const wc_response *r = wc_case_send(c, &d,
                                      ctx->token ? "PATCH {} (snapshot of the global profile)"
                                                 : "PATCH {} without credentials (reachability)",
                                      ctx->token ? WC_SEND_POSITIVE : 0, NULL);
  if (!r) {
    snprintf(run->setup_reason, sizeof run->setup_reason, "%s",
             wc_case_stop_reason_internal(c)[0] ? wc_case_stop_reason_internal(c)
                                                : "the target could not be reached");
    run->setup_failed = true;
    wc_case_close(c, NULL);
    wc_err_set(err, WC_E_TRANSPORT, "%s", run->setup_reason);
    return -1;
  }
  const cJSON *j = wc_response_json(r);
  if (ctx->token && wc_response_status(r) == 200 && cJSON_IsObject(j)) {
    run->snaps[0] = (wc_profile_snapshot){.account_id = NULL, .user = profile_fields(j)};
    run->snap_count = 1;
    for (size_t i = 0; i < ctx->account_count; i++) {
      char what[256];
      snprintf(what, sizeof what, "PATCH {} (snapshot of account %s)", ctx->accounts[i]);
      const cJSON *u = read_profile(c, ctx, ctx->accounts[i], what);
      if (!u) continue; /* the case on isolation reports what goes wrong */
      run->snaps[run->snap_count++] =
          (wc_profile_snapshot){.account_id = wc_strdup(ctx->accounts[i]), .user = profile_fields(u)};
    }
  }
  bool stopped = wc_case_stopped(c);
  wc_case_close(c, NULL);
  if (stopped) {
    snprintf(run->setup_reason, sizeof run->setup_reason, "the run was stopped during setup");
    run->setup_failed = true;
    wc_err_set(err, WC_E_TRANSPORT, "%s", run->setup_reason);
    return -1;
  }
  if (run->snap_count && write_snapshot_file(run, err) != 0) return -1;
  if (run->snap_count && run->journal_path && write_journal(run, err) != 0) return -1;
  return 0;
}

/* Waits (bounded) until no case holds the state lock, so a restore never
 * interleaves with a writer. */
static int wait_for_writers(const wc_run *run, long budget_ms) {
  char *path = wc_path_join(run->dir, WC_RUN_LOCK);
  if (!path) return -1;
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  free(path);
  if (fd < 0) return -1;
  double end = wc_monotonic_ms() + (double)budget_ms;
  while (flock(fd, LOCK_EX | LOCK_NB) != 0 && wc_monotonic_ms() < end) {
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return fd; /* the caller closes it, which releases the lock */
}

int wc_run_teardown(wc_run *run, wc_buf *message) {
  if (!run) return 0;
  pthread_mutex_lock(&run->teardown_lock);
  if (run->torn_down) {
    pthread_mutex_unlock(&run->teardown_lock);
    return 0;
  }
  run->torn_down = true;
  int rc = 0;
  if (run->snap_count) {
    int fd = wait_for_writers(run, 2 * run->ctx->topts.timeout_ms + 1000);
    rc = restore_profiles(run->ctx, run->spec, WC_CASE_TEARDOWN, run->snaps, run->snap_count,
                          message);
    if (fd >= 0) close(fd);
    if (run->journal_path) {
      if (rc == 0)
        unlink(run->journal_path);
      else if (message)
        wc_buf_printf(message, "%sthe journal %s is kept: the next run against this target restores it",
                      message->len ? "; " : "", run->journal_path);
    }
  }
  pthread_mutex_unlock(&run->teardown_lock);
  return rc;
}

int wc_run_put_back(wc_run *run, const char *source) {
  if (!run || !run->snap_count) return 0;
  char name[128];
  snprintf(name, sizeof name, "%.100s%s", source, WC_CASE_PUT_BACK_SUFFIX);
  return restore_profiles(run->ctx, run->spec, name, run->snaps, run->snap_count, NULL);
}

int wc_run_recover_journal(wc_run *run, wc_buf *message, wc_err *err) {
  if (!run || !run->journal_path || access(run->journal_path, F_OK) != 0) return 0;
  size_t len;
  char *text = wc_read_file(run->journal_path, 1 << 20, &len, err);
  if (!text) return -1;
  cJSON *j = cJSON_ParseWithLength(text, len);
  free(text);
  const cJSON *target = cJSON_GetObjectItemCaseSensitive(j, "target");
  const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(j, "format");
  if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "whopconf-journal") != 0 ||
      !cJSON_IsString(target)) {
    cJSON_Delete(j);
    wc_err_set(err, WC_E_PARSE, "%s is not a whopconf journal; move it away", run->journal_path);
    return -1;
  }
  if (strcmp(target->valuestring, run->ctx->base_url) != 0) {
    cJSON_Delete(j);
    return 0; /* another target (a hash collision): not ours to restore */
  }
  const cJSON *pid = cJSON_GetObjectItemCaseSensitive(j, "pid");
  if (cJSON_IsNumber(pid) && (pid_t)pid->valuedouble != getpid() && pid->valuedouble > 0 &&
      kill((pid_t)pid->valuedouble, 0) == 0) {
    wc_err_set(err, WC_E_USAGE,
               "another whopconf run (pid %.0f) against this target is in progress (journal %s); "
               "wait for it, or remove the journal if that process is not whopconf",
               pid->valuedouble, run->journal_path);
    cJSON_Delete(j);
    return -1;
  }
  if (!run->ctx->token) {
    wc_err_set(err, WC_E_USAGE,
               "the journal %s of an interrupted run needs the token to restore the profile "
               "(--token or " WC_ENV_TOKEN ")",
               run->journal_path);
    cJSON_Delete(j);
    return -1;
  }
  wc_profile_snapshot snaps[WC_RUN_MAX_LIST + 1];
  size_t n = snapshots_from_json(cJSON_GetObjectItemCaseSensitive(j, "profiles"), snaps,
                                 sizeof snaps / sizeof snaps[0]);
  const cJSON *when = cJSON_GetObjectItemCaseSensitive(j, "started_at");
  wc_buf what;
  wc_buf_init(&what);
  int rc = restore_profiles(run->ctx, run->spec, WC_CASE_RECOVER, snaps, n, &what);
  if (message)
    wc_buf_printf(message, "found the journal %s of an interrupted run (pid %.0f, started %s): %s",
                  run->journal_path, cJSON_IsNumber(pid) ? pid->valuedouble : 0.0,
                  cJSON_IsString(when) ? when->valuestring : "?",
                  what.len ? what.data : "the profiles were already as recorded");
  wc_buf_free(&what);
  cJSON_Delete(j);
  if (rc != 0) {
    wc_err_set(err, WC_E_TRANSPORT, "could not restore the profiles recorded in %s; it is kept",
               run->journal_path);
    return -1;
  }
  unlink(run->journal_path);
  return 1;
}
