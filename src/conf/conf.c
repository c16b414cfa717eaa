/* SPDX-License-Identifier: Apache-2.0 */
/* The generic configuration engine: defaults, .properties entries, ${env:VAR} and
 * ${file:path:key} references, typed validation with errors that name file, line and key,
 * pass-through collection and unknown-key warnings, all driven by the option tables. */
#include "conf/conf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/parse.h"

#define DIAG_MAX ((size_t)1 << 20)
#define VALUE_MAX ((size_t)1 << 20)

/* ---- Small value helpers ---- */

const char *sl_conf_kvlist_get(const struct sl_conf_kvlist *list, const char *key)
{
    for (size_t i = 0; i < list->n; i++)
        if (strcmp(list->items[i].key, key) == 0)
            return list->items[i].value;
    return NULL;
}

const struct sl_conf_group *sl_conf_grouplist_get(const struct sl_conf_grouplist *list,
                                                  const char *name)
{
    for (size_t i = 0; i < list->n; i++)
        if (strcmp(list->items[i].name, name) == 0)
            return &list->items[i];
    return NULL;
}

bool sl_conf_strlist_has(const struct sl_conf_strlist *list, const char *s)
{
    for (size_t i = 0; i < list->n; i++)
        if (strcmp(list->items[i], s) == 0)
            return true;
    return false;
}

static void strlist_free(struct sl_conf_strlist *list)
{
    for (size_t i = 0; i < list->n; i++)
        sl_free(list->items[i]);
    sl_free(list->items);
    list->items = NULL;
    list->n = 0;
}

static void kvlist_free(struct sl_conf_kvlist *list)
{
    for (size_t i = 0; i < list->n; i++) {
        sl_free(list->items[i].key);
        sl_free(list->items[i].value);
    }
    sl_free(list->items);
    list->items = NULL;
    list->n = 0;
}

static void kvlist_add(struct sl_conf_kvlist *list, const char *key, char *value, const char *file,
                       unsigned line)
{
    /* Keys are unique per file (the parser merges duplicates), so a plain append keeps the
     * file order. */
    list->items = sl_xrealloc(list->items, (list->n + 1) * sizeof(*list->items));
    list->items[list->n++] = (struct sl_conf_kv){sl_xstrdup(key), value, file, line};
}

static struct sl_conf_group *grouplist_get_or_add(struct sl_conf_grouplist *list, const char *name,
                                                  size_t name_len)
{
    for (size_t i = 0; i < list->n; i++)
        if (strlen(list->items[i].name) == name_len &&
            memcmp(list->items[i].name, name, name_len) == 0)
            return &list->items[i];
    list->items = sl_xrealloc(list->items, (list->n + 1) * sizeof(*list->items));
    struct sl_conf_group *grp = &list->items[list->n++];
    grp->name = sl_xstrndup(name, name_len);
    grp->props = (struct sl_conf_kvlist){NULL, 0};
    return grp;
}

static void grouplist_free(struct sl_conf_grouplist *list)
{
    for (size_t i = 0; i < list->n; i++) {
        sl_free(list->items[i].name);
        kvlist_free(&list->items[i].props);
    }
    sl_free(list->items);
    list->items = NULL;
    list->n = 0;
}

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return false;
}

bool sl_conf_key_is_secret(const char *key)
{
    static const char *const words[] = {"password",    "secret",  "jaas.config", "token",
                                        "credentials", "api.key", "license",     NULL};
    for (size_t i = 0; words[i]; i++)
        if (contains_nocase(key, words[i]))
            return true;
    return false;
}

void sl_conf_diag_error(struct sl_buf *diag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)sl_buf_addstr(diag, "error: ");
    (void)sl_buf_vaddf(diag, fmt, ap);
    (void)sl_buf_addch(diag, '\n');
    va_end(ap);
}

static void diag_add(struct sl_buf *diag, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void diag_add(struct sl_buf *diag, const char *level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)sl_buf_addf(diag, "%s: ", level);
    (void)sl_buf_vaddf(diag, fmt, ap);
    (void)sl_buf_addch(diag, '\n');
    va_end(ap);
}

/* ---- Table walking ---- */

static bool is_secret(const struct sl_option *opt)
{
    return (opt->flags & SL_OPT_SECRET) || opt->type == SL_T_PASSWORD;
}

