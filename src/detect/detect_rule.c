/* detect_rule.c -- compiles one Sigma YAML document (detection rule, meta
 * filter or correlation rule) into the engine's structures: metadata,
 * selections with their value modifiers applied at load time (wildcards,
 * base64/base64offset, utf16, windash, expand), the condition tree and the
 * logsource predicate. Everything lands in the engine arena. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/detect_int.h"

struct lctx {
    struct vigil_detect *d;
    struct det_rule *r;
    int *line;
    char *msg;
    size_t msglen;
    const struct det_alias *aliases;
};

#define REFUSE(lc, n, ...)                                                     \
    do {                                                                       \
        if ((n))                                                               \
            *(lc)->line = (n)->line;                                           \
        snprintf((lc)->msg, (lc)->msglen, __VA_ARGS__);                        \
        return VIGIL_EPARSE;                                                   \
    } while (0)

static char *
adup(struct vigil_detect *d, const char *s, size_t n)
{
    return vigil_arena_strndup(&d->arena, s, n);
}

static const char *
scalar_or(const struct dy_node *n, const char *dflt)
{
    return n && n->kind == DY_SCALAR ? n->s : dflt;
}

/* ---- growable string list used while expanding values ---- */

struct sval {
    char *s; /* escaped glob form (\*, \?, \\ literal; * ? wildcards) */
    size_t len;
};

struct slist {
    struct sval *v;
    size_t n, cap;
};

static void
slist_free(struct slist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].s);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static enum vigil_rc
slist_add(struct slist *l, const char *s, size_t len)
{
    if (l->n >= DET_MAX_EXPAND)
        return VIGIL_ELIMIT;
    if (VIGIL_GROW(l->v, l->n, l->cap) != VIGIL_OK)
        return VIGIL_ENOMEM;
    char *c = malloc(len + 1);
    if (!c)
        return VIGIL_ENOMEM;
    memcpy(c, s, len);
    c[len] = '\0';
    l->v[l->n].s = c;
    l->v[l->n].len = len;
    l->n++;
    return VIGIL_OK;
}

/* Sigma escaping to our escaped form: \* \? \\ are literals, a backslash
 * before anything else is itself a literal backslash. */
