/* The raw-socket responder behind the transport faults: when one is active
 * the server is just this (libmicrohttpd cannot send a malformed status line,
 * lie about Content-Length or reset a connection). One thread per
 * connection; every behaviour ends within RS_RAW_BUDGET_MS, as soon as the
 * peer leaves, or when the server stops. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "refserver_internal.h"

#define MAX_RAW_CONNS 64
#define HEAD_MAX (64 * 1024)
#define DISCARD_MAX (1024 * 1024)
#define READ_BUDGET_MS 10000.0

struct rs_raw {
  rs_server *srv;
  int listen_fd;
  rs_raw_fn fn;
  const char *name;
  pthread_t acceptor;
  pthread_mutex_t lock;
  pthread_cond_t idle;
  int fds[MAX_RAW_CONNS]; /* -1 = free slot */
  int active;
};

typedef struct conn_job {
  rs_raw *raw;
  int slot;
  int fd;
} conn_job;

/* ---- socket helpers ------------------------------------------------------- */

static bool expired(const rs_raw_conn *c) { return wc_monotonic_ms() >= c->deadline_ms || rs_server_stopping(c->srv); }

static int slice_ms(const rs_raw_conn *c, int max) {
  double left = c->deadline_ms - wc_monotonic_ms();
  return left <= 0 ? 0 : left < max ? (int)left + 1 : max;
}

/* Sends everything or gives up (peer gone, deadline, stop). */
static bool raw_send(rs_raw_conn *c, const void *data, size_t len) {
  const char *p = data;
  while (len > 0) {
    if (expired(c)) return false;
    struct pollfd pfd = {c->fd, POLLOUT, 0};
    int rc = poll(&pfd, 1, slice_ms(c, 100));
    if (rc < 0 && errno != EINTR) return false;
    if (rc <= 0) continue;
    if (pfd.revents & (POLLERR | POLLHUP)) return false;
    ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      return false;
    }
    p += n;
    len -= (size_t)n;
  }
  return true;
}

static bool raw_puts(rs_raw_conn *c, const char *s) { return raw_send(c, s, strlen(s)); }

/* Waits up to ms; false when the peer closed, the deadline passed or the
 * server stops. Whatever the peer sends meanwhile is read and dropped. */
static bool raw_wait(rs_raw_conn *c, double ms) {
  double until = wc_monotonic_ms() + ms;
  while (wc_monotonic_ms() < until) {
    if (expired(c)) return false;
    double left = until - wc_monotonic_ms();
    struct pollfd pfd = {c->fd, POLLIN, 0};
    int rc = poll(&pfd, 1, left < 100 ? (int)left + 1 : 100);
    if (rc < 0 && errno != EINTR) return false;
    if (rc <= 0) continue;
    if (pfd.revents & (POLLERR | POLLHUP)) return false;
    char sink[4096];
    ssize_t n = recv(c->fd, sink, sizeof sink, MSG_DONTWAIT);
    if (n == 0) return false;
    if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
  }
  return true;
}

static bool send_head(rs_raw_conn *c, const char *status_line, const char *extra) {
  char head[512];
  snprintf(head, sizeof head, "%s\r\nContent-Type: application/json; charset=utf-8\r\n%sConnection: close\r\n\r\n",
           status_line, extra);
  return raw_puts(c, head);
}

static bool send_head_length(rs_raw_conn *c, size_t length) {
  char extra[64];
  snprintf(extra, sizeof extra, "Content-Length: %zu\r\n", length);
  return send_head(c, "HTTP/1.1 200 OK", extra);
}

/* Reads the request head and a body of Content-Length (dropped), so the
 * client is never reset for unread bytes; fills method and path for the log. */