static size_t table_count(const struct sl_conf_table *table)
{
    size_t n = 0;
    for (size_t s = 0; s < SL_CONF_MAX_SECTIONS && table->sections[s].options; s++)
        for (const struct sl_option *opt = table->sections[s].options; opt->name; opt++)
            n++;
    return n;
}

/* Finds the option spelled name (or its alias); sets *sec and *idx (global row index). */
static const struct sl_option *find_option(const struct sl_conf_table *table, const char *name,
                                           const struct sl_conf_section **sec, size_t *idx)
{
    size_t i = 0;
    for (size_t s = 0; s < SL_CONF_MAX_SECTIONS && table->sections[s].options; s++) {
        for (const struct sl_option *opt = table->sections[s].options; opt->name; opt++, i++) {
            if (strcmp(opt->name, name) == 0 || (opt->alias && strcmp(opt->alias, name) == 0)) {
                *sec = &table->sections[s];
                *idx = i;
                return opt;
            }
        }
    }
    return NULL;
}

static void *field_of(void *conf, const struct sl_conf_section *sec, size_t off)
{
    return (char *)conf + sec->base + off;
}

/* ---- Typed parsing ---- */

static void range_of(const struct sl_option *opt, int64_t *min, int64_t *max)
{
    *min = opt->min;
    *max = opt->max;
    if (opt->min != 0 || opt->max != 0)
        return;
    switch (opt->type) {
    case SL_T_U32:
        *max = UINT32_MAX;
        break;
    case SL_T_DURATION_MS:
        *max = INT32_MAX;
        break;
    case SL_T_SIZE:
        *max = INT64_MAX;
        break;
    default:
        *min = INT64_MIN;
        *max = INT64_MAX;
        break;
    }
}

/* "(expected milliseconds, 0..2147483647)" and friends. */
static void expected_text(const struct sl_option *opt, char *out, size_t out_size)
{
    int64_t min, max;
    switch (opt->type) {
    case SL_T_BOOL:
        snprintf(out, out_size, "true or false");
        return;
    case SL_T_ENUM: {
        size_t n = (size_t)snprintf(out, out_size, "one of: ");
        for (size_t i = 0; opt->enums[i] && n < out_size; i++)
            n += (size_t)snprintf(out + n, out_size - n, "%s%s", i ? ", " : "", opt->enums[i]);
        return;
    }
    case SL_T_I64:
    case SL_T_U32:
    case SL_T_DURATION_MS:
    case SL_T_SIZE:
        range_of(opt, &min, &max);
        snprintf(out, out_size, "%s%" PRId64 "..%" PRId64,
                 opt->type == SL_T_DURATION_MS ? "milliseconds, "
                 : opt->type == SL_T_SIZE      ? "bytes, "
                                               : "",
                 min, max);
        return;
    default:
        snprintf(out, out_size, "a string");
        return;
    }
}

static char *trim_dup(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\f' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\f' || s[n - 1] == '\r' ||
                     s[n - 1] == '\n'))
        n--;
    return sl_xstrndup(s, n);
}

static void parse_list(const char *text, struct sl_conf_strlist *list)
{
    const char *p = text;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char *raw = sl_xstrndup(p, n);
        char *item = trim_dup(raw);
        sl_free(raw);
        if (*item) {
            list->items = sl_xrealloc(list->items, (list->n + 1) * sizeof(*list->items));
            list->items[list->n++] = item;
        } else {
            sl_free(item);
        }
        p += n;
        if (*p == ',')
            p++;
    }
}

/* Parses text into the field. On failure writes a reason into why (the value is quoted by
 * the caller) and returns SL_ERR_CONF; the field is unchanged. */
