/* ingest_config.c -- ingest's own section of the configuration: the
 * `ingest:` batching keys and the `sources:` list, checked with core's key
 * tables (core_conf.c), plus the built-in sources used without a file.
 * Every key is documented in docs/configuration.md. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest_int.h"
#include "parse/parse.h"

#define MS_DAY (86400LL * 1000)
/* How long a file renamed by rotation is still read once it is quiet:
 * longer than a writer takes to reopen its log after logrotate's signal
 * plus its longest pause between two lines. */
#define ROTATE_WAIT_MS 5000
#define MS_YEAR        (365LL * MS_DAY)

/* ---- ingest: ---- */

static const struct vigil_conf_key batch_keys[] = {
    {.name = "batch_lines",
     .type = VIGIL_CT_INT,
     .offset = offsetof(struct vigil_ingest_config, batch_lines),
     .min = 1,
     .max = 100000,
     .def = 1000},
    {.name = "batch_time",
     .type = VIGIL_CT_MS,
     .offset = offsetof(struct vigil_ingest_config, batch_ms),
     .min = 1,
     .max = MS_DAY,
     .def = 200},
    {.name = "poll_interval",
     .type = VIGIL_CT_MS,
     .offset = offsetof(struct vigil_ingest_config, poll_ms),
     .min = 1,
     .max = MS_DAY,
     .def = 250},
    {.name = "rescan_interval",
     .type = VIGIL_CT_SECONDS,
     .offset = offsetof(struct vigil_ingest_config, rescan_s),
     .min = 1000,
     .max = MS_YEAR,
     .def = 10},
};

static const struct vigil_conf_table batch_table = {
    "ingest.", batch_keys, sizeof(batch_keys) / sizeof(batch_keys[0])};

/* ---- one source ---- */

static enum vigil_rc
parse_type(const struct vigil_conf *c, const struct vigil_conf_node *v,
           void *obj, struct vigil_err *err)
{
    static const char *const names[] = {NULL, "file", "syslog", "journald",
                                        "stdin"};
    struct vigil_source_config *s = obj;

    for (int t = VIGIL_SOURCE_FILE;
         v->kind == VIGIL_CONF_SCALAR && t <= VIGIL_SOURCE_STDIN; t++)
        if (strcmp(v->value, names[t]) == 0) {
            s->type = (enum vigil_source_type)t;
            return VIGIL_OK;
        }
    return vigil_conf_fail(c, v, err,
                           "unknown source type '%.64s' (known: file, syslog, "
                           "journald, stdin)",
                           v->kind == VIGIL_CONF_SCALAR ? v->value : "?");
}

static enum vigil_rc
parse_paths(const struct vigil_conf *c, const struct vigil_conf_node *v,
            void *obj, struct vigil_err *err)
{
    struct vigil_source_config *s = obj;

    if (v->kind != VIGIL_CONF_SEQ)
        return vigil_conf_fail(c, v, err,
                               "'paths' must be a list of glob patterns");
    for (const struct vigil_conf_node *p = v->first; p; p = p->next) {
        if (p->kind != VIGIL_CONF_SCALAR || p->value[0] == '\0' ||
            strlen(p->value) >= 4096)
            return vigil_conf_fail(c, p, err,
                                   "each path must be a non-empty string");
        if (s->npaths >= VIGIL_INGEST_MAX_PATHS)
            return vigil_conf_fail(c, p, err, "more than %d paths",
                                   VIGIL_INGEST_MAX_PATHS);
        if ((s->paths[s->npaths] = strdup(p->value)) == NULL)
            return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        s->npaths++;
    }
    return VIGIL_OK;
}

static enum vigil_rc
parse_listen(const struct vigil_conf *c, const struct vigil_conf_node *v,
             void *obj, struct vigil_err *err)
{
    struct vigil_source_config *s = obj;
    struct sockaddr_storage ss;
    unsigned sslen;

    if (v->kind != VIGIL_CONF_SCALAR || strlen(v->value) >= sizeof(s->listen))
        return vigil_conf_fail(c, v, err, "'listen' must be host:port");
    /* Checked here, as the source will read it, so that a bad address is
     * refused with its line (and by --once, which opens no socket). */
    if (!ingest_parse_listen(v->value, &ss, &sslen))
        return vigil_conf_fail(c, v, err,
                               "'listen' must be a numeric host:port, e.g. "
                               "127.0.0.1:5514 or [::1]:514, not '%.64s'",
                               v->value);
    snprintf(s->listen, sizeof(s->listen), "%s", v->value);
    return VIGIL_OK;
}

