/* `whopconf serve` end to end: the real binary, its first line, requests,
 * signals, exit codes and --list-faults. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support/params.h"
#include "support/refserver_client.h"
#include "whopconf/catalog.h"

extern char **environ;

#define WHOPCONF WC_BINARY_DIR "/whopconf"

typedef struct proc {
  pid_t pid;
  int out, err; /* read ends */
} proc;

/* Our environment without BoxFort's: a child that inherits BXFI_* takes
 * itself for a Criterion worker. */
static char **clean_environment(void) {
  static char *env[512];
  size_t n = 0;
  for (char **e = environ; *e && n + 1 < sizeof env / sizeof env[0]; e++)
    if (strncmp(*e, "BXFI_", 5) != 0) env[n++] = *e;
  env[n] = NULL;
  return env;
}

static proc spawn(const char *const *args) {
  int o[2], e[2];
  cr_assert(pipe(o) == 0 && pipe(e) == 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, o[1], 1);
  posix_spawn_file_actions_adddup2(&fa, e[1], 2);
  posix_spawn_file_actions_addclose(&fa, o[0]);
  posix_spawn_file_actions_addclose(&fa, e[0]);
  proc p = {0, o[0], e[0]};
  int rc = posix_spawn(&p.pid, WHOPCONF, &fa, NULL, (char *const *)args, clean_environment());
  posix_spawn_file_actions_destroy(&fa);
  close(o[1]);
  close(e[1]);
  cr_assert_eq(rc, 0, "cannot start %s", WHOPCONF);
  return p;
}

