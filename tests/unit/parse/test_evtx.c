/* Tests for the EVTX reader: record counts against evtxexport, exact field
 * values of real records, every field of SigmaHQ's JSON renderings of its
 * regression events, every value type, damaged chunks, dirty files,
 * carving, threads, and hostile (truncated, random) files. */
#include "vigil_test.h"

#include <ftw.h>
#include <unistd.h>
#include <jansson.h>

#include "core/core.h"
#include "parse/parse.h"

#include "evtx_craft.h"

#define LM_5145                                                                \
    "evtx-attack-samples/Lateral Movement/LM_5145_Remote_FileCopy.evtx"
#define REGRESSION "sigmahq-sigma/regression_data"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */
/* ------------------------------------------------------------------ */

static enum vigil_rc
count_cb(struct vigil_event *ev, void *arg)
{
    (void)ev;
    (*(uint64_t *)arg)++;
    return VIGIL_OK;
}

/* Copies the fields of the record with a given EventRecordID (events are
 * reused after the callback, so the text is copied out). */
struct pick {
    int64_t record_id;
    int found;
    int64_t time_ns;
    struct vigil_arena arena;
    struct vigil_event ev;
};

static enum vigil_rc
pick_cb(struct vigil_event *ev, void *arg)
{
    struct pick *p = arg;
    const struct vigil_field *id = vigil_event_get(ev, "EventRecordID");
    uint16_t i;

    if (id == NULL || id->type != VIGIL_F_INT || id->v.i != p->record_id)
        return VIGIL_OK;
    p->found++;
    p->time_ns = ev->time_ns;
    vigil_event_init(&p->ev, &p->arena);
    for (i = 0; i < ev->nfields; i++) {
        const struct vigil_field *f = &ev->fields[i];
        char *name = vigil_arena_strndup(&p->arena, f->name, f->name_len);
        char *text = vigil_arena_strndup(&p->arena, f->text, f->text_len);
        struct vigil_field *g = &p->ev.fields[p->ev.nfields++];
        *g = *f;
        g->name = name;
        g->text = text;
    }
    return VIGIL_OK;
}

static struct pick *
pick_record(const char *path, int64_t record_id)
{
    struct pick *p = calloc(1, sizeof(*p));
    struct vigil_evtx_stats st = {0};
    struct vigil_err err = {0};

    assert_non_null(p);
    p->record_id = record_id;
    vigil_arena_init(&p->arena, 0, 0);
    assert_int_equal(vigil_evtx_read_file(path, pick_cb, p, &st, &err),
                     VIGIL_OK);
    assert_int_equal(p->found, 1);
    return p;
}

static void
pick_free(struct pick *p)
{
    vigil_arena_fini(&p->arena);
    free(p);
}

static void
assert_field(const struct vigil_event *ev, const char *name, const char *want)
{
    const struct vigil_field *f = vigil_event_get(ev, name);

    if (f == NULL)
        fail_msg("field %s is missing", name);
    if (f->text_len != strlen(want) || memcmp(f->text, want, f->text_len))
        fail_msg("field %s is \"%.*s\", want \"%s\"", name, (int)f->text_len,
                 f->text, want);
}

static void
assert_int_field(const struct vigil_event *ev, const char *name, int64_t want)
{
    const struct vigil_field *f = vigil_event_get(ev, name);

    assert_non_null(f);
    assert_int_equal(f->type, VIGIL_F_INT);
    assert_int_equal(f->v.i, want);
}

static char *
slurp(const char *path, size_t *len)
{
    struct vigil_err err = {0};
    char *data = NULL;

    assert_int_equal(vigil_read_file(path, 64 << 20, &data, len, &err),
                     VIGIL_OK);
    return data;
}

/* ------------------------------------------------------------------ */
/* Counts and values                                                    */
/* ------------------------------------------------------------------ */

static void
test_counts(void **state)
{
    /* Counts of `evtxexport -f xml` (libevtx-utils 20181227). */
    static const struct {
        const char *rel;
        uint64_t records;
    } cases[] = {
        {"evtx-attack-samples/Credential Access/"
         "sysmon_10_lsass_mimikatz_sekurlsa_logonpasswords.evtx",
         1},
        {"evtx-attack-samples/Defense Evasion/"
         "DE_1102_security_log_cleared.evtx",
         112},
        {"evtx-attack-samples/Execution/exec_sysmon_1_lolbin_pcalua.evtx", 3},
        {LM_5145, 869},
        {"deepbluecli/evtx/password-spray.evtx", 295},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct vigil_evtx_stats st = {0};
        struct vigil_err err = {0};
        uint64_t n = 0;
        char path[1024];

        VIGIL_NEED_CORPUS(path, cases[i].rel);
        assert_true(vigil_evtx_is_file(path));
        assert_int_equal(vigil_evtx_read_file(path, count_cb, &n, &st, &err),
                         VIGIL_OK);
        assert_int_equal(n, cases[i].records);
        assert_int_equal(st.records, cases[i].records);
        assert_int_equal(st.failed, 0);
        assert_int_equal(st.recovered, 0);
    }
}

