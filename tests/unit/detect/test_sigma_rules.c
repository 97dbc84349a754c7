/* test_sigma_rules.c -- the Sigma engine on small hand-written rules:
 * every value modifier, wildcards and escapes, null, conditions, keyword
 * lists, logsource mapping and aliases, meta filters, multi-document
 * files, refusals of hostile rules with file:line reasons. */
#include "vigil_test.h"

#include "detect/detect.h"

struct refusal {
    int n;
    int line;
    char msg[256];
};

static void
on_report(const char *file, int line, const struct vigil_rule_info *info,
          const char *msg, void *arg)
{
    struct refusal *r = arg;
    (void)file;
    if (!info) {
        r->n++;
        r->line = line;
        snprintf(r->msg, sizeof(r->msg), "%s", msg);
    }
}

/* Builds an engine from yaml; returns it (NULL when refused) and fills
 * ref with the last refusal. */
static struct vigil_detect *
build(const char *yaml, struct refusal *ref)
{
    struct vigil_detect *d = NULL;
    struct vigil_detect_opts o;
    struct vigil_err err = {0};
    static const char *const vals[] = {"alpha", "beta"};
    static const struct vigil_detect_placeholder ph[] = {{"names", vals, 2}};

    memset(&o, 0, sizeof(o));
    memset(ref, 0, sizeof(*ref));
    o.report = on_report;
    o.report_arg = ref;
    o.placeholders = ph;
    o.nplaceholders = 1;
    assert_int_equal(vigil_detect_new(&d, &o, &err), VIGIL_OK);
    assert_int_equal(vigil_detect_add_mem(d, "t.yml", yaml, strlen(yaml), &err),
                     VIGIL_OK);
    assert_int_equal(vigil_detect_compile(d, &err), VIGIL_OK);
    return d;
}

struct hits {
    int n;
    char ids[8][64];
    uint64_t count;
    char group[128];
    size_t nfields;
};

static int
on_match(const struct vigil_detect_match *m, void *arg)
{
    struct hits *h = arg;
    if (h->n < 8)
        snprintf(h->ids[h->n], sizeof(h->ids[0]), "%s", m->rule->id);
    h->n++;
    h->count = m->count;
    h->nfields = m->nfields;
    if (m->group)
        snprintf(h->group, sizeof(h->group), "%s", m->group);
    return 0;
}

/* Matches one event given as "k=v" strings (NULL-terminated); returns
 * the number of matching rules. */
static int
match_kv(struct vigil_detect_ctx *c, int64_t t, struct hits *h,
         const char *const *kv)
{
    static struct vigil_event ev;
    struct vigil_arena a;
    size_t n = 0;

    vigil_arena_init(&a, 4096, 1 << 20);
    vigil_event_init(&ev, &a);
    ev.time_ns = t;
    for (; kv[0]; kv++) {
        const char *eq = strchr(kv[0], '=');
        vigil_event_add_dyn(&ev, kv[0], (size_t)(eq - kv[0]), eq + 1,
                            strlen(eq + 1));
    }
    memset(h, 0, sizeof(*h));
    assert_int_equal(vigil_detect_match(c, &ev, on_match, h, &n), VIGIL_OK);
    vigil_arena_fini(&a);
    return h->n;
}

static int
one(const char *yaml, const char *const *kv)
{
    struct refusal ref;
    struct vigil_detect *d = build(yaml, &ref);
    struct vigil_detect_ctx *c = NULL;
    struct vigil_err err = {0};
    struct hits h;
    int n;

    if (ref.n)
        printf("refused: %d: %s\n", ref.line, ref.msg);
    assert_int_equal(ref.n, 0);
    assert_int_equal(vigil_detect_ctx_new(&c, d, &err), VIGIL_OK);
    n = match_kv(c, 0, &h, kv);
    vigil_detect_ctx_free(c);
    vigil_detect_free(d);
    return n;
}

#define RULE(det)                                                              \
    "title: t\nid: r1\nlogsource:\n  product: test\ndetection:\n" det
#define EV(...) ((const char *const[]){__VA_ARGS__, NULL})

