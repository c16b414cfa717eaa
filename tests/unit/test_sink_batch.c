/* SPDX-License-Identifier: Apache-2.0 */
/* Batching rules (25 items, 16 MB, in-place merge per key, no reordering of one item across
 * batches in flight) and the committable offset of the tracker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sink/batch.h"

/* A PUT for key k carrying payload v (pad bytes of filler). */
static void mk(struct sl_sink_item *it, const char *table, int k, const char *v, size_t pad)
{
    it->op = SL_SINK_OP_PUT;
    snprintf(it->table, sizeof(it->table), "%s", table);
    sl_buf_reset(&it->key);
    sl_buf_reset(&it->item);
    sl_buf_addf(&it->key, "{\"id\":{\"N\":\"%d\"}}", k);
    sl_buf_addf(&it->item, "{\"id\":{\"N\":\"%d\"},\"v\":{\"S\":\"%s", k, v);
    for (size_t i = 0; i < pad; i++)
        sl_buf_addch(&it->item, 'x');
    sl_buf_addstr(&it->item, "\"}}");
    it->size = it->item.len;
}

static void test_merge_in_place_and_25(void **state)
{
    (void)state;
    struct sl_sink_batcher *bat = sl_sink_batcher_new(0);
    struct sl_sink_tracker *trk = sl_sink_tracker_new();
    struct sl_sink_item it;
    sl_sink_item_init(&it);
    struct sl_sink_rec rec = {.topic = "t", .partition = 0};
    /* keys 0,1,2 then 1 again: the second change to 1 replaces entry 1 in place. */
    int keys[] = {0, 1, 2, 1};
    for (int i = 0; i < 4; i++) {
        rec.offset = i;
        char v[8];
        snprintf(v, sizeof(v), "v%d", i);
        mk(&it, "T", keys[i], v, 0);
        sl_sink_batcher_add(bat, &it, &rec, sl_sink_tracker_add(trk, "t", 0, i));
    }
    assert_int_equal(sl_sink_batcher_open_items(bat), 3);
    for (int i = 4; i < 30; i++) { /* 26 more distinct keys: 25 fill, then a new batch */
        rec.offset = i;
        mk(&it, "T", 100 + i, "w", 0);
        sl_sink_batcher_add(bat, &it, &rec, sl_sink_tracker_add(trk, "t", 0, i));
    }
    assert_int_equal(sl_sink_batcher_sealed(bat), 1);
    assert_int_equal(sl_sink_batcher_open_items(bat), 4);
    sl_sink_batcher_seal(bat);
    struct sl_sink_batch *b1 = sl_sink_batcher_take(bat);
    assert_non_null(b1);
    assert_int_equal(b1->n, 25);
    assert_non_null(strstr(b1->ent[1].req, "\"v3\""));
    assert_int_equal(b1->ent[1].offset, 3);
    assert_int_equal(b1->ent[1].n_tickets, 2);
    assert_non_null(strstr(b1->ent[2].req, "\"v2\""));
    /* Second batch has other keys: may fly concurrently. */
    struct sl_sink_batch *b2 = sl_sink_batcher_take(bat);
    assert_non_null(b2);
    assert_int_equal(b2->n, 4);

    /* Offsets: nothing committable until batch 1 is done; then 0..24 except offsets in b2. */
    int64_t next;
    assert_int_equal(sl_sink_tracker_committable(trk, "t", 0, &next), SL_ERR_NOTFOUND);
    for (size_t i = 0; i < b2->n; i++) {
        for (size_t k = 0; k < b2->ent[i].n_tickets; k++)
            sl_sink_tracker_done(trk, b2->ent[i].tickets[k]);
    }
    assert_int_equal(sl_sink_tracker_committable(trk, "t", 0, &next), SL_ERR_NOTFOUND);
    for (size_t i = 0; i < b1->n; i++) {
        for (size_t k = 0; k < b1->ent[i].n_tickets; k++)
            sl_sink_tracker_done(trk, b1->ent[i].tickets[k]);
    }
    assert_int_equal(sl_sink_tracker_committable(trk, "t", 0, &next), SL_OK);
    assert_int_equal(next, 30);
    assert_int_equal(sl_sink_tracker_pending(trk), 0);
    sl_sink_batcher_finish(bat, b1);
    sl_sink_batcher_finish(bat, b2);
    assert_int_equal(sl_sink_batcher_items(bat), 0);
    assert_int_equal(sl_sink_batcher_bytes(bat), 0);
    sl_sink_item_fini(&it);
    sl_sink_tracker_free(trk);
    sl_sink_batcher_free(bat);
}

