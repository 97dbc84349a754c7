/* hunt_out.c -- how `vigil hunt` prints what src/hunt hands over: a
 * readable table, JSON lines or CSV, one match at a time (as matches, or
 * as a timeline's rows: --timeline), the counts of --eid-metrics and
 * --logon-summary, and the closing summary by level and by ATT&CK
 * tactic. */
#include <stdlib.h>
#include <string.h>

#include "hunt_out.h"

void
hunt_out_init(struct hunt_out *o, FILE *out, enum hunt_format fmt, int quiet)
{
    memset(o, 0, sizeof(*o));
    o->out = out;
    o->fmt = fmt;
    o->quiet = quiet;
    vigil_buf_init(&o->b, 1 << 20);
}

void
hunt_out_fini(struct hunt_out *o)
{
    vigil_buf_fini(&o->b);
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if none. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
    size_t len = p[0] >= 0xF0 && p[0] <= 0xF4   ? 4
                 : p[0] >= 0xE0                 ? 3
                 : p[0] >= 0xC2 && p[0] <= 0xDF ? 2
                                                : 0;

    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

/* Copies s into o->b with what a terminal would act on made visible: C0
 * controls and DEL as \xNN, C1 controls (U+0080..U+009F) as \u00NN,
 * bytes that are no UTF-8 as \xNN. nl_space: line breaks become spaces
 * (CSV cells). Returns the copy, borrowed until the next call. */
static const char *
escaped(struct hunt_out *o, const char *s, int nl_space)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);

    vigil_buf_reset(&o->b);
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        size_t l;

        if (nl_space && (c == '\n' || c == '\r')) {
            (void)vigil_buf_putc(&o->b, ' ');
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            (void)vigil_buf_printf(&o->b, "\\x%02x", c);
            i++;
        } else if (c < 0x80) {
            (void)vigil_buf_putc(&o->b, (char)c);
            i++;
        } else if ((l = utf8_len(p + i, n - i)) == 0) {
            (void)vigil_buf_printf(&o->b, "\\x%02x", c);
            i++;
        } else if (l == 2 && c == 0xC2 && p[i + 1] < 0xA0) {
            (void)vigil_buf_printf(&o->b, "\\u%04x", p[i + 1]);
            i += 2;
        } else {
            (void)vigil_buf_append(&o->b, (const char *)p + i, l);
            i += l;
        }
    }
    (void)vigil_buf_putc(&o->b, '\0');
    return o->b.data ? o->b.data : "";
}

static void
put_json_str(struct hunt_out *o, const char *s)
{
    vigil_buf_reset(&o->b);
    if (s == NULL) {
        fputs("null", o->out);
        return;
    }
    if (vigil_buf_json_str(&o->b, s, strlen(s)) == VIGIL_OK)
        fwrite(o->b.data, 1, o->b.len, o->out);
    else
        fputs("\"\"", o->out);
}

