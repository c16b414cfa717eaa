/* SPDX-License-Identifier: Apache-2.0 */
/* Tolerant DDL classifier for QUERY event text (see ddl.h): a small lexer (comments,
 * executable comments, quoted identifiers and strings, raw bytes) and a keyword walk per
 * statement kind that collects the affected db.table names. It reads only as far as it needs
 * and never fails: unknown statements are SL_DDL_OTHER or SL_DDL_NONE. */
#include "source/ddl.h"

#include <string.h>
#include <strings.h>

enum tok_kind {
    TOK_END = 0,
    TOK_WORD,   /* unquoted identifier or keyword */
    TOK_QIDENT, /* `quoted` or "quoted" identifier */
    TOK_STRING, /* 'string' */
    TOK_PUNCT,  /* one byte of punctuation */
};

struct tok {
    enum tok_kind kind;
    const char *ptr; /* raw text (quotes included for QIDENT/STRING) */
    size_t len;
};

struct lex {
    const char *s;
    size_t len;
    size_t i;
    int exec_depth; /* open executable comments whose closing marker is skipped */
    struct tok peeked;
    bool has_peeked;
    uint32_t cap; /* allocated entries of the result's table array */
};

static bool is_ident_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '$' || c >= 0x80;
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Skips whitespace and comments; enters executable comments. */
static void skip_blank(struct lex *lx)
{
    while (lx->i < lx->len) {
        unsigned char c = (unsigned char)lx->s[lx->i];
        size_t rest = lx->len - lx->i;
        if (is_space(c)) {
            lx->i++;
        } else if (c == '#' || (c == '-' && rest >= 2 && lx->s[lx->i + 1] == '-' &&
                                (rest == 2 || is_space((unsigned char)lx->s[lx->i + 2])))) {
            while (lx->i < lx->len && lx->s[lx->i] != '\n')
                lx->i++;
        } else if (c == '/' && rest >= 2 && lx->s[lx->i + 1] == '*') {
            size_t j = lx->i + 2;
            bool exec = false;
            if (j < lx->len && lx->s[j] == '!') {
                exec = true;
                j++;
            } else if (j + 1 < lx->len && lx->s[j] == 'M' && lx->s[j + 1] == '!') {
                exec = true;
                j += 2;
            }
            if (exec) {
                while (j < lx->len && lx->s[j] >= '0' && lx->s[j] <= '9')
                    j++;
                lx->exec_depth++;
                lx->i = j;
                continue;
            }
            while (j + 1 < lx->len && !(lx->s[j] == '*' && lx->s[j + 1] == '/'))
                j++;
            lx->i = j + 1 < lx->len ? j + 2 : lx->len;
        } else if (c == '*' && lx->exec_depth > 0 && rest >= 2 && lx->s[lx->i + 1] == '/') {
            lx->exec_depth--;
            lx->i += 2;
        } else {
            break;
        }
    }
}

static struct tok lex_read(struct lex *lx)
{
    struct tok t = {TOK_END, lx->s + lx->len, 0};
    skip_blank(lx);
    if (lx->i >= lx->len)
        return t;
    size_t start = lx->i;
    unsigned char c = (unsigned char)lx->s[start];
    t.ptr = lx->s + start;
    if (c == '`' || c == '"' || c == '\'') {
        size_t j = start + 1;
        while (j < lx->len) {
            if (c == '\'' && lx->s[j] == '\\' && j + 1 < lx->len) {
                j += 2;
                continue;
            }
            if ((unsigned char)lx->s[j] == c) {
                if (j + 1 < lx->len && (unsigned char)lx->s[j + 1] == c) {
                    j += 2; /* doubled quote */
                    continue;
                }
                break;
            }
            j++;
        }
        lx->i = j < lx->len ? j + 1 : lx->len;
        t.kind = c == '\'' ? TOK_STRING : TOK_QIDENT;
    } else if (is_ident_byte(c)) {
        size_t j = start;
        while (j < lx->len && is_ident_byte((unsigned char)lx->s[j]))
            j++;
        lx->i = j;
        t.kind = TOK_WORD;
    } else {
        lx->i = start + 1;
        t.kind = TOK_PUNCT;
    }
    t.len = lx->i - start;
    return t;
}

static struct tok next(struct lex *lx)
{
    if (lx->has_peeked) {
        lx->has_peeked = false;
        return lx->peeked;
    }
    return lex_read(lx);
}

