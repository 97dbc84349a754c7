/* detect_prefilter.c -- chooses, for every detection rule, a set of
 * field-scoped literals at least one of which must occur in an event for
 * the rule to be able to match (derived from the condition tree: an AND
 * needs one child's set, an OR the union of all children's, a NOT
 * nothing), and compiles all distinct literals into one case-insensitive
 * Hyperscan literal database. Rules without such a set are evaluated for
 * every event. */
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>

#include "detect/detect_int.h"

struct kent {
    const char *s;
    uint32_t len;
    uint32_t field;
    uint32_t alt;
};

struct kset {
    int valid;
    struct kent *v;
    size_t n, cap;
    uint32_t score; /* min literal quality; higher is more selective */
};

static void
kset_free(struct kset *k)
{
    free(k->v);
    memset(k, 0, sizeof(*k));
}

/* A failed allocation is counted in d->nomem (the build fails with
 * VIGIL_ENOMEM, not with a weaker prefilter). */
static int
kset_add(struct vigil_detect *d, struct kset *k, const struct kent *e,
         uint32_t q)
{
    if (VIGIL_GROW(k->v, k->n, k->cap) != VIGIL_OK) {
        d->nomem++;
        return 0;
    }
    k->v[k->n++] = *e;
    if (!k->valid || q < k->score)
        k->score = q;
    k->valid = 1;
    return 1;
}

/* union: moves b's entries into a */
static int
kset_union(struct vigil_detect *d, struct kset *a, struct kset *b)
{
    for (size_t i = 0; i < b->n; i++) {
        uint32_t q = a->score;
        if (!kset_add(d, a, &b->v[i], q))
            return 0;
    }
    if (b->score < a->score)
        a->score = b->score;
    kset_free(b);
    return 1;
}

/* keeps the better of a and b in a */
static void
kset_best(struct kset *a, struct kset *b)
{
    if (!b->valid) {
        kset_free(b);
        return;
    }
    if (!a->valid || b->score > a->score ||
        (b->score == a->score && b->n < a->n)) {
        kset_free(a);
        *a = *b;
        memset(b, 0, sizeof(*b));
    } else {
        kset_free(b);
    }
}

static uint32_t
quality(const char *s, uint32_t len)
{
    uint32_t digits = 0;
    for (uint32_t i = 0; i < len; i++)
        digits += s[i] >= '0' && s[i] <= '9';
    if (digits == len)
        return 1; /* event IDs and other numbers are everywhere */
    return len > 64 ? 64 : len;
}

/* Whether inline options turn on extended mode, where white space and
 * '#' comments are not literal: no run can be trusted then. */
static int
re_extended(const char *re, uint32_t n)
{
    for (uint32_t i = 0; i + 2 < n; i++) {
        if (re[i] != '(' || re[i + 1] != '?' || (i && re[i - 1] == '\\'))
            continue;
        for (uint32_t j = i + 2; j < n && re[j] != ')' && re[j] != ':'; j++)
            if (re[j] == 'x')
                return 1;
    }
    return 0;
}

/* Index of the closing byte `close` from i, or n - 1 when missing. */
static uint32_t
re_skip_to(const char *re, uint32_t n, uint32_t i, char close)
{
    while (i < n && re[i] != close)
        i++;
    return i < n ? i : n - 1;
}

/* The last index an alphanumeric escape \e (e at i) consumes: its
 * arguments (\x41, \x{..}, \p{..}, \g{..}, \k<..>, \cX, \123) are not
 * literal characters of the pattern. Returns n when it is \Q, whose
 * quoted text this scanner does not follow. */