static sl_err_t set_value(const struct sl_option *opt, void *field, const char *text, char *why,
                          size_t why_size)
{
    char exp[256];
    char *v = trim_dup(text);
    sl_err_t err = SL_OK;
    switch (opt->type) {
    case SL_T_STR:
    case SL_T_PASSWORD:
        sl_free(*(char **)field);
        *(char **)field = v;
        v = NULL;
        break;
    case SL_T_BOOL: {
        bool b;
        if (sl_parse_bool(v, &b)) {
            snprintf(why, why_size, "is not a boolean (expected true or false)");
            err = SL_ERR_CONF;
            break;
        }
        *(bool *)field = b;
        break;
    }
    case SL_T_I64:
    case SL_T_U32:
    case SL_T_DURATION_MS:
    case SL_T_SIZE: {
        int64_t n, min, max;
        range_of(opt, &min, &max);
        expected_text(opt, exp, sizeof(exp));
        if (sl_parse_i64(v, &n)) {
            snprintf(why, why_size, "is not a whole number (expected %s)", exp);
            err = SL_ERR_CONF;
            break;
        }
        if (n < min || n > max) {
            snprintf(why, why_size, "is out of range (expected %s)", exp);
            err = SL_ERR_CONF;
            break;
        }
        if (opt->type == SL_T_U32)
            *(uint32_t *)field = (uint32_t)n;
        else if (opt->type == SL_T_SIZE)
            *(uint64_t *)field = (uint64_t)n;
        else
            *(int64_t *)field = n;
        break;
    }
    case SL_T_ENUM: {
        int found = -1;
        for (int i = 0; opt->enums[i]; i++)
            if (strcasecmp(opt->enums[i], v) == 0)
                found = i;
        if (found < 0) {
            expected_text(opt, exp, sizeof(exp));
            snprintf(why, why_size, "is not a valid choice (expected %s)", exp);
            err = SL_ERR_CONF;
            break;
        }
        *(int *)field = found;
        break;
    }
    case SL_T_LIST: {
        struct sl_conf_strlist *list = field;
        strlist_free(list);
        parse_list(v, list);
        break;
    }
    }
    sl_free(v);
    if (!err && opt->validate) {
        char reason[256] = "";
        if (opt->validate(field, reason, sizeof(reason))) {
            snprintf(why, why_size, "is not valid: %s", reason);
            return SL_ERR_CONF;
        }
    }
    return err;
}

static void free_value(const struct sl_option *opt, void *field)
{
    if (opt->type == SL_T_STR || opt->type == SL_T_PASSWORD) {
        sl_free(*(char **)field);
        *(char **)field = NULL;
    } else if (opt->type == SL_T_LIST) {
        strlist_free(field);
    }
}

/* ---- ${provider:[path:]key} references (Kafka ConfigProvider syntax) ---- */

/* Resolves ${env:VAR} and ${file:/path:key} in text. Other ${...} without a ':' are left as
 * they are (table.name.format=kafka_${topic}). Returns the new string, or NULL with why. */
static char *resolve_refs(const char *text, char *why, size_t why_size)
{
    if (!strstr(text, "${"))
        return sl_xstrdup(text);
    struct sl_buf out;
    sl_buf_init(&out, VALUE_MAX);
    const char *p = text;
    while (*p) {
        const char *open = strstr(p, "${");
        const char *close = open ? strchr(open + 2, '}') : NULL;
        const char *colon = close ? memchr(open + 2, ':', (size_t)(close - open - 2)) : NULL;
        if (!colon) {
            (void)sl_buf_addstr(&out, p);
            break;
        }
        (void)sl_buf_add(&out, p, (size_t)(open - p));
        size_t plen = (size_t)(colon - open - 2);
        const char *rest = colon + 1;
        size_t rlen = (size_t)(close - rest);
        if (plen == 3 && memcmp(open + 2, "env", 3) == 0) {
            char *var = sl_xstrndup(rest, rlen);
            const char *val = getenv(var);
            if (!val) {
                snprintf(why, why_size, "${env:%.100s}: environment variable %.100s is not set",
                         var, var);
                sl_free(var);
                goto fail;
            }
            sl_free(var);
            if (sl_buf_addstr(&out, val)) {
                snprintf(why, why_size, "value too long after resolving references");
                goto fail;
            }
        } else if (plen == 4 && memcmp(open + 2, "file", 4) == 0) {
            const char *kcolon = memchr(rest, ':', rlen);
            if (!kcolon) {
                snprintf(why, why_size, "${file:...} needs a path and a key: ${file:/path:key}");
                goto fail;
            }
            char *path = sl_xstrndup(rest, (size_t)(kcolon - rest));
            char *key = sl_xstrndup(kcolon + 1, (size_t)(close - kcolon - 1));
            struct sl_props props;
            sl_props_init(&props);
            char err[256];
            sl_err_t e = sl_props_load(&props, path, err, sizeof(err));
            const char *val = e ? NULL : sl_props_get(&props, key);
            if (e)
                snprintf(why, why_size, "${file:%.100s:%.100s}: %s", path, key, err);
            else if (!val)
                snprintf(why, why_size, "${file:%.100s:%.100s}: no key '%.100s' in %.100s", path,
                         key, key, path);
            else if (sl_buf_addstr(&out, val))
                snprintf(why, why_size, "value too long after resolving references");
            bool ok = val && !e && why[0] == '\0';
            sl_props_fini(&props);
            sl_free(path);
            sl_free(key);
            if (!ok)
                goto fail;
        } else {
            snprintf(why, why_size,
                     "config provider '%.*s' is not supported (use ${env:VAR} or "
                     "${file:/path:key})",
                     (int)(plen > 60 ? 60 : plen), open + 2);
            goto fail;
        }
        p = close + 1;
    }
    if (out.len == 0) {
        sl_buf_fini(&out);
        return sl_xstrdup("");
    }
    return sl_buf_take(&out, NULL);
fail:
    sl_buf_fini(&out);
    return NULL;
}