static struct tok peek(struct lex *lx)
{
    if (!lx->has_peeked) {
        lx->peeked = lex_read(lx);
        lx->has_peeked = true;
    }
    return lx->peeked;
}

static bool is_kw(struct tok t, const char *kw)
{
    size_t n = strlen(kw);
    return t.kind == TOK_WORD && t.len == n && strncasecmp(t.ptr, kw, n) == 0;
}

static bool is_punct(struct tok t, char ch)
{
    return t.kind == TOK_PUNCT && t.ptr[0] == ch;
}

/* Consumes the next token when it is keyword kw. */
static bool accept(struct lex *lx, const char *kw)
{
    if (is_kw(peek(lx), kw)) {
        next(lx);
        return true;
    }
    return false;
}

static bool accept_punct(struct lex *lx, char ch)
{
    if (is_punct(peek(lx), ch)) {
        next(lx);
        return true;
    }
    return false;
}

static bool is_name_tok(struct tok t)
{
    return t.kind == TOK_WORD || t.kind == TOK_QIDENT;
}

/* Unquoted copy of an identifier token. */
static struct sl_str ident(struct sl_arena *arena, struct tok t)
{
    if (t.kind != TOK_QIDENT)
        return sl_arena_str(arena, (struct sl_str){t.ptr, t.len});
    char q = t.ptr[0];
    size_t end = t.len >= 2 && t.ptr[t.len - 1] == q ? t.len - 1 : t.len;
    char *out = sl_arena_alloc(arena, t.len + 1);
    size_t n = 0;
    for (size_t i = 1; i < end; i++) {
        out[n++] = t.ptr[i];
        if (t.ptr[i] == q && i + 1 < end && t.ptr[i + 1] == q)
            i++;
    }
    out[n] = '\0';
    return (struct sl_str){out, n};
}

/* Reads [db.]name; returns false when no name follows. */
static bool read_name(struct lex *lx, struct sl_arena *arena, struct sl_str default_db,
                      struct sl_str *db, struct sl_str *name)
{
    struct tok t = peek(lx);
    if (!is_name_tok(t))
        return false;
    next(lx);
    struct sl_str first = ident(arena, t);
    if (is_punct(peek(lx), '.')) {
        next(lx);
        struct tok t2 = peek(lx);
        if (is_name_tok(t2)) {
            next(lx);
            *db = first;
            *name = ident(arena, t2);
            return true;
        }
    }
    *db = default_db;
    *name = first;
    return true;
}

/* The table array grows by doubling inside the arena (most statements name one table). */
static struct sl_ddl_table *add_table(struct sl_ddl *ddl, struct sl_arena *arena,
                                      uint32_t *cap)
{
    if (ddl->ntables >= SL_DDL_MAX_TABLES) {
        ddl->incomplete = true;
        return NULL;
    }
    if (ddl->ntables == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 4;
        struct sl_ddl_table *t = sl_arena_calloc(arena, ncap, sizeof(*t));
        if (ddl->ntables)
            memcpy(t, ddl->tables, ddl->ntables * sizeof(*t));
        ddl->tables = t;
        *cap = ncap;
    }
    struct sl_ddl_table *t = &ddl->tables[ddl->ntables++];
    memset(t, 0, sizeof(*t));
    return t;
}

/* Reads one table name into a new entry; marks the result incomplete when absent. */
static struct sl_ddl_table *table_name(struct lex *lx, struct sl_arena *arena,
                                       struct sl_str default_db, struct sl_ddl *ddl)
{
    struct sl_str db, name;
    if (!read_name(lx, arena, default_db, &db, &name)) {
        ddl->incomplete = true;
        return NULL;
    }
    struct sl_ddl_table *t = add_table(ddl, arena, &lx->cap);
    if (t) {
        t->db = db;
        t->name = name;
    }
    return t;
}

static void if_exists(struct lex *lx, struct sl_ddl *ddl)
{
    if (is_kw(peek(lx), "IF")) {
        next(lx);
        accept(lx, "NOT");
        accept(lx, "EXISTS");
        ddl->if_exists = true;
    }
}