static void test_same_key_waits_for_inflight(void **state)
{
    (void)state;
    struct sl_sink_batcher *bat = sl_sink_batcher_new(2);
    struct sl_sink_tracker *trk = sl_sink_tracker_new();
    struct sl_sink_item it;
    sl_sink_item_init(&it);
    struct sl_sink_rec rec = {.topic = "t"};
    /* max 2 per batch: [k1,k2] [k3,k1'] [k4] */
    int keys[] = {1, 2, 3, 1, 4};
    for (int i = 0; i < 5; i++) {
        rec.offset = i;
        mk(&it, "T", keys[i], "x", 0);
        sl_sink_batcher_add(bat, &it, &rec, sl_sink_tracker_add(trk, "t", 0, i));
    }
    sl_sink_batcher_seal(bat);
    assert_int_equal(sl_sink_batcher_sealed(bat), 3);
    struct sl_sink_batch *b1 = sl_sink_batcher_take(bat);
    assert_non_null(b1);
    /* b2 touches k1 which b1 is writing: it must wait, and b3 behind it too (FIFO). */
    assert_null(sl_sink_batcher_take(bat));
    /* Same key in another table is another item: no conflict. */
    sl_sink_batcher_finish(bat, b1);
    struct sl_sink_batch *b2 = sl_sink_batcher_take(bat);
    assert_non_null(b2);
    assert_int_equal(b2->ent[1].offset, 3);
    struct sl_sink_batch *b3 = sl_sink_batcher_take(bat);
    assert_non_null(b3);
    sl_sink_batcher_finish(bat, b3);
    sl_sink_batcher_finish(bat, b2);
    sl_sink_item_fini(&it);
    sl_sink_tracker_free(trk);
    sl_sink_batcher_free(bat);
}

static void test_16mb_limit(void **state)
{
    (void)state;
    struct sl_sink_batcher *bat = sl_sink_batcher_new(0);
    struct sl_sink_tracker *trk = sl_sink_tracker_new();
    struct sl_sink_item it;
    sl_sink_item_init(&it);
    struct sl_sink_rec rec = {.topic = "t"};
    /* 800 KB request text each (escaped strings can be 6x the DynamoDB size): 20 fit in
     * 16 MB, the 21st starts a new batch although 25 items are allowed. */
    for (int i = 0; i < 21; i++) {
        rec.offset = i;
        mk(&it, "T", i, "p", 800000);
        sl_sink_batcher_add(bat, &it, &rec, sl_sink_tracker_add(trk, "t", 0, i));
    }
    assert_int_equal(sl_sink_batcher_sealed(bat), 1);
    struct sl_sink_batch *b = sl_sink_batcher_take(bat);
    assert_int_equal(b->n, 20);
    size_t total = 0;
    for (size_t i = 0; i < b->n; i++)
        total += b->ent[i].req_len + strlen(b->ent[i].table) + 8;
    assert_true(total < SL_SINK_BATCH_MAX_BYTES);
    sl_sink_batcher_finish(bat, b);
    sl_sink_item_fini(&it);
    sl_sink_tracker_free(trk);
    sl_sink_batcher_free(bat);
}