static enum vigil_rc
sigma_to_escaped(const char *s, size_t len, struct vigil_buf *out)
{
    enum vigil_rc rc = VIGIL_OK;

    for (size_t i = 0; i < len && rc == VIGIL_OK; i++) {
        char c = s[i];
        if (c == '\\') {
            if (i + 1 < len &&
                (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
                char e[2] = {'\\', s[i + 1]};
                rc = vigil_buf_append(out, e, 2);
                i++;
            } else {
                rc = vigil_buf_append(out, "\\\\", 2);
            }
        } else {
            rc = vigil_buf_putc(out, c);
        }
    }
    return rc;
}

/* Escaped form to plain bytes: VIGIL_EUNSUPPORTED on a wildcard, else
 * the rc of the appends (VIGIL_ENOMEM). */
static enum vigil_rc
escaped_to_plain(const char *s, size_t len, struct vigil_buf *out)
{
    enum vigil_rc rc = VIGIL_OK;

    for (size_t i = 0; i < len && rc == VIGIL_OK; i++) {
        if (s[i] == '\\' && i + 1 < len)
            rc = vigil_buf_putc(out, s[++i]);
        else if (s[i] == '*' || s[i] == '?')
            rc = VIGIL_EUNSUPPORTED;
        else
            rc = vigil_buf_putc(out, s[i]);
    }
    return rc;
}

static enum vigil_rc
plain_to_escaped(const char *s, size_t len, struct vigil_buf *out)
{
    enum vigil_rc rc = VIGIL_OK;
    for (size_t i = 0; i < len && rc == VIGIL_OK; i++) {
        if (s[i] == '*' || s[i] == '?' || s[i] == '\\')
            rc = vigil_buf_putc(out, '\\');
        if (rc == VIGIL_OK)
            rc = vigil_buf_putc(out, s[i]);
    }
    return rc;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static enum vigil_rc
b64enc(const unsigned char *in, size_t n, struct vigil_buf *out)
{
    enum vigil_rc rc = VIGIL_OK;
    size_t i;
    for (i = 0; i + 2 < n && rc == VIGIL_OK; i += 3) {
        uint32_t v =
            (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        char q[4] = {b64[v >> 18], b64[(v >> 12) & 63], b64[(v >> 6) & 63],
                     b64[v & 63]};
        rc = vigil_buf_append(out, q, 4);
    }
    if (rc == VIGIL_OK && i < n) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        char q[4] = {b64[v >> 18], b64[(v >> 12) & 63],
                     i + 1 < n ? b64[(v >> 6) & 63] : '=', '='};
        rc = vigil_buf_append(out, q, 4);
    }
    return rc;
}

/* UTF-8 to UTF-16 (le/be); invalid bytes are taken as Latin-1. */
static enum vigil_rc
utf16enc(const unsigned char *s, size_t n, int be, int bom,
         struct vigil_buf *out)
{
    enum vigil_rc rc = VIGIL_OK;
    if (bom)
        rc = vigil_buf_append(out, be ? "\xfe\xff" : "\xff\xfe", 2);
    for (size_t i = 0; i < n && rc == VIGIL_OK;) {
        uint32_t cp = s[i];
        size_t k = 1;
        if (cp >= 0xc0 && cp < 0xe0 && i + 1 < n) {
            cp = (cp & 0x1f) << 6 | (s[i + 1] & 0x3f);
            k = 2;
        } else if (cp >= 0xe0 && cp < 0xf0 && i + 2 < n) {
            cp = (cp & 0x0f) << 12 | (uint32_t)(s[i + 1] & 0x3f) << 6 |
                 (s[i + 2] & 0x3f);
            k = 3;
        } else if (cp >= 0xf0 && cp < 0xf8 && i + 3 < n) {
            cp = (cp & 0x07) << 18 | (uint32_t)(s[i + 1] & 0x3f) << 12 |
                 (uint32_t)(s[i + 2] & 0x3f) << 6 | (s[i + 3] & 0x3f);
            k = 4;
        }
        i += k;
        uint16_t u[2];
        int nu = 1;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            u[0] = (uint16_t)(0xd800 | (cp >> 10));
            u[1] = (uint16_t)(0xdc00 | (cp & 0x3ff));
            nu = 2;
        } else {
            u[0] = (uint16_t)cp;
        }
        for (int j = 0; j < nu && rc == VIGIL_OK; j++) {
            char b[2];
            b[be ? 1 : 0] = (char)(u[j] & 0xff);
            b[be ? 0 : 1] = (char)(u[j] >> 8);
            rc = vigil_buf_append(out, b, 2);
        }
    }
    return rc;
}

static int
isword(unsigned char c)
{
    return isalnum(c) || c == '_' || c >= 0x80;
}

enum tmod {
    TM_BASE64 = 1,
    TM_B64OFF,
    TM_UTF16LE,
    TM_UTF16BE,
    TM_UTF16,
    TM_WINDASH,
    TM_EXPAND
};

/* Applies one transform to every string of l (escaped forms). */
static enum vigil_rc
apply_transform(struct lctx *lc, const struct dy_node *at, int tm,
                struct slist *l)
{
    struct slist out = {0};
    struct vigil_buf a, b;
    enum vigil_rc rc = VIGIL_OK;

    vigil_buf_init(&a, 4 * DET_MAX_SCALAR);
    vigil_buf_init(&b, 16 * DET_MAX_SCALAR);
    for (size_t i = 0; i < l->n && rc == VIGIL_OK; i++) {
        const char *s = l->v[i].s;
        size_t n = l->v[i].len;
        vigil_buf_reset(&a);
        vigil_buf_reset(&b);
        if (tm == TM_WINDASH) {
            size_t pos[8], np = 0;
            for (size_t j = 0; j < n; j++) {
                if ((s[j] == '-' || s[j] == '/') &&
                    (j == 0 || !isword((unsigned char)s[j - 1])) && j + 1 < n &&
                    isword((unsigned char)s[j + 1])) {
                    if (np == 4) {
                        rc = VIGIL_ELIMIT;
                        break;
                    }
                    pos[np++] = j;
                }
            }
            if (rc != VIGIL_OK)
                break;
            static const char *const dash[] = {"-", "/", "\xe2\x80\x93",
                                               "\xe2\x80\x94", "\xe2\x80\x95"};
            size_t combos = 1;
            for (size_t j = 0; j < np; j++)
                combos *= 5;
            for (size_t c = 0; c < combos && rc == VIGIL_OK; c++) {
                size_t k = c, p = 0, last = 0;
                vigil_buf_reset(&a);
                for (p = 0; p < np && rc == VIGIL_OK; p++) {
                    rc = vigil_buf_append(&a, s + last, pos[p] - last);
                    if (rc == VIGIL_OK)
                        rc = vigil_buf_append(&a, dash[k % 5],
                                              strlen(dash[k % 5]));
                    k /= 5;
                    last = pos[p] + 1;
                }
                if (rc == VIGIL_OK)
                    rc = vigil_buf_append(&a, s + last, n - last);
                if (rc == VIGIL_OK)
                    rc = slist_add(&out, a.len ? a.data : "", a.len);
            }
            continue;
        }
        if (tm == TM_EXPAND) {
            const char *p1 = memchr(s, '%', n);
            const char *p2 =
                p1 ? memchr(p1 + 1, '%', n - (size_t)(p1 + 1 - s)) : NULL;
            if (!p1 || !p2) {
                rc = slist_add(&out, s, n);
                continue;
            }
            size_t nl = (size_t)(p2 - p1 - 1);
            const struct vigil_detect_placeholder *ph = NULL;
            for (size_t j = 0; j < lc->d->opts.nplaceholders; j++) {
                const struct vigil_detect_placeholder *q =
                    &lc->d->opts.placeholders[j];
                if (strlen(q->name) == nl && memcmp(q->name, p1 + 1, nl) == 0)
                    ph = q;
            }
            if (!ph) {
                *lc->line = at->line;
                snprintf(lc->msg, lc->msglen,
                         "unresolved placeholder %%%.*s%% (|expand needs a "
                         "value from the configuration)",
                         (int)(nl > 64 ? 64 : nl), p1 + 1);
                rc = VIGIL_EUNSUPPORTED;
                break;
            }
            for (size_t j = 0; j < ph->nvalues && rc == VIGIL_OK; j++) {
                vigil_buf_reset(&a);
                rc = vigil_buf_append(&a, s, (size_t)(p1 - s));
                if (rc == VIGIL_OK)
                    rc = sigma_to_escaped(ph->values[j], strlen(ph->values[j]),
                                          &a);
                if (rc == VIGIL_OK)
                    rc = vigil_buf_append(&a, p2 + 1, n - (size_t)(p2 + 1 - s));
                if (rc == VIGIL_OK)
                    rc = slist_add(&out, a.len ? a.data : "", a.len);
            }
            continue;
        }
        /* byte-level transforms need the plain value */
        if ((rc = escaped_to_plain(s, n, &a)) == VIGIL_ENOMEM)
            break;
        if (rc != VIGIL_OK) {
            *lc->line = at->line;
            snprintf(lc->msg, lc->msglen,
                     "wildcards cannot be combined with an encoding "
                     "modifier");
            rc = VIGIL_EUNSUPPORTED;
            break;
        }
        const unsigned char *pl = (const unsigned char *)(a.len ? a.data : "");
        if (tm == TM_UTF16LE || tm == TM_UTF16BE || tm == TM_UTF16) {
            rc = utf16enc(pl, a.len, tm == TM_UTF16BE, tm == TM_UTF16, &b);
            struct vigil_buf e;
            vigil_buf_init(&e, 32 * DET_MAX_SCALAR);
            if (rc == VIGIL_OK)
                rc = plain_to_escaped(b.len ? b.data : "", b.len, &e);
            if (rc == VIGIL_OK)
                rc = slist_add(&out, e.len ? e.data : "", e.len);
            vigil_buf_fini(&e);
        } else if (tm == TM_BASE64) {
            rc = b64enc(pl, a.len, &b);
            if (rc == VIGIL_OK)
                rc = slist_add(&out, b.len ? b.data : "", b.len);
        } else { /* base64offset */
            static const size_t start[3] = {0, 2, 3};
            static const size_t endcut[3] = {0, 3, 2};
            for (size_t off = 0; off < 3 && rc == VIGIL_OK; off++) {
                struct vigil_buf t;
                vigil_buf_init(&t, 4 * DET_MAX_SCALAR + 4);
                for (size_t z = 0; z < off && rc == VIGIL_OK; z++)
                    rc = vigil_buf_putc(&t, ' ');
                if (rc == VIGIL_OK)
                    rc = vigil_buf_append(&t, pl, a.len);
                vigil_buf_reset(&b);
                if (rc == VIGIL_OK)
                    rc = b64enc((const unsigned char *)(t.len ? t.data : ""),
                                t.len, &b);
                size_t cut = endcut[(a.len + off) % 3];
                if (rc == VIGIL_OK && b.len >= start[off] + cut)
                    rc = slist_add(&out, b.data + start[off],
                                   b.len - start[off] - cut);
                vigil_buf_fini(&t);
            }
        }
    }
    vigil_buf_fini(&a);
    vigil_buf_fini(&b);
    if (rc != VIGIL_OK) {
        slist_free(&out);
        if (rc == VIGIL_ELIMIT) {
            *lc->line = at->line;
            snprintf(lc->msg, lc->msglen,
                     "modifier expands a value into more than %d variants",
                     DET_MAX_EXPAND);
        } else if (rc == VIGIL_ENOMEM && !lc->msg[0]) {
            snprintf(lc->msg, lc->msglen, "out of memory");
        }
        return rc;
    }
    slist_free(l);
    *l = out;
    return VIGIL_OK;
}

static int
has_wild(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '*' || s[i] == '?')
            return 1;
    }
    return 0;
}