/* [UNIQUE|FULLTEXT|SPATIAL] INDEX [IF NOT EXISTS] name [USING x] ON tbl: an ALTER of tbl. */
static void index_on(struct lex *lx, struct sl_arena *arena, struct sl_str default_db,
                     struct sl_ddl *ddl)
{
    ddl->kind = SL_DDL_ALTER_TABLE;
    if_exists(lx, ddl);
    for (int guard = 0; guard < 64; guard++) {
        struct tok t = next(lx);
        if (t.kind == TOK_END)
            break;
        if (is_kw(t, "ON")) {
            table_name(lx, arena, default_db, ddl);
            return;
        }
    }
    ddl->incomplete = true;
}

static void parse_create(struct lex *lx, struct sl_arena *arena, struct sl_str default_db,
                         struct sl_ddl *ddl)
{
    if (accept(lx, "OR"))
        accept(lx, "REPLACE");
    if (accept(lx, "TEMPORARY"))
        ddl->temporary = true;
    struct tok t = peek(lx);
    if (is_kw(t, "TABLE")) {
        next(lx);
        ddl->kind = SL_DDL_CREATE_TABLE;
        if_exists(lx, ddl);
        table_name(lx, arena, default_db, ddl);
    } else if (is_kw(t, "DATABASE") || is_kw(t, "SCHEMA")) {
        next(lx);
        ddl->kind = SL_DDL_CREATE_DATABASE;
        if_exists(lx, ddl);
        struct tok n = peek(lx);
        if (is_name_tok(n))
            ddl->database = ident(arena, next(lx));
        else
            ddl->incomplete = true;
    } else if (is_kw(t, "UNIQUE") || is_kw(t, "FULLTEXT") || is_kw(t, "SPATIAL")) {
        next(lx);
        if (accept(lx, "INDEX") || accept(lx, "KEY"))
            index_on(lx, arena, default_db, ddl);
        else
            ddl->kind = SL_DDL_OTHER;
    } else if (is_kw(t, "INDEX")) {
        next(lx);
        index_on(lx, arena, default_db, ddl);
    } else if (is_kw(t, "USER") || is_kw(t, "ROLE")) {
        ddl->kind = SL_DDL_NONE;
    } else {
        ddl->kind = SL_DDL_OTHER; /* VIEW, PROCEDURE, FUNCTION, TRIGGER, EVENT, SEQUENCE... */
    }
}

/* Looks for a top-level RENAME [TO|AS] new_name in the rest of an ALTER TABLE (not RENAME
 * COLUMN/INDEX/KEY). */
static void alter_rename(struct lex *lx, struct sl_arena *arena, struct sl_str default_db,
                         struct sl_ddl_table *tab)
{
    int depth = 0;
    for (;;) {
        struct tok t = next(lx);
        if (t.kind == TOK_END)
            return;
        if (is_punct(t, '('))
            depth++;
        else if (is_punct(t, ')') && depth > 0)
            depth--;
        if (depth != 0 || !is_kw(t, "RENAME"))
            continue;
        struct tok n = peek(lx);
        if (is_kw(n, "COLUMN") || is_kw(n, "INDEX") || is_kw(n, "KEY"))
            continue;
        if (!accept(lx, "TO"))
            accept(lx, "AS");
        struct sl_str db, name;
        if (read_name(lx, arena, default_db, &db, &name)) {
            tab->new_db = db;
            tab->new_name = name;
        }
    }
}

static void parse_alter(struct lex *lx, struct sl_arena *arena, struct sl_str default_db,
                        struct sl_ddl *ddl)
{
    accept(lx, "ONLINE");
    accept(lx, "OFFLINE");
    accept(lx, "IGNORE");
    struct tok t = peek(lx);
    if (is_kw(t, "TABLE")) {
        next(lx);
        ddl->kind = SL_DDL_ALTER_TABLE;
        if_exists(lx, ddl);
        struct sl_ddl_table *tab = table_name(lx, arena, default_db, ddl);
        if (tab)
            alter_rename(lx, arena, default_db, tab);
    } else if (is_kw(t, "USER") || is_kw(t, "ROLE") || is_kw(t, "INSTANCE") ||
               is_kw(t, "SERVER") || is_kw(t, "RESOURCE")) {
        ddl->kind = SL_DDL_NONE;
    } else {
        ddl->kind = SL_DDL_OTHER; /* DATABASE, VIEW, EVENT, PROCEDURE, ... */
    }
}