static void
put_csv(struct hunt_out *o, const char *s)
{
    FILE *out = o->out;

    fputc('"', out);
    s = escaped(o, s, 1);
    /* Field values come from the logs, that is from the attacker: a cell
     * starting = + - @ (or a tab or CR before one) is a formula to a
     * spreadsheet opening the timeline, quoted or not. A leading ' keeps
     * it text; a lone "-" (no value) is no formula and stays as it is. */
    if ((s[0] != '\0' && strchr("=+@\t\r", s[0]) != NULL) ||
        (s[0] == '-' && s[1] != '\0'))
        fputc('\'', out);
    /* Line breaks inside a cell would break naive CSV readers. */
    for (; *s != '\0'; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* Prints at most width bytes of s (escaped), padded to width, without
 * splitting a UTF-8 sequence. */
static void
put_cell(struct hunt_out *o, const char *s, int width)
{
    int n = 0;
    const char *p = escaped(o, s ? s : "-", 0);
    int len = (int)strlen(p);

    if (len > width) {
        len = width - 1;
        while (len > 0 && ((unsigned char)p[len] & 0xC0) == 0x80)
            len--;
        fwrite(p, 1, (size_t)len, o->out);
        fputc('~', o->out);
        n = len + 1;
    } else {
        fwrite(p, 1, (size_t)len, o->out);
        n = len;
    }
    for (; n < width; n++)
        fputc(' ', o->out);
}

static int
is_technique(const char *t)
{
    /* attack.t1110.001, attack.g0016 (group), attack.s0002 (software) */
    return (t[0] == 't' || t[0] == 'g' || t[0] == 's') && t[1] >= '0' &&
           t[1] <= '9';
}

static void
tally(struct hunt_out *o, const struct vigil_hunt_rule *ri)
{
    o->n++;
    o->by_level[ri->level]++;
    for (size_t k = 0; ri->tags != NULL && ri->tags[k] != NULL; k++) {
        const char *tag = ri->tags[k];
        size_t j;

        if (strncmp(tag, "attack.", 7) != 0 || is_technique(tag + 7))
            continue;
        tag += 7;
        for (j = 0; j < o->ntactics; j++)
            if (strcmp(o->tactics[j].name, tag) == 0)
                break;
        if (j == o->ntactics) {
            if (o->ntactics == HUNT_MAX_TACTICS)
                continue;
            snprintf(o->tactics[j].name, sizeof(o->tactics[j].name), "%s", tag);
            o->tactics[j].n = 0;
            o->ntactics++;
        }
        o->tactics[j].n++;
    }
}

static const char timeline_csv[] =
    "time,level,rule_title,computer,channel,event_id,user,source,"
    "command_line,details,rule_id,file,record\n";

static void
header(struct hunt_out *o)
{
    if (o->header)
        return;
    o->header = 1;
    if (o->timeline) {
        if (o->fmt == HUNT_OUT_TABLE)
            fprintf(o->out,
                    "%-27s %-8s %-40s %-16s %-24s %-6s %-20s %-15s %s\n",
                    "TIME", "LEVEL", "RULE", "COMPUTER", "CHANNEL", "EID",
                    "USER", "SOURCE", "COMMAND LINE / DETAILS");
        else if (o->fmt == HUNT_OUT_CSV)
            fputs(timeline_csv, o->out);
        return;
    }
    if (o->fmt == HUNT_OUT_TABLE)
        fprintf(o->out, "%-27s %-8s %-44s %-16s %s\n", "TIME", "LEVEL", "RULE",
                "HOST", "DETAILS  [FILE]");
    else if (o->fmt == HUNT_OUT_CSV)
        fputs("time,level,rule_id,rule_title,tags,host,details,file\n", o->out);
}

/* One timeline row: the event's key fields in columns. A correlation's
 * row has no event; its details say the group and the count. */
static void
timeline_row(struct hunt_out *o, const struct vigil_hunt_match *m,
             const char *ts)
{
    const struct vigil_hunt_rule *ri = m->rule;
    const char *details = m->command_line ? m->command_line : m->keys;
    FILE *out = o->out;

    if (o->fmt == HUNT_OUT_TABLE) {
        fprintf(out, "%-27s ", ts);
        put_cell(o, vigil_hunt_level_names[ri->level], 8);
        fputc(' ', out);
        put_cell(o, ri->title, 40);
        fputc(' ', out);
        put_cell(o, m->host, 16);
        fputc(' ', out);
        put_cell(o, m->channel, 24);
        fputc(' ', out);
        put_cell(o, m->event_id, 6);
        fputc(' ', out);
        put_cell(o, m->user, 20);
        fputc(' ', out);
        put_cell(o, m->source, 15);
        fprintf(out, " %s\n", escaped(o, details ? details : "-", 0));
    } else if (o->fmt == HUNT_OUT_JSON) {
        const char *keys[] = {"time",         "level",    "rule",    "computer",
                              "channel",      "event_id", "user",    "source",
                              "command_line", "details",  "rule_id", "file"};
        const char *vals[] = {m->time_ns ? ts : NULL,
                              vigil_hunt_level_names[ri->level],
                              ri->title,
                              m->host,
                              m->channel,
                              m->event_id,
                              m->user,
                              m->source,
                              m->command_line,
                              m->keys,
                              ri->id,
                              m->file};

        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
            fprintf(out, "%s\"%s\":", i ? "," : "{", keys[i]);
            put_json_str(o, vals[i]);
        }
        fprintf(out, ",\"record\":%llu}\n", (unsigned long long)m->record);
    } else {
        const char *vals[] = {vigil_hunt_level_names[ri->level],
                              ri->title,
                              m->host,
                              m->channel,
                              m->event_id,
                              m->user,
                              m->source,
                              m->command_line,
                              m->keys,
                              ri->id,
                              m->file};

        fputs(m->time_ns ? ts : "", out);
        for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
            fputc(',', out);
            put_csv(o, vals[i] ? vals[i] : "");
        }
        fprintf(out, ",%llu\n", (unsigned long long)m->record);
    }
}

