/* hunt_out.c -- match records of `vigil hunt` and how they are written:
 * a readable table, JSON lines or CSV, and the closing summary by level
 * and by ATT&CK tactic. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hunt.h"

const char *const hunt_level_names[HUNT_LEVEL_COUNT] = {
    "informational", "low", "medium", "high", "critical"};

int
hunt_level_parse(const char *name)
{
    for (int i = 0; i < HUNT_LEVEL_COUNT; i++)
        if (strcasecmp(name, hunt_level_names[i]) == 0)
            return i;
    if (strcasecmp(name, "info") == 0)
        return HUNT_LEVEL_INFORMATIONAL;
    return -1;
}

static void
match_fini(struct hunt_match *m)
{
    free(m->event);
    free(m->matched);
    free(m->host);
    free(m->keys);
}

enum vigil_rc
hunt_matches_push(struct hunt_matches *ms, struct hunt_match *m)
{
    if (VIGIL_GROW(ms->v, ms->n, ms->cap) != VIGIL_OK) {
        match_fini(m);
        return VIGIL_ENOMEM;
    }
    ms->v[ms->n++] = *m;
    return VIGIL_OK;
}

enum vigil_rc
hunt_matches_move(struct hunt_matches *dst, struct hunt_matches *src)
{
    if (vigil_grow(&dst->v, &dst->cap, dst->n + src->n, sizeof(*dst->v), 0) !=
        VIGIL_OK)
        return VIGIL_ENOMEM;
    if (src->n > 0)
        memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
    dst->n += src->n;
    src->n = 0;
    return VIGIL_OK;
}

static int
cmp_match(const void *pa, const void *pb)
{
    const struct hunt_match *a = pa, *b = pb;

    if (a->time_ns != b->time_ns)
        return a->time_ns < b->time_ns ? -1 : 1;
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    if (a->rule != b->rule)
        return a->rule < b->rule ? -1 : 1;
    return 0;
}

void
hunt_matches_sort(struct hunt_matches *ms)
{
    if (ms->n > 1)
        qsort(ms->v, ms->n, sizeof(*ms->v), cmp_match);
}

void
hunt_matches_fini(struct hunt_matches *ms)
{
    for (size_t i = 0; i < ms->n; i++)
        match_fini(&ms->v[i]);
    free(ms->v);
    memset(ms, 0, sizeof(*ms));
}

/* ---- describing an event for the table ---- */

static char *
dup_field(const struct vigil_field *f)
{
    char *s = malloc((size_t)f->text_len + 1);

    if (s == NULL)
        return NULL;
    memcpy(s, f->text, f->text_len);
    s[f->text_len] = '\0';
    return s;
}

/* The fields worth a glance in the table, Linux/ECS names first, then the
 * Windows names; the label is what the table prints. */
static const struct {
    const char *label;
    const char *names[4];
} key_fields[] = {
    {"user", {"user.name", "TargetUserName", "SubjectUserName", "User"}},
    {"src", {"source.ip", "IpAddress", "SourceAddress", "SourceIp"}},
    {"action", {"event.action", NULL, NULL, NULL}},
    {"cmd", {"process.command_line", "CommandLine", "ScriptBlockText", NULL}},
    {"image", {"Image", "NewProcessName", "ServiceFileName", NULL}},
    {"url", {"url.original", NULL, NULL, NULL}},
    {"event", {"EventID", NULL, NULL, NULL}},
};

enum vigil_rc
hunt_match_describe(struct hunt_match *m, const struct vigil_event *ev)
{
    const struct vigil_field *f;
    struct vigil_buf b;
    enum vigil_rc rc = VIGIL_OK;

    f = vigil_event_get(ev, "host.name");
    if (f == NULL)
        f = vigil_event_get(ev, "Computer");
    if (f != NULL && (m->host = dup_field(f)) == NULL)
        return VIGIL_ENOMEM;

    vigil_buf_init(&b, 4096);
    for (size_t i = 0; i < sizeof(key_fields) / sizeof(key_fields[0]); i++) {
        for (size_t j = 0; j < 4 && key_fields[i].names[j] != NULL; j++) {
            size_t n;

            f = vigil_event_get(ev, key_fields[i].names[j]);
            if (f == NULL || f->text_len == 0)
                continue;
            n = f->text_len > 120 ? 120 : f->text_len;
            if (b.len > 0)
                VIGIL_TRY(vigil_buf_putc(&b, ' '));
            VIGIL_TRY(vigil_buf_printf(&b, "%s=%.*s", key_fields[i].label,
                                       (int)n, f->text));
            if (n < f->text_len)
                VIGIL_TRY(vigil_buf_append(&b, "...", 3));
            break;
        }
    }
    if (b.len > 0) {
        m->keys = strndup(b.data, b.len);
        if (m->keys == NULL)
            rc = VIGIL_ENOMEM;
    }
out:
    vigil_buf_fini(&b);
    /* A description longer than the buffer is cut, not an error. */
    return rc == VIGIL_ELIMIT ? VIGIL_OK : rc;
}

