/* SPDX-License-Identifier: Apache-2.0 */
/* A small exact JSON reader for Kafka record keys and values. jansson turns big integers and
 * decimals into doubles; DynamoDB numbers must keep every digit, so numbers stay as views of
 * their original text. Bounded: input length, depth and node count are limited, every read is
 * bounds-checked. Internal to src/sink/. */
#ifndef SL_SINK_JTREE_H
#define SL_SINK_JTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define SL_JTREE_MAX_DEPTH 64

typedef enum {
    SL_JT_NULL = 0,
    SL_JT_FALSE,
    SL_JT_TRUE,
    SL_JT_NUM,
    SL_JT_STR,
    SL_JT_ARR,
    SL_JT_OBJ,
} sl_jt_t;

/* A node; text views point into the parsed input (strings without their quotes, still
 * escaped when esc is set). Children are linked: kid = first child, next = next sibling,
 * 0 = none (node 0 is always the root, so never a child). */
struct sl_jnode {
    sl_jt_t type;
    bool esc;     /* str contains backslash escapes */
    bool key_esc; /* key contains backslash escapes */
    uint32_t kid;
    uint32_t next;
    uint32_t n_kids;
    const char *str; /* NUM text or STR contents */
    size_t len;
    const char *key; /* member name when the parent is an object */
    size_t key_len;
};

struct sl_jtree {
    struct sl_jnode *nodes;
    uint32_t n;
    uint32_t cap;
};

void sl_jtree_init(struct sl_jtree *jt);
void sl_jtree_fini(struct sl_jtree *jt);

/* Parses data (any JSON value, RFC 8259, UTF-8 checked). SL_ERR_PROTO with errstr "at byte N:
 * what" on bad input. The tree borrows data. */
sl_err_t sl_jtree_parse(struct sl_jtree *jt, const char *data, size_t len, char *errstr,
                        size_t errstr_size);

/* Child of object node obj whose (unescaped) name equals name[0..len); NULL when absent. */
const struct sl_jnode *sl_jtree_get(const struct sl_jtree *jt, const struct sl_jnode *obj,
                                    const char *name, size_t len);
const struct sl_jnode *sl_jtree_kid(const struct sl_jtree *jt, const struct sl_jnode *node);
const struct sl_jnode *sl_jtree_next(const struct sl_jtree *jt, const struct sl_jnode *node);

/* Appends the unescaped bytes of a string view (validated by the parser). */
sl_err_t sl_jtree_unescape(struct sl_buf *buf, const char *s, size_t len, bool esc);

/* Whether a string node equals cstr after unescaping. */
bool sl_jtree_str_eq(const struct sl_jnode *node, const char *cstr);

#endif
