/* SPDX-License-Identifier: Apache-2.0 */
/* A small bounded JSON reader for the incremental snapshot (incsnap.h): the source stage has
 * no JSON library, and it only reads two tiny documents, a signal's data and its own state.
 * Cursor style: each function consumes one token or value and reports failure once, naming
 * the offset. Strings are bounded by the caller's sl_buf, nesting by SL_JP_DEPTH. */
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/parse.h"
#include "core/str.h"
#include "source/incsnap_int.h"

bool sl_jp_fail(struct sl_jp *p, const char *what)
{
    if (!p->err[0])
        snprintf(p->err, sizeof(p->err), "%s at offset %zu", what, p->i);
    return false;
}

void sl_jp_ws(struct sl_jp *p)
{
    while (p->i < p->n && strchr(" \t\r\n", p->s[p->i]) && p->s[p->i])
        p->i++;
}

bool sl_jp_lit(struct sl_jp *p, char ch)
{
    sl_jp_ws(p);
    if (p->i < p->n && p->s[p->i] == ch) {
        p->i++;
        return true;
    }
    return false;
}

/* A string into out (reset first); \uXXXX outside ASCII becomes UTF-8 (no surrogate pairs). */
bool sl_jp_str(struct sl_jp *p, struct sl_buf *out)
{
    sl_buf_reset(out);
    if (!sl_jp_lit(p, '"'))
        return sl_jp_fail(p, "expected a string");
    while (p->i < p->n) {
        char c = p->s[p->i++];
        if (c == '"')
            return true;
        if ((unsigned char)c < 0x20)
            return sl_jp_fail(p, "control character in string");
        if (c != '\\') {
            if (sl_buf_addch(out, c))
                return sl_jp_fail(p, "string too long");
            continue;
        }
        if (p->i >= p->n)
            break;
        c = p->s[p->i++];
        const char *esc = strchr("\"\\/bfnrt", c);
        if (esc && c) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            sl_buf_addch(out, map[esc - "\"\\/bfnrt"]);
            continue;
        }
        if (c != 'u' || p->i + 4 > p->n)
            return sl_jp_fail(p, "bad escape");
        unsigned cp = 0;
        for (int k = 0; k < 4; k++) {
            int h = sl_str_hexval(p->s[p->i++]);
            if (h < 0)
                return sl_jp_fail(p, "bad \\u escape");
            cp = cp << 4 | (unsigned)h;
        }
        if (cp < 0x80) {
            sl_buf_addch(out, (char)cp);
        } else if (cp < 0x800) {
            sl_buf_addch(out, (char)(0xC0 | cp >> 6));
            sl_buf_addch(out, (char)(0x80 | (cp & 0x3F)));
        } else {
            sl_buf_addch(out, (char)(0xE0 | cp >> 12));
            sl_buf_addch(out, (char)(0x80 | (cp >> 6 & 0x3F)));
            sl_buf_addch(out, (char)(0x80 | (cp & 0x3F)));
        }
    }
    return sl_jp_fail(p, "unterminated string");
}

bool sl_jp_skip(struct sl_jp *p, int depth)
{
    if (depth > SL_JP_DEPTH)
        return sl_jp_fail(p, "nesting too deep");
    sl_jp_ws(p);
    if (p->i >= p->n)
        return sl_jp_fail(p, "expected a value");
    char c = p->s[p->i];
    if (c == '"') {
        struct sl_buf tmp;
        sl_buf_init(&tmp, 1 << 20);
        bool ok = sl_jp_str(p, &tmp);
        sl_buf_fini(&tmp);
        return ok;
    }
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        p->i++;
        if (sl_jp_lit(p, close))
            return true;
        do {
            if (c == '{') {
                struct sl_buf tmp;
                sl_buf_init(&tmp, 1 << 20);
                bool ok = sl_jp_str(p, &tmp);
                sl_buf_fini(&tmp);
                if (!ok || !sl_jp_lit(p, ':'))
                    return sl_jp_fail(p, "expected a member");
            }
            if (!sl_jp_skip(p, depth + 1))
                return false;
        } while (sl_jp_lit(p, ','));
        return sl_jp_lit(p, close) ? true : sl_jp_fail(p, "expected , or end of container");
    }
    size_t start = p->i;
    while (p->i < p->n && strchr("0123456789+-.eEtruefalsn", p->s[p->i]) && p->s[p->i])
        p->i++;
    return p->i > start ? true : sl_jp_fail(p, "unexpected character");
}

bool sl_jp_u64(struct sl_jp *p, uint64_t *out)
{
    sl_jp_ws(p);
    char tmp[24];
    size_t k = 0;
    while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9' && k < sizeof(tmp) - 1)
        tmp[k++] = p->s[p->i++];
    tmp[k] = '\0';
    return k && sl_parse_u64(tmp, out) == SL_OK ? true : sl_jp_fail(p, "expected a number");
}

/* An array of strings, each appended (owned copy) to *items / *n (at most max). */
bool sl_jp_strarr(struct sl_jp *p, char ***items, size_t *n, size_t max, struct sl_buf *tmp)
{
    if (!sl_jp_lit(p, '['))
        return sl_jp_fail(p, "expected an array");
    if (sl_jp_lit(p, ']'))
        return true;
    do {
        if (!sl_jp_str(p, tmp))
            return false;
        if (*n >= max)
            return sl_jp_fail(p, "too many entries");
        *items = sl_xrealloc(*items, (*n + 1) * sizeof(**items));
        (*items)[(*n)++] = sl_xstrndup(sl_buf_cstr(tmp), tmp->len);
    } while (sl_jp_lit(p, ','));
    return sl_jp_lit(p, ']') ? true : sl_jp_fail(p, "expected , or ]");
}