static void
test_sysmon_process_creation(void **state)
{
    char path[1024];
    struct pick *p;

    (void)state;
    VIGIL_NEED_CORPUS(
        path, "evtx-attack-samples/Execution/exec_sysmon_1_lolbin_pcalua.evtx");
    p = pick_record(path, 16497);
    assert_int_field(&p->ev, "EventID", 1);
    assert_field(&p->ev, "EventID", "1");
    assert_field(&p->ev, "Channel", "Microsoft-Windows-Sysmon/Operational");
    assert_field(&p->ev, "Provider_Name", "Microsoft-Windows-Sysmon");
    assert_field(&p->ev, "Provider_Guid",
                 "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}");
    assert_field(&p->ev, "Computer", "IEWIN7");
    assert_field(&p->ev, "Image", "C:\\Windows\\System32\\pcalua.exe");
    assert_field(&p->ev, "CommandLine",
                 "\"C:\\Windows\\System32\\pcalua.exe\"  -a "
                 "c:\\Windows\\system32\\calc.exe");
    assert_field(&p->ev, "ParentImage", "C:\\Windows\\System32\\cmd.exe");
    assert_field(&p->ev, "ParentCommandLine",
                 "\"C:\\Windows\\system32\\cmd.exe\"");
    assert_field(&p->ev, "User", "IEWIN7\\IEUser");
    /* A typed HexInt64, in the short form Windows writes. */
    assert_field(&p->ev, "LogonId", "0x135f2");
    assert_field(&p->ev, "RuleName", "");
    assert_int_field(&p->ev, "EventRecordID", 16497);
    assert_int_field(&p->ev, "Execution_ProcessID", 2012);
    assert_field(&p->ev, "TimeCreated_SystemTime",
                 "2019-05-12T17:01:50.781015200Z");
    assert_int_equal(vigil_event_get(&p->ev, "TimeCreated_SystemTime")->type,
                     VIGIL_F_TIME);
    assert_int_equal(p->time_ns,
                     vigil_time_from_utc(2019, 5, 12, 17, 1, 50, 781015200));
    assert_null(vigil_event_get(&p->ev, "Correlation"));
    pick_free(p);
}

static void
test_security_log_cleared(void **state)
{
    char path[1024];
    struct pick *p;

    (void)state;
    VIGIL_NEED_CORPUS(path, "evtx-attack-samples/Defense Evasion/"
                            "DE_1102_security_log_cleared.evtx");
    p = pick_record(path, 452811);
    assert_int_field(&p->ev, "EventID", 1102);
    assert_field(&p->ev, "Channel", "Security");
    assert_field(&p->ev, "Provider_Name", "Microsoft-Windows-Eventlog");
    assert_field(&p->ev, "Computer", "PC01.example.corp");
    /* UserData/LogFileCleared leaves by their local names. */
    assert_field(&p->ev, "SubjectUserName", "user01");
    assert_field(&p->ev, "SubjectDomainName", "EXAMPLE");
    assert_field(&p->ev, "SubjectUserSid",
                 "S-1-5-21-1587066498-1489273250-1035260531-1106");
    assert_field(&p->ev, "SubjectLogonId", "0x17dad");
    assert_field(&p->ev, "Keywords", "0x4020000000000000");
    assert_int_equal(p->time_ns,
                     vigil_time_from_utc(2019, 3, 19, 23, 35, 7, 524202100));
    pick_free(p);
}

static void
test_qualifiers(void **state)
{
    char path[1024];
    struct pick *p;

    (void)state;
    /* <EventID Qualifiers="16384">7045</EventID> */
    VIGIL_NEED_CORPUS(path, "evtx-attack-samples/Lateral Movement/"
                            "LM_Remote_Service02_7045.evtx");
    p = pick_record(path, 4480);
    assert_int_field(&p->ev, "EventID", 7045);
    assert_field(&p->ev, "EventID", "7045");
    assert_int_field(&p->ev, "EventID_Qualifiers", 16384);
    assert_field(&p->ev, "Provider_Name", "Service Control Manager");
    assert_field(&p->ev, "Provider_EventSourceName", "Service Control Manager");
    assert_field(&p->ev, "Channel", "System");
    assert_field(&p->ev, "ServiceName", "spoolfool");
    assert_field(&p->ev, "ImagePath", "cmd.exe");
    assert_field(&p->ev, "AccountName", "LocalSystem");
    pick_free(p);
}

static void
test_control_characters_kept(void **state)
{
    char path[1024];
    struct pick *p;

    (void)state;
    /* A 4765 record whose PrivilegeList holds U+01FF, a 0x0F control
     * byte and '-': XML 1.0 refuses the control byte, the reader keeps
     * it. */
    VIGIL_NEED_CORPUS(path, "evtx-attack-samples/Privilege Escalation/"
                            "4765_sidhistory_add_t1178.evtx");
    p = pick_record(path, 8068);
    assert_field(&p->ev, "PrivilegeList", "\xc7\xbf\x0f-");
    pick_free(p);
}

/* ------------------------------------------------------------------ */
/* SigmaHQ regression renderings                                        */
/* ------------------------------------------------------------------ */

/* Flattens one event of SigmaHQ's JSON rendering the way docs/evtx.md
 * flattens XML: System children and their attributes (X, X_Attr),
 * EventData entries by name, UserData leaves by local name. */
static void
flat_add(json_t *out, const char *name, json_t *v)
{
    if (json_is_object(v) || json_is_array(v))
        return;
    json_object_set(out, name, v);
}

static void
flat_userdata(json_t *out, json_t *obj)
{
    const char *k;
    json_t *v;

    json_object_foreach(obj, k, v)
    {
        if (strcmp(k, "#attributes") == 0)
            continue;
        if (json_is_object(v))
            flat_userdata(out, v);
        else
            flat_add(out, k, v);
    }
}