static void
test_plain_and_case(void **s)
{
    (void)s;
    const char *r = RULE("  sel:\n    Image: 'C:\\Windows\\cmd.exe'\n"
                         "  condition: sel\n");
    assert_int_equal(one(r, EV("Image=c:\\windows\\CMD.EXE")), 1);
    assert_int_equal(one(r, EV("Image=c:\\windows\\cmd.exe2")), 0);
    assert_int_equal(one(r, EV("Other=c:\\windows\\cmd.exe")), 0);
    const char *cased = RULE("  sel:\n    Image|cased: 'Cmd.exe'\n"
                             "  condition: sel\n");
    assert_int_equal(one(cased, EV("Image=Cmd.exe")), 1);
    assert_int_equal(one(cased, EV("Image=cmd.exe")), 0);
}

static void
test_contains_starts_ends_all(void **s)
{
    (void)s;
    assert_int_equal(
        one(RULE("  sel:\n    C|contains: bad\n  condition: sel\n"),
            EV("C=a BAD thing")),
        1);
    assert_int_equal(
        one(RULE("  sel:\n    C|startswith: bad\n  condition: sel\n"),
            EV("C=a bad")),
        0);
    assert_int_equal(
        one(RULE("  sel:\n    C|endswith: bad\n  condition: sel\n"),
            EV("C=a bad")),
        1);
    const char *all = RULE("  sel:\n    C|contains|all:\n      - one\n"
                           "      - two\n  condition: sel\n");
    assert_int_equal(one(all, EV("C=two and one")), 1);
    assert_int_equal(one(all, EV("C=only one")), 0);
    const char *any = RULE("  sel:\n    C|contains:\n      - one\n"
                           "      - two\n  condition: sel\n");
    assert_int_equal(one(any, EV("C=only two")), 1);
}

static void
test_wildcards_escapes(void **s)
{
    (void)s;
    const char *w = RULE("  sel:\n    C: 'a*b?d'\n  condition: sel\n");
    assert_int_equal(one(w, EV("C=aXXbcd")), 1);
    assert_int_equal(one(w, EV("C=abd")), 0);
    assert_int_equal(one(w, EV("C=ab")), 0);
    /* \* is a literal star, \\ a literal backslash */
    const char *e = RULE("  sel:\n    C: 'a\\*b'\n  condition: sel\n");
    assert_int_equal(one(e, EV("C=a*b")), 1);
    assert_int_equal(one(e, EV("C=axb")), 0);
    const char *bs = RULE("  sel:\n    C: 'x\\\\*'\n  condition: sel\n");
    assert_int_equal(one(bs, EV("C=x\\anything")), 1);
    assert_int_equal(one(bs, EV("C=xanything")), 0);
    /* a lone backslash before a letter stays a backslash */
    const char *lone =
        RULE("  sel:\n    C: 'C:\\Temp\\x*'\n  condition: sel\n");
    assert_int_equal(one(lone, EV("C=c:\\temp\\x.exe")), 1);
    /* ... but before a star it escapes it: C:\Temp\* is a literal star */
    const char *star = RULE("  sel:\n    C: 'C:\\Temp\\*'\n  condition: sel\n");
    assert_int_equal(one(star, EV("C=c:\\temp\\x.exe")), 0);
    assert_int_equal(one(star, EV("C=c:\\temp*")), 1);
    /* contains with inner wildcard */
    const char *cw = RULE("  sel:\n    C|contains: 'net*user'\n"
                          "  condition: sel\n");
    assert_int_equal(one(cw, EV("C=cmd /c net  user x")), 1);
    assert_int_equal(one(cw, EV("C=user net")), 0);
}

static void
test_null_exists_empty(void **s)
{
    (void)s;
    const char *n = RULE("  sel:\n    A: x\n    B: null\n  condition: sel\n");
    assert_int_equal(one(n, EV("A=x")), 1);
    assert_int_equal(one(n, EV("A=x", "B=")), 1);
    assert_int_equal(one(n, EV("A=x", "B=y")), 0);
    const char *ex = RULE("  sel:\n    B|exists: true\n  condition: sel\n");
    assert_int_equal(one(ex, EV("B=")), 1);
    assert_int_equal(one(ex, EV("A=1")), 0);
    const char *nex = RULE("  sel:\n    A: 1\n    B|exists: false\n"
                           "  condition: sel\n");
    assert_int_equal(one(nex, EV("A=1")), 1);
    assert_int_equal(one(nex, EV("A=1", "B=2")), 0);
    const char *empty = RULE("  sel:\n    B: ''\n  condition: sel\n");
    assert_int_equal(one(empty, EV("B=")), 1);
    assert_int_equal(one(empty, EV("B=x")), 0);
}