static void parse_drop(struct lex *lx, struct sl_arena *arena, struct sl_str default_db,
                       struct sl_ddl *ddl)
{
    if (accept(lx, "TEMPORARY"))
        ddl->temporary = true;
    struct tok t = peek(lx);
    if (is_kw(t, "TABLE") || is_kw(t, "TABLES")) {
        next(lx);
        ddl->kind = SL_DDL_DROP_TABLE;
        if_exists(lx, ddl);
        do {
            table_name(lx, arena, default_db, ddl);
        } while (accept_punct(lx, ','));
    } else if (is_kw(t, "DATABASE") || is_kw(t, "SCHEMA")) {
        next(lx);
        ddl->kind = SL_DDL_DROP_DATABASE;
        if_exists(lx, ddl);
        struct tok n = peek(lx);
        if (is_name_tok(n))
            ddl->database = ident(arena, next(lx));
        else
            ddl->incomplete = true;
    } else if (is_kw(t, "INDEX")) {
        next(lx);
        index_on(lx, arena, default_db, ddl);
    } else if (is_kw(t, "USER") || is_kw(t, "ROLE") || is_kw(t, "SERVER")) {
        ddl->kind = SL_DDL_NONE;
    } else {
        ddl->kind = SL_DDL_OTHER;
    }
}

static void parse_rename(struct lex *lx, struct sl_arena *arena, struct sl_str default_db,
                         struct sl_ddl *ddl)
{
    if (!accept(lx, "TABLE") && !accept(lx, "TABLES")) {
        ddl->kind = SL_DDL_NONE; /* RENAME USER */
        return;
    }
    ddl->kind = SL_DDL_RENAME_TABLE;
    if_exists(lx, ddl); /* MariaDB: RENAME TABLE IF EXISTS */
    do {
        struct sl_ddl_table *tab = table_name(lx, arena, default_db, ddl);
        if (!tab)
            return;
        if (accept(lx, "WAIT")) /* MariaDB WAIT n / NOWAIT */
            next(lx);
        accept(lx, "NOWAIT");
        if (!accept(lx, "TO")) {
            ddl->incomplete = true;
            return;
        }
        if (!read_name(lx, arena, default_db, &tab->new_db, &tab->new_name)) {
            ddl->incomplete = true;
            return;
        }
    } while (accept_punct(lx, ','));
}

void sl_ddl_classify(const char *sql, size_t len, struct sl_str default_db,
                     struct sl_arena *arena, struct sl_ddl *ddl)
{
    struct lex lx = {.s = sql ? sql : "", .len = sql ? len : 0};
    memset(ddl, 0, sizeof(*ddl));
    ddl->database = default_db;
    struct tok t = next(&lx);
    if (is_kw(t, "CREATE"))
        parse_create(&lx, arena, default_db, ddl);
    else if (is_kw(t, "ALTER"))
        parse_alter(&lx, arena, default_db, ddl);
    else if (is_kw(t, "DROP"))
        parse_drop(&lx, arena, default_db, ddl);
    else if (is_kw(t, "RENAME"))
        parse_rename(&lx, arena, default_db, ddl);
    else if (is_kw(t, "TRUNCATE")) {
        accept(&lx, "TABLE");
        ddl->kind = SL_DDL_TRUNCATE_TABLE;
        table_name(&lx, arena, default_db, ddl);
    } else {
        ddl->kind = SL_DDL_NONE;
    }
    if (ddl->ntables > 0)
        ddl->database = ddl->tables[0].db;
}

const char *sl_ddl_kind_name(sl_ddl_kind_t kind)
{
    static const char *const names[] = {
        "NONE",          "OTHER",          "CREATE_TABLE",    "ALTER_TABLE",   "DROP_TABLE",
        "RENAME_TABLE",  "TRUNCATE_TABLE", "CREATE_DATABASE", "DROP_DATABASE",
    };
    if ((unsigned)kind < sizeof(names) / sizeof(names[0]))
        return names[kind];
    return "UNKNOWN";
}

bool sl_ddl_changes_tables(sl_ddl_kind_t kind)
{
    return kind == SL_DDL_CREATE_TABLE || kind == SL_DDL_ALTER_TABLE ||
           kind == SL_DDL_DROP_TABLE || kind == SL_DDL_RENAME_TABLE ||
           kind == SL_DDL_DROP_DATABASE || kind == SL_DDL_CREATE_DATABASE;
}
