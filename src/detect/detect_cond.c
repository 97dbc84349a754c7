/* detect_cond.c -- the Sigma condition language: and/or/not, parentheses,
 * `1 of`/`any of`/`all of` over selection names, name patterns and
 * `them`. Recursive descent, bounded in length, depth and node count;
 * the result is an n-ary tree of det_cond nodes over selection indices. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "detect/detect_int.h"

enum tok { T_END, T_LP, T_RP, T_WORD, T_PIPE };

struct cparser {
    struct vigil_arena *a;
    struct det_detection *dt;
    const char *s;
    size_t pos, len;
    enum tok t;
    const char *w;
    size_t wlen;
    int depth;
    char *msg;
    size_t msglen;
    uint32_t ncap;
};

static void
next(struct cparser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        p->pos++;
    if (p->pos >= p->len) {
        p->t = T_END;
        return;
    }
    char c = p->s[p->pos];
    if (c == '(' || c == ')' || c == '|') {
        p->t = c == '(' ? T_LP : c == ')' ? T_RP : T_PIPE;
        p->w = p->s + p->pos;
        p->wlen = 1;
        p->pos++;
        return;
    }
    size_t st = p->pos;
    while (p->pos < p->len) {
        c = p->s[p->pos];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' ||
            c == ')' || c == '|')
            break;
        p->pos++;
    }
    p->t = T_WORD;
    p->w = p->s + st;
    p->wlen = p->pos - st;
}

static int
is_kw(const struct cparser *p, const char *kw)
{
    return p->t == T_WORD && p->wlen == strlen(kw) &&
           strncasecmp(p->w, kw, p->wlen) == 0;
}

static uint32_t
new_node(struct cparser *p, uint8_t kind, uint32_t n)
{
    struct det_detection *dt = p->dt;

    if (dt->ncond >= DET_MAX_COND_NODES) {
        snprintf(p->msg, p->msglen, "condition has more than %d terms",
                 DET_MAX_COND_NODES);
        return DET_NONE;
    }
    if (dt->ncond == p->ncap) {
        uint32_t nc = p->ncap ? p->ncap * 2 : 16;
        struct det_cond *c = vigil_arena_alloc(p->a, nc * sizeof(*c));
        if (!c) {
            snprintf(p->msg, p->msglen, "out of memory");
            return DET_NONE;
        }
        if (dt->ncond)
            memcpy(c, dt->cond, dt->ncond * sizeof(*c));
        dt->cond = c;
        p->ncap = nc;
    }
    struct det_cond *c = &dt->cond[dt->ncond];
    memset(c, 0, sizeof(*c));
    c->kind = kind;
    c->n = n;
    if (n) {
        c->kids = vigil_arena_alloc(p->a, n * sizeof(uint32_t));
        if (!c->kids) {
            snprintf(p->msg, p->msglen, "out of memory");
            return DET_NONE;
        }
    }
    return dt->ncond++;
}

static int
name_glob(const char *pat, size_t plen, const char *s)
{
    size_t slen = strlen(s), pi = 0, si = 0, star = (size_t)-1, mark = 0;

    while (si < slen) {
        if (pi < plen && pat[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (pi < plen && pat[pi] == s[si]) {
            pi++;
            si++;
        } else if (star != (size_t)-1) {
            pi = star + 1;
            si = ++mark;
        } else {
            return 0;
        }
    }
    while (pi < plen && pat[pi] == '*')
        pi++;
    return pi == plen;
}

static uint32_t parse_or(struct cparser *p);

static uint32_t
parse_of(struct cparser *p, int all)
{
    struct det_detection *dt = p->dt;
    uint32_t idx[512];
    uint32_t n = 0;

    next(p); /* 'of' */
    if (!is_kw(p, "of")) {
        snprintf(p->msg, p->msglen, "expected 'of' in condition");
        return DET_NONE;
    }
    next(p);
    if (p->t != T_WORD) {
        snprintf(p->msg, p->msglen, "expected a name or 'them' after 'of'");
        return DET_NONE;
    }
    int them = is_kw(p, "them");
    for (uint32_t i = 0; i < dt->nsels; i++) {
        const char *nm = dt->sels[i].name;
        int hit = them ? nm[0] != '_' : name_glob(p->w, p->wlen, nm);
        if (hit) {
            if (n == sizeof(idx) / sizeof(idx[0])) {
                snprintf(p->msg, p->msglen,
                         "'of' expression covers too many names");
                return DET_NONE;
            }
            idx[n++] = i;
        }
    }
    if (n == 0) {
        snprintf(p->msg, p->msglen, "'%.*s' matches no selection", (int)p->wlen,
                 p->w);
        return DET_NONE;
    }
    next(p);
    uint32_t node = new_node(p, all ? CK_AND : CK_OR, n);
    if (node == DET_NONE)
        return node;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t leaf = new_node(p, CK_SEL, 0);
        if (leaf == DET_NONE)
            return leaf;
        dt->cond[leaf].sel = idx[i];
        dt->cond[node].kids[i] = leaf;
    }
    return node;
}

