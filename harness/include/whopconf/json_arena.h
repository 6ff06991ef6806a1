/* whopconf: a per-thread bump arena for cJSON's allocations.
 *
 * Parsing a body with cJSON costs one malloc per node and one free per node;
 * on the judge's hot path that is a large share of the time. cJSON's hooks
 * (cJSON_InitHooks) are process-wide, so the arena is per thread: the hooks,
 * installed once, serve an allocation from the calling thread's arena while
 * that thread is inside wc_json_arena_begin/end, and from malloc otherwise
 * (also when the arena is full). free of an arena block is a no-op; the
 * arena is reset as a whole at wc_json_arena_end.
 *
 * Rules: install before any thread parses (cJSON_InitHooks is not
 * thread-safe); every tree built inside begin/end is deleted before end, on
 * the same thread. Each thread's arena is allocated on its first begin and
 * released when the thread exits. */
#ifndef WHOPCONF_JSON_ARENA_H
#define WHOPCONF_JSON_ARENA_H

#include <stdbool.h>
#include <stddef.h>

#define WC_JSON_ARENA_SIZE ((size_t)1 << 20) /* per thread */

/* Installs (or removes: cJSON's default allocator again) the hooks.
 * Idempotent. Remove only when no tree built under the hooks is alive. */
void wc_json_arena_install(void);
void wc_json_arena_uninstall(void);

/* This thread's cJSON allocations come from its arena until end. Returns
 * false (and changes nothing) when the hooks are not installed, when the
 * thread is already inside, or when the arena cannot be allocated. */
bool wc_json_arena_begin(void);
/* Everything allocated since begin is gone. */
void wc_json_arena_end(void);

/* Bytes served from this thread's arena since begin (for the tests). */
size_t wc_json_arena_used(void);

#endif