static json_t *
flat_json(json_t *doc)
{
    json_t *out = json_object(), *ev = json_object_get(doc, "Event");
    json_t *sys = json_object_get(ev, "System");
    json_t *data = json_object_get(ev, "EventData");
    json_t *user = json_object_get(ev, "UserData");
    const char *k, *a;
    json_t *v, *w;
    char name[256];

    json_object_foreach(sys, k, v)
    {
        if (!json_is_object(v)) {
            if (!json_is_null(v))
                flat_add(out, k, v);
            continue;
        }
        json_object_foreach(json_object_get(v, "#attributes"), a, w)
        {
            snprintf(name, sizeof(name), "%s_%s", k, a);
            flat_add(out, name, w);
        }
        if (json_object_get(v, "#text"))
            flat_add(out, k, json_object_get(v, "#text"));
    }
    json_object_foreach(data, k, v)
    {
        if (strcmp(k, "#attributes") == 0) {
            json_object_foreach(v, a, w)
            {
                snprintf(name, sizeof(name), "EventData_%s", a);
                flat_add(out, name, w);
            }
            continue;
        }
        flat_add(out, k, v);
    }
    if (user)
        flat_userdata(out, user);
    return out;
}

struct regression {
    json_t *want; /* array of flattened expected events */
    size_t next;
    int mismatches;
    char first[512];
};

static void
mismatch(struct regression *rg, const char *fmt, const char *name,
         const char *got, size_t got_len, const char *want)
{
    if (rg->mismatches++ == 0)
        snprintf(rg->first, sizeof(rg->first), fmt, name, (int)got_len, got,
                 want);
}

/* Does our text equal SigmaHQ's value? Their renderer writes GUID-typed
 * values without braces and times in micro-seconds; we keep Windows'
 * braces and the FILETIME's 100 ns digits (docs/evtx.md). */
static int
same_value(const struct vigil_field *f, const char *want)
{
    size_t n = strlen(want);
    int64_t a, b;

    if (f->text_len == n && memcmp(f->text, want, n) == 0)
        return 1;
    if (f->text_len == n + 2 && f->text[0] == '{' && f->text[n + 1] == '}' &&
        memcmp(f->text + 1, want, n) == 0)
        return 1;
    if (f->type == VIGIL_F_TIME && vigil_time_parse_rfc3339(want, n, &b)) {
        a = f->v.i;
        return a / 1000 == b / 1000;
    }
    return 0;
}

static enum vigil_rc
regression_cb(struct vigil_event *ev, void *arg)
{
    struct regression *rg = arg;
    json_t *want = json_array_get(rg->want, rg->next++);
    const char *k;
    json_t *v;
    char num[32];

    if (want == NULL) {
        mismatch(rg, "%s%.*s%s", "more events than the JSON has", "", 0, "");
        return VIGIL_OK;
    }
    json_object_foreach(want, k, v)
    {
        const struct vigil_field *f = vigil_event_get(ev, k);
        const char *w = num;

        if (json_is_string(v))
            w = json_string_value(v);
        else if (json_is_integer(v))
            snprintf(num, sizeof(num), "%lld",
                     (long long)json_integer_value(v));
        else if (json_is_null(v))
            w = "";
        else
            continue;
        if (f == NULL)
            mismatch(rg, "field %s missing%.*s (want \"%s\")", k, "", 0, w);
        else if (!same_value(f, w))
            mismatch(rg, "field %s is \"%.*s\", want \"%s\"", k, f->text,
                     f->text_len, w);
    }
    return VIGIL_OK;
}

/* Compares every event of one case; returns the number of events. */
static size_t
check_regression_case(const char *json_path)
{
    struct regression rg = {0};
    struct vigil_evtx_stats st = {0};
    struct vigil_err err = {0};
    char evtx[4096];
    size_t len, off = 0, n;
    char *text = slurp(json_path, &len);

    rg.want = json_array();
    while (off < len) {
        json_error_t jerr;
        json_t *doc;
        while (off < len && (text[off] == ' ' || text[off] == '\n' ||
                             text[off] == '\r' || text[off] == '\t'))
            off++;
        if (off == len)
            break;
        doc = json_loadb(text + off, len - off, JSON_DISABLE_EOF_CHECK, &jerr);
        if (doc == NULL)
            fail_msg("%s: %s", json_path, jerr.text);
        json_array_append_new(rg.want, flat_json(doc));
        json_decref(doc);
        off += jerr.position;
    }
    free(text);
    snprintf(evtx, sizeof(evtx), "%.*s.evtx", (int)(strlen(json_path) - 5),
             json_path);
    assert_int_equal(vigil_evtx_read_file(evtx, regression_cb, &rg, &st, &err),
                     VIGIL_OK);
    if (rg.mismatches)
        fail_msg("%s: %d mismatches, first: %s", json_path, rg.mismatches,
                 rg.first);
    n = json_array_size(rg.want);
    if (rg.next != n)
        fail_msg("%s: %zu events, the JSON has %zu", json_path, rg.next, n);
    json_decref(rg.want);
    return n;
}