/* ---- writers ---- */

static void
put_json_str(FILE *out, struct vigil_buf *b, const char *s)
{
    vigil_buf_reset(b);
    if (s == NULL) {
        fputs("null", out);
        return;
    }
    if (vigil_buf_json_str(b, s, strlen(s)) == VIGIL_OK)
        fwrite(b->data, 1, b->len, out);
    else
        fputs("\"\"", out);
}

static void
put_csv(FILE *out, const char *s)
{
    fputc('"', out);
    for (; s != NULL && *s != '\0'; s++) {
        if (*s == '"')
            fputc('"', out);
        /* Line breaks inside a cell would break naive CSV readers. */
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
    }
    fputc('"', out);
}

/* Prints at most width bytes of s, padded to width, without splitting a
 * UTF-8 sequence. */
static void
put_cell(FILE *out, const char *s, int width)
{
    int n = 0;
    const char *p = s ? s : "-";
    int len = (int)strlen(p);

    if (len > width) {
        len = width - 1;
        while (len > 0 && ((unsigned char)p[len] & 0xC0) == 0x80)
            len--;
        fwrite(p, 1, (size_t)len, out);
        fputc('~', out);
        n = len + 1;
    } else {
        fwrite(p, 1, (size_t)len, out);
        n = len;
    }
    for (; n < width; n++)
        fputc(' ', out);
}

enum vigil_rc
hunt_write_matches(FILE *out, enum hunt_format fmt,
                   const struct hunt_matches *ms,
                   const struct hunt_files *files, hunt_rule_info_fn info,
                   void *arg)
{
    struct vigil_buf b;

    vigil_buf_init(&b, 1 << 20);
    if (fmt == HUNT_OUT_TABLE && ms->n > 0)
        fprintf(out, "%-27s %-8s %-44s %-16s %s\n", "TIME", "LEVEL", "RULE",
                "HOST", "DETAILS  [FILE]");
    if (fmt == HUNT_OUT_CSV)
        fputs("time,level,rule_id,rule_title,tags,host,details,file\n", out);
    for (size_t i = 0; i < ms->n; i++) {
        const struct hunt_match *m = &ms->v[i];
        struct hunt_rule_info ri = {0};
        char ts[40] = "-";
        const char *file =
            m->file < files->n ? files->v[m->file].path : "(several files)";

        info(m->rule, &ri, arg);
        if (m->time_ns != 0)
            vigil_time_format(m->time_ns, ts);
        if (fmt == HUNT_OUT_TABLE) {
            fprintf(out, "%-27s ", ts);
            put_cell(out, hunt_level_names[ri.level], 8);
            fputc(' ', out);
            put_cell(out, ri.title, 44);
            fputc(' ', out);
            put_cell(out, m->host, 16);
            fprintf(out, " %s  [%s]\n", m->keys ? m->keys : "", file);
        } else if (fmt == HUNT_OUT_JSON) {
            fputs("{\"@timestamp\":", out);
            put_json_str(out, &b, m->time_ns != 0 ? ts : NULL);
            fputs(",\"rule\":{\"id\":", out);
            put_json_str(out, &b, ri.id);
            fputs(",\"title\":", out);
            put_json_str(out, &b, ri.title);
            fputs(",\"level\":", out);
            put_json_str(out, &b, hunt_level_names[ri.level]);
            fputs(",\"tags\":[", out);
            for (size_t t = 0; ri.tags != NULL && ri.tags[t] != NULL; t++) {
                if (t > 0)
                    fputc(',', out);
                put_json_str(out, &b, ri.tags[t]);
            }
            fputs("]},\"file\":", out);
            put_json_str(out, &b, m->file < files->n ? file : NULL);
            fprintf(out, ",\"record\":%llu,\"matched\":%s,\"event\":%s}\n",
                    (unsigned long long)m->seq, m->matched ? m->matched : "{}",
                    m->event ? m->event : "null");
        } else {
            struct vigil_buf tags;

            vigil_buf_init(&tags, 1 << 16);
            for (size_t t = 0; ri.tags != NULL && ri.tags[t] != NULL; t++)
                if (vigil_buf_printf(&tags, "%s%s", t ? " " : "", ri.tags[t]) !=
                    VIGIL_OK)
                    break;
            fprintf(out, "%s,%s,", m->time_ns != 0 ? ts : "",
                    hunt_level_names[ri.level]);
            put_csv(out, ri.id);
            fputc(',', out);
            put_csv(out, ri.title);
            fputc(',', out);
            put_csv(out, tags.len ? tags.data : "");
            fputc(',', out);
            put_csv(out, m->host);
            fputc(',', out);
            put_csv(out, m->keys);
            fputc(',', out);
            put_csv(out, file);
            fputc('\n', out);
            vigil_buf_fini(&tags);
        }
    }
    vigil_buf_fini(&b);
    if (fflush(out) != 0 || ferror(out))
        return VIGIL_EIO;
    return VIGIL_OK;
}