/* ---- Edit distance for "did you mean" ---- */

static size_t edit_distance(const char *a, const char *b, size_t limit)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 128 || lb > 128)
        return limit + 1;
    if ((la > lb ? la - lb : lb - la) > limit)
        return limit + 1;
    size_t prev[129], cur[129];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        size_t best = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            if (cur[j] < best)
                best = cur[j];
        }
        if (best > limit)
            return limit + 1;
        memcpy(prev, cur, (lb + 1) * sizeof(size_t));
    }
    return prev[lb];
}

static const char *closest_key(const struct sl_conf_table *table, const char *key)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t s = 0; s < SL_CONF_MAX_SECTIONS && table->sections[s].options; s++) {
        for (const struct sl_option *opt = table->sections[s].options; opt->name; opt++) {
            size_t d = edit_distance(key, opt->name, 2);
            if (d < best_d) {
                best_d = d;
                best = opt->name;
            }
            if (opt->alias) {
                d = edit_distance(key, opt->alias, 2);
                if (d < best_d) {
                    best_d = d;
                    best = opt->alias;
                }
            }
        }
    }
    return best;
}

/* ---- Engine ---- */

void sl_conf_init(const struct sl_conf_table *table, void *conf)
{
    memset(conf, 0, table->size);
    struct sl_conf_meta *meta = conf;
    meta->table = table;
    meta->norigins = table_count(table);
    meta->origins = sl_xcalloc(meta->norigins ? meta->norigins : 1, sizeof(*meta->origins));
    for (size_t s = 0; s < SL_CONF_MAX_SECTIONS && table->sections[s].options; s++) {
        const struct sl_conf_section *sec = &table->sections[s];
        for (const struct sl_option *opt = sec->options; opt->name; opt++) {
            if (!opt->def)
                continue;
            char why[256];
            sl_err_t err =
                set_value(opt, field_of(conf, sec, opt->off), opt->def, why, sizeof(why));
            if (err) {
                /* A table bug: every default must be valid. */
                sl_log(SL_LOG_ERROR, "CONF", "default of %s '%s' %s", opt->name, opt->def, why);
                abort();
            }
        }
    }
}

void sl_conf_fini(void *conf)
{
    struct sl_conf_meta *meta = conf;
    const struct sl_conf_table *table = meta->table;
    if (!table)
        return;
    for (size_t s = 0; s < SL_CONF_MAX_SECTIONS && table->sections[s].options; s++) {
        const struct sl_conf_section *sec = &table->sections[s];
        for (const struct sl_option *opt = sec->options; opt->name; opt++)
            free_value(opt, field_of(conf, sec, opt->off));
        for (const struct sl_passthrough *pt = sec->passthrough; pt && pt->prefix; pt++) {
            void *f = field_of(conf, sec, pt->off);
            if (pt->kind == SL_PT_LIST)
                kvlist_free(f);
            else
                grouplist_free(f);
        }
    }
    for (size_t i = 0; i < meta->nfiles; i++)
        sl_free(meta->files[i]);
    sl_free(meta->files);
    sl_free(meta->origins);
    memset(meta, 0, sizeof(*meta));
}