static bool read_request(rs_raw_conn *c, char *method, size_t mcap, char *path, size_t pcap) {
  char *head = malloc(HEAD_MAX + 1);
  if (!head) return false;
  size_t len = 0;
  char *end = NULL;
  double until = wc_monotonic_ms() + READ_BUDGET_MS;
  while (!end && len < HEAD_MAX && wc_monotonic_ms() < until && !rs_server_stopping(c->srv)) {
    struct pollfd pfd = {c->fd, POLLIN, 0};
    int rc = poll(&pfd, 1, 100);
    if (rc <= 0) continue;
    ssize_t n = recv(c->fd, head + len, HEAD_MAX - len, 0);
    if (n <= 0) break;
    len += (size_t)n;
    head[len] = '\0';
    end = strstr(head, "\r\n\r\n");
  }
  if (!end) {
    free(head);
    return false;
  }
  sscanf(head, "%15s", method);
  method[mcap - 1] = '\0';
  const char *sp = strchr(head, ' ');
  size_t i = 0;
  for (sp = sp ? sp + 1 : head; *sp && *sp != ' ' && *sp != '\r' && i + 1 < pcap; sp++)
    path[i++] = (*sp > 0x20 && *sp < 0x7F) ? *sp : '?';
  path[i] = '\0';
  size_t body = 0;
  for (char *line = strstr(head, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n"))
    if (strncasecmp(line + 2, "Content-Length:", 15) == 0) body = strtoul(line + 17, NULL, 10);
  size_t have = len - (size_t)(end + 4 - head);
  free(head);
  size_t want = body > DISCARD_MAX ? DISCARD_MAX : body;
  char sink[4096];
  while (have < want && wc_monotonic_ms() < until && !rs_server_stopping(c->srv)) {
    struct pollfd pfd = {c->fd, POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    ssize_t n = recv(c->fd, sink, sizeof sink, 0);
    if (n <= 0) return false;
    have += (size_t)n;
  }
  return true;
}

/* ---- behaviours ------------------------------------------------------------- */

void rs_raw_slow_drip(rs_raw_conn *c) {
  const char *body = c->srv->canned_user;
  size_t len = strlen(body);
  if (!send_head_length(c, len)) return;
  for (size_t i = 0; i < len; i++)
    if (!raw_send(c, body + i, 1) || !raw_wait(c, 200)) return;
}

void rs_raw_endless_chunked(rs_raw_conn *c) {
  if (!send_head(c, "HTTP/1.1 200 OK", "Transfer-Encoding: chunked\r\n")) return;
  static const char first[] = "{\"id\":\"user_Vq7Zp3KxR2mN8\",\"padding\":\"";
  char line[32];
  snprintf(line, sizeof line, "%zx\r\n", sizeof first - 1);
  if (!raw_puts(c, line) || !raw_puts(c, first) || !raw_puts(c, "\r\n")) return;
  enum { CHUNK = 16 * 1024 };
  char *chunk = malloc(CHUNK + 32);
  if (!chunk) return;
  int n = snprintf(chunk, 32, "%x\r\n", CHUNK);
  memset(chunk + n, 'a', CHUNK);
  memcpy(chunk + n + CHUNK, "\r\n", 2);
  while (raw_send(c, chunk, (size_t)n + CHUNK + 2) && raw_wait(c, 5)) {
  }
  free(chunk);
}

void rs_raw_oversized_body(rs_raw_conn *c) {
  enum { TOTAL = 64 * 1024 * 1024, BLOCK = 64 * 1024 };
  static const char prefix[] = "{\"id\":\"user_Vq7Zp3KxR2mN8\",\"username\":\"wc_ada\",\"bio\":\"";
  static const char suffix[] = "\"}";
  if (!send_head_length(c, TOTAL)) return;
  if (!raw_puts(c, prefix)) return;
  char *block = malloc(BLOCK);
  if (!block) return;
  memset(block, 'a', BLOCK);
  size_t left = TOTAL - (sizeof prefix - 1) - (sizeof suffix - 1);
  while (left > 0) {
    size_t n = left < BLOCK ? left : BLOCK;
    if (!raw_send(c, block, n)) break;
    left -= n;
  }
  free(block);
  if (left == 0) raw_puts(c, suffix);
}

void rs_raw_deep_nesting(rs_raw_conn *c) {
  enum { DEPTH = 100000 };
  char *body = malloc(2 * DEPTH);
  if (!body) return;
  memset(body, '[', DEPTH);
  memset(body + DEPTH, ']', DEPTH);
  if (send_head_length(c, 2 * DEPTH)) raw_send(c, body, 2 * DEPTH);
  free(body);
}

void rs_raw_truncated_body(rs_raw_conn *c) {
  const char *body = c->srv->canned_user;
  size_t len = strlen(body);
  if (send_head_length(c, len + 100)) raw_send(c, body, len);
}

void rs_raw_reset(rs_raw_conn *c) {
  const char *body = c->srv->canned_user;
  size_t len = strlen(body);
  if (!send_head_length(c, len) || !raw_send(c, body, len / 2)) return;
  raw_wait(c, 50);
  /* Linger 0: close() sends RST instead of FIN. */
  struct linger lg = {1, 0};
  setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

void rs_raw_silence(rs_raw_conn *c) {
  while (raw_wait(c, 1000)) {
  }
}

void rs_raw_malformed_status(rs_raw_conn *c) {
  const char *body = c->srv->canned_user;
  char extra[64];
  snprintf(extra, sizeof extra, "Content-Length: %zu\r\n", strlen(body));
  if (send_head(c, "HTTP/1.1 2OO OK", extra)) raw_puts(c, body);
}

/* ---- threads ------------------------------------------------------------------ */

static void *conn_main(void *arg) {
  conn_job *job = arg;
  rs_raw *raw = job->raw;
  rs_raw_conn c = {raw->srv, job->fd, wc_monotonic_ms() + RS_RAW_BUDGET_MS};
  char method[16] = "", path[200] = "";
  if (read_request(&c, method, sizeof method, path, sizeof path)) {
    rs_server_logf(raw->srv, "%s %s raw:%s", method, path, raw->name);
    raw->fn(&c);
  }
  pthread_mutex_lock(&raw->lock);
  close(job->fd);
  raw->fds[job->slot] = -1;
  raw->active--;
  pthread_cond_broadcast(&raw->idle);
  pthread_mutex_unlock(&raw->lock);
  free(job);
  return NULL;
}

static void start_conn(rs_raw *raw, int fd) {
  pthread_mutex_lock(&raw->lock);
  int slot = -1;
  for (int i = 0; i < MAX_RAW_CONNS && slot < 0; i++)
    if (raw->fds[i] < 0) slot = i;
  conn_job *job = slot >= 0 ? malloc(sizeof *job) : NULL;
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (job) {
    *job = (conn_job){raw, slot, fd};
    raw->fds[slot] = fd;
    raw->active++;
    if (pthread_create(&t, &attr, conn_main, job) != 0) {
      raw->fds[slot] = -1;
      raw->active--;
      free(job);
      job = NULL;
    }
  }
  pthread_attr_destroy(&attr);
  pthread_mutex_unlock(&raw->lock);
  if (!job) close(fd);
}

static void *acceptor_main(void *arg) {
  rs_raw *raw = arg;
  while (!rs_server_stopping(raw->srv)) {
    struct pollfd pfd = {raw->listen_fd, POLLIN, 0};
    if (poll(&pfd, 1, 100) <= 0) continue;
    int fd = accept(raw->listen_fd, NULL, NULL);
    if (fd < 0) continue;
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    start_conn(raw, fd);
  }
  return NULL;
}

rs_raw *rs_raw_start(rs_server *srv, int listen_fd, rs_raw_fn fn, const char *name, wc_err *err) {
  rs_raw *raw = calloc(1, sizeof *raw);
  if (!raw) {
    wc_err_set(err, WC_E_NOMEM, "out of memory");
    return NULL;
  }
  raw->srv = srv;
  raw->listen_fd = listen_fd;
  raw->fn = fn;
  raw->name = name;
  for (int i = 0; i < MAX_RAW_CONNS; i++) raw->fds[i] = -1;
  pthread_mutex_init(&raw->lock, NULL);
  pthread_cond_init(&raw->idle, NULL);
  if (pthread_create(&raw->acceptor, NULL, acceptor_main, raw) != 0) {
    wc_err_set(err, WC_E_INTERNAL, "cannot start the raw responder thread");
    pthread_mutex_destroy(&raw->lock);
    pthread_cond_destroy(&raw->idle);
    free(raw);
    return NULL;
  }
  return raw;
}

/* The server's stopping flag is already set: the acceptor ends within one
 * poll slice, connections within one wait slice (their sockets are shut
 * down to cut blocking sends short). */
void rs_raw_stop(rs_raw *raw) {
  if (!raw) return;
  pthread_join(raw->acceptor, NULL);
  pthread_mutex_lock(&raw->lock);
  for (int i = 0; i < MAX_RAW_CONNS; i++)
    if (raw->fds[i] >= 0) shutdown(raw->fds[i], SHUT_RDWR);
  while (raw->active > 0) pthread_cond_wait(&raw->idle, &raw->lock);
  pthread_mutex_unlock(&raw->lock);
  pthread_mutex_destroy(&raw->lock);
  pthread_cond_destroy(&raw->idle);
  free(raw);
}
