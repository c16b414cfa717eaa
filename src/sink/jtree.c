/* SPDX-License-Identifier: Apache-2.0 */
/* Exact, bounded JSON reader for Kafka keys and values (see jtree.h for why not jansson).
 * Recursive descent over a byte range; nodes live in one growing array; strings and numbers
 * stay views of the input. */
#include "sink/jtree.h"

#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/str.h"

struct parser {
    const char *p;
    const char *start;
    const char *end;
    struct sl_jtree *jt;
    char *errstr;
    size_t errstr_size;
};

void sl_jtree_init(struct sl_jtree *jt)
{
    memset(jt, 0, sizeof(*jt));
}

void sl_jtree_fini(struct sl_jtree *jt)
{
    sl_free(jt->nodes);
    memset(jt, 0, sizeof(*jt));
}

static sl_err_t fail(struct parser *ps, const char *what)
{
    snprintf(ps->errstr, ps->errstr_size, "at byte %zu: %s", (size_t)(ps->p - ps->start), what);
    return SL_ERR_PROTO;
}

static uint32_t new_node(struct sl_jtree *jt)
{
    if (jt->n == jt->cap) {
        jt->cap = jt->cap ? jt->cap * 2 : 64;
        jt->nodes = sl_xrealloc(jt->nodes, jt->cap * sizeof(*jt->nodes));
    }
    memset(&jt->nodes[jt->n], 0, sizeof(jt->nodes[0]));
    return jt->n++;
}

