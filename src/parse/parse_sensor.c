/* parse_sensor.c -- what network sensors already see, in the ECS fields
 * vigil's own flows carry (src/net): Suricata's EVE JSON (alert, flow,
 * dns, tls, http records) and Zeek's JSON logs (conn, dns, http, ssl,
 * notice). A site that runs them gets their findings into vigil's rules
 * and correlations next to vigil's flows.
 *
 * Both are JSON lines: the JSON decoder reads the record and the fields
 * the sensor names its own way are renamed in place (the name pointers
 * are the event's; the text stays where the JSON decoder put it). Fields
 * not in the tables keep their names, so nothing is lost. */
#include <stdio.h>

#include "parse_int.h"

struct rename {
    const char *from, *to;
    uint8_t kind; /* 0 as is, 1 address, 2 lower case */
};

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
    {"alert.severity", "event.severity", 0},
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
    {"orig_bytes", "source.bytes", 0},
    {"resp_bytes", "destination.bytes", 0},
    {"orig_pkts", "source.packets", 0},
    {"resp_pkts", "destination.packets", 0},
    {"duration", "event.duration", 0},
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

static void
rename_fields(struct vigil_event *ev, const struct rename *map, size_t n)
{
    for (uint16_t i = 0; i < ev->nfields; i++) {
        struct vigil_field *f = &ev->fields[i];

        for (size_t k = 0; k < n; k++) {
            if (f->name_len != strlen(map[k].from) ||
                memcmp(f->name, map[k].from, f->name_len) != 0)
                continue;
            f->name = map[k].to;
            f->name_len = (uint16_t)strlen(map[k].to);
            if (map[k].kind == 1 && f->type == VIGIL_F_STR &&
                vigil_ip_parse(f->text, f->text_len, f->v.ip)) {
                f->type = VIGIL_F_IP;
            } else if (map[k].kind == 2 && f->type == VIGIL_F_STR) {
                char *t = vigil_arena_strndup(ev->arena, f->text, f->text_len);

                if (t != NULL) {
                    for (char *c = t; *c; c++)
                        if (*c >= 'A' && *c <= 'Z')
                            *c = (char)(*c + 32);
                    f->text = t;
                }
            }
            break;
        }
    }
}

static const struct vigil_field *
field(const struct vigil_event *ev, const char *name)
{
    return vigil_event_get(ev, name);
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
    /* ts: seconds since the epoch with a fraction (JSON number or text). */
    if (ev->time_ns == 0 && (t = field(ev, "ts")) != NULL) {
        int64_t sec = 0, frac = 0, scale = VIGIL_NS_PER_SEC;
        size_t i = 0;

        while (i < t->text_len && t->text[i] >= '0' && t->text[i] <= '9')
            sec = sec * 10 + (t->text[i++] - '0');
        if (i < t->text_len && t->text[i] == '.')
            for (i++; i < t->text_len && t->text[i] >= '0' &&
                      t->text[i] <= '9' && scale > 1;
                 i++) {
                scale /= 10;
                frac += (t->text[i] - '0') * scale;
            }
        if (sec > 0 && sec < 9000000000LL)
            ev->time_ns = sec * VIGIL_NS_PER_SEC + frac;
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