static void
test_regression_named_cases(void **state)
{
    /* UserData (WMI Operation_ClientFailure), an EventData Name
     * attribute, seven events in one file, a value with a trailing
     * space. */
    static const char *const cases[] = {
        REGRESSION "/rules/windows/builtin/wmi/"
                   "win_wmi_activity_nteventlogfile_cleareventlog/"
                   "d4f1a2b3-7c8e-4d5f-b6a9-1e0c2d3f4e5b.json",
        REGRESSION "/rules/windows/builtin/taskscheduler/"
                   "win_taskscheduler_susp_schtasks_delete_or_disable/"
                   "9e3cb244-bdb8-4632-8c90-6079c8f4f16d.json",
        REGRESSION "/rules/windows/file/file_event/"
                   "file_event_win_hktl_netexec_file_indicators/"
                   "efc21479-9e83-41da-8cf1-122e06ba8db3.json",
        REGRESSION "/rules-emerging-threats/2026/Exploits/RedSun/"
                   "win_defender_exploit_redsun_tiering_engine_detected_as_"
                   "eicar/a7c3e5f2-8b1d-4e9a-b6c2-3d7f5e8a9b4c.json",
    };
    static const size_t events[] = {1, 1, 7, 1};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[1024];
        VIGIL_NEED_CORPUS(path, cases[i]);
        assert_int_equal(check_regression_case(path), events[i]);
    }
}

static size_t g_cases, g_events;

static int
regression_visit(const char *path, const struct stat *sb, int type,
                 struct FTW *ftw)
{
    size_t n = strlen(path);

    (void)sb, (void)ftw;
    if (type == FTW_F && n > 5 && strcmp(path + n - 5, ".json") == 0) {
        g_events += check_regression_case(path);
        g_cases++;
    }
    return 0;
}

static void
test_regression_all_cases(void **state)
{
    char root[1024];

    (void)state;
    VIGIL_NEED_CORPUS(root, REGRESSION);
    g_cases = g_events = 0;
    assert_int_equal(nftw(root, regression_visit, 16, FTW_PHYS), 0);
    printf("compared %zu SigmaHQ regression cases, %zu events\n", g_cases,
           g_events);
    assert_true(g_cases >= 3);
}

/* ------------------------------------------------------------------ */
/* Hostile input                                                        */
/* ------------------------------------------------------------------ */

static void
read_image(const char *data, size_t len, enum vigil_rc want_rc,
           struct vigil_evtx_stats *st)
{
    struct vigil_err err = {0};
    uint64_t n = 0;

    memset(st, 0, sizeof(*st));
    assert_int_equal(vigil_evtx_read_mem(data, len, count_cb, &n, st, &err),
                     want_rc);
    if (want_rc != VIGIL_OK)
        assert_true(err.msg[0] != '\0');
    assert_int_equal(n, st->records);
}

static void
read_image_opts(const char *data, size_t len, int carve, int threads,
                struct vigil_evtx_stats *st)
{
    struct vigil_evtx_opts o = {carve, threads};
    struct vigil_err err = {0};
    uint64_t n = 0;

    memset(st, 0, sizeof(*st));
    assert_int_equal(
        vigil_evtx_read_image(data, len, &o, count_cb, &n, st, &err), VIGIL_OK);
    assert_int_equal(n, st->records);
}

static void
test_truncated(void **state)
{
    struct vigil_evtx_stats st;
    char path[1024];
    size_t len;
    char *data;

    (void)state;
    VIGIL_NEED_CORPUS(path, LM_5145);
    data = slurp(path, &len);
    assert_int_equal(len, 1118208);
    /* Two whole chunks and part of a third: the whole chunks are read. */
    read_image(data, 4096 + 2 * 65536 + 30000, VIGIL_OK, &st);
    assert_int_equal(st.records, 197);
    /* Inside the file header or signature only: refused, no crash. */
    read_image(data, 2000, VIGIL_EPARSE, &st);
    read_image(data, 5, VIGIL_EPARSE, &st);
    read_image(data, 0, VIGIL_EPARSE, &st);
    free(data);
}

static void
test_damaged_chunks(void **state)
{
    struct vigil_evtx_stats st;
    char path[1024];
    size_t len, i;
    char *data, *copy;

    (void)state;
    VIGIL_NEED_CORPUS(path, LM_5145);
    data = slurp(path, &len);
    copy = malloc(len);
    assert_non_null(copy);

    /* Intact image: the same as the file. */
    read_image(data, len, VIGIL_OK, &st);
    assert_int_equal(st.records, 869);
    assert_int_equal(st.recovered, 0);

    /* Chunk 1 (records 99..197) loses its signature: the chunk is
     * skipped and counted, the others are read; carving gets its records
     * back. */
    memcpy(copy, data, len);
    memcpy(copy + 4096 + 65536, "XXXXXXXX", 8);
    read_image(copy, len, VIGIL_OK, &st);
    assert_int_equal(st.records, 770);
    assert_int_equal(st.damaged_chunks, 1);
    assert_int_equal(st.recovered, 0);
    read_image_opts(copy, len, 1, 1, &st);
    assert_int_equal(st.records, 869);
    assert_int_equal(st.recovered, 99);
    assert_int_equal(st.damaged_chunks, 1);

#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    /* Chunk 1's first records overwritten: its event records CRC32 no
     * longer holds, the chunk is skipped, the other chunks are read.
     * (The fuzzing build does not enforce CRCs, so that mutated inputs
     * reach the decoder.) */
    memcpy(copy, data, len);
    memset(copy + 4096 + 65536 + 0x200, 0xAA, 0xE00);
    read_image(copy, len, VIGIL_OK, &st);
    assert_int_equal(st.records, 770);
    assert_int_equal(st.damaged_chunks, 1);
    assert_int_equal(st.failed, 0);
#endif

    /* Random bytes all over chunk 2: no crash, the rest is read. */
    memcpy(copy, data, len);
    srand(7);
    for (i = 4096 + 2 * 65536 + 512; i < 4096 + 3 * 65536; i++)
        copy[i] = (char)rand();
    read_image(copy, len, VIGIL_OK, &st);
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    assert_int_equal(st.damaged_chunks, 1);
#endif
    assert_true(st.records >= 869 - 99);
    read_image_opts(copy, len, 1, 1, &st);
    assert_true(st.records >= 869 - 99);

    /* Not closed cleanly (dirty flag) and a header that counts one chunk
     * only, with a good CRC32: every chunk is still read. */
    memcpy(copy, data, len);
    copy[120] = 1;
    copy[42] = 1, copy[43] = 0;
    craft_file_crc((uint8_t *)copy);
    read_image(copy, len, VIGIL_OK, &st);
    assert_int_equal(st.records, 869);
    /* A bad file header CRC32 alone loses nothing either. */
    copy[124] ^= 0xFF;
    read_image(copy, len, VIGIL_OK, &st);
    assert_int_equal(st.records, 869);

    free(copy);
    free(data);
}