static uint32_t
re_skip_escape(const char *re, uint32_t n, uint32_t i)
{
    char e = re[i];
    char nx = i + 1 < n ? re[i + 1] : 0;

    switch (e) {
    case 'Q':
        return n;
    case 'c':
        return i + 1 < n ? i + 1 : i;
    case 'x':
        if (nx == '{')
            return re_skip_to(re, n, i + 1, '}');
        for (uint32_t k = 0; k < 2 && i + 1 < n; k++) {
            char h = re[i + 1];
            if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') ||
                  (h >= 'A' && h <= 'F')))
                break;
            i++;
        }
        return i;
    case 'o':
    case 'p':
    case 'P':
    case 'N':
    case 'g':
    case 'k':
        if (nx == '{')
            return re_skip_to(re, n, i + 1, '}');
        if (nx == '<')
            return re_skip_to(re, n, i + 1, '>');
        if (nx == '\'')
            return re_skip_to(re, n, i + 2, '\'');
        if ((e == 'p' || e == 'P') && nx)
            return i + 1; /* \pL */
        if (e == 'g' && (nx == '-' || nx == '+'))
            i++;
        break;
    default:
        break;
    }
    if ((e >= '0' && e <= '9') || e == 'g')
        while (i + 1 < n && re[i + 1] >= '0' && re[i + 1] <= '9')
            i++;
    return i;
}

/* Index of the ']' that closes the class opened at i. */
static uint32_t
re_skip_class(const char *re, uint32_t n, uint32_t i)
{
    i++;
    if (i < n && re[i] == '^')
        i++;
    if (i < n && re[i] == ']')
        i++;
    while (i < n && re[i] != ']') {
        if (re[i] == '\\')
            i++;
        else if (re[i] == '[' && i + 1 < n && re[i + 1] == ':')
            i = re_skip_to(re, n, i + 2, ']'); /* [:alpha:] */
        i++;
    }
    return i;
}

/* The '}' of a quantifier {m}, {m,}, {m,n} or {,n} opened at i; i itself
 * when the brace is not one (PCRE then reads it as a literal). */
static uint32_t
re_skip_bounds(const char *re, uint32_t n, uint32_t i)
{
    uint32_t j = i + 1, digits = 0, commas = 0;

    for (; j < n && re[j] != '}'; j++) {
        if (re[j] >= '0' && re[j] <= '9')
            digits++;
        else if (re[j] == ',' && !commas)
            commas++;
        else
            return i;
    }
    return j < n && digits ? j : i;
}

/* Whether the quantifier at q (if any) allows zero repetitions. */
static int
re_optional(const char *re, uint32_t n, uint32_t q)
{
    if (q >= n)
        return 0;
    if (re[q] == '?' || re[q] == '*')
        return 1;
    return re[q] == '{' && q + 1 < n && (re[q + 1] == '0' || re[q + 1] == ',');
}

/* Counts a required character of a regex towards the need check. Only
 * punctuation and digits: a letter may match a non-ASCII character
 * caselessly (k and the Kelvin sign), which a byte count would miss. */