/* Finalises one escaped string with match type mt into a det_val. */
static enum vigil_rc
make_string_val(struct lctx *lc, const char *s, size_t n, int mt, int cased,
                struct det_val *v)
{
    struct vigil_buf g;
    enum vigil_rc rc = VIGIL_OK;

    vigil_buf_init(&g, 32 * DET_MAX_SCALAR + 4);
    if (mt == OP_CONTAINS || mt == OP_ENDS)
        rc = vigil_buf_putc(&g, '*');
    if (rc == VIGIL_OK)
        rc = vigil_buf_append(&g, s, n);
    if (rc == VIGIL_OK && (mt == OP_CONTAINS || mt == OP_STARTS))
        rc = vigil_buf_putc(&g, '*');
    if (rc != VIGIL_OK) {
        vigil_buf_fini(&g);
        return rc;
    }
    const char *p = g.len ? g.data : "";
    size_t len = g.len, b = 0, e = len;
    int lead = 0, trail = 0;
    while (b < e && p[b] == '*') {
        b++;
        lead = 1;
    }
    while (e > b && p[e - 1] == '*') {
        size_t bs = 0;
        while (e - 1 - bs > b && p[e - 2 - bs] == '\\')
            bs++;
        if (bs % 2)
            break; /* an escaped, literal star */
        e--;
        trail = 1;
    }
    memset(v, 0, sizeof(*v));
    v->lit = DET_NONE;
    v->cased = (uint8_t)cased;
    if (has_wild(p + b, e - b)) {
        v->op = OP_GLOB;
        v->s = adup(lc->d, p, len);
        v->len = (uint32_t)len;
    } else {
        struct vigil_buf pl;
        vigil_buf_init(&pl, 32 * DET_MAX_SCALAR);
        if (escaped_to_plain(p + b, e - b, &pl) != VIGIL_OK) { /* memory */
            vigil_buf_fini(&pl);
            vigil_buf_fini(&g);
            return VIGIL_ENOMEM;
        }
        v->op = lead && trail ? OP_CONTAINS
                : lead        ? OP_ENDS
                : trail       ? OP_STARTS
                              : OP_EQ;
        v->s = adup(lc->d, pl.len ? pl.data : "", pl.len);
        v->len = (uint32_t)pl.len;
        vigil_buf_fini(&pl);
    }
    vigil_buf_fini(&g);
    if (!v->s)
        return VIGIL_ENOMEM;
    if (!cased)
        for (uint32_t i = 0; i < v->len; i++)
            v->s[i] = (char)detect_lower((unsigned char)v->s[i]);
    return VIGIL_OK;
}

struct vecv {
    struct det_val *v;
    size_t n, cap;
};

static struct det_val *vecv_push_raw(struct vecv *vv);

/* A zeroed value with no prefilter literal yet. */
static struct det_val *
vecv_push(struct vecv *vv)
{
    struct det_val *v = vecv_push_raw(vv);
    if (v) {
        memset(v, 0, sizeof(*v));
        v->lit = DET_NONE;
    }
    return v;
}

static struct det_val *
vecv_push_raw(struct vecv *vv)
{
    if (vv->n >= DET_MAX_VALUES * 4)
        return NULL;
    if (VIGIL_GROW(vv->v, vv->n, vv->cap) != VIGIL_OK)
        return NULL;
    return &vv->v[vv->n++];
}

struct alt_ctx {
    struct slist *l;
    enum vigil_rc rc;
};

/* detect_winmap_alts' callback: one more raw Sigma value, escaped. */
static int
add_alt(void *arg, const char *s, size_t n)
{
    struct alt_ctx *ac = arg;
    struct vigil_buf e;

    vigil_buf_init(&e, 4 * DET_MAX_SCALAR);
    ac->rc = sigma_to_escaped(s, n, &e);
    if (ac->rc == VIGIL_OK)
        ac->rc = slist_add(ac->l, e.len ? e.data : "", e.len);
    vigil_buf_fini(&e);
    return ac->rc != VIGIL_OK;
}

/* Compiles `key: value(s)` into an item. key is "Field|mod|mod", or
 * NULL for keywords. */
