/* SPDX-License-Identifier: Apache-2.0 */
/* Region allocator; see arena.h. Large requests get a block of their own so the block size
 * bounds only the waste, never the largest allocation. */
#include "core/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "core/mem.h"

struct sl_arena_block {
    struct sl_arena_block *next;
    size_t size;
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

/* Bytes of emptied standard blocks an arena keeps across resets. */
#define SL_ARENA_KEEP ((size_t)16 << 20)

#define ALIGN(n) (((n) + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1))

void sl_arena_init(struct sl_arena *arena, size_t block_size)
{
    arena->head = NULL;
    arena->block_size = block_size ? block_size : 64 * 1024;
    arena->used = 0;
}

static struct sl_arena_block *block_new(size_t size)
{
    struct sl_arena_block *blk = sl_xmalloc(sizeof(*blk) + size);
    blk->next = NULL;
    blk->size = size;
    blk->used = 0;
    return blk;
}

void *sl_arena_alloc(struct sl_arena *arena, size_t n)
{
    n = ALIGN(n ? n : 1);
    struct sl_arena_block *blk = arena->head;
    if (!blk || blk->size - blk->used < n) {
        if (n > arena->block_size / 4) {
            /* Dedicated block, linked behind the head so the head keeps its free room. */
            struct sl_arena_block *big = block_new(n);
            big->used = n;
            if (blk) {
                big->next = blk->next;
                blk->next = big;
            } else {
                arena->head = big;
            }
            arena->used += n;
            return big->data;
        }
        /* An empty kept block right behind the head (see sl_arena_reset) is reused before
         * a new one is allocated. */
        struct sl_arena_block *spare = blk ? blk->next : NULL;
        if (spare && spare->used == 0 && spare->size == arena->block_size) {
            blk->next = spare->next;
            spare->next = blk;
            arena->head = spare;
            blk = spare;
        } else {
            blk = block_new(arena->block_size);
            blk->next = arena->head;
            arena->head = blk;
        }
    }
    void *p = blk->data + blk->used;
    blk->used += n;
    arena->used += n;
    return p;
}

void *sl_arena_calloc(struct sl_arena *arena, size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        sl_xmalloc(SIZE_MAX); /* aborts with a message */
    void *p = sl_arena_alloc(arena, nmemb * size);
    memset(p, 0, nmemb * size);
    return p;
}

char *sl_arena_strndup(struct sl_arena *arena, const char *s, size_t n)
{
    char *p = sl_arena_alloc(arena, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

struct sl_str sl_arena_str(struct sl_arena *arena, struct sl_str s)
{
    return (struct sl_str){sl_arena_strndup(arena, s.ptr, s.len), s.len};
}

void sl_arena_reset(struct sl_arena *arena)
{
    /* Standard-size blocks are kept for reuse up to SL_ARENA_KEEP bytes, so a stream of large
     * transactions does not return its memory to malloc (and fault it in again) after every
     * one; dedicated blocks of big allocations are always freed. */
    struct sl_arena_block *keep = NULL;
    size_t kept = 0;
    struct sl_arena_block *blk = arena->head;
    while (blk) {
        struct sl_arena_block *next = blk->next;
        if (blk->size == arena->block_size && kept + blk->size <= SL_ARENA_KEEP) {
            blk->used = 0;
            blk->next = keep;
            keep = blk;
            kept += blk->size;
        } else {
            sl_free(blk);
        }
        blk = next;
    }
    arena->head = keep;
    arena->used = 0;
}

void sl_arena_fini(struct sl_arena *arena)
{
    struct sl_arena_block *blk = arena->head;
    while (blk) {
        struct sl_arena_block *next = blk->next;
        sl_free(blk);
        blk = next;
    }
    arena->head = NULL;
    arena->used = 0;
}