static uint32_t
parse_primary(struct cparser *p)
{
    struct det_detection *dt = p->dt;

    if (++p->depth > DET_MAX_COND_DEPTH) {
        snprintf(p->msg, p->msglen, "condition nested deeper than %d",
                 DET_MAX_COND_DEPTH);
        return DET_NONE;
    }
    uint32_t r = DET_NONE;
    if (p->t == T_LP) {
        next(p);
        r = parse_or(p);
        if (r == DET_NONE)
            return r;
        if (p->t != T_RP) {
            snprintf(p->msg, p->msglen, "missing ')' in condition");
            return DET_NONE;
        }
        next(p);
    } else if (is_kw(p, "not")) {
        next(p);
        uint32_t k = parse_primary(p);
        if (k == DET_NONE)
            return k;
        r = new_node(p, CK_NOT, 1);
        if (r != DET_NONE)
            dt->cond[r].kids[0] = k;
    } else if (is_kw(p, "1") || is_kw(p, "any")) {
        r = parse_of(p, 0);
    } else if (is_kw(p, "all")) {
        r = parse_of(p, 1);
    } else if (p->t == T_WORD) {
        if (is_kw(p, "and") || is_kw(p, "or") || is_kw(p, "of")) {
            snprintf(p->msg, p->msglen, "unexpected '%.*s' in condition",
                     (int)p->wlen, p->w);
            return DET_NONE;
        }
        uint32_t i;
        for (i = 0; i < dt->nsels; i++)
            if (strlen(dt->sels[i].name) == p->wlen &&
                memcmp(dt->sels[i].name, p->w, p->wlen) == 0)
                break;
        if (i == dt->nsels) {
            snprintf(p->msg, p->msglen,
                     "condition names '%.*s', which is not defined",
                     (int)p->wlen, p->w);
            return DET_NONE;
        }
        r = new_node(p, CK_SEL, 0);
        if (r != DET_NONE)
            dt->cond[r].sel = i;
        next(p);
    } else if (p->t == T_PIPE) {
        snprintf(p->msg, p->msglen,
                 "aggregation ('|') is deprecated; use a correlation rule");
        return DET_NONE;
    } else {
        snprintf(p->msg, p->msglen, "unexpected %s in condition",
                 p->t == T_END ? "end" : "')'");
        return DET_NONE;
    }
    p->depth--;
    return r;
}

static uint32_t
parse_chain(struct cparser *p, int is_or)
{
    uint32_t kids[256];
    uint32_t n = 0;

    for (;;) {
        uint32_t k = is_or ? parse_chain(p, 0) : parse_primary(p);
        if (k == DET_NONE)
            return k;
        if (n == sizeof(kids) / sizeof(kids[0])) {
            snprintf(p->msg, p->msglen, "too many terms in one chain");
            return DET_NONE;
        }
        kids[n++] = k;
        if (!is_kw(p, is_or ? "or" : "and"))
            break;
        next(p);
    }
    if (n == 1)
        return kids[0];
    uint32_t r = new_node(p, is_or ? CK_OR : CK_AND, n);
    if (r != DET_NONE)
        memcpy(p->dt->cond[r].kids, kids, n * sizeof(uint32_t));
    return r;
}

static uint32_t
parse_or(struct cparser *p)
{
    return parse_chain(p, 1);
}

enum vigil_rc
detect_cond_parse(struct vigil_arena *a, struct det_detection *dt,
                  const char *text, char *msg, size_t msglen)
{
    struct cparser p;

    memset(&p, 0, sizeof(p));
    p.a = a;
    p.dt = dt;
    p.s = text;
    p.len = strlen(text);
    p.msg = msg;
    p.msglen = msglen;
    msg[0] = '\0';
    dt->ncond = 0;
    dt->cond = NULL;
    if (p.len > DET_MAX_COND_LEN) {
        snprintf(msg, msglen, "condition longer than %d bytes",
                 DET_MAX_COND_LEN);
        return VIGIL_ELIMIT;
    }
    next(&p);
    uint32_t r = parse_or(&p);
    if (r == DET_NONE)
        return VIGIL_EPARSE;
    if (p.t != T_END) {
        if (p.t == T_PIPE)
            snprintf(msg, msglen,
                     "aggregation ('|') is deprecated; use a correlation "
                     "rule");
        else
            snprintf(msg, msglen, "unexpected '%.*s' in condition", (int)p.wlen,
                     p.w);
        return VIGIL_EPARSE;
    }
    dt->root = r;
    return VIGIL_OK;
}
