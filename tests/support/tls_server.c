/* Test support: the TLS server (see tls_server.h). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tls_server.h"
#include "whopconf/common.h"

struct tls_server {
  struct MHD_Daemon *daemon;
  unsigned short port;
  char dir[64];
  char cert_path[128];
  char *cert_pem;
  char *key_pem;
  pthread_mutex_t lock;
  int requests;
  int with_bearer; /* requests that carried an Authorization: Bearer header */
};

/* Runs argv with stdout/stderr silenced; returns the exit status. */
static int tls_run(char *const argv[]) {
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execvp(argv[0], argv);
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool tls_make_cert(tls_server *s) {
  snprintf(s->dir, sizeof s->dir, "/tmp/wc_tls_XXXXXX");
  if (!mkdtemp(s->dir)) return false;
  char key[128];
  snprintf(key, sizeof key, "%s/key.pem", s->dir);
  snprintf(s->cert_path, sizeof s->cert_path, "%s/cert.pem", s->dir);
  char *argv[] = {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                  "-nodes", "-keyout", key, "-out", s->cert_path, "-days", "1", "-subj", "/CN=127.0.0.1",
                  "-addext", "subjectAltName=IP:127.0.0.1", NULL};
  if (tls_run(argv) != 0) return false;
  wc_err err;
  size_t len;
  s->key_pem = wc_read_file(key, 1 << 16, &len, &err);
  s->cert_pem = wc_read_file(s->cert_path, 1 << 16, &len, &err);
  return s->key_pem && s->cert_pem;
}

static enum MHD_Result tls_handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                   const char *version, const char *upload_data, size_t *upload_data_size,
                                   void **req_cls) {
  (void)url;
  (void)method;
  (void)version;
  (void)upload_data;
  tls_server *s = cls;
  static int marker;
  if (*req_cls == NULL) { /* headers arrived; the body (if any) follows */
    *req_cls = &marker;
    return MHD_YES;
  }
  if (*upload_data_size > 0) {
    *upload_data_size = 0;
    return MHD_YES;
  }
  const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
  pthread_mutex_lock(&s->lock);
  s->requests++;
  if (auth && strncmp(auth, "Bearer ", 7) == 0) s->with_bearer++;
  pthread_mutex_unlock(&s->lock);
  static const char body[] = "{\"id\":\"user_1\"}";
  struct MHD_Response *r = MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(r, "Content-Type", "application/json");
  enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ret;
}

tls_server *tls_start(const char **why) {
  tls_server *s = calloc(1, sizeof *s);
  if (!s) {
    *why = "out of memory";
    return NULL;
  }
  pthread_mutex_init(&s->lock, NULL);
  if (!tls_make_cert(s)) {
    *why = "openssl could not make a certificate (is the openssl CLI installed?)";
    tls_stop(s);
    return NULL;
  }
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  s->daemon = MHD_start_daemon(MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, tls_handler, s,
                               MHD_OPTION_HTTPS_MEM_KEY, s->key_pem, MHD_OPTION_HTTPS_MEM_CERT, s->cert_pem,
                               MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&a, MHD_OPTION_CONNECTION_TIMEOUT,
                               (unsigned int)10, MHD_OPTION_END);
  const union MHD_DaemonInfo *info =
      s->daemon ? MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT) : NULL;
  if (!info || info->port == 0) {
    *why = "libmicrohttpd could not start a TLS daemon";
    tls_stop(s);
    return NULL;
  }
  s->port = info->port;
  return s;
}

void tls_stop(tls_server *s) {
  if (!s) return;
  if (s->daemon) MHD_stop_daemon(s->daemon);
  char path[160];
  snprintf(path, sizeof path, "%s/key.pem", s->dir);
  unlink(path);
  unlink(s->cert_path);
  rmdir(s->dir);
  free(s->key_pem);
  free(s->cert_pem);
  pthread_mutex_destroy(&s->lock);
  free(s);
}

int tls_requests(tls_server *s, int *with_bearer) {
  pthread_mutex_lock(&s->lock);
  int n = s->requests;
  if (with_bearer) *with_bearer = s->with_bearer;
  pthread_mutex_unlock(&s->lock);
  return n;
}

unsigned short tls_port(const tls_server *s) { return s->port; }

const char *tls_cert_path(const tls_server *s) { return s->cert_path; }