/* Reads fd until EOF or timeout; caller frees. */
static char *slurp(int fd, int timeout_ms) {
  size_t len = 0, cap = 4096;
  char *buf = malloc(cap);
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    clock_gettime(CLOCK_MONOTONIC, &t);
    int left = timeout_ms - (int)((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
    struct pollfd pfd = {fd, POLLIN, 0};
    if (left <= 0 || poll(&pfd, 1, left) <= 0) break;
    if (len + 1024 >= cap) buf = realloc(buf, cap *= 2);
    ssize_t n = read(fd, buf + len, cap - len - 1);
    if (n <= 0) break;
    len += (size_t)n;
  }
  buf[len] = '\0';
  return buf;
}

/* The first line (without the newline), read byte by byte. */
static void first_line(int fd, char *out, size_t cap) {
  size_t n = 0;
  for (;;) {
    struct pollfd pfd = {fd, POLLIN, 0};
    cr_assert_gt(poll(&pfd, 1, 10000), 0, "no first line within 10 s");
    char c;
    if (read(fd, &c, 1) != 1 || c == '\n') break;
    if (n + 1 < cap) out[n++] = c;
  }
  out[n] = '\0';
}

static int wait_exit(pid_t pid, int timeout_ms) {
  int status = 0;
  for (int waited = 0; waited < timeout_ms; waited += 10) {
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    usleep(10 * 1000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  cr_assert_fail("process did not exit within %d ms", timeout_ms);
  return -1;
}

/* Runs a short command; returns its exit code, fills stdout/stderr. */
static int run(const char *const *args, char **out, char **err) {
  proc p = spawn(args);
  *out = slurp(p.out, 10000);
  *err = slurp(p.err, 2000);
  close(p.out);
  close(p.err);
  return wait_exit(p.pid, 10000);
}

typedef struct served {
  proc p;
  test_srv t; /* t.srv unused: origin and curl handle only */
  char url[160];
} served;

static void serve(served *s, const char *const *args) {
  s->p = spawn(args);
  first_line(s->p.out, s->url, sizeof s->url);
  unsigned port = 0;
  cr_assert_eq(sscanf(s->url, "http://127.0.0.1:%u/api/v1", &port), 1, "first line: %s", s->url);
  char expected[160];
  snprintf(expected, sizeof expected, "http://127.0.0.1:%u/api/v1", port);
  cr_assert_str_eq(s->url, expected);
  snprintf(s->t.origin, sizeof s->t.origin, "http://127.0.0.1:%u", port);
  s->t.h = curl_easy_init();
}

static char *stop(served *s, int sig, int *code) {
  curl_easy_cleanup(s->t.h);
  kill(s->p.pid, sig);
  *code = wait_exit(s->p.pid, 5000);
  char *err = slurp(s->p.err, 2000);
  close(s->p.out);
  close(s->p.err);
  return err;
}

Test(serve, prints_url_serves_logs_and_stops_on_sigterm) {
  served s;
  serve(&s, (const char *const[]){WHOPCONF, "serve", NULL});
  cJSON *u = expect_user(&s.t, &req_patch("{\"name\": \"From the CLI\"}"));
  cr_assert_str_eq(jstr(u, "name"), "From the CLI");
  cJSON_Delete(u);
  expect_error(&s.t, &(http_req){.method = "GET", .token = TOKEN}, 405, "method_not_allowed", NULL);
  expect_error(&s.t, &(http_req){.token = API_KEY, .version = LATEST, .body = "{}"}, 400, NULL, NULL);
  int code;
  char *err = stop(&s, SIGTERM, &code);
  cr_assert_eq(code, 0, "exit %d: %s", code, err);
  cr_assert(strstr(err, "PATCH /api/v1/users/me 200 "), "%s", err);
  cr_assert(strstr(err, "GET /api/v1/users/me 405 "), "%s", err);
  cr_assert_null(strstr(err, TOKEN));
  cr_assert_null(strstr(err, API_KEY));
  free(err);
}

Test(serve, stops_on_sigint) {
  served s;
  serve(&s, (const char *const[]){WHOPCONF, "serve", "--port", "0", "--host", "127.0.0.1", NULL});
  int code;
  char *err = stop(&s, SIGINT, &code);
  cr_assert_eq(code, 0);
  free(err);
}

Test(serve, options_reach_the_server) {
  served s;
  serve(&s, (const char *const[]){WHOPCONF, "serve", "--user-token", "tok_a", "--token-without-scope=tok_b",
                                   "--api-key", "key_c", "--known-version", "2025-01-01", "--known-version",
                                   "2026-07-20", "--show-balances", "--max-body", "64", "--fault", "id-no-prefix",
                                   NULL});
  http_req rq = {.token = "tok_a", .version = "2026-07-20", .body = "{}"};
  cJSON *u = expect_user(&s.t, &rq);
  cr_assert_str_eq(jstr(u, "id"), "Vq7Zp3KxR2mN8");
  cr_assert_str_eq(jstr(u, "total_usd"), "2635.78");
  cJSON_Delete(u);
  rq.version = LATEST; /* not in the configured list */
  expect_error(&s.t, &rq, 400, "invalid_api_version", "Supported versions: 2025-01-01, 2026-07-20");
  expect_error(&s.t, &(http_req){.token = "tok_b", .version = "2025-01-01", .body = "{}"}, 403, NULL, NULL);
  expect_error(&s.t, &(http_req){.token = "key_c", .version = "2025-01-01", .body = "{}"}, 400, NULL, "API keys");
  expect_error(&s.t, &(http_req){.token = TOKEN, .version = "2025-01-01", .body = "{}"}, 401, NULL, NULL);
  char big[128];
  memset(big, ' ', sizeof big - 1);
  big[0] = '{';
  big[sizeof big - 2] = '}';
  big[sizeof big - 1] = '\0';
  expect_error(&s.t, &(http_req){.token = "tok_a", .version = "2025-01-01", .body = big}, 413, NULL, NULL);
  int code;
  char *err = stop(&s, SIGTERM, &code);
  cr_assert_eq(code, 0);
  cr_assert(strstr(err, "fault id-no-prefix active"), "%s", err);
  cr_assert_null(strstr(err, "tok_a"));
  free(err);
}

Test(serve, transport_fault) {
  served s;
  serve(&s, (const char *const[]){WHOPCONF, "serve", "--fault", "malformed-status-line", NULL});
  http_resp r;
  cr_assert_neq(http_do(s.t.h, s.t.origin, &req_patch("{}"), &r), CURLE_OK);
  http_resp_free(&r);
  int code;
  char *err = stop(&s, SIGTERM, &code);
  cr_assert_eq(code, 0);
  cr_assert(strstr(err, "raw:malformed-status-line"), "%s", err);
  free(err);
}

static const char *const *const bad_serve_args[] = {
    (const char *const[]){WHOPCONF, "serve", "--port", "abc", NULL},
    (const char *const[]){WHOPCONF, "serve", "--port", "70000", NULL},
    (const char *const[]){WHOPCONF, "serve", "--port", "-1", NULL},
    (const char *const[]){WHOPCONF, "serve", "--port", NULL},
    (const char *const[]){WHOPCONF, "serve", "--fault", "nope", NULL},
    (const char *const[]){WHOPCONF, "serve", "--bogus", NULL},
    (const char *const[]){WHOPCONF, "serve", "extra", NULL},
    (const char *const[]){WHOPCONF, "serve", "--max-body", "0", NULL},
    (const char *const[]){WHOPCONF, "serve", "--max-body", "12x", NULL},
    (const char *const[]){WHOPCONF, "serve", "--known-version", "", NULL},
    (const char *const[]){WHOPCONF, "serve", "--known-version", "2026 07 01", NULL},
    (const char *const[]){WHOPCONF, "serve", "--user-token", "", NULL},
    (const char *const[]){WHOPCONF, "serve", "--api-key", "a b", NULL},
    (const char *const[]){WHOPCONF, "serve", "--host", NULL},
    (const char *const[]){WHOPCONF, "serve", "--host", "no.such.host.invalid", NULL},
    (const char *const[]){WHOPCONF, "serve", "--fault", "silence", "--fault", "reset", NULL},
    (const char *const[]){WHOPCONF, "serve", "--fault", "silence", "--fault", "id-no-prefix", NULL},
    (const char *const[]){WHOPCONF, "serve", "--user-token", "same", "--api-key", "same", NULL},
};
TABLE_PARAMETERS(serve, bad_options_exit_2_with_one_line, bad_serve_args)
ParameterizedTest(const size_t *entry, serve, bad_options_exit_2_with_one_line) {
  const size_t i = *entry;
  const char *const *args = bad_serve_args[i];
  char *out, *err;
  int code = run(args, &out, &err);
  cr_assert_eq(code, 2, "case %zu (%s %s): exit %d, %s", i, args[2], args[3] ? args[3] : "", code, err);
  cr_assert_str_eq(out, "", "case %zu printed on stdout: %s", i, out);
  char *nl = strchr(err, '\n');
  cr_assert(nl && nl[1] == '\0' && strncmp(err, "whopconf serve: ", 16) == 0, "case %zu: not one line: %s", i,
            err);
  free(out);
  free(err);
}

Test(serve, list_faults) {
  char *out, *err;
  int code = run((const char *const[]){WHOPCONF, "serve", "--list-faults", NULL}, &out, &err);
  cr_assert_eq(code, 0);
  size_t conformance = 0, transport = 0, narrow = 0, lines = 0;
  for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
    char name[64], req[32], kind[32];
    int used = 0;
    cr_assert_eq(sscanf(line, "%63s %31s %31s %n", name, req, kind, &used), 3, "%s", line);
    cr_assert(line[used] != '\0', "no description: %s", line);
    cr_assert_not_null(wc_fault_find(name), "%s", name);
    if (strcmp(kind, "conformance") == 0 || strcmp(kind, "narrow") == 0) {
      cr_assert_not_null(wc_catalog_find(req), "%s: %s", name, req);
      *(strcmp(kind, "narrow") == 0 ? &narrow : &conformance) += 1;
    } else {
      cr_assert_str_eq(kind, "transport");
      cr_assert_str_eq(req, "-");
      transport++;
    }
    lines++;
  }
  cr_assert_geq(conformance, 25);
  cr_assert_eq(transport, 8);
  cr_assert_geq(narrow, 12);
  cr_assert_eq(lines, wc_fault_count());
  free(out);
  free(err);
}

Test(serve, lenient_options) {
  char *out, *err;
  int code = run((const char *const[]){WHOPCONF, "serve", "--list-lenient", NULL}, &out, &err);
  cr_assert_eq(code, 0);
  size_t lines = 0;
  for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
    char name[64];
    cr_assert_eq(sscanf(line, "%63s", name), 1, "%s", line);
    cr_assert_not_null(wc_lenient_get(lines), "%s", line);
    cr_assert_str_eq(name, wc_lenient_get(lines)->name);
    lines++;
  }
  cr_assert_eq(lines, wc_lenient_count());
  cr_assert_geq(lines, 3);
  free(out);
  free(err);
}

static const char *const bad_lenient[] = {"nope", "max-name=0", "max-name=x", "max-name", "trim=1"};
TABLE_PARAMETERS(serve, bad_lenient_option_exits_2, bad_lenient)
ParameterizedTest(const size_t *i, serve, bad_lenient_option_exits_2) {
  char *out, *err;
  int code = run((const char *const[]){WHOPCONF, "serve", "--lenient", bad_lenient[*i], NULL}, &out, &err);
  cr_assert_eq(code, 2, "--lenient %s: exit %d", bad_lenient[*i], code);
  cr_assert(strstr(err, "lenient") && strchr(err, '\n') == err + strlen(err) - 1, "--lenient %s: one line: %s",
            bad_lenient[*i], err);
  free(out);
  free(err);
}

Test(serve, help) {
  char *out, *err;
  int code = run((const char *const[]){WHOPCONF, "serve", "--help", NULL}, &out, &err);
  cr_assert_eq(code, 0);
  cr_assert(strstr(out, "usage: whopconf serve") && strstr(out, "--list-faults"));
  free(out);
  free(err);
}