static void test_tracker_partitions(void **state)
{
    (void)state;
    struct sl_sink_tracker *trk = sl_sink_tracker_new();
    struct sl_sink_ticket t[300];
    for (int i = 0; i < 300; i++)
        t[i] = sl_sink_tracker_add(trk, i % 2 ? "b" : "a", i % 3, 1000 + i);
    /* Finish in reverse: nothing committable until the first of each partition is done. */
    for (int i = 299; i >= 6; i--)
        sl_sink_tracker_done(trk, t[i]);
    int64_t next;
    assert_int_equal(sl_sink_tracker_committable(trk, "a", 0, &next), SL_ERR_NOTFOUND);
    sl_sink_tracker_done(trk, t[0]); /* a/0 offsets 1000, 1006, ... */
    assert_int_equal(sl_sink_tracker_committable(trk, "a", 0, &next), SL_OK);
    assert_int_equal(next, 1000 + 294 + 1);
    sl_sink_tracker_done(trk, t[0]); /* twice: harmless */
    assert_int_equal(sl_sink_tracker_pending(trk), 5);
    /* Forget b/1 (t[1], t[7], ... ; t[1] unfinished): nothing committable there, its old
     * tickets are ignored, new records count again from scratch. */
    sl_sink_tracker_forget(trk, "b", 1);
    assert_int_equal(sl_sink_tracker_committable(trk, "b", 1, &next), SL_ERR_NOTFOUND);
    assert_int_equal(sl_sink_tracker_pending(trk), 4);
    sl_sink_tracker_done(trk, t[1]);
    assert_int_equal(sl_sink_tracker_pending(trk), 4);
    struct sl_sink_ticket nt = sl_sink_tracker_add(trk, "b", 1, 500);
    sl_sink_tracker_done(trk, nt);
    assert_int_equal(sl_sink_tracker_committable(trk, "b", 1, &next), SL_OK);
    assert_int_equal(next, 501);
    sl_sink_tracker_free(trk);
}

/* Random interleaving: keys repeat; batches finish out of order; the committable offset never
 * passes an unfinished record, and each key's changes leave in order. */
static void test_random_order(void **state)
{
    (void)state;
    srand(7);
    struct sl_sink_batcher *bat = sl_sink_batcher_new(0);
    struct sl_sink_tracker *trk = sl_sink_tracker_new();
    struct sl_sink_item it;
    sl_sink_item_init(&it);
    struct sl_sink_rec rec = {.topic = "t"};
    enum { N = 5000, K = 40 };
    static bool done[N];
    static int64_t last_sent[K];
    for (int k = 0; k < K; k++)
        last_sent[k] = -1;
    struct sl_sink_batch *fly[8];
    int nfly = 0;
    int64_t off = 0;
    while (off < N || nfly > 0 || sl_sink_batcher_items(bat) > 0) {
        int r = rand() % 4;
        if (r < 2 && off < N) {
            int k = rand() % K;
            rec.offset = off;
            char v[24];
            snprintf(v, sizeof(v), "%lld", (long long)off);
            mk(&it, "T", k, v, 0);
            sl_sink_batcher_add(bat, &it, &rec, sl_sink_tracker_add(trk, "t", 0, off));
            off++;
        } else if (r == 2 && nfly < 8) {
            sl_sink_batcher_seal(bat);
            struct sl_sink_batch *b = sl_sink_batcher_take(bat);
            if (b) {
                for (size_t i = 0; i < b->n; i++) {
                    int k = (int)strtol(strstr(b->ent[i].key, "\"N\":\"") + 5, NULL, 10);
                    assert_true(b->ent[i].offset > last_sent[k]);
                    last_sent[k] = b->ent[i].offset;
                }
                fly[nfly++] = b;
            }
        } else if (nfly > 0) {
            int j = rand() % nfly;
            struct sl_sink_batch *b = fly[j];
            for (size_t i = 0; i < b->n; i++) {
                for (size_t q = 0; q < b->ent[i].n_tickets; q++) {
                    sl_sink_tracker_done(trk, b->ent[i].tickets[q]);
                }
            }
            for (size_t i = 0; i < b->n; i++) {
                /* mark which offsets finished, via the ticket sequence = offset here */
                for (size_t q = 0; q < b->ent[i].n_tickets; q++)
                    done[b->ent[i].tickets[q].seq] = true;
            }
            sl_sink_batcher_finish(bat, b);
            fly[j] = fly[--nfly];
            int64_t next;
            if (sl_sink_tracker_committable(trk, "t", 0, &next) == SL_OK) {
                for (int64_t q = 0; q < next; q++)
                    assert_true(done[q]);
            }
        } else if (off >= N) {
            sl_sink_batcher_seal(bat);
        }
    }
    int64_t next;
    assert_int_equal(sl_sink_tracker_committable(trk, "t", 0, &next), SL_OK);
    assert_int_equal(next, N);
    sl_sink_item_fini(&it);
    sl_sink_tracker_free(trk);
    sl_sink_batcher_free(bat);
}