static enum vigil_rc
compile_item(struct lctx *lc, const struct dy_node *keyn,
             const struct dy_node *valn, struct det_item *it)
{
    struct vigil_detect *d = lc->d;
    char fname[256];
    int mt = OP_EQ, cased = 0, all = 0, reflags = 0, fref = 0;
    int tms[8], ntm = 0;
    enum vigil_rc rc = VIGIL_OK;
    const char *key = keyn ? keyn->s : NULL;
    const struct dy_node *at = keyn ? keyn : valn;
    size_t fl_val = 0; /* length of fname when values are a field's */

    memset(it, 0, sizeof(*it));
    it->field = DET_NONE;
    it->alt = DET_NONE;
    if (key) {
        const char *bar = strchr(key, '|');
        size_t fl = bar ? (size_t)(bar - key) : strlen(key);
        if (fl >= sizeof(fname))
            REFUSE(lc, at, "field name longer than %zu bytes",
                   sizeof(fname) - 1);
        memcpy(fname, key, fl);
        fname[fl] = '\0';
        while (bar) {
            const char *m = bar + 1;
            bar = strchr(m, '|');
            size_t ml = bar ? (size_t)(bar - m) : strlen(m);
#define IS(x) (ml == strlen(x) && strncmp(m, x, ml) == 0)
            if (IS("contains"))
                mt = OP_CONTAINS;
            else if (IS("startswith"))
                mt = OP_STARTS;
            else if (IS("endswith"))
                mt = OP_ENDS;
            else if (IS("all"))
                all = 1;
            else if (IS("cased"))
                cased = 1;
            else if (IS("re"))
                mt = OP_RE;
            else if (IS("i") || IS("ignorecase"))
                reflags |= PCRE2_CASELESS;
            else if (IS("m") || IS("multiline"))
                reflags |= PCRE2_MULTILINE;
            else if (IS("s") || IS("dotall"))
                reflags |= PCRE2_DOTALL;
            else if (IS("cidr"))
                mt = OP_CIDR;
            else if (IS("lt"))
                mt = OP_LT;
            else if (IS("lte"))
                mt = OP_LTE;
            else if (IS("gt"))
                mt = OP_GT;
            else if (IS("gte"))
                mt = OP_GTE;
            else if (IS("exists"))
                mt = OP_EXISTS;
            else if (IS("fieldref"))
                fref = 1; /* the match type says how it compares */
            else if (ntm < 8 && IS("base64"))
                tms[ntm++] = TM_BASE64;
            else if (ntm < 8 && IS("base64offset"))
                tms[ntm++] = TM_B64OFF;
            else if (ntm < 8 && (IS("utf16le") || IS("wide")))
                tms[ntm++] = TM_UTF16LE;
            else if (ntm < 8 && IS("utf16be"))
                tms[ntm++] = TM_UTF16BE;
            else if (ntm < 8 && IS("utf16"))
                tms[ntm++] = TM_UTF16;
            else if (ntm < 8 && IS("windash"))
                tms[ntm++] = TM_WINDASH;
            else if (ntm < 8 && IS("expand"))
                tms[ntm++] = TM_EXPAND;
            else
                REFUSE(lc, at, "unknown modifier '%.*s'", (int)ml, m);
#undef IS
        }
        if (reflags && mt != OP_RE)
            REFUSE(lc, at, "modifiers i/m/s need |re");
        if (fref && mt != OP_EQ && mt != OP_CONTAINS && mt != OP_STARTS &&
            mt != OP_ENDS)
            REFUSE(lc, at,
                   "|fieldref combines only with contains, "
                   "startswith, endswith");
        fl_val = fl;
        if (fl == 0) {
            key = NULL; /* "|all" etc. on a keyword list */
        } else {
            it->field = detect_field_id(d, fname, fl);
            it->fname = adup(d, fname, fl);
            if (it->field == DET_NONE || !it->fname)
                REFUSE(lc, at, "too many distinct field names");
            for (const struct det_alias *al = lc->aliases; al && al->field;
                 al++)
                if (strcmp(al->field, fname) == 0)
                    it->alt = detect_field_id(d, al->alt, strlen(al->alt));
        }
    } else {
        mt = OP_CONTAINS; /* keywords match anywhere in a field */
    }
    if (!key && (mt != OP_CONTAINS && mt != OP_EQ && mt != OP_STARTS &&
                 mt != OP_ENDS && mt != OP_RE))
        REFUSE(lc, at, "this modifier needs a field name");
    if (!key && mt == OP_EQ)
        mt = OP_CONTAINS;

    /* the list of raw values */
    const struct dy_node *single[1] = {valn};
    const struct dy_node *const *vals = single;
    size_t nv = 1;
    if (valn->kind == DY_SEQ) {
        vals = (const struct dy_node *const *)valn->kids;
        nv = valn->n;
        if (nv == 0)
            REFUSE(lc, valn, "empty value list");
    } else if (valn->kind == DY_MAP) {
        REFUSE(lc, valn, "a field value cannot be a map");
    }
    if (nv > DET_MAX_VALUES)
        REFUSE(lc, valn, "%zu values for one field (limit %d)", nv,
               DET_MAX_VALUES);

    struct vecv vv = {0};
    for (size_t i = 0; i < nv && rc == VIGIL_OK; i++) {
        const struct dy_node *x = vals[i];
        struct det_val *v;
        if (x->kind != DY_SCALAR) {
            *lc->line = x->line;
            snprintf(lc->msg, lc->msglen, "nested lists are not values");
            rc = VIGIL_EPARSE;
            break;
        }
        if (mt == OP_EXISTS) {
            v = vecv_push(&vv);
            if (!v) {
                rc = VIGIL_ENOMEM;
                break;
            }
            v->op = OP_EXISTS;
            v->grp = (uint32_t)i;
            v->flag =
                strcasecmp(x->s, "true") == 0 || strcasecmp(x->s, "yes") == 0;
            if (!v->flag && strcasecmp(x->s, "false") != 0 &&
                strcasecmp(x->s, "no") != 0) {
                *lc->line = x->line;
                snprintf(lc->msg, lc->msglen, "|exists wants true or false");
                rc = VIGIL_EPARSE;
            }
            continue;
        }
        if (detect_yaml_is_null(x)) {
            v = vecv_push(&vv);
            if (!v) {
                rc = VIGIL_ENOMEM;
                break;
            }
            v->op = OP_NULL;
            v->grp = (uint32_t)i;
            continue;
        }
        if (mt == OP_RE) {
            int ec;
            PCRE2_SIZE eo;
            pcre2_code *re = pcre2_compile((PCRE2_SPTR)x->s, x->len,
                                           (uint32_t)reflags | PCRE2_UTF |
                                               PCRE2_MATCH_INVALID_UTF,
                                           &ec, &eo, NULL);
            if (!re) {
                PCRE2_UCHAR buf[128];
                pcre2_get_error_message(ec, buf, sizeof(buf));
                *lc->line = x->line;
                snprintf(lc->msg, lc->msglen,
                         "regular expression refused at offset %zu: %s",
                         (size_t)eo, (const char *)buf);
                rc = VIGIL_EPARSE;
                break;
            }
            pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
            if (VIGIL_GROW(d->res, d->nres, d->capres) != VIGIL_OK) {
                pcre2_code_free(re);
                rc = VIGIL_ENOMEM;
                break;
            }
            d->res[d->nres++] = re;
            v = vecv_push(&vv);
            if (!v) {
                rc = VIGIL_ENOMEM;
                break;
            }
            v->op = OP_RE;
            v->re = re;
            v->grp = (uint32_t)i;
            char run[256];
            uint32_t rl =
                detect_re_literal(x->s, (uint32_t)x->len, run, sizeof(run),
                                  &v->need_c, &v->need_n);
            if (rl) {
                v->s = adup(d, run, rl);
                v->len = rl;
            }
            detect_re_seq(&d->arena, x->s, (uint32_t)x->len,
                          (reflags & PCRE2_CASELESS) != 0, &v->seq, &v->seqlen);
            v->dotall = (reflags & PCRE2_DOTALL) != 0;
            continue;
        }
        if (mt == OP_CIDR) {
            const char *sl = strchr(x->s, '/');
            size_t al = sl ? (size_t)(sl - x->s) : x->len;
            int64_t pfx = -1;
            v = vecv_push(&vv);
            if (!v) {
                rc = VIGIL_ENOMEM;
                break;
            }
            v->op = OP_CIDR;
            v->grp = (uint32_t)i;
            if (!vigil_ip_parse(x->s, al, v->net) ||
                (sl && !vigil_parse_i64(sl + 1, strlen(sl + 1), &pfx))) {
                *lc->line = x->line;
                snprintf(lc->msg, lc->msglen, "'%s' is not a network", x->s);
                rc = VIGIL_EPARSE;
                break;
            }
            int v4 = memchr(x->s, ':', al) == NULL;
            if (pfx < 0)
                pfx = v4 ? 32 : 128;
            if (pfx > (v4 ? 32 : 128)) {
                *lc->line = x->line;
                snprintf(lc->msg, lc->msglen, "bad prefix in '%s'", x->s);
                rc = VIGIL_EPARSE;
                break;
            }
            v->flag = (uint8_t)pfx;
            continue;
        }
        if (mt == OP_LT || mt == OP_LTE || mt == OP_GT || mt == OP_GTE) {
            char *end;
            double num = strtod(x->s, &end);
            if (end == x->s || *end) {
                *lc->line = x->line;
                snprintf(lc->msg, lc->msglen, "'%s' is not a number", x->s);
                rc = VIGIL_EPARSE;
                break;
            }
            v = vecv_push(&vv);
            if (!v) {
                rc = VIGIL_ENOMEM;
                break;
            }
            v->op = (uint8_t)mt;
            v->num = num;
            v->grp = (uint32_t)i;
            continue;
        }
        if (fref) {
            v = vecv_push(&vv);
            if (!v) {
                rc = VIGIL_ENOMEM;
                break;
            }
            v->op = OP_FREF;
            v->sub = (uint8_t)mt;
            v->cased = (uint8_t)cased;
            v->fref = detect_field_id(d, x->s, x->len);
            /* the referenced field is named as the rule's logsource names
             * it: the same alias as a field of that name (4688's
             * ParentProcessName for ParentImage) */
            v->fref_alt = DET_NONE;
            for (const struct det_alias *al = lc->aliases; al && al->field;
                 al++)
                if (strlen(al->field) == x->len &&
                    memcmp(al->field, x->s, x->len) == 0)
                    v->fref_alt = detect_field_id(d, al->alt, strlen(al->alt));
            v->grp = (uint32_t)i;
            continue;
        }
        /* strings: escaped form, transforms, then match type */
        struct slist l = {0};
        struct vigil_buf e;
        vigil_buf_init(&e, 4 * DET_MAX_SCALAR);
        rc = sigma_to_escaped(x->s, x->len, &e);
        if (rc == VIGIL_OK)
            rc = slist_add(&l, e.len ? e.data : "", e.len);
        vigil_buf_fini(&e);
        /* the form Windows writes where the rule has another one
         * (detect_winmap.c), as one more alternative of this value */
        if (rc == VIGIL_OK && fl_val > 0 && mt != OP_RE) {
            struct alt_ctx ac = {&l, VIGIL_OK};
            detect_winmap_alts(fname, fl_val, x->s, x->len, add_alt, &ac);
            rc = ac.rc;
        }
        for (int t = 0; t < ntm && rc == VIGIL_OK; t++)
            rc = apply_transform(lc, x, tms[t], &l);
        for (size_t j = 0; j < l.n && rc == VIGIL_OK; j++) {
            v = vecv_push(&vv);
            if (!v && vv.n < DET_MAX_VALUES * 4) {
                rc = VIGIL_ENOMEM;
                break;
            }
            if (!v) {
                *lc->line = x->line;
                snprintf(lc->msg, lc->msglen,
                         "too many values after expansion");
                rc = VIGIL_ELIMIT;
                break;
            }
            rc = make_string_val(lc, l.v[j].s, l.v[j].len, mt, cased, v);
            v->grp = (uint32_t)i;
        }
        slist_free(&l);
    }
    if (rc == VIGIL_OK) {
        it->vals = vigil_arena_alloc(&d->arena, vv.n * sizeof(*it->vals));
        if (!it->vals)
            rc = VIGIL_ENOMEM;
        else
            memcpy(it->vals, vv.v, vv.n * sizeof(*it->vals));
        it->nvals = (uint32_t)vv.n;
        it->all = (uint8_t)all;
    }
    free(vv.v);
    if (rc != VIGIL_OK && !lc->msg[0])
        snprintf(lc->msg, lc->msglen, "%s", vigil_strerror(rc));
    return rc;
}

