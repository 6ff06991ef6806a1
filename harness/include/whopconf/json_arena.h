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
 * Regions nest (last begun, first ended): a reader can keep an entry's tree
 * in an outer region, close that region to new allocations with
 * wc_json_arena_hold, and let the judge parse bodies in an inner one; while
 * the innermost region is held, allocations come from malloc again, so
 * long-lived trees (report records) never land in the arena.
 *
 * Rules: install before any thread parses (cJSON_InitHooks is not
 * thread-safe); every tree built inside a region is deleted before its end,
 * on the same thread. Each thread's arena is allocated on its first begin
 * and released when the thread exits. */
#ifndef WHOPCONF_JSON_ARENA_H
#define WHOPCONF_JSON_ARENA_H

#include <stdbool.h>
#include <stddef.h>

#define WC_JSON_ARENA_SIZE ((size_t)1 << 20) /* per thread */
#define WC_JSON_ARENA_MAX_DEPTH 4             /* regions open at once */

/* Installs (or removes: cJSON's default allocator again) the hooks.
 * Idempotent. Remove only when no tree built under the hooks is alive. */
void wc_json_arena_install(void);
void wc_json_arena_uninstall(void);

/* Opens a region: this thread's cJSON allocations come from its arena until
 * the matching end (or a hold). Returns false (and changes nothing) when the
 * hooks are not installed, when WC_JSON_ARENA_MAX_DEPTH regions are open, or
 * when the arena cannot be allocated; call end only after a true. */
bool wc_json_arena_begin(void);
/* Closes the innermost region: everything allocated since its begin is
 * gone. */
void wc_json_arena_end(void);
/* The innermost region keeps what it holds but takes no new allocations
 * (malloc serves them) until its end; a region begun inside it takes them
 * again until that one ends. */
void wc_json_arena_hold(void);

/* False when everything the innermost region allocated came from the arena
 * (the arena was never full inside it): its trees then need no
 * cJSON_Delete, end releases them all. True outside any region. */
bool wc_json_arena_spilled(void);

/* Bytes of this thread's arena in use by open regions (for the tests). */
size_t wc_json_arena_used(void);

#endif