/* Dropping a revoked partition's queued writes: the open batch is sealed, entries of that
 * partition are handed to the callback and marked done, a batch left empty is freed and the
 * counts follow; a batch in flight is not touched. */
static void count_dropped(struct sl_sink_entry *e, void *opaque)
{
    assert_false(e->done);
    assert_int_equal(e->partition, 0);
    (*(int *)opaque)++;
}

static void test_drop_partition(void **state)
{
    (void)state;
    struct sl_sink_batcher *bat = sl_sink_batcher_new(2);
    struct sl_sink_item it;
    sl_sink_item_init(&it);
    struct sl_sink_ticket tk = {0, 0};
    /* batch A (taken, in flight): p0 k1, p1 k2; batch B (sealed): p0 k3, p0 k4;
     * batch C (sealed): p0 k5, p1 k6; open: p0 k7 */
    int parts[] = {0, 1, 0, 0, 0, 1, 0};
    for (int i = 0; i < 7; i++) {
        struct sl_sink_rec rec = {.topic = "t", .partition = parts[i], .offset = i};
        mk(&it, "T", i + 1, "v", 0);
        sl_sink_batcher_add(bat, &it, &rec, tk);
        if (i == 1) {
            sl_sink_batcher_seal(bat);
            assert_non_null(sl_sink_batcher_take(bat));
        }
    }
    assert_int_equal(sl_sink_batcher_items(bat), 7);
    assert_int_equal(sl_sink_batcher_sealed(bat), 2);
    int n = 0;
    assert_int_equal(sl_sink_batcher_drop(bat, "u", 0, count_dropped, &n), 0); /* other topic */
    assert_int_equal(sl_sink_batcher_drop(bat, "t", 0, count_dropped, &n), 4);
    assert_int_equal(n, 4);
    assert_int_equal(sl_sink_batcher_open_items(bat), 0);
    /* B and the sealed open batch are gone; C keeps k6 (k5 done); A in flight as it was. */
    assert_int_equal(sl_sink_batcher_sealed(bat), 1);
    assert_int_equal(sl_sink_batcher_inflight(bat), 1);
    assert_int_equal(sl_sink_batcher_items(bat), 4);
    /* C waits for nothing A holds (different keys) and carries k5 as done. */
    struct sl_sink_batch *c = sl_sink_batcher_take(bat);
    assert_non_null(c);
    assert_int_equal(c->n, 2);
    assert_true(c->ent[0].done);
    assert_false(c->ent[1].done);
    assert_int_equal(c->ent[1].partition, 1);
    sl_sink_item_fini(&it);
    sl_sink_batcher_free(bat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_in_place_and_25),
        cmocka_unit_test(test_same_key_waits_for_inflight),
        cmocka_unit_test(test_16mb_limit),
        cmocka_unit_test(test_tracker_partitions),
        cmocka_unit_test(test_random_order),
        cmocka_unit_test(test_drop_partition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