static void
test_re(void **s)
{
    (void)s;
    const char *r = RULE("  sel:\n    C|re: '^a[0-9]+b$'\n  condition: sel\n");
    assert_int_equal(one(r, EV("C=a123b")), 1);
    assert_int_equal(one(r, EV("C=A123B")), 0); /* re is case-sensitive */
    const char *ri = RULE("  sel:\n    C|re|i: '^a[0-9]+b$'\n"
                          "  condition: sel\n");
    assert_int_equal(one(ri, EV("C=A123B")), 1);
    const char *rs = RULE("  sel:\n    C|re|s: 'a.b'\n  condition: sel\n");
    assert_int_equal(one(rs, EV("C=a\nb")), 1);
    const char *rm = RULE("  sel:\n    C|re|m: '^b$'\n  condition: sel\n");
    assert_int_equal(one(rm, EV("C=a\nb")), 1);
    /* the prefilter literal taken from a regex must be one every match
     * contains: optional characters, groups and alternation respected */
    const char *opt = RULE("  sel:\n    C|re: 'xab?cde'\n  condition: sel\n");
    assert_int_equal(one(opt, EV("C=xacde")), 1);
    assert_int_equal(one(opt, EV("C=xabcde")), 1);
    const char *grp = RULE("  sel:\n    C|re: 'pre(ab|cd)post'\n"
                           "  condition: sel\n");
    assert_int_equal(one(grp, EV("C=precdpost")), 1);
    const char *alt = RULE("  sel:\n    C|re: 'abcd|wxyz'\n"
                           "  condition: sel\n");
    assert_int_equal(one(alt, EV("C=..wxyz..")), 1);
    const char *cls = RULE("  sel:\n    C|re: 'evil[0-9]{2,}\\.exe'\n"
                           "  condition: sel\n");
    assert_int_equal(one(cls, EV("C=c:\\EVIL42.exe")), 0);
    assert_int_equal(one(cls, EV("C=c:\\evil42.exe")), 1);
    const char *ci = RULE("  sel:\n    C|re: '(?i)PowerShell.+-enc'\n"
                          "  condition: sel\n");
    assert_int_equal(one(ci, EV("C=powershell.exe -enc AAA")), 1);
    const char *nom = RULE("  sel:\n    C|re: '^b$'\n  condition: sel\n");
    assert_int_equal(one(nom, EV("C=a\nb")), 0);
    /* quantifier bounds, escape arguments and extended mode are not
     * literal characters of the pattern */
    const char *bnd = RULE("  sel:\n    C|re: 'x[0-9]{2,3}y'\n"
                           "  condition: sel\n");
    assert_int_equal(one(bnd, EV("C=x12y")), 1);
    const char *hex = RULE("  sel:\n    C|re: 'q\\x41bc'\n  condition: sel\n");
    assert_int_equal(one(hex, EV("C=qAbc")), 1);
    const char *ext = RULE("  sel:\n    C|re: '(?x) a b c'\n"
                           "  condition: sel\n");
    assert_int_equal(one(ext, EV("C=abc")), 1);
    /* a one-character required run feeds the prefilter */
    const char *tick = RULE("  sel:\n    C|re: '\\w+`\\w'\n"
                            "  condition: sel\n");
    assert_int_equal(one(tick, EV("C=ab`c")), 1);
    assert_int_equal(one(tick, EV("C=abc")), 0);
}

