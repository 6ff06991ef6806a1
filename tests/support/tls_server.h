/* Test support: a TLS server (libmicrohttpd with GnuTLS) answering 200 with a
 * small JSON user, using a self-signed P-256 certificate for 127.0.0.1 (and
 * nothing else) generated at start by the openssl CLI in a temporary
 * directory, which tls_stop removes. */
#ifndef WHOPCONF_TESTS_TLS_SERVER_H
#define WHOPCONF_TESTS_TLS_SERVER_H

typedef struct tls_server tls_server;

/* Listening on 127.0.0.1 and an ephemeral port, or NULL with *why saying
 * what was missing (the openssl CLI, a TLS-capable libmicrohttpd, memory). */
tls_server *tls_start(const char **why);
/* Stops the daemon, removes the certificate directory, frees s (NULL is fine). */
void tls_stop(tls_server *s);

unsigned short tls_port(const tls_server *s);
/* The certificate file, usable as a CA bundle (--cacert). */
const char *tls_cert_path(const tls_server *s);
/* Requests served so far; *with_bearer (when given): how many of them
 * carried an Authorization: Bearer header. */
int tls_requests(tls_server *s, int *with_bearer);

#endif