static enum vigil_rc
parse_protocol(const struct vigil_conf *c, const struct vigil_conf_node *v,
               void *obj, struct vigil_err *err)
{
    struct vigil_source_config *s = obj;
    const char *p = v->kind == VIGIL_CONF_SCALAR ? v->value : "";

    if (strcmp(p, "udp") == 0)
        s->protocol = VIGIL_PROTO_UDP;
    else if (strcmp(p, "tcp") == 0)
        s->protocol = VIGIL_PROTO_TCP;
    else if (strcmp(p, "tls") == 0)
        s->protocol = VIGIL_PROTO_TLS;
    else
        return vigil_conf_fail(c, v, err,
                               "'protocol' must be udp, tcp or tls, not "
                               "'%.32s'",
                               p);
    return VIGIL_OK;
}

static enum vigil_rc
parse_format(const struct vigil_conf *c, const struct vigil_conf_node *v,
             void *obj, struct vigil_err *err)
{
    struct vigil_source_config *s = obj;
    const char *f = v->kind == VIGIL_CONF_SCALAR ? v->value : "";

    if (strcmp(f, "auto") == 0) {
        s->format[0] = '\0';
        return VIGIL_OK;
    }
    /* The decoders that read one line at a time; EVTX is a file format. */
    if (strcmp(f, "evtx") == 0 || vigil_decoder_by_name(f) == NULL ||
        strlen(f) >= sizeof(s->format))
        return vigil_conf_fail(c, v, err,
                               "unknown format '%.32s' (known: auto, syslog, "
                               "auth, auditd, access, json, cef, raw)",
                               f);
    snprintf(s->format, sizeof(s->format), "%s", f);
    return VIGIL_OK;
}

static enum vigil_rc
parse_max_message(const struct vigil_conf *c, const struct vigil_conf_node *v,
                  void *obj, struct vigil_err *err)
{
    struct vigil_source_config *s = obj;
    int64_t b = 0;

    if (v->kind != VIGIL_CONF_SCALAR || !vigil_parse_size(v->value, &b) ||
        b < 480 || b > 1024 * 1024)
        return vigil_conf_fail(c, v, err,
                               "'max_message' must be a size between 480 and "
                               "1MiB, not '%.32s'",
                               v->kind == VIGIL_CONF_SCALAR ? v->value : "?");
    s->max_message = (size_t)b;
    return VIGIL_OK;
}

/* allow: a list of networks ("10.0.0.0/8", "2001:db8::/32") or single
 * addresses. */
static enum vigil_rc
parse_allow(const struct vigil_conf *c, const struct vigil_conf_node *v,
            void *obj, struct vigil_err *err)
{
    struct vigil_source_config *s = obj;

    if (v->kind != VIGIL_CONF_SEQ || v->first == NULL)
        return vigil_conf_fail(c, v, err,
                               "'allow' must be a list of networks, e.g. "
                               "[10.0.0.0/8, 192.0.2.7]");
    for (const struct vigil_conf_node *p = v->first; p; p = p->next) {
        struct vigil_ingest_cidr *n = &s->allow[s->nallow];
        const char *t = p->kind == VIGIL_CONF_SCALAR ? p->value : "";
        const char *slash = strchr(t, '/');
        size_t alen = slash ? (size_t)(slash - t) : strlen(t);
        int64_t bits = -1;

        if (s->nallow >= VIGIL_INGEST_MAX_ALLOW)
            return vigil_conf_fail(c, p, err, "more than %d networks",
                                   VIGIL_INGEST_MAX_ALLOW);
        if (!vigil_ip_parse(t, alen, n->net) ||
            (slash && !vigil_parse_i64(slash + 1, strlen(slash + 1), &bits)))
            return vigil_conf_fail(c, p, err,
                                   "'%.64s' is not an address or a network "
                                   "(ADDRESS/BITS)",
                                   t);
        /* An IPv4 network counts IPv4 bits (vigil_ip_in_cidr). */
        int v4 = memchr(t, ':', alen) == NULL;
        if (bits < 0)
            bits = v4 ? 32 : 128;
        if (bits > (v4 ? 32 : 128))
            return vigil_conf_fail(c, p, err,
                                   "'%.64s': at most %d bits for an IPv%d "
                                   "network",
                                   t, v4 ? 32 : 128, v4 ? 4 : 6);
        n->prefix = (unsigned)bits;
        s->nallow++;
    }
    return VIGIL_OK;
}