static void
test_re_pieces(void **s)
{
    (void)s;
    /* literal pieces joined by .* are matched without PCRE; texts with
     * newlines go to PCRE, whose . does not cross them */
    const char *p3 = RULE("  sel:\n    C|re: '\\+.*\\+.*\\+'\n"
                          "  condition: sel\n");
    assert_int_equal(one(p3, EV("C=a+b+c+")), 1);
    assert_int_equal(one(p3, EV("C=a+b+")), 0);
    assert_int_equal(one(p3, EV("C=a+\nb+c+")), 0);
    assert_int_equal(one(p3, EV("C=a+\nb+c+d+")), 1);
    const char *pd = RULE("  sel:\n    C|re|s: 'ab.*cd.*ef'\n"
                          "  condition: sel\n");
    assert_int_equal(one(pd, EV("C=xab\ncdzef")), 1);
    assert_int_equal(one(pd, EV("C=xabefcd")), 0);
    /* every match needs five backticks: four are not enough */
    const char *bt = RULE("  sel:\n    C|re: '`.*`.*`.*`.*`'\n"
                          "  condition: sel\n");
    assert_int_equal(one(bt, EV("C=`a`b`c`")), 0);
    assert_int_equal(one(bt, EV("C=`a`b`c`d`")), 1);
    /* caseless letters go to PCRE */
    const char *ci = RULE("  sel:\n    C|re|i: 'ab.*cd'\n"
                          "  condition: sel\n");
    assert_int_equal(one(ci, EV("C=xxABzzCD")), 1);
}

static void
test_cidr_numbers_fieldref(void **s)
{
    (void)s;
    const char *c = RULE("  sel:\n    ip|cidr:\n      - 10.0.0.0/8\n"
                         "      - 'fe80::/10'\n  condition: sel\n");
    assert_int_equal(one(c, EV("ip=10.2.3.4")), 1);
    assert_int_equal(one(c, EV("ip=11.2.3.4")), 0);
    assert_int_equal(one(c, EV("ip=fe80::1")), 1);
    assert_int_equal(one(c, EV("ip=notanip")), 0);
    const char *n = RULE("  sel:\n    x|gt: 10\n    y|lte: 2.5\n"
                         "  condition: sel\n");
    assert_int_equal(one(n, EV("x=11", "y=2.5")), 1);
    assert_int_equal(one(n, EV("x=10", "y=1")), 0);
    assert_int_equal(one(n, EV("x=abc", "y=1")), 0);
    const char *lt = RULE("  sel:\n    x|lt: 0\n    z|gte: 5\n"
                          "  condition: sel\n");
    assert_int_equal(one(lt, EV("x=-1", "z=5")), 1);
    const char *f = RULE("  sel:\n    a|fieldref: b\n  condition: sel\n");
    assert_int_equal(one(f, EV("a=Same", "b=same")), 1);
    assert_int_equal(one(f, EV("a=one", "b=two")), 0);
    assert_int_equal(one(f, EV("a=one")), 0);
}

static void
test_base64_utf16_windash(void **s)
{
    (void)s;
    /* base64("whoami") = d2hvYW1p */
    const char *b = RULE("  sel:\n    C|base64: whoami\n  condition: sel\n");
    assert_int_equal(one(b, EV("C=d2hvYW1p")), 1);
    /* base64offset|contains finds the value at any alignment:
     * base64(" whoami") = IHdob2FtaQ==, base64("  whoami") = ICB3aG9hbWk= */
    const char *bo = RULE("  sel:\n    C|base64offset|contains: whoami\n"
                          "  condition: sel\n");
    assert_int_equal(one(bo, EV("C=xx d2hvYW1p yy")), 1);
    assert_int_equal(one(bo, EV("C=IHdob2FtaQ==")), 1);
    assert_int_equal(one(bo, EV("C=ICB3aG9hbWk=")), 1);
    assert_int_equal(one(bo, EV("C=aGVsbG8=")), 0);
    /* wide|base64offset: base64 of UTF-16LE "cmd" = YwBtAGQA */
    const char *wb = RULE("  sel:\n    C|wide|base64offset|contains: cmd\n"
                          "  condition: sel\n");
    assert_int_equal(one(wb, EV("C=-enc YwBtAGQA")), 1);
    /* utf16be "ab" = 00 61 00 62 -> AGEAYg== */
    const char *be = RULE("  sel:\n    C|utf16be|base64: ab\n"
                          "  condition: sel\n");
    assert_int_equal(one(be, EV("C=AGEAYg==")), 1);
    /* utf16 adds a BOM: FF FE 61 00 -> //5hAA== */
    const char *u = RULE("  sel:\n    C|utf16|base64: a\n  condition: sel\n");
    assert_int_equal(one(u, EV("C=//5hAA==")), 1);
    const char *wd = RULE("  sel:\n    C|windash|contains: ' -exec'\n"
                          "  condition: sel\n");
    assert_int_equal(one(wd, EV("C=x.exe /exec")), 1);
    assert_int_equal(one(wd, EV("C=x.exe -exec")), 1);
    assert_int_equal(one(wd, EV("C=x.exe \xe2\x80\x93"
                                "exec")),
                     1);
    assert_int_equal(one(wd, EV("C=x.exe +exec")), 0);
    /* a dash inside a word is not a switch */
    const char *in = RULE("  sel:\n    C|windash: 'a-b'\n  condition: sel\n");
    assert_int_equal(one(in, EV("C=a/b")), 0);
}

