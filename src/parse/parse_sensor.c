/* parse_sensor.c -- what network sensors already see, in the ECS fields
 * vigil's own flows carry (src/net): Suricata's EVE JSON (alert, flow,
 * dns, tls, http records) and Zeek's JSON logs (conn, dns, http, ssl,
 * notice). A site that runs them gets their findings into vigil's rules
 * and correlations next to vigil's flows.
 *
 * Both are JSON lines: the JSON decoder reads the record, and each field
 * the sensor names its own way gets an ECS copy (same text, typed), the
 * sensor's own field kept beside it: SigmaHQ's `product: zeek` rules
 * select on Zeek's names (query, id.orig_h), vigil's correlations and
 * rules on ECS. A few values change meaning on the way: Suricata's alert
 * severity (1 is its worst) becomes ECS's (4 the worst), Zeek's duration
 * in seconds becomes nanoseconds. */
#include <stdio.h>

#include "parse_int.h"

struct rename {
    const char *from, *to;
    uint8_t kind; /* 0 as is, 1 address, 2 lower case */
};

enum { AS_IS = 0, ADDR, LOWER, SEVERITY, SECONDS };

static const struct rename eve_map[] = {
    {"src_ip", "source.ip", 1},
    {"src_port", "source.port", 0},
    {"dest_ip", "destination.ip", 1},
    {"dest_port", "destination.port", 0},
    {"proto", "network.transport", 2},
    {"app_proto", "network.protocol", 2},
    {"alert.signature", "rule.name", 0},
    {"alert.signature_id", "rule.id", 0},
    {"alert.category", "rule.category", 0},
    {"alert.severity", "event.severity", SEVERITY},
    {"flow.bytes_toserver", "source.bytes", 0},
    {"flow.bytes_toclient", "destination.bytes", 0},
    {"flow.pkts_toserver", "source.packets", 0},
    {"flow.pkts_toclient", "destination.packets", 0},
    {"flow.start", "event.start", 0},
    {"flow.end", "event.end", 0},
    {"dns.rrname", "dns.question.name", 2},
    {"dns.rrtype", "dns.question.type", 0},
    {"dns.rcode", "dns.response_code", 0},
    {"dns.type", "dns.type", 0},
    {"tls.sni", "tls.client.server_name", 2},
    {"tls.ja3.hash", "tls.client.ja3", 0},
    {"tls.version", "tls.version", 0},
    {"http.hostname", "url.domain", 2},
    {"http.url", "url.original", 0},
    {"http.http_method", "http.request.method", 0},
    {"http.status", "http.response.status_code", 0},
    {"http.http_user_agent", "user_agent.original", 0},
};

static const struct rename zeek_map[] = {
    {"id.orig_h", "source.ip", 1},
    {"id.orig_p", "source.port", 0},
    {"id.resp_h", "destination.ip", 1},
    {"id.resp_p", "destination.port", 0},
    {"proto", "network.transport", 2},
    {"service", "network.protocol", 2},
    /* IP bytes, as vigil's flows and Suricata count them (orig_bytes
     * and resp_bytes, the payload, keep their names) */
    {"orig_ip_bytes", "source.bytes", 0},
    {"resp_ip_bytes", "destination.bytes", 0},
    {"orig_pkts", "source.packets", 0},
    {"resp_pkts", "destination.packets", 0},
    {"duration", "event.duration", SECONDS},
    {"uid", "event.id", 0},
    {"query", "dns.question.name", 2},
    {"qtype_name", "dns.question.type", 0},
    {"rcode_name", "dns.response_code", 0},
    {"host", "url.domain", 2},
    {"uri", "url.original", 0},
    {"method", "http.request.method", 0},
    {"status_code", "http.response.status_code", 0},
    {"user_agent", "user_agent.original", 0},
    {"server_name", "tls.client.server_name", 2},
    {"ja3", "tls.client.ja3", 0},
    {"note", "rule.name", 0},
    {"msg", "message", 0},
    {"src", "source.ip", 1},
    {"dst", "destination.ip", 1},
    {"p", "destination.port", 0},
};

static int
has(const char *line, size_t len, const char *needle)
{
    size_t n = strlen(needle);

    for (size_t i = 0; i + n <= len; i++)
        if (line[i] == needle[0] && memcmp(line + i, needle, n) == 0)
            return 1;
    return 0;
}

int
parse_eve_probe(const char *line, size_t len)
{
    return parse_json_probe(line, len) >= 90 &&
                   has(line, len, "\"event_type\":") &&
                   has(line, len, "\"timestamp\":")
               ? 98
               : 0;
}