#define SRC_KEY(n, fn)                                                         \
    {                                                                          \
        .name = n, .type = VIGIL_CT_CUSTOM, .parse = fn                        \
    }

/* tls: the server's certificate and key, and the CA that client
 * certificates must chain to. */
static const struct vigil_conf_key tls_keys[] = {
    {.name = "cert",
     .type = VIGIL_CT_STR,
     .offset = offsetof(struct vigil_source_config, tls_cert),
     .size = sizeof(((struct vigil_source_config *)0)->tls_cert),
     .min = 1},
    {.name = "key",
     .type = VIGIL_CT_STR,
     .offset = offsetof(struct vigil_source_config, tls_key),
     .size = sizeof(((struct vigil_source_config *)0)->tls_key),
     .min = 1},
    {.name = "ca",
     .type = VIGIL_CT_STR,
     .offset = offsetof(struct vigil_source_config, tls_ca),
     .size = sizeof(((struct vigil_source_config *)0)->tls_ca),
     .min = 1},
    {.name = "require_client_cert",
     .type = VIGIL_CT_BOOL,
     .offset = offsetof(struct vigil_source_config, tls_require_client_cert),
     .def = 0},
    {.name = "handshake_timeout",
     .type = VIGIL_CT_MS,
     .offset = offsetof(struct vigil_source_config, tls_handshake_ms),
     .min = 100,
     .max = 600 * 1000,
     .def = 10 * 1000},
};
/* timezone: the zone file is read now, once, so that a name that is no
 * zone is refused with its line and the sources' threads only read. */
static enum vigil_rc
parse_timezone(const struct vigil_conf *c, const struct vigil_conf_node *v,
               void *obj, struct vigil_err *err)
{
    struct vigil_source_config *s = obj;
    const char *name = v->kind == VIGIL_CONF_SCALAR ? v->value : "";
    struct vigil_err e = {0};
    struct vigil_tz *tz = NULL;

    if (strlen(name) >= sizeof(s->timezone) ||
        vigil_tz_load(&tz, name, &e) != VIGIL_OK)
        return vigil_conf_fail(c, v, err, "%s",
                               e.msg[0] ? e.msg
                                        : "'timezone' must be a zone name "
                                          "like Europe/Berlin, UTC or +02:00");
    vigil_tz_free(s->tz);
    s->tz = tz;
    snprintf(s->timezone, sizeof(s->timezone), "%s", name);
    return VIGIL_OK;
}

static const struct vigil_conf_table tls_table = {
    "tls.", tls_keys, sizeof(tls_keys) / sizeof(tls_keys[0])};

static const struct vigil_conf_key source_keys[] = {
    {.name = "name",
     .type = VIGIL_CT_STR,
     .offset = offsetof(struct vigil_source_config, name),
     .size = sizeof(((struct vigil_source_config *)0)->name),
     .min = 1},
    SRC_KEY("type", parse_type),
    SRC_KEY("paths", parse_paths),
    SRC_KEY("listen", parse_listen),
    SRC_KEY("protocol", parse_protocol),
    SRC_KEY("max_message", parse_max_message),
    SRC_KEY("format", parse_format),
    SRC_KEY("allow", parse_allow),
    {.name = "max_connections",
     .type = VIGIL_CT_INT,
     .offset = offsetof(struct vigil_source_config, max_connections),
     .min = 1,
     .max = 4096,
     .def = 64},
    {.name = "max_per_address",
     .type = VIGIL_CT_INT,
     .offset = offsetof(struct vigil_source_config, max_per_address),
     .min = 1,
     .max = 4096,
     .def = 8},
    {.name = "idle_timeout",
     .type = VIGIL_CT_MS,
     .offset = offsetof(struct vigil_source_config, idle_ms),
     .min = 100,
     .max = MS_DAY,
     .def = 5 * 60 * 1000},
    {.name = "tls", .type = VIGIL_CT_SECTION, .sub = &tls_table},
    {.name = "year",
     .type = VIGIL_CT_INT,
     .offset = offsetof(struct vigil_source_config, year),
     .min = 1970,
     .max = 9999},
    {.name = "rotate_wait",
     .type = VIGIL_CT_MS,
     .offset = offsetof(struct vigil_source_config, rotate_wait_ms),
     .min = 0,
     .max = 3600 * 1000,
     .def = ROTATE_WAIT_MS},
    SRC_KEY("timezone", parse_timezone),
};