static void
test_random_bytes(void **state)
{
    struct vigil_evtx_stats st;
    char *buf = malloc(200000);
    size_t i, round;

    (void)state;
    assert_non_null(buf);
    srand(1);
    for (round = 0; round < 8; round++) {
        for (i = 0; i < 200000; i++)
            buf[i] = (char)rand();
        read_image(buf, 200000, VIGIL_EPARSE, &st);
        memcpy(buf, "ElfFile", 8); /* a signature and garbage behind it */
        memset(&st, 0, sizeof(st));
        {
            struct vigil_err err = {0};
            uint64_t n = 0;
            enum vigil_rc rc =
                vigil_evtx_read_mem(buf, 200000, count_cb, &n, &st, &err);
            assert_true(rc == VIGIL_OK || rc == VIGIL_EPARSE);
            assert_int_equal(n, st.records);
        }
    }
    free(buf);
}

static void
test_not_evtx(void **state)
{
    struct vigil_evtx_stats st = {0};
    struct vigil_err err = {0};
    uint64_t n = 0;
    char tmp[] = "/tmp/vigil-evtx-XXXXXX";
    int fd = mkstemp(tmp);

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "hello, not an event log\n", 24), 24);
    close(fd);
    assert_false(vigil_evtx_is_file(tmp));
    assert_int_equal(vigil_evtx_read_file(tmp, count_cb, &n, &st, &err),
                     VIGIL_EPARSE);
    assert_non_null(strstr(err.msg, "not an EVTX file"));
    unlink(tmp);
    vigil_err_clear(&err);
    assert_int_equal(
        vigil_evtx_read_file("/nonexistent/x.evtx", count_cb, &n, &st, &err),
        VIGIL_EIO);
    assert_false(vigil_evtx_is_file("/nonexistent/x.evtx"));
}

static enum vigil_rc
stop_cb(struct vigil_event *ev, void *arg)
{
    (void)ev;
    return ++*(int *)arg == 3 ? VIGIL_ELIMIT : VIGIL_OK;
}

static void
test_callback_stops(void **state)
{
    struct vigil_evtx_stats st = {0};
    struct vigil_err err = {0};
    char path[1024];
    int n = 0;

    (void)state;
    VIGIL_NEED_CORPUS(path, LM_5145);
    assert_int_equal(vigil_evtx_read_file(path, stop_cb, &n, &st, &err),
                     VIGIL_ELIMIT);
    assert_int_equal(n, 3);
    assert_int_equal(st.records, 3);
}

/* ------------------------------------------------------------------ */
/* Crafted records                                                      */
/* ------------------------------------------------------------------ */

/* Writes img to $VIGIL_EVTX_SEED_DIR/name when set: how the fuzz seeds in
 * tests/fuzz/corpus/parse_evtx/ were made (tests/fuzz/evtx_seeds.sh). */
static void
maybe_write_seed(const char *name, const void *img, size_t len)
{
    const char *dir = getenv("VIGIL_EVTX_SEED_DIR");
    char path[1024];
    FILE *f;

    if (dir == NULL || *dir == '\0')
        return;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(img, 1, len, f), len);
    fclose(f);
}