static enum vigil_rc
compile_map_group(struct lctx *lc, const struct dy_node *m, struct det_group *g)
{
    g->nitems = m->n;
    if (m->n == 0)
        REFUSE(lc, m, "empty selection");
    g->items = vigil_arena_alloc(&lc->d->arena, m->n * sizeof(*g->items));
    if (!g->items)
        return VIGIL_ENOMEM;
    for (uint32_t i = 0; i < m->n; i++) {
        const struct dy_node *k = m->kids[2 * i], *v = m->kids[2 * i + 1];
        if (k->kind != DY_SCALAR)
            REFUSE(lc, k, "field names must be text");
        enum vigil_rc rc = compile_item(lc, k, v, &g->items[i]);
        if (rc != VIGIL_OK)
            return rc;
    }
    return VIGIL_OK;
}

static enum vigil_rc
compile_selection(struct lctx *lc, const char *name, const struct dy_node *n,
                  struct det_sel *s)
{
    struct vigil_detect *d = lc->d;
    enum vigil_rc rc;

    s->name = adup(d, name, strlen(name));
    if (!s->name)
        return VIGIL_ENOMEM;
    if (n->kind == DY_MAP) {
        s->ngroups = 1;
        s->groups = vigil_arena_alloc(&d->arena, sizeof(*s->groups));
        if (!s->groups)
            return VIGIL_ENOMEM;
        return compile_map_group(lc, n, s->groups);
    }
    if (n->kind == DY_SCALAR) {
        s->ngroups = 1;
        s->groups = vigil_arena_alloc(&d->arena, sizeof(*s->groups));
        if (!s->groups)
            return VIGIL_ENOMEM;
        s->groups->nitems = 1;
        s->groups->items =
            vigil_arena_alloc(&d->arena, sizeof(struct det_item));
        if (!s->groups->items)
            return VIGIL_ENOMEM;
        return compile_item(lc, NULL, n, s->groups->items);
    }
    /* list: of maps (OR) and/or keywords (one OR item) */
    if (n->n == 0)
        REFUSE(lc, n, "empty selection '%s'", name);
    uint32_t nmaps = 0, nkw = 0;
    for (uint32_t i = 0; i < n->n; i++) {
        if (n->kids[i]->kind == DY_MAP)
            nmaps++;
        else if (n->kids[i]->kind == DY_SCALAR)
            nkw++;
        else
            REFUSE(lc, n->kids[i], "nested lists in selection '%s'", name);
    }
    s->ngroups = nmaps + (nkw ? 1 : 0);
    s->groups = vigil_arena_alloc(&d->arena, s->ngroups * sizeof(*s->groups));
    if (!s->groups)
        return VIGIL_ENOMEM;
    uint32_t gi = 0;
    for (uint32_t i = 0; i < n->n; i++) {
        if (n->kids[i]->kind != DY_MAP)
            continue;
        rc = compile_map_group(lc, n->kids[i], &s->groups[gi++]);
        if (rc != VIGIL_OK)
            return rc;
    }
    if (nkw) {
        /* a sequence node of just the scalars */
        struct dy_node tmp = *n;
        struct dy_node *kids[DET_MAX_VALUES];
        if (nkw > DET_MAX_VALUES)
            REFUSE(lc, n, "%u keywords (limit %d)", nkw, DET_MAX_VALUES);
        tmp.n = 0;
        for (uint32_t i = 0; i < n->n; i++)
            if (n->kids[i]->kind == DY_SCALAR)
                kids[tmp.n++] = n->kids[i];
        tmp.kids = kids;
        struct det_group *g = &s->groups[gi];
        g->nitems = 1;
        g->items = vigil_arena_alloc(&d->arena, sizeof(*g->items));
        if (!g->items)
            return VIGIL_ENOMEM;
        return compile_item(lc, NULL, &tmp, g->items);
    }
    return VIGIL_OK;
}