static const struct vigil_conf_table source_table = {
    "", source_keys, sizeof(source_keys) / sizeof(source_keys[0])};

/* What one key says about another once the whole source is read. */
static enum vigil_rc
check_source(const struct vigil_conf *c, const struct vigil_conf_node *map,
             const struct vigil_ingest_config *cfg, size_t idx,
             struct vigil_err *err)
{
    const struct vigil_source_config *s = &cfg->sources[idx];
    const struct vigil_conf_node *paths = vigil_conf_get(map, "paths");
    const struct vigil_conf_node *listen = vigil_conf_get(map, "listen");
    const struct vigil_conf_node *prot = vigil_conf_get(map, "protocol");
    const struct vigil_conf_node *wait = vigil_conf_get(map, "rotate_wait");

    if (s->name[0] == '\0')
        return vigil_conf_fail(c, map, err, "a source needs a 'name'");
    for (size_t i = 0; i < idx; i++)
        if (strcmp(cfg->sources[i].name, s->name) == 0)
            return vigil_conf_fail(c, map, err,
                                   "source name '%s' is used twice", s->name);
    if (s->type == 0)
        return vigil_conf_fail(c, map, err,
                               "source '%s' needs a 'type' (file, syslog, "
                               "journald or stdin)",
                               s->name);
    /* Two readers of one standard input would each get an arbitrary
     * share of its lines. */
    for (size_t i = 0; s->type == VIGIL_SOURCE_STDIN && i < idx; i++)
        if (cfg->sources[i].type == VIGIL_SOURCE_STDIN)
            return vigil_conf_fail(c, map, err,
                                   "source '%s': only one source may read "
                                   "stdin ('%s' does)",
                                   s->name, cfg->sources[i].name);
    if (s->type == VIGIL_SOURCE_FILE && s->npaths == 0)
        return vigil_conf_fail(
            c, paths ? paths : map, err,
            "file source '%s' needs at least one entry in 'paths'", s->name);
    if (s->type != VIGIL_SOURCE_FILE && paths != NULL)
        return vigil_conf_fail(c, paths, err,
                               "'paths' is only for file sources");
    if (s->type != VIGIL_SOURCE_FILE && wait != NULL)
        return vigil_conf_fail(c, wait, err,
                               "'rotate_wait' is only for file sources");
    if (s->type == VIGIL_SOURCE_SYSLOG && listen == NULL)
        return vigil_conf_fail(c, map, err,
                               "syslog source '%s' needs 'listen' (host:port)",
                               s->name);
    if (s->type != VIGIL_SOURCE_SYSLOG && (listen || prot))
        return vigil_conf_fail(c, listen ? listen : prot, err,
                               "'%s' is only for syslog sources",
                               listen ? "listen" : "protocol");
    static const char *const net_keys[] = {
        "allow", "max_connections", "max_per_address", "idle_timeout", "tls"};
    for (size_t i = 0; i < sizeof(net_keys) / sizeof(net_keys[0]); i++) {
        const struct vigil_conf_node *k = vigil_conf_get(map, net_keys[i]);
        /* allow is for UDP too; the rest only for connections. */
        if (k != NULL && (s->type != VIGIL_SOURCE_SYSLOG ||
                          (i > 0 && s->protocol != VIGIL_PROTO_TCP &&
                           s->protocol != VIGIL_PROTO_TLS)))
            return vigil_conf_fail(
                c, k, err, "'%s' is only for syslog sources%s", net_keys[i],
                i > 0 ? " over tcp or tls" : "");
    }
    const struct vigil_conf_node *tls = vigil_conf_get(map, "tls");
    if (s->protocol == VIGIL_PROTO_TLS &&
        (s->tls_cert[0] == '\0' || s->tls_key[0] == '\0'))
        return vigil_conf_fail(c, tls ? tls : map, err,
                               "syslog source '%s' over tls needs tls.cert "
                               "and tls.key",
                               s->name);
    if (tls != NULL && s->protocol != VIGIL_PROTO_TLS)
        return vigil_conf_fail(
            c, tls, err, "'tls' needs 'protocol: tls' (source '%s')", s->name);
    if (s->tls_require_client_cert && s->tls_ca[0] == '\0')
        return vigil_conf_fail(c, tls, err,
                               "tls.require_client_cert needs tls.ca, the "
                               "CA the client certificates chain to");
#ifndef VIGIL_HAVE_SYSTEMD
    if (s->type == VIGIL_SOURCE_JOURNALD)
        return vigil_conf_fail(c, vigil_conf_get(map, "type"), err,
                               "source '%s': this vigil was built without "
                               "libsystemd, so it cannot read the journal",
                               s->name);
#endif
    return VIGIL_OK;
}

