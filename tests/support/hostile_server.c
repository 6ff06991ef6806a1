/* Test support: the misbehaving HTTP/1.1 server (see hostile_server.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hostile_server.h"

struct hs_server {
  int listen_fd;
  int stop_pipe[2];
  pthread_t thread;
  unsigned short port;
  char host[64];
  hs_mode mode;
  int fail_count;
  size_t big_size;
  char location[256];
  pthread_mutex_t lock;
  int connections;
  int requests;
  wc_buf log; /* every request head + body, in order */
};

void hs_watchdog(void) { alarm(60); }

double hs_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

bool hs_pause(hs_server *s, int ms) {
  struct pollfd p = {s->stop_pipe[0], POLLIN, 0};
  return poll(&p, 1, ms) > 0;
}

bool hs_send(int fd, const void *data, size_t len) {
  const char *p = data;
  while (len > 0) {
    ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= (size_t)n;
  }
  return true;
}

static bool hs_sendf(int fd, const char *fmt, ...) WC_PRINTF(2, 3);
static bool hs_sendf(int fd, const char *fmt, ...) {
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return n > 0 && hs_send(fd, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* Reads one request (head, then Content-Length bytes of body) into req.
 * Returns false on EOF, error, or stop. */
static bool hs_read_request(hs_server *s, int fd, wc_buf *req) {
  req->len = 0;
  if (req->data) req->data[0] = '\0'; /* the previous request's head must not be parsed again */
  size_t head_end = 0, need = 0;
  for (;;) {
    if (head_end == 0 && req->data) {
      char *e = strstr(req->data, "\r\n\r\n");
      if (e) {
        head_end = (size_t)(e - req->data) + 4;
        const char *cl = NULL;
        for (char *line = req->data; line < req->data + head_end;) {
          char *eol = strstr(line, "\r\n");
          if (!eol) break;
          if (strncasecmp(line, "Content-Length:", 15) == 0) cl = line + 15;
          line = eol + 2;
        }
        need = head_end + (cl ? strtoul(cl, NULL, 10) : 0);
      }
    }
    if (head_end && req->len >= need) return true;
    struct pollfd p[2] = {{fd, POLLIN, 0}, {s->stop_pipe[0], POLLIN, 0}};
    if (poll(p, 2, 10000) <= 0 || (p[1].revents & POLLIN)) return false;
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    if (wc_buf_append(req, buf, (size_t)n) != 0) return false;
  }
}

static void hs_http_date(char *out, size_t size, time_t when) {
  struct tm tm;
  gmtime_r(&when, &tm);
  strftime(out, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static const char hs_json[] = "{\"id\":\"user_1\",\"name\":\"Ada\"}";

static void hs_ok(int fd) {
  hs_sendf(fd,
           "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
           strlen(hs_json), hs_json);
}

/* HS_EARLY_ANSWER: a server refusing a body by its head alone, as servers
 * with a body limit do: the answer goes out while the client is still
 * sending, and the body is never read (the client's send buffer fills). */
static void hs_answer_early(hs_server *s, int fd) {
  char head[8192];
  size_t len = 0;
  while (len < sizeof head - 1) {
    struct pollfd p[2] = {{fd, POLLIN, 0}, {s->stop_pipe[0], POLLIN, 0}};
    if (poll(p, 2, 10000) <= 0 || (p[1].revents & POLLIN)) return;
    ssize_t n = recv(fd, head + len, 1, 0); /* byte by byte: nothing of the body is taken */
    if (n <= 0) return;
    len++;
    head[len] = '\0';
    if (len >= 4 && memcmp(head + len - 4, "\r\n\r\n", 4) == 0) break;
  }
  pthread_mutex_lock(&s->lock);
  s->requests++;
  wc_buf_append(&s->log, head, len);
  wc_buf_puts(&s->log, "\n----\n");
  pthread_mutex_unlock(&s->lock);
  static const char body[] = "{\"error\":{\"type\":\"payload_too_large\",\"message\":\"body over 64 KiB\"}}";
  hs_sendf(fd, "HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\nConnection: close\r\n"
               "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
  hs_pause(s, 3000);
}

/* Serves one request; returns true to keep the connection open. */
static bool hs_respond(hs_server *s, int fd, const wc_buf *req, int nth) {
  switch (s->mode) {
  case HS_OK: hs_ok(fd); return true;
  case HS_OK_THEN_CLOSE: hs_ok(fd); return false;
  case HS_EARLY_ANSWER: return false; /* answered by hs_answer_early */
  case HS_OK_THEN_408:
    hs_ok(fd);
    if (hs_pause(s, 100)) return false;
    hs_sendf(fd, "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    return true;
  case HS_HOP_BY_HOP:
    hs_sendf(fd,
             "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nConnection: X-Hop, keep-alive\r\n"
             "X-Hop: per-connection\r\nKeep-Alive: timeout=5\r\nUpgrade: h2c\r\nTrailer: X-Sum\r\n"
             "X-Kept: one\r\nX-Kept: two\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(hs_json), hs_json);
    return true;
  case HS_ECHO: {
    /* A hostile server reflecting the credential: in a header and the body. */
    const char *auth = strstr(req->data, "Authorization: ");
    char line[512] = "";
    if (auth) {
      const char *eol = strstr(auth, "\r\n");
      size_t n = eol ? (size_t)(eol - auth) : strlen(auth);
      if (n >= sizeof line) n = sizeof line - 1;
      memcpy(line, auth + 15, n > 15 ? n - 15 : 0);
      line[n > 15 ? n - 15 : 0] = '\0';
    }
    hs_sendf(fd, "HTTP/1.1 400 Bad Request\r\nX-Echo: %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n\r\n",
             line, req->len);
    hs_send(fd, req->data, req->len);
    return true;
  }
  case HS_SLOW_DRIP:
    hs_sendf(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n");
    for (int i = 0; i < 1000; i++)
      if (!hs_send(fd, " ", 1) || hs_pause(s, 100)) break;
    return false;
  case HS_ENDLESS_CHUNKED: {
    hs_sendf(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    char chunk[4096 + 16];
    int n = snprintf(chunk, sizeof chunk, "1000\r\n");
    memset(chunk + n, 'x', 4096);
    memcpy(chunk + n + 4096, "\r\n", 2);
    double until = hs_now_ms() + 20000;
    while (hs_now_ms() < until && hs_send(fd, chunk, (size_t)n + 4096 + 2)) {
      struct pollfd p = {s->stop_pipe[0], POLLIN, 0};
      if (poll(&p, 1, 0) > 0) break;
    }
    return false;
  }
  case HS_BIG_BODY: {
    hs_sendf(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n\r\n", s->big_size);
    char block[4096];
    for (size_t i = 0; i < sizeof block; i++) block[i] = (char)('a' + i % 26);
    for (size_t sent = 0; sent < s->big_size;) {
      size_t n = s->big_size - sent < sizeof block ? s->big_size - sent : sizeof block;
      if (!hs_send(fd, block, n)) break;
      sent += n;
    }
    return false;
  }
  case HS_SHORT_BODY:
    hs_sendf(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\":\"us");
    hs_pause(s, 50);
    return false;
  case HS_RESET_MID_BODY: {
    hs_sendf(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"id\":\"us");
    hs_pause(s, 100);
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    return false; /* close() now sends RST */
  }
  case HS_SILENCE:
    hs_pause(s, 30000);
    return false;
  case HS_GARBAGE_STATUS:
    hs_sendf(fd, "HELLO WORLD\r\nContent-Length: 2\r\n\r\n{}");
    return false;
  case HS_BAD_HEADER:
    hs_sendf(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nthis line has no colon\r\n"
                 "Content-Length: 2\r\n\r\n{}");
    return false;
  case HS_REDIRECT:
    hs_sendf(fd, "HTTP/1.1 301 Moved Permanently\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n", s->location);
    return true;
  case HS_RETRY_SECONDS:
  case HS_RETRY_DATE:
    if (nth < s->fail_count) {
      char value[64] = "1";
      if (s->mode == HS_RETRY_DATE) hs_http_date(value, sizeof value, time(NULL) + 2);
      hs_sendf(fd, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: %s\r\nContent-Type: application/json\r\n"
                   "Content-Length: 2\r\n\r\n{}", value);
      return true;
    }
    hs_ok(fd);
    return true;
  case HS_RETRY_FAR:
    hs_sendf(fd, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3600\r\nContent-Length: 2\r\n\r\n{}");
    return true;
  case HS_ALWAYS_503:
    hs_sendf(fd, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\nContent-Length: 2\r\n\r\n{}");
    return true;
  case HS_HEADER_FLOOD:
    hs_sendf(fd, "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 5000; i++)
      if (!hs_sendf(fd, "X-Flood-%d: %0100d\r\n", i, i)) return false;
    hs_sendf(fd, "Content-Length: 2\r\n\r\n{}");
    return false;
  case HS_REPEATED: {
    const char *body = "{\"error\":{\"type\":\"invalid_request\",\"message\":\"bad\"}}";
    hs_sendf(fd, "HTTP/1.1 422 Unprocessable Content\r\nContent-Type: application/problem+json\r\n"
                 "Set-Cookie: a=1\r\nX-Multi: first\r\nset-cookie: b=2\r\nX-Folded: one\r\n  two\r\n"
                 "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
    return true;
  }
  case HS_BINARY: {
    static const char body[] = "ok \xff\xfe \0 end \xC3\xA9 \xF0\x9F\x98";
    hs_sendf(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n\r\n",
             sizeof body - 1);
    hs_send(fd, body, sizeof body - 1);
    return true;
  }
  case HS_CLOSE: return false;
  }
  return false;
}

static void *hs_thread(void *arg) {
  hs_server *s = arg;
  wc_buf req;
  wc_buf_init(&req);
  for (;;) {
    struct pollfd p[2] = {{s->listen_fd, POLLIN, 0}, {s->stop_pipe[0], POLLIN, 0}};
    if (poll(p, 2, -1) < 0 && errno != EINTR) break;
    if (p[1].revents & POLLIN) break;
    if (!(p[0].revents & POLLIN)) continue;
    int fd = accept(s->listen_fd, NULL, NULL);
    if (fd < 0) continue;
    pthread_mutex_lock(&s->lock);
    s->connections++;
    pthread_mutex_unlock(&s->lock);
    if (s->mode == HS_EARLY_ANSWER) {
      hs_answer_early(s, fd);
      close(fd);
      continue;
    }
    bool keep = s->mode != HS_CLOSE;
    while (keep && hs_read_request(s, fd, &req)) {
      pthread_mutex_lock(&s->lock);
      int nth = s->requests++;
      wc_buf_append(&s->log, req.data, req.len);
      wc_buf_puts(&s->log, "\n----\n");
      pthread_mutex_unlock(&s->lock);
      keep = hs_respond(s, fd, &req, nth);
    }
    close(fd);
  }
  wc_buf_free(&req);
  return NULL;
}

hs_server *hs_start(const char *host, hs_mode mode) {
  hs_server *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->mode = mode;
  s->fail_count = 1;
  s->big_size = 1 << 20;
  snprintf(s->host, sizeof s->host, "%s", host);
  pthread_mutex_init(&s->lock, NULL);
  wc_buf_init(&s->log);
  /* An IPv6 address ("::1") when host has a colon, else IPv4. */
  bool v6 = strchr(host, ':') != NULL;
  s->listen_fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_storage a = {0};
  struct sockaddr_in *a4 = (struct sockaddr_in *)&a;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&a;
  if (v6) {
    a6->sin6_family = AF_INET6;
    inet_pton(AF_INET6, host, &a6->sin6_addr);
  } else {
    a4->sin_family = AF_INET;
    inet_pton(AF_INET, host, &a4->sin_addr);
  }
  socklen_t len = v6 ? sizeof *a6 : sizeof *a4;
  if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&a, len) != 0 || listen(s->listen_fd, 16) != 0 ||
      getsockname(s->listen_fd, (struct sockaddr *)&a, &len) != 0 || pipe(s->stop_pipe) != 0) {
    if (s->listen_fd >= 0) close(s->listen_fd);
    free(s);
    return NULL;
  }
  s->port = ntohs(v6 ? a6->sin6_port : a4->sin_port);
  return s;
}

void hs_run(hs_server *s) { pthread_create(&s->thread, NULL, hs_thread, s); }

void hs_stop(hs_server *s) {
  if (!s) return;
  if (write(s->stop_pipe[1], "x", 1) < 0) {
  }
  pthread_join(s->thread, NULL);
  close(s->listen_fd);
  close(s->stop_pipe[0]);
  close(s->stop_pipe[1]);
  pthread_mutex_destroy(&s->lock);
  wc_buf_free(&s->log);
  free(s);
}

int hs_connections(hs_server *s) {
  pthread_mutex_lock(&s->lock);
  int n = s->connections;
  pthread_mutex_unlock(&s->lock);
  return n;
}

int hs_requests(hs_server *s) {
  pthread_mutex_lock(&s->lock);
  int n = s->requests;
  pthread_mutex_unlock(&s->lock);
  return n;
}

bool hs_log_contains(hs_server *s, const char *needle) {
  pthread_mutex_lock(&s->lock);
  bool found = s->log.data && strstr(s->log.data, needle) != NULL;
  pthread_mutex_unlock(&s->lock);
  return found;
}

void hs_base(const hs_server *s, char *out, size_t size) {
  bool v6 = strchr(s->host, ':') != NULL;
  snprintf(out, size, "http://%s%s%s:%u/api/v1", v6 ? "[" : "", s->host, v6 ? "]" : "", (unsigned)s->port);
}

void hs_set_location(hs_server *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->location, sizeof s->location, fmt, ap);
  va_end(ap);
}

void hs_set_big_size(hs_server *s, size_t size) { s->big_size = size; }

unsigned short hs_port(const hs_server *s) { return s->port; }

const char *hs_location(const hs_server *s) { return s->location; }

char *hs_log_copy(hs_server *s, size_t *len) {
  pthread_mutex_lock(&s->lock);
  char *copy = malloc(s->log.len + 1);
  if (copy) {
    if (s->log.len) memcpy(copy, s->log.data, s->log.len);
    copy[s->log.len] = '\0';
    if (len) *len = s->log.len;
  }
  pthread_mutex_unlock(&s->lock);
  return copy;
}

unsigned short hs_backlog_full(int *listener, int *filler) {
  *listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(*listener, (struct sockaddr *)&a, sizeof a);
  listen(*listener, 0);
  getsockname(*listener, (struct sockaddr *)&a, &len);
  *filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  connect(*filler, (struct sockaddr *)&a, sizeof a);
  struct pollfd p = {*filler, POLLOUT, 0};
  poll(&p, 1, 1000);
  return ntohs(a.sin_port);
}

unsigned short hs_closed_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(fd, (struct sockaddr *)&a, sizeof a);
  getsockname(fd, (struct sockaddr *)&a, &len);
  close(fd);
  return ntohs(a.sin_port);
}