static void skip_ws(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

/* Length of a valid UTF-8 sequence at s (at most left bytes), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    unsigned cp = c & (0x3f >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* Scans a string after its opening quote; sets the view and escape flag. */
static sl_err_t scan_string(struct parser *ps, const char **out, size_t *len, bool *esc)
{
    const char *s = ps->p;
    *esc = false;
    while (ps->p < ps->end) {
        unsigned char c = (unsigned char)*ps->p;
        if (c == '"') {
            *out = s;
            *len = (size_t)(ps->p - s);
            ps->p++;
            return SL_OK;
        }
        if (c < 0x20)
            return fail(ps, "control character in string");
        if (c == '\\') {
            *esc = true;
            if (ps->end - ps->p < 2)
                return fail(ps, "unterminated string");
            char e = ps->p[1];
            if (e == 'u') {
                if (ps->end - ps->p < 6)
                    return fail(ps, "short \\u escape");
                for (int i = 2; i < 6; i++) {
                    if (sl_str_hexval(ps->p[i]) < 0)
                        return fail(ps, "bad \\u escape");
                }
                ps->p += 6;
            } else if (strchr("\"\\/bfnrt", e) && e != 0) {
                ps->p += 2;
            } else {
                return fail(ps, "bad escape in string");
            }
            continue;
        }
        size_t n = utf8_seq((const unsigned char *)ps->p, (size_t)(ps->end - ps->p));
        if (n == 0)
            return fail(ps, "invalid UTF-8 in string");
        ps->p += n;
    }
    return fail(ps, "unterminated string");
}

static bool is_digit(const struct parser *ps)
{
    return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9';
}

static sl_err_t scan_number(struct parser *ps)
{
    if (ps->p < ps->end && *ps->p == '-')
        ps->p++;
    if (!is_digit(ps))
        return fail(ps, "bad number");
    if (*ps->p == '0') {
        ps->p++;
    } else {
        while (is_digit(ps))
            ps->p++;
    }
    if (ps->p < ps->end && *ps->p == '.') {
        ps->p++;
        if (!is_digit(ps))
            return fail(ps, "bad number fraction");
        while (is_digit(ps))
            ps->p++;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
            ps->p++;
        if (!is_digit(ps))
            return fail(ps, "bad number exponent");
        while (is_digit(ps))
            ps->p++;
    }
    return SL_OK;
}

static bool literal(struct parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return false;
    ps->p += n;
    return true;
}

static sl_err_t parse_value(struct parser *ps, uint32_t idx, int depth);

static sl_err_t parse_container(struct parser *ps, uint32_t idx, int depth, bool obj)
{
    char close = obj ? '}' : ']';
    uint32_t last = 0;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return SL_OK;
    }
    for (;;) {
        uint32_t kid = new_node(ps->jt);
        if (obj) {
            const char *k;
            size_t klen;
            bool kesc;
            if (ps->p >= ps->end || *ps->p != '"')
                return fail(ps, "expected member name");
            ps->p++;
            sl_err_t err = scan_string(ps, &k, &klen, &kesc);
            if (err)
                return err;
            ps->jt->nodes[kid].key = k;
            ps->jt->nodes[kid].key_len = klen;
            ps->jt->nodes[kid].key_esc = kesc;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':')
                return fail(ps, "expected ':'");
            ps->p++;
        }
        sl_err_t err = parse_value(ps, kid, depth + 1);
        if (err)
            return err;
        if (last)
            ps->jt->nodes[last].next = kid;
        else
            ps->jt->nodes[idx].kid = kid;
        last = kid;
        ps->jt->nodes[idx].n_kids++;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            skip_ws(ps);
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            return SL_OK;
        }
        return fail(ps, obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static sl_err_t parse_value(struct parser *ps, uint32_t idx, int depth)
{
    if (depth > SL_JTREE_MAX_DEPTH)
        return fail(ps, "nested too deeply");
    skip_ws(ps);
    if (ps->p >= ps->end)
        return fail(ps, "unexpected end of input");
    struct sl_jnode *node = &ps->jt->nodes[idx];
    char c = *ps->p;
    if (c == '{' || c == '[') {
        node->type = c == '{' ? SL_JT_OBJ : SL_JT_ARR;
        return parse_container(ps, idx, depth, c == '{');
    }
    if (c == '"') {
        const char *s;
        size_t len;
        bool esc;
        ps->p++;
        sl_err_t err = scan_string(ps, &s, &len, &esc);
        if (err)
            return err;
        node = &ps->jt->nodes[idx];
        node->type = SL_JT_STR;
        node->str = s;
        node->len = len;
        node->esc = esc;
        return SL_OK;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        const char *s = ps->p;
        sl_err_t err = scan_number(ps);
        if (err)
            return err;
        node->type = SL_JT_NUM;
        node->str = s;
        node->len = (size_t)(ps->p - s);
        return SL_OK;
    }
    if (literal(ps, "null")) {
        node->type = SL_JT_NULL;
        return SL_OK;
    }
    if (literal(ps, "true")) {
        node->type = SL_JT_TRUE;
        return SL_OK;
    }
    if (literal(ps, "false")) {
        node->type = SL_JT_FALSE;
        return SL_OK;
    }
    return fail(ps, "unexpected character");
}

sl_err_t sl_jtree_parse(struct sl_jtree *jt, const char *data, size_t len, char *errstr,
                        size_t errstr_size)
{
    struct parser ps = {.p = data,
                        .start = data,
                        .end = data + len,
                        .jt = jt,
                        .errstr = errstr,
                        .errstr_size = errstr_size};
    jt->n = 0;
    uint32_t root = new_node(jt);
    sl_err_t err = parse_value(&ps, root, 0);
    if (err)
        return err;
    skip_ws(&ps);
    if (ps.p != ps.end)
        return fail(&ps, "trailing data after the JSON value");
    return SL_OK;
}

const struct sl_jnode *sl_jtree_kid(const struct sl_jtree *jt, const struct sl_jnode *node)
{
    return node->kid ? &jt->nodes[node->kid] : NULL;
}

const struct sl_jnode *sl_jtree_next(const struct sl_jtree *jt, const struct sl_jnode *node)
{
    return node->next ? &jt->nodes[node->next] : NULL;
}

sl_err_t sl_jtree_unescape(struct sl_buf *buf, const char *s, size_t len, bool esc)
{
    if (!esc)
        return sl_buf_add(buf, s, len);
    size_t i = 0;
    while (i < len) {
        if (s[i] != '\\') {
            sl_err_t err = sl_buf_addch(buf, s[i++]);
            if (err)
                return err;
            continue;
        }
        char e = s[i + 1];
        char ch = 0;
        switch (e) {
        case 'b':
            ch = '\b';
            break;
        case 'f':
            ch = '\f';
            break;
        case 'n':
            ch = '\n';
            break;
        case 'r':
            ch = '\r';
            break;
        case 't':
            ch = '\t';
            break;
        case 'u':
            break;
        default:
            ch = e;
            break;
        }
        if (e != 'u') {
            sl_err_t err = sl_buf_addch(buf, ch);
            if (err)
                return err;
            i += 2;
            continue;
        }
        unsigned cp = 0;
        for (int k = 0; k < 4; k++)
            cp = cp * 16 + (unsigned)sl_str_hexval(s[i + 2 + k]);
        i += 6;
        if (cp >= 0xd800 && cp <= 0xdbff && i + 6 <= len && s[i] == '\\' && s[i + 1] == 'u') {
            unsigned lo = 0;
            for (int k = 0; k < 4; k++)
                lo = lo * 16 + (unsigned)sl_str_hexval(s[i + 2 + k]);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;
            }
        }
        if (cp >= 0xd800 && cp <= 0xdfff)
            cp = 0xfffd; /* lone surrogate: not representable in UTF-8 */
        char u[4];
        size_t n;
        if (cp < 0x80) {
            u[0] = (char)cp;
            n = 1;
        } else if (cp < 0x800) {
            u[0] = (char)(0xc0 | (cp >> 6));
            u[1] = (char)(0x80 | (cp & 0x3f));
            n = 2;
        } else if (cp < 0x10000) {
            u[0] = (char)(0xe0 | (cp >> 12));
            u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
            u[2] = (char)(0x80 | (cp & 0x3f));
            n = 3;
        } else {
            u[0] = (char)(0xf0 | (cp >> 18));
            u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
            u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
            u[3] = (char)(0x80 | (cp & 0x3f));
            n = 4;
        }
        sl_err_t err = sl_buf_add(buf, u, n);
        if (err)
            return err;
    }
    return SL_OK;
}

static bool view_eq(const char *s, size_t len, bool esc, const char *want, size_t want_len)
{
    if (!esc)
        return len == want_len && memcmp(s, want, len) == 0;
    struct sl_buf tmp;
    sl_buf_init(&tmp, len + 1);
    bool eq = sl_jtree_unescape(&tmp, s, len, esc) == SL_OK && tmp.len == want_len &&
              memcmp(sl_buf_cstr(&tmp), want, want_len) == 0;
    sl_buf_fini(&tmp);
    return eq;
}

const struct sl_jnode *sl_jtree_get(const struct sl_jtree *jt, const struct sl_jnode *obj,
                                    const char *name, size_t len)
{
    if (obj->type != SL_JT_OBJ)
        return NULL;
    const struct sl_jnode *found = NULL;
    for (const struct sl_jnode *k = sl_jtree_kid(jt, obj); k; k = sl_jtree_next(jt, k)) {
        /* Last duplicate wins, as in Jackson. */
        if (view_eq(k->key, k->key_len, k->key_esc, name, len))
            found = k;
    }
    return found;
}

bool sl_jtree_str_eq(const struct sl_jnode *node, const char *cstr)
{
    return node && node->type == SL_JT_STR &&
           view_eq(node->str, node->len, node->esc, cstr, strlen(cstr));
}