static enum vigil_rc
parse_sources(const struct vigil_conf *c, const struct vigil_conf_node *v,
              void *obj, struct vigil_err *err)
{
    struct vigil_ingest_config *cfg = obj;
    enum vigil_rc rc;

    if (v->kind != VIGIL_CONF_SEQ)
        return vigil_conf_fail(c, v, err,
                               "'sources' must be a list of sources");
    for (const struct vigil_conf_node *n = v->first; n; n = n->next) {
        struct vigil_source_config *s;
        struct vigil_conf_binding b;

        if (cfg->nsources >= VIGIL_INGEST_MAX_SOURCES)
            return vigil_conf_fail(c, n, err, "more than %d sources",
                                   VIGIL_INGEST_MAX_SOURCES);
        if (n->kind != VIGIL_CONF_MAP)
            return vigil_conf_fail(c, n, err,
                                   "a source must be a mapping of keys to "
                                   "values");
        s = &cfg->sources[cfg->nsources++]; /* counted now: fini frees it */
        vigil_conf_defaults(&source_table, s);
        b.table = &source_table;
        b.obj = s;
        vigil_conf_defaults(&source_table, s);
        if ((rc = vigil_conf_apply(c, n, &b, 1, err)) != VIGIL_OK ||
            (rc = check_source(c, n, cfg, cfg->nsources - 1, err)) != VIGIL_OK)
            return rc;
        if (s->type == VIGIL_SOURCE_SYSLOG && s->protocol == 0)
            s->protocol = VIGIL_PROTO_UDP;
        if (s->type == VIGIL_SOURCE_SYSLOG && s->max_message == 0)
            s->max_message = 65536;
    }
    return VIGIL_OK;
}

/* ---- the top-level keys ---- */

static const struct vigil_conf_key top_keys[] = {
    {.name = "ingest", .type = VIGIL_CT_SECTION, .sub = &batch_table},
    {.name = "sources", .type = VIGIL_CT_CUSTOM, .parse = parse_sources},
};

const struct vigil_conf_table vigil_ingest_conf = {
    "", top_keys, sizeof(top_keys) / sizeof(top_keys[0])};

static int
journal_present(void)
{
    struct stat st;

    return stat("/run/log/journal", &st) == 0 ||
           stat("/var/log/journal", &st) == 0;
}

enum vigil_rc
vigil_ingest_config_builtin(struct vigil_ingest_config *cfg,
                            struct vigil_err *err)
{
    static const char *const files[] = {"/var/log/auth.log", "/var/log/secure",
                                        "/var/log/syslog", "/var/log/messages"};
    struct vigil_source_config *s = &cfg->sources[0];

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        if (access(files[i], F_OK) != 0)
            continue;
        if ((s->paths[s->npaths] = strdup(files[i])) == NULL)
            return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        s->npaths++;
    }
    if (s->npaths > 0) {
        snprintf(s->name, sizeof(s->name), "system-logs");
        s->type = VIGIL_SOURCE_FILE;
        s->rotate_wait_ms = ROTATE_WAIT_MS;
        cfg->nsources = 1;
    }
    /* The journal only when no syslog file exists: where rsyslog writes
     * the files from the journal, reading both would report every event
     * (and raise every alert) twice. */
    (void)journal_present;
#ifdef VIGIL_HAVE_SYSTEMD
    if (cfg->nsources == 0 && journal_present()) {
        s = &cfg->sources[cfg->nsources++];
        snprintf(s->name, sizeof(s->name), "journal");
        s->type = VIGIL_SOURCE_JOURNALD;
    }
#endif
    return VIGIL_OK;
}

void
vigil_ingest_config_fini(struct vigil_ingest_config *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < cfg->nsources && i < VIGIL_INGEST_MAX_SOURCES; i++) {
        for (size_t j = 0; j < cfg->sources[i].npaths; j++)
            free(cfg->sources[i].paths[j]);
        vigil_tz_free(cfg->sources[i].tz);
    }
    memset(cfg, 0, sizeof(*cfg));
}