static void
test_expand(void **s)
{
    (void)s;
    struct refusal ref;
    const char *r = RULE("  sel:\n    U|expand: '%names%'\n  condition: sel\n");
    assert_int_equal(one(r, EV("U=beta")), 1);
    assert_int_equal(one(r, EV("U=gamma")), 0);
    struct vigil_detect *d = build(
        RULE("  sel:\n    U|expand: '%unknown%'\n  condition: sel\n"), &ref);
    assert_int_equal(ref.n, 1);
    assert_int_equal(ref.line, 7);
    assert_non_null(strstr(ref.msg, "unresolved placeholder %unknown%"));
    vigil_detect_free(d);
}

static void
test_conditions(void **s)
{
    (void)s;
    const char *r = RULE("  sel_a:\n    A: 1\n  sel_b:\n    B: 1\n"
                         "  filter:\n    F: 1\n"
                         "  condition: 1 of sel_* and not filter\n");
    assert_int_equal(one(r, EV("A=1")), 1);
    assert_int_equal(one(r, EV("B=1")), 1);
    assert_int_equal(one(r, EV("A=1", "F=1")), 0);
    assert_int_equal(one(r, EV("C=1")), 0);
    const char *all = RULE("  sel_a:\n    A: 1\n  sel_b:\n    B: 1\n"
                           "  condition: all of sel_*\n");
    assert_int_equal(one(all, EV("A=1")), 0);
    assert_int_equal(one(all, EV("A=1", "B=1")), 1);
    const char *them = RULE("  a:\n    A: 1\n  _b:\n    B: 1\n"
                            "  condition: all of them\n");
    assert_int_equal(one(them, EV("A=1")), 1); /* _b is not in them */
    const char *paren = RULE("  a:\n    A: 1\n  b:\n    B: 1\n  c:\n    C: 1\n"
                             "  condition: a and (b or c) and not (b and c)\n");
    assert_int_equal(one(paren, EV("A=1", "C=1")), 1);
    assert_int_equal(one(paren, EV("A=1", "B=1", "C=1")), 0);
    assert_int_equal(one(paren, EV("B=1", "C=1")), 0);
    /* precedence: not > and > or */
    const char *prec = RULE("  a:\n    A: 1\n  b:\n    B: 1\n  c:\n    C: 1\n"
                            "  condition: a or b and not c\n");
    assert_int_equal(one(prec, EV("A=1", "C=1")), 1);
    assert_int_equal(one(prec, EV("B=1", "C=1")), 0);
    const char *list = RULE("  a:\n    A: 1\n  b:\n    B: 1\n"
                            "  condition:\n    - a\n    - b\n");
    assert_int_equal(one(list, EV("B=1")), 1);
    /* only-negative rules have no literal and are still evaluated */
    const char *neg = RULE("  a:\n    A: 1\n  condition: not a\n");
    assert_int_equal(one(neg, EV("X=1")), 1);
}

static void
test_selections_shapes(void **s)
{
    (void)s;
    const char *lm = RULE("  sel:\n    - A: 1\n      B: 2\n    - C: 3\n"
                          "  condition: sel\n");
    assert_int_equal(one(lm, EV("A=1")), 0);
    assert_int_equal(one(lm, EV("A=1", "B=2")), 1);
    assert_int_equal(one(lm, EV("C=3")), 1);
    const char *kw = RULE("  keywords:\n    - 'evil thing'\n    - 'bad*stuff'\n"
                          "  condition: keywords\n");
    assert_int_equal(one(kw, EV("message=an EVIL THING happened")), 1);
    assert_int_equal(one(kw, EV("x=y", "msg=some bad old stuff")), 1);
    assert_int_equal(one(kw, EV("message=fine")), 0);
}