static void
count_need(uint16_t *count, char c)
{
    unsigned char u = (unsigned char)c;

    if (u == 0 || u >= 128 || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z'))
        return;
    if (count[u] < UINT16_MAX)
        count[u]++;
}

/* The longest run of characters every match of the regular expression
 * must contain, looking only at its top level: no alternation there,
 * groups, classes and escapes other than of punctuation end a run, a
 * quantifier that allows zero takes its character out, bytes above 0x7f
 * are left out (their caseless forms are other bytes). Written into buf
 * (lowered later); returns its length or 0 when nothing reliable was
 * found. Runs of one or two characters count: the prefilter only needs
 * something every match contains, and a rare character is enough. */
uint32_t
detect_re_literal(const char *re, uint32_t n, char *buf, uint32_t cap,
                  uint8_t *need_c, uint16_t *need_n)
{
    char run[256];
    uint32_t rl = 0, best = 0;
    uint16_t count[128] = {0};
    int depth = 0;

    *need_c = 0;
    *need_n = 0;
    if (re_extended(re, n))
        return 0;
    for (uint32_t i = 0; i < n; i++) {
        char ch = re[i];
        int lit = 0;
        char c = 0;
        if (ch == '\\' && i + 1 < n) {
            char e = re[++i];
            if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') ||
                (e >= '0' && e <= '9')) {
                i = re_skip_escape(re, n, i); /* \d \w \b \1 \x41 ... */
                if (i >= n)
                    return 0;
            } else {
                lit = 1;
                c = e;
            }
        } else if (ch == '(') {
            depth++;
        } else if (ch == ')') {
            if (depth)
                depth--;
        } else if (ch == '[') {
            i = re_skip_class(re, n, i);
        } else if (ch == '{') {
            i = re_skip_bounds(re, n, i); /* a quantifier's bounds */
        } else if (ch == '|') {
            if (depth == 0)
                return 0; /* top-level alternation: no required run */
        } else if (depth == 0 && ch != '.' && ch != '^' && ch != '$' &&
                   ch != '*' && ch != '+' && ch != '?' && ch != '}') {
            lit = 1;
            c = ch;
        }
        if (depth > 0 || (unsigned char)c >= 0x80)
            lit = 0;
        if (lit && re_optional(re, n, i + 1))
            lit = 0; /* a following ?, * or {0 makes it optional */
        if (lit)
            count_need(count, c);
        if (lit && rl < sizeof(run)) {
            run[rl++] = c;
            /* a + keeps the character but ends the run after it */
            if (i + 1 < n && (re[i + 1] == '+' || re[i + 1] == '{'))
                lit = 0;
            else
                continue;
        }
        if (rl > best && rl <= cap) {
            memcpy(buf, run, rl);
            best = rl;
        }
        rl = 0;
    }
    if (rl > best && rl <= cap) {
        memcpy(buf, run, rl);
        best = rl;
    }
    for (unsigned ch = 1; ch < 128; ch++)
        if (count[ch] > *need_n && count[ch] >= 2) {
            *need_c = (uint8_t)ch;
            *need_n = count[ch];
        }
    return best;
}

/* literal of one value, or 0 */
static int
val_lit(const struct det_val *v, const char **s, uint32_t *len)
{
    switch (v->op) {
    case OP_EQ:
    case OP_CONTAINS:
    case OP_STARTS:
    case OP_ENDS:
        if (v->len == 0 || memchr(v->s, '\0', v->len))
            return 0;
        *s = v->s;
        *len = v->len;
        return 1;
    case OP_GLOB: {
        /* longest run of literal characters without escapes */
        uint32_t best = 0, bstart = 0, start = 0;
        for (uint32_t i = 0; i <= v->len; i++) {
            int brk = i == v->len || v->s[i] == '*' || v->s[i] == '?' ||
                      v->s[i] == '\\' || v->s[i] == '\0';
            if (brk) {
                if (i - start > best) {
                    best = i - start;
                    bstart = start;
                }
                if (i < v->len && v->s[i] == '\\')
                    i++;
                start = i + 1;
            }
        }
        if (best == 0)
            return 0;
        *s = v->s + bstart;
        *len = best;
        return 1;
    }
    case OP_RE:
        /* s holds the run detect_re_literal found at load time */
        if (!v->s || v->len == 0 || memchr(v->s, '\0', v->len))
            return 0;
        *s = v->s;
        *len = v->len;
        return 1;
    default:
        return 0;
    }
}

static struct kset
item_set(struct vigil_detect *d, const struct det_item *it)
{
    struct kset r = {0}, g = {0};
    uint32_t grp = DET_NONE;
    int gbad = 0;

    if (!it->all) {
        for (uint32_t i = 0; i < it->nvals; i++) {
            struct kent e;
            if (!val_lit(&it->vals[i], &e.s, &e.len)) {
                kset_free(&r);
                return r;
            }
            e.field = it->field;
            e.alt = it->alt;
            if (!kset_add(d, &r, &e, quality(e.s, e.len))) {
                kset_free(&r);
                return r;
            }
        }
        return r;
    }
    /* all: AND over groups; each group is an OR of its values */
    for (uint32_t i = 0; i <= it->nvals; i++) {
        if (i == it->nvals || it->vals[i].grp != grp) {
            if (grp != DET_NONE) {
                if (gbad)
                    kset_free(&g);
                kset_best(&r, &g);
            }
            if (i == it->nvals)
                break;
            grp = it->vals[i].grp;
            gbad = 0;
            memset(&g, 0, sizeof(g));
        }
        struct kent e;
        if (gbad || !val_lit(&it->vals[i], &e.s, &e.len)) {
            gbad = 1;
            continue;
        }
        e.field = it->field;
        e.alt = it->alt;
        if (!kset_add(d, &g, &e, quality(e.s, e.len)))
            gbad = 1;
    }
    return r;
}