int
parse_zeek_probe(const char *line, size_t len)
{
    return parse_json_probe(line, len) >= 90 && has(line, len, "\"ts\":") &&
                   (has(line, len, "\"id.orig_h\":") ||
                    has(line, len, "\"note\":"))
               ? 98
               : 0;
}

/* "3.5" seconds as nanoseconds; 0 when it is not such a number. */
static int
seconds_ns(const char *t, size_t n, int64_t *ns)
{
    int64_t sec = 0, frac = 0, scale = VIGIL_NS_PER_SEC;
    size_t i = 0;

    /* 11 digits: beyond any time or duration a sensor writes, and far
     * from int64_t's end */
    while (i < n && t[i] >= '0' && t[i] <= '9') {
        if (i >= 11)
            return 0;
        sec = sec * 10 + (t[i++] - '0');
    }
    if (i == 0)
        return 0;
    if (i < n && t[i] == '.')
        for (i++; i < n && t[i] >= '0' && t[i] <= '9'; i++)
            if (scale > 1) {
                scale /= 10;
                frac += (t[i] - '0') * scale;
            }
    if (i != n)
        return 0;
    *ns = sec * VIGIL_NS_PER_SEC + frac;
    return 1;
}

/* Adds the ECS copy of f (an existing field) called r->to. */
static void
add_ecs(struct vigil_event *ev, const struct vigil_field *src,
        const struct rename *r)
{
    struct vigil_field f = *src, *nf;
    int64_t v;

    if (r->kind == ADDR && f.type == VIGIL_F_STR &&
        vigil_ip_parse(f.text, f.text_len, f.v.ip)) {
        f.type = VIGIL_F_IP;
    } else if (r->kind == LOWER && f.type == VIGIL_F_STR) {
        char *t = vigil_arena_strndup(ev->arena, f.text, f.text_len);

        if (t == NULL)
            return;
        for (char *c = t; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c + 32);
        f.text = t;
    } else if (r->kind == SEVERITY && f.type == VIGIL_F_INT) {
        /* Suricata: 1 (highest priority) .. 4; ECS here: 4 the worst */
        v = f.v.i < 1 ? 1 : f.v.i > 4 ? 4 : f.v.i;
        (void)vigil_event_add_intv(ev, r->to, 5 - v);
        return;
    } else if (r->kind == SECONDS) {
        if (seconds_ns(f.text, f.text_len, &v))
            (void)vigil_event_add_intv(ev, r->to, v);
        return;
    }
    nf = vigil_event_push(ev, r->to, strlen(r->to), f.text, f.text_len, f.type);
    if (nf != NULL) {
        nf->flags = f.flags;
        nf->v = f.v;
    }
}

static void
rename_fields(struct vigil_event *ev, const struct rename *map, size_t n)
{
    uint16_t nf = ev->nfields; /* the record's own fields, not the copies */

    for (uint16_t i = 0; i < nf; i++) {
        const struct vigil_field *f = &ev->fields[i];

        for (size_t k = 0; k < n; k++)
            if (f->name_len == strlen(map[k].from) &&
                memcmp(f->name, map[k].from, f->name_len) == 0) {
                add_ecs(ev, f, &map[k]);
                break;
            }
    }
}

static const struct vigil_field *
field(const struct vigil_event *ev, const char *name)
{
    return vigil_event_get(ev, name);
}

/* The string value of "key" in the JSON text t[0..n) (the first one; no
 * escapes in it), or 0. */
static int
json_str(const char *t, size_t n, const char *key, const char **v, size_t *vl)
{
    size_t kl = strlen(key);

    for (size_t i = 0; i + kl + 3 < n; i++) {
        size_t j;

        if (t[i] != '"' || memcmp(t + i + 1, key, kl) != 0 ||
            t[i + 1 + kl] != '"')
            continue;
        for (j = i + 2 + kl; j < n && (t[j] == ' ' || t[j] == ':'); j++)
            ;
        if (j >= n || t[j] != '"')
            return 0;
        *v = t + j + 1;
        for (*vl = 0; j + 1 + *vl < n && t[j + 1 + *vl] != '"'; (*vl)++)
            if (t[j + 1 + *vl] == '\\')
                return 0;
        return j + 1 + *vl < n;
    }
    return 0;
}

/* Suricata 8's EVE DNS (version 3) puts the question in dns.queries[] (an
 * array of objects, kept by the JSON decoder as its text): the first
 * query's rrname and rrtype become the ECS fields version 2 gives. */