static enum vigil_rc
compile_detection(struct lctx *lc, const struct dy_node *det,
                  struct det_detection *dt)
{
    struct vigil_detect *d = lc->d;
    const struct dy_node *cond = detect_yaml_get(det, "condition");
    enum vigil_rc rc;

    if (!det || det->kind != DY_MAP)
        REFUSE(lc, det, "'detection' must be a map");
    if (!cond)
        REFUSE(lc, det, "detection has no condition");
    uint32_t ns = 0;
    dt->sels = vigil_arena_alloc(&d->arena, (det->n + 1) * sizeof(*dt->sels));
    if (!dt->sels)
        return VIGIL_ENOMEM;
    for (uint32_t i = 0; i < det->n; i++) {
        const struct dy_node *k = det->kids[2 * i], *v = det->kids[2 * i + 1];
        if (k->kind != DY_SCALAR)
            REFUSE(lc, k, "selection names must be text");
        if (strcmp(k->s, "condition") == 0 || strcmp(k->s, "timeframe") == 0)
            continue;
        memset(&dt->sels[ns], 0, sizeof(dt->sels[ns]));
        rc = compile_selection(lc, k->s, v, &dt->sels[ns]);
        if (rc != VIGIL_OK)
            return rc;
        ns++;
    }
    dt->nsels = ns;

    /* a list of conditions means any of them */
    struct vigil_buf cb;
    vigil_buf_init(&cb, DET_MAX_COND_LEN + 64);
    rc = VIGIL_OK;
    if (cond->kind == DY_SCALAR) {
        rc = vigil_buf_append(&cb, cond->s, cond->len);
    } else if (cond->kind == DY_SEQ && cond->n > 0) {
        for (uint32_t i = 0; i < cond->n && rc == VIGIL_OK; i++) {
            if (cond->kids[i]->kind != DY_SCALAR) {
                vigil_buf_fini(&cb);
                REFUSE(lc, cond->kids[i], "condition must be text");
            }
            rc = vigil_buf_printf(&cb, "%s(%s)", i ? " or " : "",
                                  cond->kids[i]->s);
        }
    } else {
        vigil_buf_fini(&cb);
        REFUSE(lc, cond, "condition must be text or a list of text");
    }
    if (rc == VIGIL_ENOMEM) {
        vigil_buf_fini(&cb);
        return rc;
    }
    if (rc != VIGIL_OK) {
        vigil_buf_fini(&cb);
        REFUSE(lc, cond, "condition longer than %d bytes", DET_MAX_COND_LEN);
    }
    rc = detect_cond_parse(&d->arena, dt, cb.len ? cb.data : "", lc->msg,
                           lc->msglen);
    vigil_buf_fini(&cb);
    if (rc != VIGIL_OK) {
        *lc->line = cond->line;
        return rc;
    }
    return VIGIL_OK;
}

static char *
tags_json(struct vigil_detect *d, const struct dy_node *tags)
{
    struct vigil_buf b;
    char *r;

    enum vigil_rc rc;

    vigil_buf_init(&b, 65536);
    rc = vigil_buf_putc(&b, '[');
    if (tags && tags->kind == DY_SEQ)
        for (uint32_t i = 0; i < tags->n && rc == VIGIL_OK; i++) {
            if (tags->kids[i]->kind != DY_SCALAR)
                continue;
            if (b.len > 1)
                rc = vigil_buf_putc(&b, ',');
            if (rc == VIGIL_OK)
                rc = vigil_buf_json_str(&b, tags->kids[i]->s,
                                        tags->kids[i]->len);
        }
    if (rc == VIGIL_OK)
        rc = vigil_buf_putc(&b, ']');
    /* NULL: out of memory; tags past the bound are dropped, never cut
     * into JSON that does not parse */
    r = rc == VIGIL_ENOMEM ? NULL
        : rc == VIGIL_OK   ? adup(d, b.data, b.len)
                           : adup(d, "[]", 2);
    vigil_buf_fini(&b);
    return r;
}

static char **
str_list(struct vigil_detect *d, const struct dy_node *n, uint32_t *count)
{
    char **out;

    *count = 0;
    if (!n)
        return NULL;
    if (n->kind == DY_SCALAR) {
        out = vigil_arena_alloc(&d->arena, sizeof(*out));
        if (!out)
            return NULL;
        out[0] = n->s;
        *count = 1;
        return out;
    }
    if (n->kind != DY_SEQ || n->n == 0)
        return NULL;
    out = vigil_arena_alloc(&d->arena, n->n * sizeof(*out));
    if (!out)
        return NULL;
    for (uint32_t i = 0; i < n->n; i++) {
        if (n->kids[i]->kind != DY_SCALAR)
            return NULL;
        out[i] = n->kids[i]->s;
    }
    *count = n->n;
    return out;
}