static const char *intern_file(struct sl_conf_meta *meta, const char *file)
{
    if (!file)
        return NULL;
    for (size_t i = 0; i < meta->nfiles; i++)
        if (strcmp(meta->files[i], file) == 0)
            return meta->files[i];
    meta->files = sl_xrealloc(meta->files, (meta->nfiles + 1) * sizeof(*meta->files));
    meta->files[meta->nfiles] = sl_xstrdup(file);
    return meta->files[meta->nfiles++];
}

static const char *shown(const char *value, bool secret)
{
    return secret ? SL_CONF_HIDDEN_TEXT : value;
}

/* Applies one exact option. Returns true when an error was added to diag. */
static bool apply_option(void *conf, const struct sl_conf_section *sec, const struct sl_option *opt,
                         size_t idx, const struct sl_prop *prop, const struct sl_props *props,
                         const char *file, struct sl_buf *diag)
{
    struct sl_conf_meta *meta = conf;
    struct sl_conf_origin *origin = &meta->origins[idx];
    bool secret = is_secret(opt);
    if (origin->set) {
        /* The 2.x name and its 1.9 alias both given. */
        const char *other = sl_props_get(props, origin->spelled);
        if (other && strcmp(other, prop->value) != 0) {
            diag_add(diag, "error",
                     "%s:%u: %s: '%s' conflicts with %s='%s' at line %u; give only one of the "
                     "two names",
                     file, prop->line, prop->key, shown(prop->value, secret), origin->spelled,
                     shown(other, secret), origin->line);
            return true;
        }
        diag_add(diag, "note", "%s:%u: %s repeats %s (line %u) with the same value", file,
                 prop->line, prop->key, origin->spelled, origin->line);
        return false;
    }
    char why[512] = "";
    char *value = resolve_refs(prop->value, why, sizeof(why));
    if (!value) {
        diag_add(diag, "error", "%s:%u: %s: %s", file, prop->line, prop->key, why);
        return true;
    }
    sl_err_t err = set_value(opt, field_of(conf, sec, opt->off), value, why, sizeof(why));
    if (err) {
        diag_add(diag, "error", "%s:%u: %s: '%s' %s", file, prop->line, prop->key,
                 shown(value, secret), why);
        sl_free(value);
        return true;
    }
    sl_free(value);
    origin->set = true;
    origin->file = intern_file(meta, prop->file ? file : NULL);
    origin->line = prop->line;
    origin->spelled = opt->alias && strcmp(prop->key, opt->alias) == 0 ? opt->alias : opt->name;
    if (opt->flags & SL_OPT_IGNORED)
        diag_add(diag, "note", "%s:%u: %s is accepted for compatibility and has no effect", file,
                 prop->line, prop->key);
    return false;
}

static const struct sl_option *find_list_option(const struct sl_conf_table *table, void *conf,
                                                const char *name,
                                                const struct sl_conf_strlist **list)
{
    const struct sl_conf_section *sec;
    size_t idx;
    const struct sl_option *opt = find_option(table, name, &sec, &idx);
    if (opt && opt->type == SL_T_LIST)
        *list = field_of(conf, sec, opt->off);
    return opt;
}

/* Tries the pass-through prefixes of every section; catch_all ones only when want_catch_all.
 * Returns true when the key was taken (or rejected with an error). */
