/* whopconf: what the traffic modules (judge, tally, readers) share. */
#ifndef WHOPCONF_TRAFFIC_INTERNAL_H
#define WHOPCONF_TRAFFIC_INTERNAL_H

#include "whopconf/traffic.h"

/* First value of the header called name (case-insensitive) among n, or
 * NULL; *count (may be NULL) gets how many there are. */
const char *wc_wire_header_get(const wc_wire_header *headers, size_t n, const char *name, size_t *count);

#endif
