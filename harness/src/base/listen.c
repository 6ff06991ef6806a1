/* A listening TCP socket for the embedded servers (the reference server and
 * the proxy): loopback unless the caller allows more, the bound port read
 * back (port 0 = an ephemeral one), and the base URL formed from it. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "whopconf/common.h"

static bool sockaddr_is_loopback(const struct sockaddr *sa) {
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) return true;
    return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127;
  }
  return false;
}

int wc_listen_tcp(const char *host, unsigned short port, bool allow_non_loopback, int backlog,
                  unsigned short *bound_port, wc_err *err) {
  struct addrinfo hints = {0}, *res = NULL;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  char service[8];
  snprintf(service, sizeof service, "%u", port);
  int rc = getaddrinfo(host, service, &hints, &res);
  if (rc != 0) {
    wc_err_set(err, WC_E_USAGE, "cannot resolve host \"%s\": %s", host, gai_strerror(rc));
    return -1;
  }
  int fd = -1;
  int last_errno = 0;
  for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
    if (!allow_non_loopback && !sockaddr_is_loopback(ai->ai_addr)) {
      wc_err_set(err, WC_E_REFUSED, "refusing to listen on non-loopback address %s (set it explicitly to allow)",
                 host);
      freeaddrinfo(res);
      return -1;
    }
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_errno = errno;
      continue;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, backlog) != 0) {
      last_errno = errno;
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd < 0) {
    wc_err_set(err, WC_E_IO, "cannot listen on %s port %u: %s", host, port, strerror(last_errno));
    return -1;
  }
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  *bound_port = port;
  if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
    *bound_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                 : ((struct sockaddr_in *)&ss)->sin_port);
  return fd;
}

void wc_http_base_url(char *out, size_t cap, const char *host, unsigned short port, const char *path) {
  bool v6 = strchr(host, ':') != NULL;
  snprintf(out, cap, "http://%s%s%s:%u%s", v6 ? "[" : "", host, v6 ? "]" : "", port, path ? path : "");
}