static bool apply_passthrough(const struct sl_conf_table *table, void *conf,
                              const struct sl_prop *prop, const char *file, bool want_catch_all,
                              struct sl_buf *diag, unsigned *nerr)
{
    struct sl_conf_meta *meta = conf;
    for (size_t s = 0; s < SL_CONF_MAX_SECTIONS && table->sections[s].options; s++) {
        const struct sl_conf_section *sec = &table->sections[s];
        for (const struct sl_passthrough *pt = sec->passthrough; pt && pt->prefix; pt++) {
            if (pt->catch_all != want_catch_all)
                continue;
            const char *rest = NULL;
            const char *group = NULL;
            size_t group_len = 0;
            if (pt->kind == SL_PT_NAMED) {
                const struct sl_conf_strlist *names = NULL;
                find_list_option(table, conf, pt->names_from, &names);
                for (size_t i = 0; names && i < names->n && !rest; i++) {
                    size_t n = strlen(names->items[i]);
                    if (strncmp(prop->key, names->items[i], n) == 0 && prop->key[n] == '.' &&
                        prop->key[n + 1]) {
                        group = names->items[i];
                        group_len = n;
                        rest = prop->key + n + 1;
                    }
                }
            } else {
                size_t n = strlen(pt->prefix);
                if (strncmp(prop->key, pt->prefix, n) == 0)
                    rest = prop->key + n;
                else if (pt->alias && strncmp(prop->key, pt->alias, strlen(pt->alias)) == 0)
                    rest = prop->key + strlen(pt->alias);
                if (rest && pt->kind == SL_PT_GROUP) {
                    const char *dot = strchr(rest, '.');
                    if (!dot || dot == rest || !dot[1]) {
                        diag_add(diag, "warning", "%s:%u: %s: expected %s<name>.<setting>; ignored",
                                 file, prop->line, prop->key, pt->prefix);
                        return true;
                    }
                    group = rest;
                    group_len = (size_t)(dot - rest);
                    rest = dot + 1;
                    const struct sl_conf_strlist *names = NULL;
                    if (pt->names_from) {
                        find_list_option(table, conf, pt->names_from, &names);
                        bool listed = false;
                        for (size_t i = 0; names && i < names->n; i++)
                            listed |= strlen(names->items[i]) == group_len &&
                                      memcmp(names->items[i], group, group_len) == 0;
                        if (!listed)
                            diag_add(diag, "warning",
                                     "%s:%u: %s: '%.*s' is not listed in %s; the setting is "
                                     "kept but unused",
                                     file, prop->line, prop->key, (int)group_len, group,
                                     pt->names_from);
                    }
                }
            }
            if (!rest || !*rest)
                continue;
            char why[512] = "";
            char *value = resolve_refs(prop->value, why, sizeof(why));
            if (!value) {
                diag_add(diag, "error", "%s:%u: %s: %s", file, prop->line, prop->key, why);
                (*nerr)++;
                return true;
            }
            const char *f = intern_file(meta, prop->line ? file : NULL);
            void *field = field_of(conf, sec, pt->off);
            if (pt->kind == SL_PT_LIST) {
                kvlist_add(field, rest, value, f, prop->line);
            } else {
                struct sl_conf_group *grp = grouplist_get_or_add(field, group, group_len);
                kvlist_add(&grp->props, rest, value, f, prop->line);
            }
            if (pt->catch_all) {
                const char *near = closest_key(table, prop->key);
                if (near)
                    diag_add(diag, "warning", "%s:%u: %s is passed through as %s; did you mean %s?",
                             file, prop->line, prop->key, pt->prefix, near);
            }
            return true;
        }
    }
    return false;
}

static unsigned count_errors(const struct sl_buf *diag)
{
    unsigned n = 0;
    const char *p = sl_buf_cstr(diag);
    while (p && *p) {
        if (strncmp(p, "error: ", 7) == 0)
            n++;
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : NULL;
    }
    return n;
}

/* Sends messages to the caller's diag, or to the log when there is none. */
static void flush_diag(const struct sl_buf *msgs, struct sl_buf *diag)
{
    if (diag) {
        if (msgs->len)
            (void)sl_buf_add(diag, msgs->data, msgs->len);
        return;
    }
    const char *p = sl_buf_cstr(msgs);
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        int n = nl ? (int)(nl - p) : (int)strlen(p);
        if (strncmp(p, "warning: ", 9) == 0)
            sl_log(SL_LOG_WARN, "CONF", "%.*s", n - 9, p + 9);
        else if (strncmp(p, "note: ", 6) == 0)
            sl_log(SL_LOG_INFO, "CONF", "%.*s", n - 6, p + 6);
        p = nl ? nl + 1 : NULL;
    }
}

