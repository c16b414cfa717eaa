/* SPDX-License-Identifier: Apache-2.0 */
/* Region allocator (nginx pools): everything decoded for one transaction is carved from one
 * arena and released in one call when the transaction is acknowledged downstream. */
#ifndef SL_CORE_ARENA_H
#define SL_CORE_ARENA_H

#include <stddef.h>

#include "core/str.h"

struct sl_arena_block;

struct sl_arena {
    struct sl_arena_block *head; /* private */
    size_t block_size;           /* private */
    size_t used;                 /* bytes handed out since the last reset */
};

void sl_arena_init(struct sl_arena *arena, size_t block_size);
/* Uninitialised memory aligned for any type. Never NULL (aborts on OOM). */
void *sl_arena_alloc(struct sl_arena *arena, size_t n);
void *sl_arena_calloc(struct sl_arena *arena, size_t nmemb, size_t size);
char *sl_arena_strndup(struct sl_arena *arena, const char *s, size_t n);
/* Copies the view's bytes into the arena (NUL-terminated) and returns a view of the copy. */
struct sl_str sl_arena_str(struct sl_arena *arena, struct sl_str s);
/* Releases everything handed out; keeps up to 16 MiB of standard blocks for reuse. */
void sl_arena_reset(struct sl_arena *arena);
void sl_arena_fini(struct sl_arena *arena);

#endif