static enum vigil_rc
load_correlation(struct lctx *lc, const struct dy_node *c)
{
    struct vigil_detect *d = lc->d;
    struct det_corr *k;
    const struct dy_node *t = detect_yaml_get(c, "type");

    if (c->kind != DY_MAP)
        REFUSE(lc, c, "'correlation' must be a map");
    k = vigil_arena_alloc(&d->arena, sizeof(*k));
    if (!k)
        return VIGIL_ENOMEM;
    memset(k, 0, sizeof(*k));
    lc->r->corr = k;
    const char *ts = scalar_or(t, "");
    if (strcmp(ts, "event_count") == 0)
        k->type = CORR_EVENT_COUNT;
    else if (strcmp(ts, "value_count") == 0)
        k->type = CORR_VALUE_COUNT;
    else if (strcmp(ts, "temporal") == 0)
        k->type = CORR_TEMPORAL;
    else if (strcmp(ts, "temporal_ordered") == 0)
        k->type = CORR_TEMPORAL_ORDERED;
    else
        REFUSE(lc, t ? t : c, "unknown correlation type '%s'", ts);
    k->refs = str_list(d, detect_yaml_get(c, "rules"), &k->nrules);
    if (!k->refs || k->nrules == 0)
        REFUSE(lc, c, "correlation needs a list of rules");
    if (k->nrules > 64)
        REFUSE(lc, c, "correlation over more than 64 rules");
    const struct dy_node *gb = detect_yaml_get(c, "group-by");
    k->groupby = str_list(d, gb, &k->ngroupby);
    /* A map or a list in group-by left the correlation ungrouped: every
     * address counted together, not what its author wrote. */
    if (gb && !(gb->kind == DY_SEQ && gb->n == 0) && k->ngroupby == 0)
        REFUSE(lc, gb, "group-by must be a list of field names");
    for (uint32_t i = 0; i < k->ngroupby; i++)
        if (k->groupby[i][0] == '\0')
            REFUSE(lc, gb, "group-by holds an empty field name");
    if (k->ngroupby > 8)
        REFUSE(lc, c, "more than 8 group-by fields");
    const struct dy_node *tsn = detect_yaml_get(c, "timespan");
    if (!tsn)
        tsn = detect_yaml_get(c, "timeframe");
    if (!tsn || tsn->kind != DY_SCALAR ||
        !detect_timespan(tsn->s, &k->timespan_ns))
        REFUSE(lc, tsn ? tsn : c,
               "correlation needs a timespan like 5m, at most 10 years");
    const struct dy_node *gen = detect_yaml_get(c, "generate");
    k->generate =
        gen && gen->kind == DY_SCALAR && strcasecmp(gen->s, "true") == 0;
    const struct dy_node *cond = detect_yaml_get(c, "condition");
    const struct dy_node *fld = detect_yaml_get(c, "field");
    if (cond && cond->kind == DY_MAP) {
        for (uint32_t i = 0; i < cond->n; i++) {
            const struct dy_node *ck = cond->kids[2 * i],
                                 *cv = cond->kids[2 * i + 1];
            int op = 0;
            if (ck->kind != DY_SCALAR)
                REFUSE(lc, ck, "correlation condition keys must be text");
            if (strcmp(ck->s, "field") == 0) {
                fld = cv;
                continue;
            }
            op = strcmp(ck->s, "gt") == 0    ? CMP_GT
                 : strcmp(ck->s, "gte") == 0 ? CMP_GTE
                 : strcmp(ck->s, "lt") == 0  ? CMP_LT
                 : strcmp(ck->s, "lte") == 0 ? CMP_LTE
                 : strcmp(ck->s, "eq") == 0  ? CMP_EQ
                 : strcmp(ck->s, "neq") == 0 ? CMP_NEQ
                                             : 0;
            int64_t v;
            if (!op || cv->kind != DY_SCALAR ||
                !vigil_parse_i64(cv->s, cv->len, &v) || k->ncmp == 2)
                REFUSE(lc, ck, "bad correlation condition '%s'", ck->s);
            /* a count is compared with and one past it sized: anything
             * near INT64_MAX would overflow there */
            if (v < 0 || v > DET_CORR_MAX_COUNT)
                REFUSE(lc, cv, "correlation count %s outside 0..%d", cv->s,
                       DET_CORR_MAX_COUNT);
            k->cmp[k->ncmp] = (uint8_t)op;
            k->cmpv[k->ncmp++] = v;
        }
    } else if (k->type == CORR_EVENT_COUNT || k->type == CORR_VALUE_COUNT) {
        REFUSE(lc, cond ? cond : c, "count correlation needs a condition");
    }
    if (k->type == CORR_TEMPORAL || k->type == CORR_TEMPORAL_ORDERED) {
        if (k->ncmp == 0) { /* default: all rules must occur */
            k->cmp[0] = CMP_GTE;
            k->cmpv[0] = k->nrules;
            k->ncmp = 1;
        }
    } else if (k->ncmp == 0) {
        REFUSE(lc, c, "correlation condition has no comparison");
    }
    if (k->type == CORR_VALUE_COUNT) {
        if (!fld || fld->kind != DY_SCALAR)
            REFUSE(lc, c, "value_count needs condition.field");
        k->vfield = fld->s;
    }
    /* aliases: name -> {rule: field}; kept as field ids per rule later */
    const struct dy_node *al = detect_yaml_get(c, "aliases");
    k->groupby_ids = vigil_arena_alloc(
        &d->arena, (size_t)k->nrules * (k->ngroupby + 1) * sizeof(uint32_t));
    k->vfield_ids =
        vigil_arena_alloc(&d->arena, (size_t)k->nrules * sizeof(uint32_t));
    if (!k->groupby_ids || !k->vfield_ids)
        return VIGIL_ENOMEM;
    for (uint32_t r = 0; r < k->nrules; r++) {
        for (uint32_t g = 0; g < k->ngroupby; g++) {
            const char *f = k->groupby[g];
            const struct dy_node *am = detect_yaml_get(al, f);
            const struct dy_node *rf = detect_yaml_get(am, k->refs[r]);
            if (rf && rf->kind == DY_SCALAR)
                f = rf->s;
            k->groupby_ids[r * k->ngroupby + g] =
                detect_field_id(d, f, strlen(f));
        }
        k->vfield_ids[r] = DET_NONE;
        if (k->vfield) {
            const char *f = k->vfield;
            const struct dy_node *am = detect_yaml_get(al, f);
            const struct dy_node *rf = detect_yaml_get(am, k->refs[r]);
            if (rf && rf->kind == DY_SCALAR)
                f = rf->s;
            k->vfield_ids[r] = detect_field_id(d, f, strlen(f));
        }
    }
    return VIGIL_OK;
}