static void
test_crafted_values(void **state)
{
    static const uint16_t odd[] = {'A', 0xFFFF, 'B'};
    struct craft *c = malloc(sizeof(*c));
    struct vigil_evtx_stats st = {0};
    struct vigil_err err = {0};
    struct pick *p = calloc(1, sizeof(*p));
    size_t ev, ed, ud, evt, inner, at;

    (void)state;
    assert_non_null(c);
    assert_non_null(p);
    craft_init(c);
    ev = craft_record_begin(c, 4688, "Security");
    ed = craft_open(c, "EventData", 0, NULL);
    craft_close_start(c);
    craft_data(c, "CommandLine", "cmd.exe /c \"a]]>b\" <x> & <!DOCTYPE &e;");
    craft_data(c, "Ctl", "x\x01y\rz\x1f");
    craft_data(c, "Hex16", "0x0000000000000010");
    craft_data(c, "Hex8", "0x00000000  ");
    craft_data(c, "Hex4", "0x0001");
    craft_data(c, "Hex8Text", "0x0000001g");
    craft_data(c, NULL, "first");
    craft_data(c, NULL, "second ");
    at = craft_open(c, "Data", 1, &inner);
    craft_attr(c, "Name", "Odd", 0);
    craft_end_attrs(c, inner);
    craft_close_start(c);
    craft_text16(c, odd, 3);
    craft_end(c, at);
    craft_end(c, ed);
    craft_record_end(c, ev);

    ev = craft_record_begin(c, 1102, "Security");
    ud = craft_open(c, "UserData", 0, NULL);
    craft_close_start(c);
    evt = craft_open(c, "LogFileCleared", 0, NULL);
    craft_close_start(c);
    craft_leaf(c, "SubjectUserName", "alice");
    craft_leaf(c, "Channel", "clash");
    inner = craft_open(c, "Inner", 0, NULL);
    craft_close_start(c);
    craft_leaf(c, "SubjectUserName", "bob");
    craft_end(c, inner);
    craft_end(c, evt);
    craft_end(c, ud);
    craft_record_end(c, ev);
    assert_false(c->overflow);
    craft_finish(c);
    maybe_write_seed("crafted-values.evtx", c->img, CRAFT_SIZE);

    vigil_arena_init(&p->arena, 0, 0);
    p->record_id = 1;
    assert_int_equal(
        vigil_evtx_read_mem(c->img, CRAFT_SIZE, pick_cb, p, &st, &err),
        VIGIL_OK);
    assert_int_equal(st.records, 2);
    assert_int_equal(st.failed, 0);
    assert_int_equal(p->found, 1);
    assert_int_field(&p->ev, "EventID", 4688);
    assert_field(&p->ev, "Provider_Name", "Craft-Provider");
    /* Markup in values is text, never parsed. */
    assert_field(&p->ev, "CommandLine",
                 "cmd.exe /c \"a]]>b\" <x> & <!DOCTYPE &e;");
    /* Control characters and \r survive XML. */
    assert_field(&p->ev, "Ctl", "x\x01y\rz\x1f");
    /* Text that looks like a hexadecimal number stays as written (only
     * typed hex values are rendered, in Windows' short form). */
    assert_field(&p->ev, "Hex16", "0x0000000000000010");
    assert_field(&p->ev, "Hex8", "0x00000000");
    assert_field(&p->ev, "Hex4", "0x0001");
    assert_field(&p->ev, "Hex8Text", "0x0000001g");
    assert_field(&p->ev, "Data", "first\nsecond");
    assert_field(&p->ev, "Data_1", "first");
    assert_field(&p->ev, "Data_2", "second");
    assert_field(&p->ev, "Odd",
                 "A\xef\xbf\xbf"
                 "B");
    assert_int_equal(p->time_ns, 0);

    vigil_arena_reset(&p->arena);
    p->found = 0;
    p->record_id = 2;
    memset(&st, 0, sizeof(st));
    assert_int_equal(
        vigil_evtx_read_mem(c->img, CRAFT_SIZE, pick_cb, p, &st, &err),
        VIGIL_OK);
    assert_int_equal(p->found, 1);
    assert_field(&p->ev, "SubjectUserName", "alice");
    /* Leaves whose name is taken get their path below UserData. */
    assert_field(&p->ev, "Channel", "Security");
    assert_field(&p->ev, "LogFileCleared_Channel", "clash");
    assert_field(&p->ev, "LogFileCleared_Inner_SubjectUserName", "bob");
    pick_free(p);
    free(c);
}

static void
craft_plain_record(struct craft *c, const char *cmd)
{
    size_t ev =
        craft_record_begin(c, 1, "Microsoft-Windows-Sysmon/Operational");
    size_t ed = craft_open(c, "EventData", 0, NULL);

    craft_close_start(c);
    craft_data(c, "CommandLine", cmd);
    craft_end(c, ed);
    craft_record_end(c, ev);
}

static void
test_crafted_bounds(void **state)
{
    struct craft *c = malloc(sizeof(*c));
    struct vigil_evtx_stats st = {0};
    struct vigil_err err = {0};
    size_t ev, at[40], sz = 0;
    uint64_t n = 0;
    char name[16];
    int i;

    (void)state;
    assert_non_null(c);
    craft_init(c);
    craft_plain_record(c, "one");

    /* 40 nested elements: past the depth bound. */
    ev = craft_record_begin(c, 2, "Security");
    for (i = 0; i < 40; i++) {
        at[i] = craft_open(c, i ? "Deep" : "UserData", 0, NULL);
        craft_close_start(c);
    }
    craft_text(c, "bottom");
    for (i = 39; i >= 0; i--)
        craft_end(c, at[i]);
    craft_record_end(c, ev);

    /* 20 attributes on one element: past the attribute bound. */
    ev = craft_record_begin(c, 3, "Security");
    at[0] = craft_open(c, "EventData", 0, NULL);
    craft_close_start(c);
    at[1] = craft_open(c, "Data", 1, &sz);
    for (i = 0; i < 20; i++) {
        snprintf(name, sizeof(name), "A%d", i);
        craft_attr(c, name, "v", i < 19);
    }
    craft_end_attrs(c, sz);
    craft_close_start(c);
    craft_text(c, "x");
    craft_end(c, at[1]);
    craft_end(c, at[0]);
    craft_record_end(c, ev);

    craft_plain_record(c, "four");
    assert_false(c->overflow);
    craft_finish(c);
    maybe_write_seed("crafted-bounds.evtx", c->img, CRAFT_SIZE);

    assert_int_equal(
        vigil_evtx_read_mem(c->img, CRAFT_SIZE, count_cb, &n, &st, &err),
        VIGIL_OK);
    assert_int_equal(n, 2);
    assert_int_equal(st.records, 2);
    assert_int_equal(st.failed, 2);
    free(c);
}