enum vigil_rc
hunt_out_match(const struct vigil_hunt_match *m, void *arg)
{
    struct hunt_out *o = arg;
    const struct vigil_hunt_rule *ri = m->rule;
    FILE *out = o->out;
    char ts[40] = "-";
    const char *file = m->file ? m->file : "(several files)";

    tally(o, ri);
    if (o->quiet)
        return VIGIL_OK;
    header(o);
    if (m->time_ns != 0)
        vigil_time_format(m->time_ns, ts);
    if (o->timeline) {
        timeline_row(o, m, ts);
    } else if (o->fmt == HUNT_OUT_TABLE) {
        fprintf(out, "%-27s ", ts);
        put_cell(o, vigil_hunt_level_names[ri->level], 8);
        fputc(' ', out);
        put_cell(o, ri->title, 44);
        fputc(' ', out);
        put_cell(o, m->host, 16);
        fprintf(out, " %s", escaped(o, m->keys, 0));
        fprintf(out, "  [%s]\n", escaped(o, file, 0));
    } else if (o->fmt == HUNT_OUT_JSON) {
        fputs("{\"@timestamp\":", out);
        put_json_str(o, m->time_ns != 0 ? ts : NULL);
        fputs(",\"rule\":{\"id\":", out);
        put_json_str(o, ri->id);
        fputs(",\"title\":", out);
        put_json_str(o, ri->title);
        fputs(",\"level\":", out);
        put_json_str(o, vigil_hunt_level_names[ri->level]);
        fputs(",\"tags\":[", out);
        for (size_t t = 0; ri->tags != NULL && ri->tags[t] != NULL; t++) {
            if (t > 0)
                fputc(',', out);
            put_json_str(o, ri->tags[t]);
        }
        fputs("]},\"file\":", out);
        put_json_str(o, m->file);
        fprintf(out, ",\"record\":%llu,\"matched\":%s,\"event\":%s}\n",
                (unsigned long long)m->record, m->matched ? m->matched : "{}",
                m->event ? m->event : "null");
    } else {
        struct vigil_buf tags;

        vigil_buf_init(&tags, 1 << 16);
        for (size_t t = 0; ri->tags != NULL && ri->tags[t] != NULL; t++)
            if (vigil_buf_printf(&tags, "%s%s", t ? " " : "", ri->tags[t]) !=
                VIGIL_OK)
                break;
        fprintf(out, "%s,%s,", m->time_ns != 0 ? ts : "",
                vigil_hunt_level_names[ri->level]);
        put_csv(o, ri->id);
        fputc(',', out);
        put_csv(o, ri->title);
        fputc(',', out);
        put_csv(o, tags.len ? tags.data : "");
        fputc(',', out);
        put_csv(o, m->host);
        fputc(',', out);
        put_csv(o, m->keys);
        fputc(',', out);
        put_csv(o, file);
        fputc('\n', out);
        vigil_buf_fini(&tags);
    }
    return ferror(out) ? VIGIL_EIO : VIGIL_OK;
}

enum vigil_rc
hunt_out_end(struct hunt_out *o)
{
    if (!o->quiet && o->fmt == HUNT_OUT_CSV)
        header(o);
    if (fflush(o->out) != 0 || ferror(o->out))
        return VIGIL_EIO;
    return VIGIL_OK;
}

/* ---- summary ---- */