static void
test_logsource_mapping(void **s)
{
    (void)s;
    const char *r = "title: t\nid: p1\nlogsource:\n  product: windows\n"
                    "  category: process_creation\ndetection:\n  sel:\n"
                    "    Image|endswith: '\\whoami.exe'\n  condition: sel\n";
    const char *sysmon = "Channel=Microsoft-Windows-Sysmon/Operational";
    assert_int_equal(one(r, EV(sysmon, "EventID=1", "Image=C:\\w\\whoami.exe")),
                     1);
    /* Sysmon event 3 is network, not process creation */
    assert_int_equal(one(r, EV(sysmon, "EventID=3", "Image=C:\\w\\whoami.exe")),
                     0);
    /* Security 4688 names the image NewProcessName */
    assert_int_equal(one(r, EV("Channel=Security", "EventID=4688",
                               "NewProcessName=C:\\w\\whoami.exe")),
                     1);
    assert_int_equal(one(r, EV("Channel=System", "EventID=4688",
                               "NewProcessName=C:\\w\\whoami.exe")),
                     0);
    /* events without a Channel are not filtered by logsource */
    assert_int_equal(one(r, EV("Image=C:\\w\\whoami.exe")), 1);
}

static void
test_filter_and_multidoc(void **s)
{
    (void)s;
    const char *y =
        "title: base\nid: b1\nname: base_rule\nlogsource:\n  product: test\n"
        "detection:\n  sel:\n    A: 1\n  condition: sel\n"
        "---\n"
        "title: other\nid: b2\nlogsource:\n  product: test\n"
        "detection:\n  sel:\n    A: 1\n  condition: sel\n"
        "---\n"
        "title: tune\nlogsource:\n  product: test\nfilter:\n  rules:\n"
        "    - base_rule\n  sel:\n    User: admin\n  condition: not sel\n";
    struct refusal ref;
    struct vigil_detect *d = build(y, &ref);
    struct vigil_detect_ctx *c = NULL;
    struct vigil_err err = {0};
    struct vigil_detect_stats st;
    struct hits h;

    assert_int_equal(ref.n, 0);
    vigil_detect_get_stats(d, &st);
    assert_int_equal(st.loaded, 2);
    assert_int_equal(st.filters, 1);
    assert_int_equal(vigil_detect_ctx_new(&c, d, &err), VIGIL_OK);
    assert_int_equal(match_kv(c, 0, &h, EV("A=1", "User=bob")), 2);
    assert_int_equal(match_kv(c, 0, &h, EV("A=1", "User=admin")), 1);
    assert_string_equal(h.ids[0], "b2");
    vigil_detect_ctx_free(c);
    vigil_detect_free(d);
}

static void
refused(const char *yaml, int line, const char *needle)
{
    struct refusal ref;
    struct vigil_detect *d = build(yaml, &ref);
    if (ref.n != 1 || !strstr(ref.msg, needle) || ref.line != line)
        printf("got %d refusals, line %d: %s\n", ref.n, ref.line, ref.msg);
    assert_int_equal(ref.n, 1);
    assert_int_equal(ref.line, line);
    assert_non_null(strstr(ref.msg, needle));
    vigil_detect_free(d);
}

static void
test_refusals(void **s)
{
    (void)s;
    refused(RULE("  sel:\n    A|nosuch: 1\n  condition: sel\n"), 7,
            "unknown modifier 'nosuch'");
    refused(RULE("  sel:\n    A: 1\n  condition: sel and missing\n"), 8,
            "'missing', which is not defined");
    refused(RULE("  sel:\n    A: 1\n  condition: (sel\n"), 8, "missing ')'");
    refused(RULE("  sel:\n    A: 1\n  condition: sel | count() > 5\n"), 8,
            "aggregation");
    refused(RULE("  sel:\n    A|re: '(unclosed'\n  condition: sel\n"), 7,
            "regular expression refused");
    refused("title: t\ndetection:\n  sel: [a\n", 4, "YAML");
    refused("title: t\nlogsource: {}\n", 1, "no detection");
    refused("title: &x t\nother: *x\n", 2, "aliases");
    refused(RULE("  sel:\n    A|cidr: 10.0.0.0/99\n  condition: sel\n"), 7,
            "bad prefix");
    refused("id: 1\ndetection:\n  sel: {A: 1}\n  condition: sel\n", 1,
            "no title");
}

/* YAML that is no rule at all (SigmaHQ's regression_data/.../info.yml)
 * is counted as skipped, not refused. */