static void
eve_dns_v3(struct vigil_event *ev, const struct vigil_field *q)
{
    const char *v;
    size_t vl;
    struct rename name = {"", "dns.question.name", LOWER};
    struct vigil_field f = {0};

    if (json_str(q->text, q->text_len, "rrname", &v, &vl)) {
        f.text = v;
        f.text_len = (uint32_t)vl;
        f.type = VIGIL_F_STR;
        add_ecs(ev, &f, &name);
    }
    if (json_str(q->text, q->text_len, "rrtype", &v, &vl))
        (void)vigil_event_add_str(ev, "dns.question.type", v, vl);
}

enum vigil_rc
parse_eve_decode(struct vigil_event *ev, const char *line, size_t len,
                 const struct vigil_parse_opts *opts)
{
    enum vigil_rc rc = parse_json_decode(ev, line, len, opts);
    const struct vigil_field *t;
    char ds[64];
    int n;

    if (rc != VIGIL_OK)
        return rc;
    rename_fields(ev, eve_map, sizeof(eve_map) / sizeof(eve_map[0]));
    if (field(ev, "dns.question.name") == NULL &&
        (t = field(ev, "dns.queries")) != NULL)
        eve_dns_v3(ev, t);
    /* EVE writes "+0000" zones, which RFC 3339 spells "+00:00". */
    if (ev->time_ns == 0 && (t = field(ev, "timestamp")) != NULL &&
        t->text_len >= 5 && t->text_len < 64) {
        char fix[72];
        size_t l = t->text_len;

        memcpy(fix, t->text, l);
        if ((fix[l - 5] == '+' || fix[l - 5] == '-')) {
            fix[l + 1] = '\0';
            fix[l] = fix[l - 1];
            fix[l - 1] = fix[l - 2];
            fix[l - 2] = ':';
            l++;
        }
        (void)vigil_time_parse_rfc3339(fix, l, &ev->time_ns);
    }
    PSTRZ(ev, "event.module", "suricata");
    if ((t = field(ev, "event_type")) != NULL) {
        n = snprintf(ds, sizeof(ds), "suricata.%.*s", (int)t->text_len,
                     t->text);
        if (n > 0 && (size_t)n < sizeof(ds)) {
            char *c = vigil_arena_strndup(ev->arena, ds, (size_t)n);
            if (c)
                PSTR(ev, "event.dataset", c, (size_t)n);
        }
        if (t->text_len == 5 && memcmp(t->text, "alert", 5) == 0)
            PSTRZ(ev, "event.kind", "alert");
        else
            PSTRZ(ev, "event.kind", "event");
        PSTRZ(ev, "event.category", "network");
    }
    return VIGIL_OK;
}

enum vigil_rc
parse_zeek_decode(struct vigil_event *ev, const char *line, size_t len,
                  const struct vigil_parse_opts *opts)
{
    enum vigil_rc rc = parse_json_decode(ev, line, len, opts);

    return rc != VIGIL_OK ? rc : parse_zeek_ecs(ev, NULL);
}

enum vigil_rc
parse_zeek_ecs(struct vigil_event *ev, const char *dataset)
{
    const struct vigil_field *t;
    const char *ds = dataset;

    /* Which log, when the record does not say: the fields only it has. */
    if (ds == NULL)
        ds = field(ev, "note")                                 ? "zeek.notice"
             : field(ev, "query")                              ? "zeek.dns"
             : field(ev, "method")                             ? "zeek.http"
             : field(ev, "server_name") || field(ev, "cipher") ? "zeek.ssl"
             : field(ev, "conn_state")                         ? "zeek.conn"
                                                               : "zeek";
    else if ((ds = vigil_arena_strndup(ev->arena, ds, strlen(ds))) == NULL)
        return VIGIL_ENOMEM;
    rename_fields(ev, zeek_map, sizeof(zeek_map) / sizeof(zeek_map[0]));
    /* ts: seconds since the epoch with a fraction (JSON number or text),
     * or RFC 3339 when Zeek was told to write ISO 8601 */
    if (ev->time_ns == 0 && (t = field(ev, "ts")) != NULL) {
        int64_t ns;

        if (seconds_ns(t->text, t->text_len, &ns) && ns > 0)
            ev->time_ns = ns;
        else
            (void)vigil_time_parse_rfc3339(t->text, t->text_len, &ev->time_ns);
    }
    PSTRZ(ev, "event.module", "zeek");
    PSTR(ev, "event.dataset", ds, strlen(ds));
    if (strcmp(ds, "zeek.notice") == 0)
        PSTRZ(ev, "event.kind", "alert");
    else
        PSTRZ(ev, "event.kind", "event");
    PSTRZ(ev, "event.category", "network");
    return VIGIL_OK;
}