void
hunt_out_summary(const struct hunt_out *o, FILE *out,
                 const struct vigil_hunt_stats *t)
{
    struct hunt_tally tactics[HUNT_MAX_TACTICS];
    size_t ntactics = o->ntactics;
    double mb = (double)t->bytes / 1e6;
    uint64_t n = o->n;

    memcpy(tactics, o->tactics, sizeof(tactics));
    fprintf(out,
            "\nhunt: %llu match%s; %llu events in %llu files (%.1f MB) "
            "against %u rules in %.2f s",
            (unsigned long long)n, n == 1 ? "" : "es",
            (unsigned long long)t->events, (unsigned long long)t->files, mb,
            t->rules, t->seconds);
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
    if (t->suppressed)
        fprintf(out,
                "hunt: %llu correlation alert%s suppressed (repeats of one "
                "rule and group within --suppress)\n",
                (unsigned long long)t->suppressed,
                t->suppressed == 1 ? "" : "s");
    if (n == 0)
        return;
    fputs("by level:", out);
    for (int l = VIGIL_HUNT_LEVEL_COUNT - 1; l >= 0; l--)
        if (o->by_level[l])
            fprintf(out, " %s %llu", vigil_hunt_level_names[l],
                    (unsigned long long)o->by_level[l]);
    fputc('\n', out);
    if (ntactics > 0) {
        /* Most frequent first; ties by name so the output is stable. */
        for (size_t a = 1; a < ntactics; a++)
            for (size_t c = a; c > 0; c--) {
                struct hunt_tally *x = &tactics[c - 1], *y = &tactics[c];

                if (x->n > y->n ||
                    (x->n == y->n && strcmp(x->name, y->name) <= 0))
                    break;
                struct hunt_tally tmp = *x;
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

/* ---- --eid-metrics and --logon-summary ---- */

struct report {
    struct hunt_out *o;
    uint64_t total;
    int first;
};

static int
sum_eid(const struct vigil_hunt_eid *e, void *arg)
{
    ((struct report *)arg)->total += e->count;
    return 0;
}

static int
eid_row(const struct vigil_hunt_eid *e, void *arg)
{
    struct report *r = arg;
    struct hunt_out *o = r->o;
    double pct = r->total ? 100.0 * (double)e->count / (double)r->total : 0;

    if (o->fmt == HUNT_OUT_TABLE) {
        fprintf(o->out, "%12llu %6.2f%%  ", (unsigned long long)e->count, pct);
        put_cell(o, e->channel, 48);
        fprintf(o->out, " %s\n", escaped(o, e->event_id, 0));
    } else if (o->fmt == HUNT_OUT_JSON) {
        fputs("{\"channel\":", o->out);
        put_json_str(o, e->channel);
        fputs(",\"event_id\":", o->out);
        put_json_str(o, e->event_id);
        fprintf(o->out, ",\"count\":%llu,\"percent\":%.2f}\n",
                (unsigned long long)e->count, pct);
    } else {
        put_csv(o, e->channel);
        fputc(',', o->out);
        put_csv(o, e->event_id);
        fprintf(o->out, ",%llu,%.2f\n", (unsigned long long)e->count, pct);
    }
    return ferror(o->out) != 0;
}

enum vigil_rc
hunt_out_eids(struct hunt_out *o, const struct vigil_hunt *h)
{
    struct report r = {o, 0, 1};
    enum vigil_rc rc;

    if ((rc = vigil_hunt_each_eid(h, sum_eid, &r)) != VIGIL_OK)
        return rc;
    if (o->fmt == HUNT_OUT_TABLE)
        fprintf(o->out, "%12s %7s  %-48s %s\n", "EVENTS", "SHARE", "CHANNEL",
                "EVENT ID");
    else if (o->fmt == HUNT_OUT_CSV)
        fputs("channel,event_id,count,percent\n", o->out);
    if ((rc = vigil_hunt_each_eid(h, eid_row, &r)) != VIGIL_OK)
        return rc;
    if (o->fmt == HUNT_OUT_TABLE)
        fprintf(o->out, "%12llu events with an event id\n",
                (unsigned long long)r.total);
    return ferror(o->out) ? VIGIL_EIO : VIGIL_OK;
}

static int
logon_row(const struct vigil_hunt_logon *l, void *arg)
{
    struct report *r = arg;
    struct hunt_out *o = r->o;

    if (o->fmt == HUNT_OUT_TABLE) {
        fprintf(o->out, "%10llu %10llu %8llu %8llu  ",
                (unsigned long long)l->success, (unsigned long long)l->failed,
                (unsigned long long)l->logoff,
                (unsigned long long)l->explicit_creds);
        put_cell(o, l->user, 32);
        fputc(' ', o->out);
        put_cell(o, l->source, 24);
        fprintf(o->out, " %s\n", escaped(o, l->type, 0));
    } else if (o->fmt == HUNT_OUT_JSON) {
        fputs("{\"user\":", o->out);
        put_json_str(o, l->user);
        fputs(",\"source\":", o->out);
        put_json_str(o, l->source);
        fputs(",\"logon_type\":", o->out);
        put_json_str(o, l->type);
        fprintf(o->out,
                ",\"successful\":%llu,\"failed\":%llu,\"logoff\":%llu,"
                "\"explicit\":%llu}\n",
                (unsigned long long)l->success, (unsigned long long)l->failed,
                (unsigned long long)l->logoff,
                (unsigned long long)l->explicit_creds);
    } else {
        put_csv(o, l->user);
        fputc(',', o->out);
        put_csv(o, l->source);
        fputc(',', o->out);
        put_csv(o, l->type);
        fprintf(o->out, ",%llu,%llu,%llu,%llu\n",
                (unsigned long long)l->success, (unsigned long long)l->failed,
                (unsigned long long)l->logoff,
                (unsigned long long)l->explicit_creds);
    }
    r->total++;
    return ferror(o->out) != 0;
}

enum vigil_rc
hunt_out_logons(struct hunt_out *o, const struct vigil_hunt *h)
{
    struct report r = {o, 0, 1};
    enum vigil_rc rc;

    if (o->fmt == HUNT_OUT_TABLE)
        fprintf(o->out, "%10s %10s %8s %8s  %-32s %-24s %s\n", "SUCCESSFUL",
                "FAILED", "LOGOFF", "EXPLICIT", "USER", "SOURCE", "LOGON TYPE");
    else if (o->fmt == HUNT_OUT_CSV)
        fputs("user,source,logon_type,successful,failed,logoff,explicit\n",
              o->out);
    if ((rc = vigil_hunt_each_logon(h, logon_row, &r)) != VIGIL_OK)
        return rc;
    if (o->fmt == HUNT_OUT_TABLE && r.total == 0)
        fputs("no logon events\n", o->out);
    return ferror(o->out) ? VIGIL_EIO : VIGIL_OK;
}