sl_err_t sl_conf_apply(const struct sl_conf_table *table, void *conf, const struct sl_props *props,
                       struct sl_buf *diag, char *errstr, size_t errstr_size)
{
    struct sl_buf msgs;
    sl_buf_init(&msgs, DIAG_MAX);
    const char *file = props->file ? props->file : "(config)";
    unsigned nerr = 0;
    if (props->warnings) {
        const char *p = props->warnings;
        while (*p) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            (void)sl_buf_addf(&msgs, "warning: %.*s\n", (int)n, p);
            p += n + (nl ? 1 : 0);
        }
    }
    bool *taken = sl_xcalloc(props->n ? props->n : 1, sizeof(bool));
    /* Pass 1: exact names and aliases (LIST options must be in before named pass-through). */
    for (size_t i = 0; i < props->n; i++) {
        const struct sl_prop *prop = &props->items[i];
        const struct sl_conf_section *sec;
        size_t idx;
        const struct sl_option *opt = find_option(table, prop->key, &sec, &idx);
        if (!opt)
            continue;
        taken[i] = true;
        if (apply_option(conf, sec, opt, idx, prop, props, file, &msgs))
            nerr++;
    }
    /* Pass 2: pass-through prefixes, the catch-all ones last; then unknown keys. */
    for (size_t i = 0; i < props->n; i++) {
        const struct sl_prop *prop = &props->items[i];
        if (taken[i])
            continue;
        if (apply_passthrough(table, conf, prop, file, false, &msgs, &nerr))
            continue;
        if (apply_passthrough(table, conf, prop, file, true, &msgs, &nerr))
            continue;
        const char *near = closest_key(table, prop->key);
        if (near)
            diag_add(&msgs, "warning", "%s:%u: unknown key '%s' ignored; did you mean '%s'?", file,
                     prop->line, prop->key, near);
        else
            diag_add(&msgs, "warning", "%s:%u: unknown key '%s' ignored", file, prop->line,
                     prop->key);
    }
    sl_free(taken);

    /* Required options. */
    struct sl_conf_meta *meta = conf;
    size_t idx = 0;
    for (size_t s = 0; s < SL_CONF_MAX_SECTIONS && table->sections[s].options; s++) {
        const struct sl_conf_section *sec = &table->sections[s];
        for (const struct sl_option *opt = sec->options; opt->name; opt++, idx++) {
            if (!(opt->flags & SL_OPT_REQUIRED) || meta->origins[idx].set)
                continue;
            void *field = field_of(conf, sec, opt->off);
            bool empty = false;
            if (opt->type == SL_T_STR || opt->type == SL_T_PASSWORD)
                empty = *(char **)field == NULL || **(char **)field == '\0';
            else if (opt->type == SL_T_LIST)
                empty = ((struct sl_conf_strlist *)field)->n == 0;
            else
                empty = opt->def == NULL;
            if (!empty)
                continue;
            if (opt->alias)
                diag_add(&msgs, "error", "%s: missing required key '%s' (or its older name '%s')",
                         file, opt->name, opt->alias);
            else
                diag_add(&msgs, "error", "%s: missing required key '%s'", file, opt->name);
            nerr++;
        }
    }
    if (table->check && nerr == 0) {
        table->check(table, conf, &msgs);
        nerr = count_errors(&msgs);
    }

    sl_err_t err = SL_OK;
    if (nerr) {
        err = SL_ERR_CONF;
        const char *p = strstr(sl_buf_cstr(&msgs), "error: ");
        p = p ? p + 7 : "configuration error";
        const char *nl = strchr(p, '\n');
        int n = nl ? (int)(nl - p) : (int)strlen(p);
        if (nerr > 1)
            snprintf(errstr, errstr_size, "%.*s (and %u more error%s)", n, p, nerr - 1,
                     nerr > 2 ? "s" : "");
        else
            snprintf(errstr, errstr_size, "%.*s", n, p);
    }
    flush_diag(&msgs, diag);
    sl_buf_fini(&msgs);
    return err;
}

sl_err_t sl_conf_load(const struct sl_conf_table *table, void *conf, const char *path,
                      struct sl_buf *diag, char *errstr, size_t errstr_size)
{
    sl_conf_init(table, conf);
    struct sl_props props;
    sl_props_init(&props);
    sl_err_t err = sl_props_load(&props, path, errstr, errstr_size);
    if (!err)
        err = sl_conf_apply(table, conf, &props, diag, errstr, errstr_size);
    sl_props_fini(&props);
    return err;
}

const struct sl_conf_origin *sl_conf_origin_of(const void *conf, const char *name)
{
    const struct sl_conf_meta *meta = conf;
    const struct sl_conf_section *sec;
    size_t idx;
    if (!meta->table || !find_option(meta->table, name, &sec, &idx))
        return NULL;
    return &meta->origins[idx];
}

bool sl_conf_is_set(const void *conf, const char *name)
{
    const struct sl_conf_origin *origin = sl_conf_origin_of(conf, name);
    return origin && origin->set;
}