/* JSON lines of every event of a file, read with the given options. */
static enum vigil_rc
json_cb(struct vigil_event *ev, void *arg)
{
    struct vigil_buf *b = arg;

    assert_int_equal(vigil_event_to_json(ev, b), VIGIL_OK);
    return vigil_buf_append(b, "\n", 1);
}

static void
test_threads_same_order(void **state)
{
    struct vigil_evtx_opts one = {0, 1}, four = {0, 4};
    struct vigil_evtx_stats s1 = {0}, s4 = {0};
    struct vigil_err err = {0};
    struct vigil_buf a, b;
    char path[1024];

    (void)state;
    VIGIL_NEED_CORPUS(path, LM_5145);
    vigil_buf_init(&a, 64 << 20);
    vigil_buf_init(&b, 64 << 20);
    assert_int_equal(vigil_evtx_read(path, &one, json_cb, &a, &s1, &err),
                     VIGIL_OK);
    assert_int_equal(vigil_evtx_read(path, &four, json_cb, &b, &s4, &err),
                     VIGIL_OK);
    assert_int_equal(s1.records, 869);
    assert_int_equal(s4.records, 869);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    vigil_buf_fini(&a);
    vigil_buf_fini(&b);
}

static void
test_callback_stops_threads(void **state)
{
    struct vigil_evtx_opts four = {0, 4};
    struct vigil_evtx_stats st = {0};
    struct vigil_err err = {0};
    char path[1024];
    int n = 0;

    (void)state;
    VIGIL_NEED_CORPUS(path, LM_5145);
    assert_int_equal(vigil_evtx_read(path, &four, stop_cb, &n, &st, &err),
                     VIGIL_ELIMIT);
    assert_int_equal(n, 3);
    assert_int_equal(st.records, 3);
}

static void
test_crafted_types(void **state)
{
    static const int8_t i8 = -5;
    static const uint8_t u8 = 200, bin[] = {0x01, 0xAB, 0x00};
    static const uint8_t i16[] = {0xD4, 0xFE}, u16[] = {0x60, 0xEA};
    static const uint8_t i32[] = {0x90, 0xEE, 0xFE, 0xFF};
    static const uint8_t u32[] = {0x00, 0x28, 0x6B, 0xEE};
    static const uint8_t i64[] = {0x00, 0x0E, 0xFA, 0xD5,
                                  0xFE, 0xFF, 0xFF, 0xFF}; /* -5e9 */
    static const uint8_t u64[] = {0xFF, 0xFF, 0xFF, 0xFF,
                                  0xFF, 0xFF, 0xFF, 0xFF};
    static const uint8_t r32[] = {0x00, 0x00, 0xC0, 0x3F};       /* 1.5 */
    static const uint8_t r64[] = {0, 0, 0, 0, 0, 0, 0xD0, 0x3F}; /* .25 */
    static const uint8_t yes[] = {1, 0, 0, 0};
    static const uint8_t guid[] = {0x5F, 0x38, 0x70, 0x57, 0x2A, 0xC2,
                                   0xE0, 0x43, 0xBF, 0x4C, 0x06, 0xF5,
                                   0x69, 0x8F, 0xFB, 0xD9};
    static const uint8_t size8[] = {0x00, 0x10, 0, 0, 0, 0, 0, 0};
    static const uint8_t ft[] = {0x87, 0xD6, 0x6C, 0xF6,
                                 0x4C, 0xF5, 0xD4, 0x01};
    static const uint8_t st16[] = {0xE3, 0x07, 4,  0, 3, 0, 17,   0,
                                   18,   0,    40, 0, 5, 0, 0x7B, 0};
    static const uint8_t sid[] = {1,  2, 0, 0, 0,    0,    0, 5,
                                  21, 0, 0, 0, 0xE8, 0x03, 0, 0};
    static const uint8_t h32[] = {0x10, 0x10, 0, 0};
    static const uint8_t h64[] = {0xE7, 0x03, 0, 0, 0, 0, 0, 0};
    static const char ansi[] = "abc\xe9";
    static const uint8_t strs[] = {'a', 0, 0, 0, 'b', 0, 'c', 0, 0, 0};
    static const uint8_t u32s[] = {1, 0, 0, 0, 2, 0, 0, 0};
    static const uint8_t str[] = {'x', 0, 'y', 0, 0, 0};
    const struct craft_val v[] = {
        {"I8", 0x03, 0, &i8, 1},     {"U8", 0x04, 0, &u8, 1},
        {"I16", 0x05, 0, i16, 2},    {"U16", 0x06, 0, u16, 2},
        {"I32", 0x07, 0, i32, 4},    {"U32", 0x08, 0, u32, 4},
        {"I64", 0x09, 0, i64, 8},    {"U64", 0x0a, 0, u64, 8},
        {"R32", 0x0b, 0, r32, 4},    {"R64", 0x0c, 0, r64, 8},
        {"Bool", 0x0d, 0, yes, 4},   {"Bin", 0x0e, 0, bin, 3},
        {"Guid", 0x0f, 0, guid, 16}, {"SizeT", 0x10, 0, size8, 8},
        {"Ft", 0x11, 0, ft, 8},      {"St", 0x12, 0, st16, 16},
        {"Sid", 0x13, 0, sid, 16},   {"H32", 0x14, 0, h32, 4},
        {"H64", 0x15, 0, h64, 8},    {"Ansi", 0x02, 0, ansi, 4},
        {"Strs", 0x81, 0, strs, 10}, {"U32s", 0x88, 0, u32s, 8},
        {"Str", 0x01, 0, str, 6},    {"Null", 0x00, 0, NULL, 0},
        {"Gone", 0x01, 1, NULL, 0},
    };
    struct craft *c = malloc(sizeof(*c));
    struct vigil_evtx_stats st = {0};
    struct vigil_err err = {0};
    struct pick *p = calloc(1, sizeof(*p));
    const struct vigil_field *f;
    size_t ev, ed;
    int k, nstrs = 0;

    (void)state;
    assert_non_null(c);
    assert_non_null(p);
    craft_init(c);
    ev = craft_record_begin(c, 4688, "Security");
    ed = craft_open(c, "EventData", 0, NULL);
    craft_close_start(c);
    craft_template(c, v, sizeof(v) / sizeof(v[0]));
    craft_end(c, ed);
    craft_record_end(c, ev);
    assert_false(c->overflow);
    craft_finish(c);
    maybe_write_seed("crafted-types.evtx", c->img, CRAFT_SIZE);

    vigil_arena_init(&p->arena, 0, 0);
    p->record_id = 1;
    assert_int_equal(
        vigil_evtx_read_mem(c->img, CRAFT_SIZE, pick_cb, p, &st, &err),
        VIGIL_OK);
    assert_int_equal(st.records, 1);
    assert_int_equal(st.failed, 0);
    assert_field(&p->ev, "I8", "-5");
    assert_field(&p->ev, "U8", "200");
    assert_field(&p->ev, "I16", "-300");
    assert_field(&p->ev, "U16", "60000");
    assert_field(&p->ev, "I32", "-70000");
    assert_field(&p->ev, "U32", "4000000000");
    assert_field(&p->ev, "I64", "-5000000000");
    assert_field(&p->ev, "U64", "18446744073709551615");
    assert_field(&p->ev, "R32", "1.5");
    assert_field(&p->ev, "R64", "0.25");
    assert_field(&p->ev, "Bool", "true");
    assert_field(&p->ev, "Bin", "01AB00");
    assert_field(&p->ev, "Guid", "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}");
    assert_field(&p->ev, "SizeT", "0x1000");
    assert_field(&p->ev, "Ft", "2019-04-17T18:40:00.123456700Z");
    assert_field(&p->ev, "St", "2019-04-17T18:40:05.123000000Z");
    assert_field(&p->ev, "Sid", "S-1-5-21-1000");
    assert_field(&p->ev, "H32", "0x1010");
    assert_field(&p->ev, "H64", "0x3e7");
    assert_field(&p->ev, "Ansi", "abc\xc3\xa9");
    /* An array in an element: one element per item, as Windows renders
     * it, so one field per item. */
    for (k = 0; k < p->ev.nfields; k++)
        if (p->ev.fields[k].name_len == 4 &&
            memcmp(p->ev.fields[k].name, "Strs", 4) == 0)
            nstrs++;
    assert_int_equal(nstrs, 2);
    assert_field(&p->ev, "Strs", "a");
    assert_field(&p->ev, "U32s", "1");
    assert_field(&p->ev, "Str", "xy");
    assert_field(&p->ev, "Null", "");
    /* An empty optional substitution leaves its element out. */
    assert_null(vigil_event_get(&p->ev, "Gone"));
    f = vigil_event_get(&p->ev, "EventID");
    assert_non_null(f);
    pick_free(p);
    free(c);
}