static void
test_not_a_rule_skipped(void **s)
{
    struct refusal ref;
    struct vigil_detect_stats st;
    struct vigil_detect *d;

    (void)s;
    d = build("id: 5d0fdb62\nregression_tests_info:\n  - type: evtx\n", &ref);
    vigil_detect_get_stats(d, &st);
    assert_int_equal(ref.n, 0);
    assert_int_equal(st.skipped, 1);
    assert_int_equal(st.refused, 0);
    assert_int_equal(st.loaded, 0);
    vigil_detect_free(d);
}

static void
test_hostile(void **s)
{
    (void)s;
    struct vigil_buf b;
    struct refusal ref;
    struct vigil_detect *d;

    /* 10,000 alternatives for one field are refused */
    vigil_buf_init(&b, 1 << 20);
    vigil_buf_printf(&b, "%s", RULE("  sel:\n    A:\n"));
    for (int i = 0; i < 10000; i++)
        vigil_buf_printf(&b, "      - v%d\n", i);
    vigil_buf_printf(&b, "  condition: sel\n");
    d = build(b.data, &ref);
    assert_int_equal(ref.n, 1);
    assert_non_null(strstr(ref.msg, "10000 values for one field"));
    vigil_detect_free(d);

    /* deep nesting is refused by the YAML reader */
    vigil_buf_reset(&b);
    vigil_buf_printf(&b, "title: t\nx: ");
    for (int i = 0; i < 200; i++)
        vigil_buf_putc(&b, '[');
    for (int i = 0; i < 200; i++)
        vigil_buf_putc(&b, ']');
    vigil_buf_putc(&b, '\n');
    d = build(b.data, &ref);
    assert_int_equal(ref.n, 1);
    assert_non_null(strstr(ref.msg, "nested deeper"));
    vigil_detect_free(d);

    /* deeply nested condition */
    vigil_buf_reset(&b);
    vigil_buf_printf(&b, "%s", RULE("  sel:\n    A: 1\n  condition: "));
    for (int i = 0; i < 500; i++)
        vigil_buf_putc(&b, '(');
    vigil_buf_printf(&b, "sel");
    for (int i = 0; i < 500; i++)
        vigil_buf_putc(&b, ')');
    vigil_buf_putc(&b, '\n');
    d = build(b.data, &ref);
    assert_int_equal(ref.n, 1);
    assert_non_null(strstr(ref.msg, "nested deeper"));
    vigil_detect_free(d);
    vigil_buf_fini(&b);

    /* windash over many switches is bounded */
    refused(RULE("  sel:\n    C|windash: ' -a -b -c -d -e'\n"
                 "  condition: sel\n"),
            7, "more than 1024 variants");

    /* catastrophic regex: the match limit stops it, no match, counted */
    d = build(RULE("  sel:\n    C|re: '^(a+)+$'\n  condition: sel\n"), &ref);
    assert_int_equal(ref.n, 0);
    struct vigil_detect_ctx *c = NULL;
    struct vigil_err err = {0};
    struct vigil_detect_ctx_stats st;
    struct hits h;
    char evil[80];
    memset(evil, 'a', 60);
    evil[0] = 'C';
    evil[1] = '=';
    evil[60] = 'b';
    evil[61] = '\0';
    assert_int_equal(vigil_detect_ctx_new(&c, d, &err), VIGIL_OK);
    assert_int_equal(match_kv(c, 0, &h, EV(evil)), 0);
    vigil_detect_ctx_get_stats(c, &st);
    assert_int_equal(st.regex_limit, 1);
    vigil_detect_ctx_free(c);
    vigil_detect_free(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_case),
        cmocka_unit_test(test_contains_starts_ends_all),
        cmocka_unit_test(test_wildcards_escapes),
        cmocka_unit_test(test_null_exists_empty),
        cmocka_unit_test(test_re),
        cmocka_unit_test(test_re_pieces),
        cmocka_unit_test(test_cidr_numbers_fieldref),
        cmocka_unit_test(test_base64_utf16_windash),
        cmocka_unit_test(test_expand),
        cmocka_unit_test(test_conditions),
        cmocka_unit_test(test_selections_shapes),
        cmocka_unit_test(test_logsource_mapping),
        cmocka_unit_test(test_filter_and_multidoc),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_not_a_rule_skipped),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