/* A conjunction of clauses; each clause is a set of literals of which at
 * least one must be seen. n == 0: no constraint. */
#define MAX_CLAUSES 16

struct cnf {
    struct kset c[MAX_CLAUSES];
    int n;
};

static void
cnf_free(struct cnf *f)
{
    for (int i = 0; i < f->n; i++)
        kset_free(&f->c[i]);
    f->n = 0;
}

static void
cnf_add(struct cnf *f, struct kset *k)
{
    if (!k->valid) {
        kset_free(k);
        return;
    }
    if (f->n < MAX_CLAUSES) {
        f->c[f->n++] = *k;
        memset(k, 0, sizeof(*k));
        return;
    }
    int worst = 0;
    for (int i = 1; i < f->n; i++)
        if (f->c[i].score < f->c[worst].score)
            worst = i;
    if (k->score > f->c[worst].score) {
        kset_free(&f->c[worst]);
        f->c[worst] = *k;
        memset(k, 0, sizeof(*k));
    } else {
        kset_free(k);
    }
}

/* the most selective clause; frees the rest */
static struct kset
cnf_take_best(struct cnf *f)
{
    struct kset r = {0};
    for (int i = 0; i < f->n; i++)
        kset_best(&r, &f->c[i]);
    f->n = 0;
    return r;
}

static void
group_cnf(struct vigil_detect *d, const struct det_group *g, struct cnf *out)
{
    for (uint32_t i = 0; i < g->nitems; i++) {
        struct kset k = item_set(d, &g->items[i]);
        cnf_add(out, &k);
    }
}

static void
sel_cnf(struct vigil_detect *d, const struct det_sel *s, struct cnf *out)
{
    struct kset r = {0};

    if (s->ngroups == 1) {
        group_cnf(d, &s->groups[0], out);
        return;
    }
    for (uint32_t gi = 0; gi < s->ngroups; gi++) {
        struct cnf g = {0};
        group_cnf(d, &s->groups[gi], &g);
        struct kset best = cnf_take_best(&g);
        if (!best.valid) {
            kset_free(&r);
            return;
        }
        if (!r.valid) {
            r = best;
        } else if (!kset_union(d, &r, &best)) {
            kset_free(&r);
            kset_free(&best);
            return;
        }
    }
    cnf_add(out, &r);
}

static void
cond_cnf(struct vigil_detect *d, const struct det_detection *dt, uint32_t n,
         int depth, struct cnf *out)
{
    const struct det_cond *c = &dt->cond[n];

    if (depth > DET_MAX_COND_DEPTH * 4)
        return;
    switch (c->kind) {
    case CK_SEL:
        sel_cnf(d, &dt->sels[c->sel], out);
        return;
    case CK_AND:
        for (uint32_t i = 0; i < c->n; i++) {
            struct cnf k = {0};
            cond_cnf(d, dt, c->kids[i], depth + 1, &k);
            for (int j = 0; j < k.n; j++)
                cnf_add(out, &k.c[j]);
        }
        return;
    case CK_OR: {
        struct kset r = {0};
        for (uint32_t i = 0; i < c->n; i++) {
            struct cnf k = {0};
            cond_cnf(d, dt, c->kids[i], depth + 1, &k);
            struct kset best = cnf_take_best(&k);
            if (!best.valid) {
                kset_free(&r);
                return;
            }
            if (!r.valid) {
                r = best;
            } else if (!kset_union(d, &r, &best)) {
                kset_free(&r);
                kset_free(&best);
                return;
            }
        }
        cnf_add(out, &r);
        return;
    }
    default:
        return;
    }
}

