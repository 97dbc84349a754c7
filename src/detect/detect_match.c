/* detect_match.c -- the per-thread matcher. For each event: map its field
 * names to engine field ids, search the texts of the fields that rules
 * have literals for (a Hyperscan scan per field with many literals, its
 * hits remembered for the next event with the same short text; a direct
 * search for fields with a few), scan all fields NUL-separated once for
 * keyword literals, turn literal hits into candidate rules, then evaluate
 * candidates and literal-less rules fully: logsource predicate, condition
 * tree, meta filters. Fields of one name (a JSON array's elements) are one
 * multi-valued field: each is scanned, and a value matches when any of
 * them matches. Buffers grow to the largest event seen and are then
 * reused, so a steady stream allocates nothing. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hs/hs.h>

#include "detect/detect_int.h"

/* The last text of a field with a database of its own, and the literals
 * its scan reported: fields such as Channel, EventID or SubjectUserName
 * repeat their values from event to event, and replaying the hits costs
 * far less than an hs_scan call. */
#define DET_MEMO_TEXT 48
#define DET_MEMO_HITS 8
struct det_memo {
    uint32_t len; /* UINT32_MAX: nothing remembered */
    uint32_t nhits;
    uint32_t hits[DET_MEMO_HITS];
    char text[DET_MEMO_TEXT];
};

/* the end of a chain of fields of one name (ctx->fnext) */
#define DET_NOFIELD UINT16_MAX

struct det_rstate {
    uint32_t cgen;    /* gen of cnt */
    uint32_t cnt;     /* clauses satisfied this event */
    uint32_t candgen; /* gen when a candidate */
    uint32_t ncl;     /* the rule's clauses (a copy) */
};

struct vigil_detect_ctx {
    const struct vigil_detect *d;
    hs_scratch_t *scratch;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *js;
    uint32_t gen;
    uint32_t *fstamp; /* per field id: gen when present */
    uint16_t *fidx;   /* per field id: event field index (the first) */
    uint16_t *ftail;  /* per field id: its last event field index */
    /* per rule, together so that a literal hit touches one cache line,
     * not three arrays and the rule itself */
    struct det_rstate *rs;
    struct det_memo *memo; /* per field id with a database */
    uint32_t *memo_of;     /* per field id: index into memo, or DET_NONE */
    struct det_memo *rec;  /* the memo the running scan fills, or NULL */
    int rec_full;
    uint32_t *lithit; /* per literal: gen when seen in its field */
    uint32_t ls_stamp[DET_MAX_LOGSOURCES]; /* gen when ls_val is known */
    uint8_t ls_val[DET_MAX_LOGSOURCES];
    uint32_t *cstamp; /* per clause: gen when satisfied */
    uint32_t *cand;
    size_t ncand;
    const struct vigil_event *ev;
    uint32_t ev_fid[VIGIL_EVENT_MAX_FIELDS];
    /* per event field: the next field of the same id, or DET_NOFIELD */
    uint16_t fnext[VIGIL_EVENT_MAX_FIELDS];
    uint32_t lstamp[VIGIL_EVENT_MAX_FIELDS];
    uint32_t loff[VIGIL_EVENT_MAX_FIELDS];
    char *low;
    size_t lowcap, lowused;
    char *scan;
    size_t scancap;
    struct vigil_detect_match m;
    const char *source;              /* of the event fed (detect_ctx_io) */
    struct vigil_store_batch *batch; /* where group changes are saved */
    struct vigil_detect_ctx_stats st;
    int defer_corr; /* detect_ctx_defer_corr */
};