static enum vigil_rc
push_rule(struct vigil_detect *d, struct det_rule **out)
{
    if (d->nrules >= DET_MAX_RULES)
        return VIGIL_ELIMIT;
    if (VIGIL_GROW(d->rules, d->nrules, d->caprules) != VIGIL_OK)
        return VIGIL_ENOMEM;
    *out = &d->rules[d->nrules];
    memset(*out, 0, sizeof(**out));
    return VIGIL_OK;
}

static enum vigil_rc
rule_load(struct vigil_detect *d, const char *file, const struct dy_node *doc,
          int *line, char *msg, size_t msglen)
{
    struct det_rule *r;
    struct lctx lc;
    enum vigil_rc rc;

    msg[0] = '\0';
    *line = doc ? doc->line : 1;
    if (!doc || doc->kind != DY_MAP) {
        snprintf(msg, msglen, "a rule must be a YAML map");
        return VIGIL_EPARSE;
    }
    rc = push_rule(d, &r);
    if (rc != VIGIL_OK) {
        snprintf(msg, msglen, "too many rules");
        return rc;
    }
    memset(&lc, 0, sizeof(lc));
    lc.d = d;
    lc.r = r;
    lc.line = line;
    lc.msg = msg;
    lc.msglen = msglen;

    const struct dy_node *title = detect_yaml_get(doc, "title");
    const struct dy_node *action = detect_yaml_get(doc, "action");
    if (action)
        REFUSE(&lc, action,
               "'action' documents (global/repeat) are not supported");
    if (!title || title->kind != DY_SCALAR)
        REFUSE(&lc, doc, "rule has no title");
    r->info.title = title->s;
    r->info.id = scalar_or(detect_yaml_get(doc, "id"), "");
    r->info.name = scalar_or(detect_yaml_get(doc, "name"), "");
    r->info.level = scalar_or(detect_yaml_get(doc, "level"), "medium");
    r->info.status = scalar_or(detect_yaml_get(doc, "status"), "");
    r->info.file = adup(d, file, strlen(file));
    r->info.line = doc->line;
    r->info.tags_json = tags_json(d, detect_yaml_get(doc, "tags"));
    r->generate = 1;
    const struct dy_node *ls = detect_yaml_get(doc, "logsource");
    r->ls_product = (char *)scalar_or(detect_yaml_get(ls, "product"), NULL);
    r->ls_category = (char *)scalar_or(detect_yaml_get(ls, "category"), NULL);
    r->ls_service = (char *)scalar_or(detect_yaml_get(ls, "service"), NULL);
    char lsb[256];
    snprintf(lsb, sizeof(lsb), "%s/%s/%s", r->ls_product ? r->ls_product : "",
             r->ls_category ? r->ls_category : "",
             r->ls_service ? r->ls_service : "");
    r->info.logsource = adup(d, lsb, strlen(lsb));
    if (!r->info.file || !r->info.tags_json || !r->info.logsource)
        return VIGIL_ENOMEM;
    r->ls = detect_logsource_find(r->ls_product, r->ls_category, r->ls_service);
    lc.aliases = r->ls ? r->ls->aliases : NULL;

    const struct dy_node *corr = detect_yaml_get(doc, "correlation");
    const struct dy_node *filt = detect_yaml_get(doc, "filter");
    if (corr) {
        r->info.kind = VIGIL_RULE_CORRELATION;
        rc = load_correlation(&lc, corr);
    } else if (filt) {
        r->info.kind = VIGIL_RULE_FILTER;
        if (filt->kind != DY_MAP)
            REFUSE(&lc, filt, "'filter' must be a map");
        const struct dy_node *rl = detect_yaml_get(filt, "rules");
        if (rl && !(rl->kind == DY_SCALAR && strcmp(rl->s, "any") == 0)) {
            r->filter_refs = str_list(d, rl, &r->nfilter_refs);
            if (!r->filter_refs && rl->kind == DY_SEQ && rl->n)
                REFUSE(&lc, rl, "filter rules must be a list of ids");
        }
        rc = compile_detection(&lc, filt, &r->det);
    } else {
        r->info.kind = VIGIL_RULE_DETECTION;
        const struct dy_node *det = detect_yaml_get(doc, "detection");
        if (!det)
            REFUSE(&lc, doc, "rule has no detection");
        rc = compile_detection(&lc, det, &r->det);
    }
    if (rc != VIGIL_OK) {
        if (!msg[0])
            snprintf(msg, msglen, "%s", vigil_strerror(rc));
        return rc;
    }
    d->nrules++;
    return VIGIL_OK;
}

enum vigil_rc
detect_rule_load(struct vigil_detect *d, const char *file,
                 const struct dy_node *doc, int *line, char *msg, size_t msglen)
{
    unsigned long nomem0 = d->nomem + d->arena.nomem;
    enum vigil_rc rc = rule_load(d, file, doc, line, msg, msglen);

    /* Many builders take a NULL from the arena or a field id of DET_NONE
     * as a refusal ("too many distinct field names"): when memory ran out
     * on the way, the rule is not refused but the load fails. */
    if (rc != VIGIL_ENOMEM && d->nomem + d->arena.nomem != nomem0) {
        if (rc == VIGIL_OK)
            d->nrules--;
        rc = VIGIL_ENOMEM;
        snprintf(msg, msglen, "out of memory");
    }
    return rc;
}

int
detect_timespan(const char *s, int64_t *ns)
{
    size_t n = strlen(s);
    int64_t v, mul;

    if (n < 2)
        return 0;
    switch (s[n - 1]) {
    case 's':
        mul = 1;
        break;
    case 'm':
        mul = 60;
        break;
    case 'h':
        mul = 3600;
        break;
    case 'd':
        mul = 86400;
        break;
    case 'w':
        mul = 7 * 86400;
        break;
    case 'M':
        mul = 30 * 86400;
        break;
    case 'y':
        mul = 365 * 86400;
        break;
    default:
        return 0;
    }
    /* bounded in seconds, whatever the unit: 100000y in nanoseconds is
     * past INT64_MAX */
    if (!vigil_parse_i64(s, n - 1, &v) || v <= 0 ||
        v > DET_MAX_TIMESPAN_S / mul)
        return 0;
    *ns = v * mul * VIGIL_NS_PER_SEC;
    return 1;
}