/* ---- summary ---- */

#define MAX_TACTICS 32

struct tally {
    char name[48];
    uint64_t n;
};

static int
is_technique(const char *t)
{
    /* attack.t1110.001, attack.g0016 (group), attack.s0002 (software) */
    return (t[0] == 't' || t[0] == 'g' || t[0] == 's') && t[1] >= '0' &&
           t[1] <= '9';
}

void
hunt_write_summary(FILE *out, const struct hunt_matches *ms,
                   const struct hunt_totals *t, hunt_rule_info_fn info,
                   void *arg)
{
    uint64_t by_level[HUNT_LEVEL_COUNT] = {0};
    struct tally tactics[MAX_TACTICS];
    size_t ntactics = 0;
    double mb = (double)t->bytes / 1e6;

    for (size_t i = 0; i < ms->n; i++) {
        struct hunt_rule_info ri = {0};

        info(ms->v[i].rule, &ri, arg);
        by_level[ri.level]++;
        for (size_t k = 0; ri.tags != NULL && ri.tags[k] != NULL; k++) {
            const char *tag = ri.tags[k];
            size_t j;

            if (strncmp(tag, "attack.", 7) != 0 || is_technique(tag + 7))
                continue;
            tag += 7;
            for (j = 0; j < ntactics; j++)
                if (strcmp(tactics[j].name, tag) == 0)
                    break;
            if (j == ntactics) {
                if (ntactics == MAX_TACTICS)
                    continue;
                snprintf(tactics[j].name, sizeof(tactics[j].name), "%s", tag);
                tactics[j].n = 0;
                ntactics++;
            }
            tactics[j].n++;
        }
    }
    fprintf(out,
            "\nhunt: %zu match%s; %llu events in %llu files (%.1f MB) "
            "against %u rules in %.2f s",
            ms->n, ms->n == 1 ? "" : "es", (unsigned long long)t->events,
            (unsigned long long)t->files, mb, t->rules, t->seconds);
    if (t->seconds > 0)
        fprintf(out, " (%.0f events/s, %.1f MB/s)",
                (double)t->events / t->seconds, mb / t->seconds);
    fputc('\n', out);
    if (t->files_skipped || t->files_failed || t->events_failed)
        fprintf(out,
                "hunt: %llu files skipped (not logs), %llu unreadable, "
                "%llu records not decoded\n",
                (unsigned long long)t->files_skipped,
                (unsigned long long)t->files_failed,
                (unsigned long long)t->events_failed);
    if (ms->n == 0)
        return;
    fputs("by level:", out);
    for (int l = HUNT_LEVEL_COUNT - 1; l >= 0; l--)
        if (by_level[l])
            fprintf(out, " %s %llu", hunt_level_names[l],
                    (unsigned long long)by_level[l]);
    fputc('\n', out);
    if (ntactics > 0) {
        /* Most frequent first; ties by name so the output is stable. */
        for (size_t a = 1; a < ntactics; a++)
            for (size_t c = a; c > 0; c--) {
                struct tally *x = &tactics[c - 1], *y = &tactics[c];

                if (x->n > y->n ||
                    (x->n == y->n && strcmp(x->name, y->name) <= 0))
                    break;
                struct tally tmp = *x;
                *x = *y;
                *y = tmp;
            }
        fputs("by ATT&CK tactic:", out);
        for (size_t j = 0; j < ntactics; j++)
            fprintf(out, " %s %llu", tactics[j].name,
                    (unsigned long long)tactics[j].n);
        fputc('\n', out);
    }
}