static uint64_t
lit_hash(const char *s, uint32_t len, uint32_t field, int lower)
{
    uint64_t h = 1469598103934665603ULL ^ field;
    for (uint32_t i = 0; i < len; i++) {
        h ^= lower ? detect_lower((unsigned char)s[i]) : (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* The literal (field, lowered text), created on first use. */
static uint32_t
lit_id(struct vigil_detect *d, const char *s, uint32_t len, uint32_t field)
{
    uint64_t h = lit_hash(s, len, field, 1);

    if ((d->nlits + 1) * 2 > d->lhash_cap) {
        size_t nc = d->lhash_cap ? d->lhash_cap * 2 : 1024;
        uint32_t *nh = calloc(nc, sizeof(*nh));
        if (!nh)
            return DET_NONE;
        for (size_t i = 0; i < d->nlits; i++) {
            size_t k =
                lit_hash(d->lits[i].s, d->lits[i].len, d->lits[i].field, 0) &
                (nc - 1);
            while (nh[k])
                k = (k + 1) & (nc - 1);
            nh[k] = (uint32_t)i + 1;
        }
        free(d->lhash);
        d->lhash = nh;
        d->lhash_cap = nc;
    }
    size_t mask = d->lhash_cap - 1, k;
    for (k = h & mask; d->lhash[k]; k = (k + 1) & mask) {
        struct det_lit *l = &d->lits[d->lhash[k] - 1];
        if (l->len != len || l->field != field)
            continue;
        uint32_t j;
        for (j = 0; j < len; j++)
            if ((unsigned char)l->s[j] != detect_lower((unsigned char)s[j]))
                break;
        if (j == len)
            return d->lhash[k] - 1;
    }
    if (VIGIL_GROW(d->lits, d->nlits, d->caplits) != VIGIL_OK)
        return DET_NONE;
    struct det_lit *l = &d->lits[d->nlits];
    memset(l, 0, sizeof(*l));
    l->s = vigil_arena_strndup(&d->arena, s, len);
    if (!l->s)
        return DET_NONE;
    for (uint32_t j = 0; j < len; j++)
        l->s[j] = (char)detect_lower((unsigned char)l->s[j]);
    l->len = len;
    l->field = field;
    d->lhash[k] = (uint32_t)d->nlits + 1;
    return (uint32_t)d->nlits++;
}

static int
lit_add_key(struct det_lit *l, uint32_t rule, uint32_t clause)
{
    if (l->nkeys && l->keys[l->nkeys - 1].rule == rule &&
        l->keys[l->nkeys - 1].clause == clause)
        return 1;
    if (l->nkeys == l->capkeys) {
        size_t cap = l->capkeys;
        /* counts are 32-bit here: the bound keeps the cap one */
        if (vigil_grow(&l->keys, &cap, (size_t)l->nkeys + 1, sizeof(*l->keys),
                       UINT32_MAX) != VIGIL_OK)
            return 0;
        l->capkeys = (uint32_t)cap;
    }
    l->keys[l->nkeys].rule = rule;
    l->keys[l->nkeys].clause = clause;
    l->nkeys++;
    return 1;
}

/* Every literal is caseless and reported once per scan (a scan covers
 * one field); part of the cache key, so a change here misses the cache. */
#define LIT_HS_FLAGS (HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH)

/* Compiles the literals whose field is `field` into one database. */
static enum vigil_rc
compile_db(struct vigil_detect *d, uint32_t field, const uint32_t *ids,
           size_t n, hs_database_t **out, hs_scratch_t **scratch,
           struct vigil_err *err)
{
    const char **exprs = calloc(n, sizeof(*exprs));
    size_t *lens = calloc(n, sizeof(*lens));
    unsigned *flags = calloc(n, sizeof(*flags));
    unsigned *pids = calloc(n, sizeof(*pids));
    hs_compile_error_t *ce = NULL;
    enum vigil_rc rc = VIGIL_OK;

    (void)field;
    *out = NULL;
    if (!exprs || !lens || !flags || !pids) {
        rc = vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        exprs[i] = d->lits[ids[i]].s;
        lens[i] = d->lits[ids[i]].len;
        flags[i] = LIT_HS_FLAGS;
        pids[i] = ids[i];
    }
    if (hs_compile_lit_multi(exprs, flags, pids, lens, (unsigned)n,
                             HS_MODE_BLOCK, NULL, out, &ce) != HS_SUCCESS) {
        rc = vigil_err_set(err, VIGIL_EINVAL, "hyperscan: %s",
                           ce && ce->message ? ce->message : "compile failed");
        if (ce)
            hs_free_compile_error(ce);
        goto out;
    }
    if (hs_alloc_scratch(*out, scratch) != HS_SUCCESS)
        rc = vigil_err_set(err, VIGIL_ENOMEM, "hyperscan scratch");
out:
    free(exprs);
    free(lens);
    free(flags);
    free(pids);
    return rc;
}

/* The databases of groups g, from the cache when it holds them, else
 * compiled (and then stored there); each goes to its field's slot. */
static enum vigil_rc
build_dbs(struct vigil_detect *d, const struct det_dbgroup *g, size_t ng,
          const uint32_t *order, hs_scratch_t **sc, struct vigil_err *err)
{
    hs_database_t **dbs = calloc(ng + 1, sizeof(*dbs));
    unsigned char key[32];
    const char *dir = d->opts.cache_dir;
    int keyed = 0, cached = 0;
    enum vigil_rc rc = VIGIL_OK;

    if (!dbs)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if (dir && ng > 0 &&
        (keyed = detect_cache_key(d, g, ng, order, LIT_HS_FLAGS, key)))
        cached = detect_cache_load(dir, key, g, ng, dbs);
    for (size_t i = 0; i < ng && rc == VIGIL_OK; i++) {
        if (!cached)
            rc = compile_db(d, g[i].field, order + g[i].off, g[i].n, &dbs[i],
                            sc, err);
        else if (hs_alloc_scratch(dbs[i], sc) != HS_SUCCESS)
            rc = vigil_err_set(err, VIGIL_ENOMEM, "hyperscan scratch");
    }
    if (rc == VIGIL_OK && keyed && !cached) {
        if (detect_cache_save(dir, key, g, ng, dbs))
            d->st.cache = 2;
    } else if (rc == VIGIL_OK && cached) {
        d->st.cache = 1;
    }
    /* the engine owns them from here, also on failure (freed with it) */
    for (size_t i = 0; i < ng; i++) {
        if (g[i].field == DET_NONE)
            d->kwdb = (struct hs_database *)dbs[i];
        else
            d->fdb[g[i].field] = (struct hs_database *)dbs[i];
    }
    free(dbs);
    return rc;
}

static int
cmp_lit_field(const void *a, const void *b, void *arg)
{
    const struct vigil_detect *d = arg;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    uint32_t fx = d->lits[x].field, fy = d->lits[y].field;
    if (fx != fy)
        return fx < fy ? -1 : 1;
    return x < y ? -1 : x > y;
}

enum vigil_rc
detect_prefilter_build(struct vigil_detect *d, struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_OK;

    d->always = calloc(d->nrules + 1, sizeof(uint32_t));
    d->fdb = calloc(d->nfnames + 1, sizeof(*d->fdb));
    d->fdir = calloc(d->nfnames + 1, sizeof(*d->fdir));
    if (!d->always || !d->fdb || !d->fdir)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    for (size_t i = 0; i < d->nrules; i++) {
        struct det_rule *r = &d->rules[i];
        if (r->info.kind != VIGIL_RULE_DETECTION)
            continue;
        struct cnf f = {0};
        unsigned long nomem0 = d->nomem;
        cond_cnf(d, &r->det, r->det.root, 0, &f);
        if (d->nomem != nomem0) {
            cnf_free(&f);
            return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        }
        if (f.n == 0) {
            r->always = 1;
            d->always[d->nalways++] = (uint32_t)i;
            continue;
        }
        r->nclauses = (uint32_t)f.n;
        for (int ci = 0; ci < f.n; ci++) {
            struct kset *k = &f.c[ci];
            uint32_t clause = (uint32_t)d->nclauses++;
            for (size_t j = 0; j < k->n; j++) {
                for (int pass = 0; pass < 2; pass++) {
                    uint32_t fl = pass ? k->v[j].alt : k->v[j].field;
                    if (pass && fl == DET_NONE)
                        break;
                    uint32_t L = lit_id(d, k->v[j].s, k->v[j].len, fl);
                    if (L == DET_NONE ||
                        !lit_add_key(&d->lits[L], (uint32_t)i, clause)) {
                        cnf_free(&f);
                        return vigil_err_set(err, VIGIL_ENOMEM,
                                             "out of memory");
                    }
                }
            }
        }
        cnf_free(&f);
    }
    /* every plain string value gets its literal too: a value whose
     * literal was not seen cannot match, and a caseless `contains` is
     * decided by the hit alone */
    for (size_t i = 0; i < d->nrules; i++) {
        struct det_rule *r = &d->rules[i];
        if (r->info.kind == VIGIL_RULE_CORRELATION)
            continue;
        for (uint32_t si = 0; si < r->det.nsels; si++) {
            struct det_sel *sel = &r->det.sels[si];
            for (uint32_t g = 0; g < sel->ngroups; g++)
                for (uint32_t it = 0; it < sel->groups[g].nitems; it++) {
                    struct det_item *item = &sel->groups[g].items[it];
                    for (uint32_t v = 0; v < item->nvals; v++) {
                        struct det_val *dv = &item->vals[v];
                        if (dv->op == OP_RE && item->field != DET_NONE &&
                            dv->s && dv->len && !memchr(dv->s, '\0', dv->len)) {
                            /* a regex whose required run was not seen
                             * is not run at all */
                            dv->lit = lit_id(d, dv->s, dv->len, item->field);
                            if (dv->lit == DET_NONE)
                                return vigil_err_set(err, VIGIL_ENOMEM,
                                                     "out of memory");
                            continue;
                        }
                        if ((dv->op != OP_EQ && dv->op != OP_CONTAINS &&
                             dv->op != OP_STARTS && dv->op != OP_ENDS) ||
                            dv->len < 5 || memchr(dv->s, '\0', dv->len))
                            continue; /* short ones cost more than memmem */
                        dv->lit = lit_id(d, dv->s, dv->len, item->field);
                        if (dv->lit == DET_NONE)
                            return vigil_err_set(err, VIGIL_ENOMEM,
                                                 "out of memory");
                    }
                }
        }
    }
    d->st.literals = d->nlits;
    d->st.unfiltered = d->nalways;
    if (d->nlits == 0)
        return VIGIL_OK;

    /* one database per field with many literals, one for keywords */
    uint32_t *order = calloc(d->nlits, sizeof(*order));
    hs_scratch_t *sc = NULL;
    d->dlits = calloc(d->nlits, sizeof(*d->dlits));
    if (!order || !d->dlits) {
        free(order);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < d->nlits; i++)
        order[i] = (uint32_t)i;
    qsort_r(order, d->nlits, sizeof(*order), cmp_lit_field, d);
    size_t ng = 0;
    struct det_dbgroup *g = calloc(d->nfnames + 2, sizeof(*g));
    if (!g) {
        free(order);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < d->nlits;) {
        uint32_t f = d->lits[order[i]].field;
        size_t j = i;
        while (j < d->nlits && d->lits[order[j]].field == f)
            j++;
        if (f != DET_NONE && j - i <= DET_DIRECT_MAX) {
            d->fdir[f].off = (uint32_t)d->ndlits;
            d->fdir[f].n = (uint32_t)(j - i);
            memcpy(d->dlits + d->ndlits, order + i, (j - i) * sizeof(*order));
            d->ndlits += j - i;
        } else {
            g[ng++] = (struct det_dbgroup){f, (uint32_t)i, (uint32_t)(j - i)};
        }
        i = j;
    }
    rc = build_dbs(d, g, ng, order, &sc, err);
    free(g);
    free(order);
    d->proto_scratch = (struct hs_scratch *)sc;
    return rc;
}