static void
test_carve_slack(void **state)
{
    struct craft *c = malloc(sizeof(*c));
    struct vigil_evtx_stats st;
    uint8_t *k;
    uint32_t second;

    (void)state;
    assert_non_null(c);
    craft_init(c);
    craft_plain_record(c, "kept");
    craft_plain_record(c, "deleted");
    assert_false(c->overflow);
    craft_finish(c);
    /* The chunk ends before the second record: it is slack now. */
    k = craft_chunk(c);
    second = (uint32_t)c->last_rec;
    k[48] = (uint8_t)second, k[49] = (uint8_t)(second >> 8);
    k[50] = k[51] = 0;
    craft_chunk_crcs(k);
    maybe_write_seed("crafted-slack.evtx", c->img, CRAFT_SIZE);

    read_image((const char *)c->img, CRAFT_SIZE, VIGIL_OK, &st);
    assert_int_equal(st.records, 1);
    assert_int_equal(st.damaged_chunks, 0);
    read_image_opts((const char *)c->img, CRAFT_SIZE, 1, 1, &st);
    assert_int_equal(st.records, 2);
    assert_int_equal(st.recovered, 1);
    /* A truncated chunk: only carving reads it. */
    read_image_opts((const char *)c->img, CRAFT_SIZE - 100, 0, 1, &st);
    assert_int_equal(st.records, 0);
    read_image_opts((const char *)c->img, CRAFT_SIZE - 100, 1, 1, &st);
    assert_int_equal(st.records, 2);
    free(c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_sysmon_process_creation),
        cmocka_unit_test(test_security_log_cleared),
        cmocka_unit_test(test_qualifiers),
        cmocka_unit_test(test_control_characters_kept),
        cmocka_unit_test(test_regression_named_cases),
        cmocka_unit_test(test_regression_all_cases),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_damaged_chunks),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_not_evtx),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_crafted_values),
        cmocka_unit_test(test_crafted_bounds),
        cmocka_unit_test(test_crafted_types),
        cmocka_unit_test(test_carve_slack),
        cmocka_unit_test(test_threads_same_order),
        cmocka_unit_test(test_callback_stops_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