enum vigil_rc
vigil_detect_ctx_new(struct vigil_detect_ctx **out,
                     const struct vigil_detect *d, struct vigil_err *err)
{
    struct vigil_detect_ctx *c = calloc(1, sizeof(*c));

    *out = NULL;
    if (!c)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if (!d->compiled) {
        free(c);
        return vigil_err_set(err, VIGIL_EINVAL, "engine is not compiled");
    }
    c->d = d;
    c->fstamp = calloc(d->nfnames + 1, sizeof(*c->fstamp));
    c->fidx = calloc(d->nfnames + 1, sizeof(*c->fidx));
    c->ftail = calloc(d->nfnames + 1, sizeof(*c->ftail));
    c->rs = calloc(d->nrules + 1, sizeof(*c->rs));
    c->memo_of = calloc(d->nfnames + 1, sizeof(*c->memo_of));
    size_t nm = 0;
    for (size_t f = 0; f < d->nfnames; f++)
        nm += d->fdb[f] != NULL;
    c->memo = calloc(nm + 1, sizeof(*c->memo));
    c->lithit = calloc(d->nlits + 1, sizeof(*c->lithit));
    c->cstamp = calloc(d->nclauses + 1, sizeof(*c->cstamp));
    c->cand = calloc(d->nrules + 1, sizeof(*c->cand));
    c->md = pcre2_match_data_create(8, NULL);
    c->mctx = pcre2_match_context_create(NULL);
    c->js = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
    c->lowcap = 64 * 1024;
    c->low = malloc(c->lowcap);
    c->scancap = 64 * 1024;
    c->scan = malloc(c->scancap);
    if (!c->fstamp || !c->fidx || !c->ftail || !c->rs || !c->memo_of ||
        !c->memo || !c->lithit || !c->cstamp || !c->cand || !c->md ||
        !c->mctx || !c->js || !c->low || !c->scan) {
        vigil_detect_ctx_free(c);
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    for (size_t r = 0; r < d->nrules; r++)
        c->rs[r].ncl = d->rules[r].nclauses;
    for (size_t i = 0; i <= nm; i++)
        c->memo[i].len = UINT32_MAX;
    nm = 0;
    for (size_t f = 0; f < d->nfnames; f++)
        c->memo_of[f] = d->fdb[f] ? (uint32_t)nm++ : DET_NONE;
    pcre2_set_match_limit(c->mctx, d->opts.regex_match_limit);
    pcre2_set_depth_limit(c->mctx, 10000);
    pcre2_jit_stack_assign(c->mctx, NULL, c->js);
    if (d->proto_scratch &&
        hs_clone_scratch((const hs_scratch_t *)d->proto_scratch, &c->scratch) !=
            HS_SUCCESS) {
        vigil_detect_ctx_free(c);
        return vigil_err_set(err, VIGIL_ENOMEM, "hyperscan scratch");
    }
    *out = c;
    return VIGIL_OK;
}

void
vigil_detect_ctx_free(struct vigil_detect_ctx *c)
{
    if (!c)
        return;
    if (c->scratch)
        hs_free_scratch(c->scratch);
    pcre2_match_data_free(c->md);
    pcre2_match_context_free(c->mctx);
    pcre2_jit_stack_free(c->js);
    free(c->fstamp);
    free(c->fidx);
    free(c->ftail);
    free(c->rs);
    free(c->memo_of);
    free(c->memo);
    free(c->lithit);
    free(c->cstamp);
    free(c->cand);
    free(c->low);
    free(c->scan);
    free(c);
}

void
vigil_detect_ctx_get_stats(const struct vigil_detect_ctx *c,
                           struct vigil_detect_ctx_stats *st)
{
    *st = c->st;
}

struct vigil_detect_ctx_stats *
detect_ctx_stats(struct vigil_detect_ctx *c)
{
    return &c->st;
}

const struct vigil_detect *
detect_ctx_engine(struct vigil_detect_ctx *c)
{
    return c->d;
}

const struct vigil_field *
detect_ctx_field(struct vigil_detect_ctx *c, uint32_t fid)
{
    if (fid == DET_NONE || fid >= c->d->nfnames || c->fstamp[fid] != c->gen)
        return NULL;
    return &c->ev->fields[c->fidx[fid]];
}

/* ---- glob ---- */

int
detect_glob(const char *p, size_t plen, const char *s, size_t slen, int cased)
{
    size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;

    while (si < slen) {
        if (pi < plen && p[pi] == '*') {
            star_p = ++pi;
            star_s = si;
            continue;
        }
        if (pi < plen) {
            unsigned char pc, sc = (unsigned char)s[si];
            size_t step = 1;
            int any = 0;
            if (p[pi] == '?') {
                any = 1;
                pc = 0;
            } else if (p[pi] == '\\' && pi + 1 < plen) {
                pc = (unsigned char)p[pi + 1];
                step = 2;
            } else {
                pc = (unsigned char)p[pi];
            }
            if (!cased)
                sc = detect_lower(sc);
            if (any || pc == sc) {
                pi += step;
                si++;
                continue;
            }
        }
        if (star_p == (size_t)-1)
            return 0;
        pi = star_p;
        si = ++star_s;
    }
    while (pi < plen && p[pi] == '*')
        pi++;
    return pi == plen;
}

/* ---- evaluation ---- */

static const char *
lowered(struct vigil_detect_ctx *c, uint16_t fi)
{
    const struct vigil_field *f = &c->ev->fields[fi];

    if (c->lstamp[fi] == c->gen)
        return c->low + c->loff[fi];
    if (c->lowused + f->text_len + 1 > c->lowcap)
        return NULL; /* grown before the event; cannot happen */
    char *dst = c->low + c->lowused;
    for (uint32_t i = 0; i < f->text_len; i++)
        dst[i] = (char)detect_lower((unsigned char)f->text[i]);
    dst[f->text_len] = '\0';
    c->loff[fi] = (uint32_t)c->lowused;
    c->lstamp[fi] = c->gen;
    c->lowused += f->text_len + 1;
    return dst;
}

static int
num_of(const char *t, size_t n, double *out)
{
    char buf[64];
    char *end;

    if (n == 0 || n >= sizeof(buf))
        return 0;
    memcpy(buf, t, n);
    buf[n] = '\0';
    *out = strtod(buf, &end);
    return end != buf && *end == '\0';
}

/* Whether t holds byte ch at least k times: a count every match of a
 * regex needs, far cheaper than a failing backtracking match. */
static int
holds(const char *t, size_t n, uint8_t ch, uint32_t k)
{
    const char *end = t + n;

    for (uint32_t i = 0; i < k; i++) {
        t = memchr(t, ch, (size_t)(end - t));
        if (!t)
            return 0;
        t++;
    }
    return 1;
}

/* the n bytes of a and b equal, ASCII case ignored unless cased */
static int
fref_at(const char *a, const char *b, size_t n, int cased)
{
    if (cased)
        return memcmp(a, b, n) == 0;
    for (size_t i = 0; i < n; i++)
        if (detect_lower((unsigned char)a[i]) !=
            detect_lower((unsigned char)b[i]))
            return 0;
    return 1;
}

static int
match_val(struct vigil_detect_ctx *c, const struct det_val *v, uint16_t fi,
          int primary)
{
    const struct vigil_field *f = &c->ev->fields[fi];
    const char *t;
    size_t n = f->text_len;

    /* the literal scan of this field already answered */
    if (primary && v->lit != DET_NONE) {
        if (c->lithit[v->lit] != c->gen)
            return 0;
        if (v->op == OP_CONTAINS && !v->cased)
            return 1;
    }
    switch (v->op) {
    case OP_NULL:
        return n == 0;
    case OP_EXISTS:
        return v->flag;
    case OP_EQ:
    case OP_CONTAINS:
    case OP_STARTS:
    case OP_ENDS:
    case OP_GLOB:
        t = v->cased ? f->text : lowered(c, fi);
        if (!t)
            return 0;
        if (v->op == OP_EQ)
            return n == v->len && memcmp(t, v->s, n) == 0;
        if (v->op == OP_STARTS)
            return n >= v->len && memcmp(t, v->s, v->len) == 0;
        if (v->op == OP_ENDS)
            return n >= v->len && memcmp(t + n - v->len, v->s, v->len) == 0;
        if (v->op == OP_CONTAINS)
            return v->len == 0 || memmem(t, n, v->s, v->len) != NULL;
        return detect_glob(v->s, v->len, t, n, 1);
    case OP_RE: {
        if (v->need_c && !holds(f->text, n, v->need_c, v->need_n))
            return 0;
        if (v->seq) {
            int r =
                detect_re_seq_match(v->seq, v->seqlen, v->dotall, f->text, n);
            if (r >= 0)
                return r;
        }
        int rc = pcre2_jit_match(v->re, (PCRE2_SPTR)f->text, n, 0, 0, c->md,
                                 c->mctx);
        if (rc == PCRE2_ERROR_JIT_BADOPTION)
            rc = pcre2_match(v->re, (PCRE2_SPTR)f->text, n, 0, 0, c->md,
                             c->mctx);
        if (rc >= 0)
            return 1;
        if (rc != PCRE2_ERROR_NOMATCH)
            c->st.regex_limit++;
        return 0;
    }
    case OP_CIDR: {
        uint8_t ip[16];
        if (f->type == VIGIL_F_IP)
            memcpy(ip, f->v.ip, 16);
        else if (!vigil_ip_parse(f->text, n, ip))
            return 0;
        return vigil_ip_in_cidr(ip, v->net, v->flag);
    }
    case OP_LT:
    case OP_LTE:
    case OP_GT:
    case OP_GTE: {
        double x;
        if (f->type == VIGIL_F_INT)
            x = (double)f->v.i;
        else if (!num_of(f->text, n, &x))
            return 0;
        return v->op == OP_LT    ? x < v->num
               : v->op == OP_LTE ? x <= v->num
               : v->op == OP_GT  ? x > v->num
                                 : x >= v->num;
    }
    case OP_FREF: {
        const struct vigil_field *g = detect_ctx_field(c, v->fref);
        if (!g)
            g = detect_ctx_field(c, v->fref_alt);
        if (!g)
            return 0;
        size_t gl = g->text_len, at = 0;
        if (gl > n)
            return 0;
        if (v->sub == OP_ENDS)
            at = n - gl;
        if (v->sub == OP_EQ && gl != n)
            return 0;
        if (v->sub != OP_CONTAINS)
            return fref_at(g->text, f->text + at, gl, v->cased);
        for (at = 0; at + gl <= n; at++)
            if (fref_at(g->text, f->text + at, gl, v->cased))
                return 1;
        return 0;
    }
    default:
        return 0;
    }
}

static int
absent_val(const struct det_val *v)
{
    return v->op == OP_NULL || (v->op == OP_EXISTS && !v->flag);
}

/* v against field fi and the fields of its name after it (when chain):
 * the index of the first that matches, or -1 */
static int
match_any(struct vigil_detect_ctx *c, const struct det_val *v, int fi,
          int primary, int chain)
{
    if (!chain || c->fnext[fi] == DET_NOFIELD)
        return match_val(c, v, (uint16_t)fi, primary) ? fi : -1;
    /* The literal scan answers for the name, not for one element: it
     * rules the value out, but a hit must be checked element by element
     * (so that the alert shows the element that matched). */
    if (primary && v->lit != DET_NONE && c->lithit[v->lit] != c->gen)
        return -1;
    for (int k = fi; k != DET_NOFIELD; k = c->fnext[k])
        if (match_val(c, v, (uint16_t)k, 0))
            return k;
    return -1;
}

/* values of it against field index fi and, when chain, the other fields
 * of its name (or absent when fi < 0): any value against any field, or
 * with |all each value (group) against some field. Returns the index of a
 * field that matched (fi when absent), or -2. */
static int
eval_vals(struct vigil_detect_ctx *c, const struct det_item *it, int fi,
          int primary, int chain)
{
    int hit = fi;

    if (!it->all) {
        for (uint32_t i = 0; i < it->nvals; i++) {
            if (fi < 0) {
                if (absent_val(&it->vals[i]))
                    return fi;
            } else if ((hit = match_any(c, &it->vals[i], fi, primary, chain)) >=
                       0) {
                return hit;
            }
        }
        return -2;
    }
    uint32_t i = 0;
    while (i < it->nvals) {
        uint32_t g = it->vals[i].grp;
        int ok = 0;
        for (; i < it->nvals && it->vals[i].grp == g; i++) {
            if (ok)
                continue;
            if (fi < 0)
                ok = absent_val(&it->vals[i]);
            else if ((hit = match_any(c, &it->vals[i], fi, primary, chain)) >=
                     0)
                ok = 1;
        }
        if (!ok)
            return -2;
    }
    return hit;
}

static void
record(struct vigil_detect_ctx *c, uint16_t fi)
{
    const struct vigil_field *f = &c->ev->fields[fi];
    struct vigil_detect_match *m = &c->m;

    for (size_t i = 0; i < m->nfields; i++)
        if (m->fields[i].name == f->name)
            return;
    if (m->nfields == VIGIL_DETECT_MAX_MATCHED)
        return;
    m->fields[m->nfields].name = f->name;
    m->fields[m->nfields].name_len = f->name_len;
    m->fields[m->nfields].text = f->text;
    m->fields[m->nfields].text_len = f->text_len;
    m->nfields++;
}

static int
eval_item(struct vigil_detect_ctx *c, const struct det_item *it, int neg)
{
    if (it->field == DET_NONE) {
        const struct vigil_event *ev = c->ev;
        /* no keyword literal seen anywhere: nothing to look for */
        uint32_t k;
        for (k = 0; k < it->nvals; k++)
            if (it->vals[k].lit == DET_NONE ||
                c->lithit[it->vals[k].lit] == c->gen)
                break;
        if (k == it->nvals)
            return 0;
        if (!it->all) {
            for (uint16_t fi = 0; fi < ev->nfields; fi++)
                if (eval_vals(c, it, fi, 0, 0) >= 0) {
                    if (!neg)
                        record(c, fi);
                    return 1;
                }
            return 0;
        }
        /* every keyword group somewhere in the event */
        uint32_t i = 0;
        while (i < it->nvals) {
            uint32_t g = it->vals[i].grp, s = i;
            int ok = 0;
            while (i < it->nvals && it->vals[i].grp == g)
                i++;
            for (uint16_t fi = 0; fi < ev->nfields && !ok; fi++)
                for (uint32_t k = s; k < i && !ok; k++)
                    ok = match_val(c, &it->vals[k], fi, 0);
            if (!ok)
                return 0;
        }
        return 1;
    }
    int fi = -1, primary = 0;
    if (it->field < c->d->nfnames && c->fstamp[it->field] == c->gen) {
        fi = c->fidx[it->field];
        primary = 1;
    } else if (it->alt != DET_NONE && c->fstamp[it->alt] == c->gen) {
        fi = c->fidx[it->alt];
    }
    int r = eval_vals(c, it, fi, primary, 1);
    if (r >= 0 && !neg)
        record(c, (uint16_t)r);
    return r != -2;
}

static int
eval_sel(struct vigil_detect_ctx *c, const struct det_sel *s, int neg)
{
    for (uint32_t g = 0; g < s->ngroups; g++) {
        const struct det_group *gr = &s->groups[g];
        uint32_t i;
        for (i = 0; i < gr->nitems; i++)
            if (!eval_item(c, &gr->items[i], neg))
                break;
        if (i == gr->nitems)
            return 1;
    }
    return 0;
}

static int
eval_cond(struct vigil_detect_ctx *c, const struct det_detection *dt,
          uint32_t n, int neg)
{
    const struct det_cond *k = &dt->cond[n];

    switch (k->kind) {
    case CK_SEL:
        return eval_sel(c, &dt->sels[k->sel], neg);
    case CK_AND:
        for (uint32_t i = 0; i < k->n; i++)
            if (!eval_cond(c, dt, k->kids[i], neg))
                return 0;
        return 1;
    case CK_OR:
        for (uint32_t i = 0; i < k->n; i++)
            if (eval_cond(c, dt, k->kids[i], neg))
                return 1;
        return 0;
    case CK_NOT:
        return !eval_cond(c, dt, k->kids[0], !neg);
    case CK_TRUE:
        return 1;
    default:
        return 0;
    }
}

static int
ls_ok(struct vigil_detect_ctx *c, const struct det_rule *r)
{
    const struct det_lsmap *m = r->ls;
    const struct vigil_field *ch, *eid;

    if (!m)
        return 1;
    size_t li = detect_logsource_index(m);
    if (c->ls_stamp[li] == c->gen)
        return c->ls_val[li];
    c->ls_stamp[li] = c->gen;
    c->ls_val[li] = 0;
    ch = detect_ctx_field(c, c->d->fid_channel);
    if (!ch)
        return c->ls_val[li] = !c->d->opts.logsource_strict;
    eid = detect_ctx_field(c, c->d->fid_eventid);
    for (uint16_t a = 0; a < m->nalts; a++) {
        const struct det_lsalt *al = &m->alts[a];
        size_t cl = strlen(al->channel);
        if (ch->text_len != cl || strncasecmp(ch->text, al->channel, cl) != 0)
            continue;
        if (!al->neids)
            return c->ls_val[li] = 1;
        int64_t id;
        if (!eid || !vigil_parse_i64(eid->text, eid->text_len, &id))
            continue;
        for (uint16_t k = 0; k < al->neids; k++)
            if (al->eids[k] == id)
                return c->ls_val[li] = 1;
    }
    return 0;
}

static int
on_hit(unsigned int id, unsigned long long from, unsigned long long to,
       unsigned int flags, void *arg)
{
    struct vigil_detect_ctx *c = arg;
    const struct det_lit *l = &c->d->lits[id];

    (void)from;
    (void)to;
    (void)flags;
    c->lithit[id] = c->gen;
    if (c->rec) {
        if (c->rec->nhits < DET_MEMO_HITS)
            c->rec->hits[c->rec->nhits++] = id;
        else
            c->rec_full = 1;
    }
    for (uint32_t k = 0; k < l->nkeys; k++) {
        const struct det_key *key = &l->keys[k];
        uint32_t r = key->rule;
        if (c->cstamp[key->clause] == c->gen)
            continue;
        c->cstamp[key->clause] = c->gen;
        struct det_rstate *st = &c->rs[r];
        if (st->cgen != c->gen) {
            st->cgen = c->gen;
            st->cnt = 0;
        }
        /* a candidate once every clause of the rule has a literal */
        if (++st->cnt == st->ncl && st->candgen != c->gen) {
            st->candgen = c->gen;
            c->cand[c->ncand++] = r;
        }
    }
    return 0;
}

/* Whether lowered text t holds literal l (stored lowered): what a
 * caseless Hyperscan literal scan of the field would report. */
static int
lit_in(const char *t, size_t n, const struct det_lit *l)
{
    unsigned char first = (unsigned char)l->s[0];

    if (l->len > n)
        return 0;
    const char *end = t + n - l->len + 1;
    for (const char *p = t; p < end; p++) {
        p = memchr(p, first, (size_t)(end - p));
        if (!p)
            return 0;
        if (memcmp(p + 1, l->s + 1, l->len - 1) == 0)
            return 1;
    }
    return 0;
}

/* the literals of a field without a database of its own */
static void
scan_direct(struct vigil_detect_ctx *c, uint16_t fi, const struct det_span *sp)
{
    const char *t = lowered(c, fi);

    if (!t)
        return;
    for (uint32_t k = 0; k < sp->n; k++) {
        uint32_t id = c->d->dlits[sp->off + k];
        if (lit_in(t, c->ev->fields[fi].text_len, &c->d->lits[id]))
            on_hit(id, 0, 0, 0, c);
    }
}

/* A field's own database, or the hits remembered for the same text. */
static void
scan_field(struct vigil_detect_ctx *c, uint16_t fi, uint32_t fid)
{
    const struct vigil_field *f = &c->ev->fields[fi];
    struct det_memo *m = &c->memo[c->memo_of[fid]];

    if (m->len == f->text_len && memcmp(m->text, f->text, f->text_len) == 0) {
        for (uint32_t k = 0; k < m->nhits; k++)
            on_hit(m->hits[k], 0, 0, 0, c);
        return;
    }
    int keep = f->text_len <= DET_MEMO_TEXT;
    if (keep) {
        m->len = UINT32_MAX;
        m->nhits = 0;
        c->rec = m;
        c->rec_full = 0;
    }
    hs_error_t rc = hs_scan((const hs_database_t *)c->d->fdb[fid], f->text,
                            f->text_len, 0, c->scratch, on_hit, c);
    c->rec = NULL;
    if (keep && !c->rec_full && rc == HS_SUCCESS) {
        memcpy(m->text, f->text, f->text_len);
        m->len = f->text_len;
    }
}

static int
eval_rule(struct vigil_detect_ctx *c, const struct det_rule *r)
{
    if (!ls_ok(c, r))
        return 0;
    c->m.nfields = 0;
    if (!eval_cond(c, &r->det, r->det.root, 0))
        return 0;
    for (uint32_t i = 0; i < r->nfilters; i++) {
        const struct det_rule *f = &c->d->rules[r->filters[i]];
        if (!eval_cond(c, &f->det, f->det.root, 1))
            return 0;
    }
    return 1;
}

/* Makes ev the context's current event: a new generation and the map
 * from engine field ids to the event's fields. Sets the bytes the lowered
 * copy and the keyword scan need. */
static void
bind_event(struct vigil_detect_ctx *c, const struct vigil_event *ev,
           size_t *need_low, size_t *need_scan)
{
    const struct vigil_detect *d = c->d;

    if (++c->gen == 0) {
        memset(c->fstamp, 0, (d->nfnames + 1) * sizeof(*c->fstamp));
        memset(c->lithit, 0, (d->nlits + 1) * sizeof(*c->lithit));
        memset(c->cstamp, 0, (d->nclauses + 1) * sizeof(*c->cstamp));
        for (size_t r = 0; r <= d->nrules; r++)
            c->rs[r].cgen = c->rs[r].candgen = 0;
        memset(c->lstamp, 0, sizeof(c->lstamp));
        memset(c->ls_stamp, 0, sizeof(c->ls_stamp));
        c->gen = 1;
    }
    c->ev = ev;
    c->st.events++;
    c->lowused = 0;
    c->ncand = 0;
    for (uint16_t i = 0; i < ev->nfields; i++) {
        const struct vigil_field *f = &ev->fields[i];
        uint32_t id = detect_field_find(d, f->name, f->name_len);
        if (id == DET_NONE && f->name_len < 128 &&
            memchr(f->name, ' ', f->name_len)) {
            /* Defender and others name EventData fields with spaces
             * ("Source Name"); Sigma writes them without (SourceName) */
            char nm[128];
            size_t k = 0;
            for (uint16_t j = 0; j < f->name_len; j++)
                if (f->name[j] != ' ')
                    nm[k++] = f->name[j];
            id = detect_field_find(d, nm, k);
        }
        c->ev_fid[i] = id;
        c->fnext[i] = DET_NOFIELD;
        if (id != DET_NONE) {
            if (c->fstamp[id] != c->gen) {
                c->fstamp[id] = c->gen;
                c->fidx[id] = i;
            } else {
                c->fnext[c->ftail[id]] = i;
            }
            c->ftail[id] = i;
        }
        *need_low += f->text_len + 1;
        if (d->kwdb)
            *need_scan += f->text_len + 1;
    }
}

enum vigil_rc
detect_ctx_feed(struct vigil_detect_ctx *c, uint32_t rule,
                const struct vigil_event *ev, int bind,
                vigil_detect_match_fn fn, void *arg)
{
    size_t need_low = 0, need_scan = 0;

    if (rule >= c->d->nrules || !c->d->rules[rule].ncorr)
        return VIGIL_OK;
    if (bind)
        bind_event(c, ev, &need_low, &need_scan);
    detect_corr_feed(c, rule, ev, fn, arg);
    return VIGIL_OK;
}

void
detect_ctx_io(struct vigil_detect_ctx *c, const char *source,
              struct vigil_store_batch *batch)
{
    c->source = source;
    c->batch = batch;
}

const char *
detect_ctx_source(const struct vigil_detect_ctx *c)
{
    return c->source;
}

struct vigil_store_batch *
detect_ctx_batch(const struct vigil_detect_ctx *c)
{
    return c->batch;
}

void
detect_ctx_defer_corr(struct vigil_detect_ctx *c)
{
    c->defer_corr = 1;
}

enum vigil_rc
vigil_detect_match(struct vigil_detect_ctx *c, const struct vigil_event *ev,
                   vigil_detect_match_fn fn, void *arg, size_t *nmatches)
{
    const struct vigil_detect *d = c->d;
    size_t need_low = 0, need_scan = 0, found = 0;

    if (nmatches)
        *nmatches = 0;
    bind_event(c, ev, &need_low, &need_scan);
    /* grows to the largest event seen, then never again */
    if (vigil_grow(&c->low, &c->lowcap, need_low, 1, 0) != VIGIL_OK ||
        vigil_grow(&c->scan, &c->scancap, need_scan, 1, 0) != VIGIL_OK)
        return VIGIL_ENOMEM;
    /* each field against the literals rules have for it (every field of a
     * multi-valued name: a literal seen in any of them counts) */
    for (uint16_t i = 0; i < ev->nfields; i++) {
        uint32_t id = c->ev_fid[i];
        if (id == DET_NONE)
            continue;
        if (!d->fdb[id]) {
            if (d->fdir[id].n)
                scan_direct(c, i, &d->fdir[id]);
            continue;
        }
        scan_field(c, i, id);
    }
    /* keyword literals: every field, NUL-separated, one scan */
    if (d->kwdb && need_scan) {
        size_t pos = 0;
        for (uint16_t i = 0; i < ev->nfields; i++) {
            const struct vigil_field *f = &ev->fields[i];
            memcpy(c->scan + pos, f->text, f->text_len);
            pos += f->text_len;
            c->scan[pos++] = '\0';
        }
        hs_scan((const hs_database_t *)d->kwdb, c->scan, (unsigned)pos, 0,
                c->scratch, on_hit, c);
    }
    for (size_t i = 0; i < d->nalways; i++) {
        uint32_t r = d->always[i];
        if (c->rs[r].candgen != c->gen) {
            c->rs[r].candgen = c->gen;
            c->cand[c->ncand++] = r;
        }
    }
    c->st.candidates += c->ncand;
    for (size_t i = 0; i < c->ncand; i++) {
        const struct det_rule *r = &d->rules[c->cand[i]];
        if (!eval_rule(c, r))
            continue;
        found++;
        c->st.matches++;
        c->m.rule = &r->info;
        c->m.event = ev;
        c->m.group = NULL;
        c->m.count = 0;
        c->m.time_ns = ev->time_ns;
        c->m.block = 0;
        c->m.alerts = r->generate;
        if (r->ncorr && c->defer_corr) {
            /* the caller decides whether the event feeds the
             * correlations (detect_ctx_feed) */
            c->m.block = 1;
            if (fn && fn(&c->m, arg))
                break;
            continue;
        }
        if (r->ncorr && detect_corr_feed(c, c->cand[i], ev, fn, arg))
            break;
        if (!r->generate)
            continue;
        if (fn && fn(&c->m, arg))
            break;
    }
    if (nmatches)
        *nmatches = found;
    return VIGIL_OK;
}
