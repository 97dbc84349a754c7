/* web_http.c -- the HTTP server: libmicrohttpd on threads of its own,
 * the route table lookup, who is asking (session cookie or bearer
 * token), the CSRF check on every change, login rate limiting, security
 * headers and the request-latency histogram for /metrics.
 *
 * Without a certificate the server listens on a loopback address only
 * (a non-loopback `web.listen` without `web.cert` is refused), so the
 * session cookie, Secure only under TLS, never crosses a network in
 * clear. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "web_int.h"

#define BODY_MAX    (64 * 1024)
#define COOKIE_NAME "vigil_session"
/* Connections: in all, per client address, and idle seconds. */
#define WEB_CONNECTIONS 512
#define WEB_PER_ADDRESS 32
#define WEB_IDLE_S      10
/* GnuTLS priorities: TLS 1.2 and 1.3 only, AEAD ciphers, ECDHE key
 * exchange (forward secrecy; TLS 1.3 is ECDHE by design), the server's
 * order. */
#define WEB_TLS_PRIORITIES                                                     \
    "SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:"  \
    "+AES-128-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-RSA:"       \
    "+ECDHE-ECDSA:%SERVER_PRECEDENCE"

const double web_lat_bounds[WEB_LAT_BUCKETS] = {0.001, 0.005, 0.01, 0.025,
                                                0.05,  0.1,   0.5,  1.0};

/* What prepare opened as root, picked up by new. */
static int prepared_fd = -1;
static char *prepared_cert, *prepared_key;

/* ---- the listening address ---- */

struct listen_addr {
    struct sockaddr_storage ss;
    socklen_t len;
    int loopback;
    int port;
};

static enum vigil_rc
parse_listen(const char *spec, struct listen_addr *a, struct vigil_err *err)
{
    char host[128];
    const char *colon = strrchr(spec, ':');
    char *end = NULL;
    long port;

    memset(a, 0, sizeof(*a));
    if (colon == NULL || (size_t)(colon - spec) >= sizeof(host))
        goto bad;
    port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end != '\0' || port < 1 || port > 65535)
        goto bad;
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = '\0';
    a->port = (int)port;
    /* Not resolved: localhost is 127.0.0.1 here, whatever /etc/hosts
     * says, so it stays a loopback address. */
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;
        host[strlen(host) - 1] = '\0';
        if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
            goto bad;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        a->len = sizeof(*s6);
        a->loopback = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss;
        if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
            goto bad;
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        a->len = sizeof(*s4);
        a->loopback = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
    }
    return VIGIL_OK;
bad:
    return vigil_err_set(err, VIGIL_EINVAL,
                         "web.listen '%s' is not ADDRESS:PORT (127.0.0.1:8443, "
                         "[::1]:8443, localhost:8443)",
                         spec);
}

static const char *
listen_spec(const struct vigil_web_config *cfg)
{
    return cfg->listen[0] ? cfg->listen : "127.0.0.1:8443";
}

static enum vigil_rc
open_socket(const struct vigil_web_config *cfg, int *fd, struct vigil_err *err)
{
    struct listen_addr a;
    enum vigil_rc rc;
    int one = 1, s;

    if ((rc = parse_listen(listen_spec(cfg), &a, err)) != VIGIL_OK)
        return rc;
    if (!a.loopback && cfg->cert[0] == '\0')
        return vigil_err_set(
            err, VIGIL_EPERM,
            "web.listen %s is not a loopback address and no web.cert is "
            "configured: the dashboard listens beyond this machine only "
            "over TLS",
            listen_spec(cfg));
    s = socket(a.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return vigil_err_set(err, VIGIL_EIO, "socket: %s", strerror(errno));
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(s, (struct sockaddr *)&a.ss, a.len) != 0 || listen(s, 64) != 0) {
        rc = vigil_err_set(err, VIGIL_EIO, "cannot listen on %s: %s",
                           listen_spec(cfg), strerror(errno));
        close(s);
        return rc;
    }
    *fd = s;
    return VIGIL_OK;
}

static enum vigil_rc
slurp(const char *path, char **out, struct vigil_err *err)
{
    FILE *f = fopen(path, "re");
    char *buf = NULL;
    long n;

    if (f == NULL)
        return vigil_err_set(err, VIGIL_EIO, "cannot read %s: %s", path,
                             strerror(errno));
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > (1 << 20) ||
        fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL ||
        fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return vigil_err_set(err, VIGIL_EIO, "cannot read %s", path);
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    return VIGIL_OK;
}

static enum vigil_rc
load_tls(const struct vigil_web_config *cfg, struct vigil_err *err)
{
    struct stat st;
    enum vigil_rc rc;

    if (cfg->cert[0] == '\0' || prepared_cert != NULL)
        return VIGIL_OK;
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return vigil_err_set(err, VIGIL_EUNSUPPORTED,
                             "web.cert is set but this libmicrohttpd was "
                             "built without TLS");
    if (cfg->key[0] == '\0')
        return vigil_err_set(err, VIGIL_EINVAL, "web.cert needs web.key");
    if ((rc = slurp(cfg->cert, &prepared_cert, err)) != VIGIL_OK)
        return rc;
    if (stat(cfg->key, &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        vigil_log(VIGIL_LOG_WARN, 2421,
                  "web: the TLS key %s is readable by group or others "
                  "(mode %03o); chmod 600 it",
                  cfg->key, (unsigned)(st.st_mode & 0777));
    return slurp(cfg->key, &prepared_key, err);
}

enum vigil_rc
vigil_web_prepare(const struct vigil_web_config *cfg, struct vigil_err *err)
{
    struct listen_addr a;
    enum vigil_rc rc;

    if (!cfg->enabled)
        return VIGIL_OK;
    if ((rc = load_tls(cfg, err)) != VIGIL_OK ||
        (rc = parse_listen(listen_spec(cfg), &a, err)) != VIGIL_OK)
        return rc;
    /* Ports from 1024 are opened in start, by the account that serves. */
    if (a.port < 1024 && prepared_fd < 0)
        return open_socket(cfg, &prepared_fd, err);
    return VIGIL_OK;
}

/* ---- requests ---- */

const char *
web_arg(struct web_req *r, const char *name)
{
    const char *v =
        MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

int
web_fail(struct web_req *r, int status, const char *msg)
{
    json_decref(r->json);
    r->json = json_pack("{s:s}", "error", msg);
    r->status = status;
    return 0;
}

/* Matches path against pattern, filling r->params from {x} segments. */
static int
route_match(const char *pattern, const char *path, struct web_req *r)
{
    size_t np = 0;

    while (*pattern != '\0' && *path != '\0') {
        if (*pattern == '{') {
            size_t n = strcspn(path, "/");
            if (n == 0 || n >= sizeof(r->param_buf[0]) || np >= WEB_MAX_PARAMS)
                return 0;
            memcpy(r->param_buf[np], path, n);
            r->param_buf[np][n] = '\0';
            r->params[np] = r->param_buf[np];
            np++;
            path += n;
            pattern = strchr(pattern, '}') + 1;
            continue;
        }
        if (*pattern++ != *path++)
            return 0;
    }
    return *pattern == '\0' && *path == '\0';
}

struct conn_state {
    char *body;
    size_t len;
    int too_big;
    int started;  /* on_request has seen the headers */
    int nul_path; /* the raw path holds %00 */
    struct timespec t0;
};

/* MHD hands on_request the path decoded and cut at a NUL, so
 * "/api/openapi.json%00/../x" would be routed as its prefix: the raw
 * request line is looked at here, before decoding. The returned state
 * becomes the request's *con_cls. */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct conn_state *cs = calloc(1, sizeof(*cs));
    size_t plen = strcspn(uri, "?");

    (void)cls;
    (void)conn;
    if (cs == NULL)
        return NULL;
    clock_gettime(CLOCK_MONOTONIC, &cs->t0);
    for (size_t i = 0; i + 2 < plen; i++)
        if (uri[i] == '%' && uri[i + 1] == '0' && uri[i + 2] == '0')
            cs->nul_path = 1;
    return cs;
}

/* A refused login: logged (2403/2404) and kept in web_audit so "Last
 * actions" shows it, both through the gate so a flood of refusals costs
 * a few lines a minute; /metrics counts every one. */
static void
note_refusal(struct web_req *r, const char *user, int limited)
{
    uint64_t more = 0;
    char who[VIGIL_WEB_USER_MAX + 2];

    if (!web_limit_gate(r->w, &more))
        return;
    if (more > 0)
        vigil_log(VIGIL_LOG_WARN, 2420,
                  "web: %llu more refused logins were not logged in the "
                  "last minute",
                  (unsigned long long)more);
    /* The audit row names who was tried, cut like the log line. */
    snprintf(who, sizeof(who), "%.*s", VIGIL_WEB_USER_MAX, user);
    for (char *p = who; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    if (limited)
        vigil_log(VIGIL_LOG_WARN, 2404,
                  "web: logins for '%s' from %s refused for now after too "
                  "many failures",
                  who, r->client);
    else
        vigil_log(VIGIL_LOG_WARN, 2403, "web: failed login for '%s' from %s",
                  who, r->client);
    web_audit_only(r->w, who, limited ? "login.refused" : "login.failed",
                   r->client);
}

/* POST /api/login {"user":..., "password":...}: public, rate limited
 * per (address, user) and per address (web_limit.c). */
int
web_h_login(struct web_req *r)
{
    struct vigil_err err = {0};
    json_t *in = json_loadb(r->body ? r->body : "", r->body_len, 0, NULL);
    const char *user = json_string_value(json_object_get(in, "user"));
    const char *pw = json_string_value(json_object_get(in, "password"));
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_TYPE);
    struct web_limit_ticket t;
    enum web_limit_res lim;
    char sid[65];
    struct web_principal who;

    /* JSON only: a cross-site form cannot send it without a preflight,
     * which this server never grants, so no one is logged in by a
     * forged form. */
    if (ct == NULL || strncmp(ct, "application/json", 16) != 0) {
        web_fail(r, 415, "login takes application/json");
        goto out;
    }
    if (user == NULL || pw == NULL) {
        web_fail(r, 400, "expected {\"user\":..., \"password\":...}");
        goto out;
    }
    if (strlen(pw) > VIGIL_WEB_PASSWORD_MAX) {
        web_fail(r, 400, "a password is at most 1024 characters");
        goto out;
    }
    lim = web_limit_take(r->w, r->client, user, 0, &t);
    /* Over the address's ceiling, a user who has logged in from this
     * address before still gets their own pair's attempts: a neighbour
     * on a shared address (loopback, a proxy) cannot lock them out. */
    if (lim == WEB_LIMIT_ADDRESS &&
        web_login_known(r->w->store, user, r->client))
        lim = web_limit_take(r->w, r->client, user, 1, &t);
    if (lim != WEB_LIMIT_OK) {
        note_refusal(r, user, 1);
        web_fail(r, 429, "too many failed logins; wait a minute");
        goto out;
    }
    if (web_login(r->w->store, user, pw, r->w->cfg->session_ttl_s, sid, &who,
                  &err) != VIGIL_OK) {
        if (err.rc == VIGIL_EPERM)
            note_refusal(r, user, 0);
        else
            web_limit_give_back(r->w, &t);
        web_fail(r, err.rc == VIGIL_EPERM ? 401 : 500,
                 err.rc == VIGIL_EPERM ? err.msg : "store error");
        goto out;
    }
    web_limit_give_back(r->w, &t);
    snprintf(
        r->set_cookie, sizeof(r->set_cookie),
        COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
        sid, (long long)r->w->cfg->session_ttl_s, r->w->tls ? "; Secure" : "");
    sodium_memzero(sid, sizeof(sid));
    r->who = who;
    web_record_change(r->w, who.user, "login", r->client, NULL);
    r->json = json_pack("{s:s,s:s,s:s}", "user", who.user, "role",
                        vigil_web_role_name(who.role), "csrf", who.csrf);
out:
    json_decref(in);
    return 0;
}

/* POST /api/logout ends a session. A bearer token is not a session:
 * answering "ok" would let a script believe its token is dead. */
int
web_h_logout(struct web_req *r)
{
    if (r->who.by_token)
        return web_fail(r, 400,
                        "an API token is not a session: an admin revokes it "
                        "(`vigil user revoke`, the Users page, or POST "
                        "/api/tokens/{id}/revoke)");
    web_logout(r->w->store, r->who.sid_hash);
    web_record_change(r->w, r->who.user, "logout", r->client, NULL);
    snprintf(r->set_cookie, sizeof(r->set_cookie),
             COOKIE_NAME "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
             r->w->tls ? "; Secure" : "");
    r->json = json_pack("{s:b}", "ok", 1);
    return 0;
}

/* Fills r->who; 0 when no valid credential came. */
static int
authenticate(struct web_req *r)
{
    struct vigil_err err = {0};
    const char *auth = MHD_lookup_connection_value(
        r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *sid =
        MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, COOKIE_NAME);

    if (auth != NULL)
        return strncmp(auth, "Bearer ", 7) == 0 &&
               web_token_check(r->w->store, auth + 7, &r->who, &err) ==
                   VIGIL_OK;
    return sid != NULL &&
           web_session_check(r->w->store, sid, &r->who, &err) == VIGIL_OK;
}

static int
is_change(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

static const struct web_route *
dispatch(struct web_req *r)
{
    const struct web_route *hit = NULL;
    int path_seen = 0;

    for (size_t i = 0; i < web_nroutes && hit == NULL; i++) {
        if (!route_match(web_routes[i].pattern, r->path, r))
            continue;
        path_seen = 1;
        if (strcmp(web_routes[i].method, r->method) == 0)
            hit = &web_routes[i];
    }
    if (hit == NULL) {
        web_fail(r, path_seen ? 405 : 404,
                 path_seen ? "method not allowed" : "not found");
        return NULL;
    }
    if (hit->access != WEB_PUBLIC) {
        if (!authenticate(r)) {
            /* A person opening a page is sent to the login page; an API
             * client gets 401. */
            if (strncmp(r->path, "/api/", 5) != 0 &&
                strcmp(r->path, "/metrics") != 0 &&
                strcmp(r->method, "GET") == 0) {
                r->status = 303;
                r->location = "/login";
                return NULL;
            }
            web_fail(r, 401, "authentication required");
            return NULL;
        }
        if ((int)r->who.role < (int)hit->access) {
            web_fail(r, 403, "your role may not do this");
            return NULL;
        }
        if (is_change(r->method) && !r->who.by_token) {
            const char *t = MHD_lookup_connection_value(
                r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
            if (t == NULL || !web_str_eq(t, r->who.csrf)) {
                web_fail(r, 403, "missing or wrong CSRF token");
                return NULL;
            }
        }
    }
    r->status = 200;
    hit->fn(r);
    return hit;
}

static void
add_headers(struct MHD_Response *resp, const struct web_req *r)
{
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; "
                            "frame-ancestors 'none'; form-action 'self'");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (r->w->tls)
        MHD_add_response_header(resp, "Strict-Transport-Security",
                                "max-age=31536000");
    if (r->set_cookie[0] != '\0')
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE,
                                r->set_cookie);
    if (r->location != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
}

static void
observe(struct vigil_web *w, const struct timespec *t0, int status)
{
    struct timespec t1;
    double s;
    size_t b = 0;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    s = (double)(t1.tv_sec - t0->tv_sec) +
        (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
    while (b < WEB_LAT_BUCKETS && s > web_lat_bounds[b])
        b++;
    pthread_mutex_lock(&w->mu);
    w->requests++;
    if (status == 401 || status == 403 || status == 429)
        w->refused++;
    w->lat_count[b]++;
    w->lat_sum += s;
    pthread_mutex_unlock(&w->mu);
}

/* The Host header check (DNS rebinding: a page from evil.example whose
 * name now resolves to 127.0.0.1 would send Host: evil.example). Kept:
 * no Host (HTTP/1.0), the listen address, localhost, 127.0.0.1, [::1]
 * and web.hostnames, with the listen port or none; on a wildcard listen
 * address any IP literal, since a name there arrives only through DNS. */
static int
host_ok(const struct vigil_web *w, const char *host)
{
    const struct vigil_web_config *cfg = w->cfg;
    const char *spec = listen_spec(cfg);
    const char *lcolon = strrchr(spec, ':');
    const char *colon, *rb;
    char name[256];
    size_t n;

    if (host == NULL)
        return 1;
    rb = host[0] == '[' ? strchr(host, ']') : NULL;
    colon = strrchr(rb != NULL ? rb : host, ':');
    if (host[0] == '[' && rb == NULL)
        return 0;
    n = colon != NULL ? (size_t)(colon - host) : strlen(host);
    if (n == 0 || n >= sizeof(name))
        return 0;
    memcpy(name, host, n);
    name[n] = '\0';
    if (colon != NULL && lcolon != NULL && strcmp(colon, lcolon) != 0)
        return 0;
    if (strcasecmp(name, "localhost") == 0 || strcmp(name, "127.0.0.1") == 0 ||
        strcmp(name, "[::1]") == 0 ||
        (lcolon != NULL && (size_t)(lcolon - spec) == n &&
         strncasecmp(spec, name, n) == 0))
        return 1;
    for (size_t i = 0; i < cfg->nhostnames; i++)
        if (strcasecmp(cfg->hostnames[i], name) == 0)
            return 1;
    if (strncmp(spec, "0.0.0.0:", 8) == 0 || strncmp(spec, "[::]:", 5) == 0) {
        unsigned char buf[sizeof(struct in6_addr)];
        if (inet_pton(AF_INET, name, buf) == 1)
            return 1;
        if (name[0] == '[' && n > 2) {
            name[n - 1] = '\0';
            return inet_pton(AF_INET6, name + 1, buf) == 1;
        }
    }
    return 0;
}

static void
client_name(struct MHD_Connection *c, char *out, size_t len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    snprintf(out, len, "?");
    if (sa != NULL && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
                  (socklen_t)len);
    else if (sa != NULL && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
                  (socklen_t)len);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
           const char *method, const char *version, const char *upload,
           size_t *upload_size, void **con_cls)
{
    struct vigil_web *w = cls;
    struct conn_state *cs = *con_cls;
    struct web_req r;
    struct MHD_Response *resp = NULL;
    enum MHD_Result ret;

    (void)version;
    if (cs == NULL) {
        if ((cs = calloc(1, sizeof(*cs))) == NULL)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &cs->t0);
        *con_cls = cs;
    }
    if (!cs->started) {
        cs->started = 1;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (cs->len + *upload_size > BODY_MAX) {
            cs->too_big = 1;
        } else {
            char *nb = realloc(cs->body, cs->len + *upload_size + 1);
            if (nb == NULL)
                return MHD_NO;
            memcpy(nb + cs->len, upload, *upload_size);
            cs->body = nb;
            cs->len += *upload_size;
            cs->body[cs->len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    memset(&r, 0, sizeof(r));
    r.w = w;
    /* HEAD is routed as GET; MHD sends the headers without the body. */
    r.method = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0 ? "GET" : method;
    r.path = url;
    r.conn = conn;
    r.body = cs->body;
    r.body_len = cs->len;
    client_name(conn, r.client, sizeof(r.client));
    if (cs->too_big)
        web_fail(&r, 413, "request body too large");
    else if (cs->nul_path)
        web_fail(&r, 400, "a path may not contain %00");
    else if (!host_ok(w, MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_HOST)))
        web_fail(&r, 421, "this server does not answer for that Host");
    else
        dispatch(&r);
    if (r.json != NULL) {
        char *s = json_dumps(r.json, JSON_COMPACT);
        json_decref(r.json);
        if (s == NULL)
            return MHD_NO;
        resp = MHD_create_response_from_buffer(strlen(s), s,
                                               MHD_RESPMEM_MUST_FREE);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "application/json");
    } else if (r.text != NULL) {
        resp = MHD_create_response_from_buffer(r.text_len, r.text,
                                               MHD_RESPMEM_MUST_FREE);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r.ctype);
    } else {
        resp = MHD_create_response_from_buffer(r.raw_len, (void *)r.raw,
                                               MHD_RESPMEM_PERSISTENT);
        if (r.ctype != NULL)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                    r.ctype);
    }
    if (resp == NULL)
        return MHD_NO;
    add_headers(resp, &r);
    ret = MHD_queue_response(conn, (unsigned)r.status, resp);
    MHD_destroy_response(resp);
    observe(w, &cs->t0, r.status);
    return ret;
}

static void
on_done(void *cls, struct MHD_Connection *conn, void **con_cls,
        enum MHD_RequestTerminationCode toe)
{
    struct conn_state *cs = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (cs != NULL) {
        free(cs->body);
        free(cs);
        *con_cls = NULL;
    }
}

/* ---- life ---- */

enum vigil_rc
vigil_web_new(struct vigil_web **out, struct vigil_store *store,
              const struct vigil_web_config *cfg,
              const struct vigil_web_probe *probe, struct vigil_err *err)
{
    struct vigil_web *w = calloc(1, sizeof(*w));
    struct listen_addr a;
    enum vigil_rc rc;

    *out = NULL;
    if (w == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if ((rc = parse_listen(listen_spec(cfg), &a, err)) != VIGIL_OK) {
        free(w);
        return rc;
    }
    w->store = store;
    w->cfg = cfg;
    if (probe != NULL)
        w->probe = *probe;
    pthread_mutex_init(&w->mu, NULL);
    *out = w;
    return VIGIL_OK;
}

static int
any_row(const struct vigil_store_value *c, size_t n, void *arg)
{
    (void)c;
    (void)n;
    *(int *)arg = 1;
    return 1;
}

static int
no_users(struct vigil_web *w)
{
    struct vigil_err err = {0};
    int found = 0;

    return vigil_store_query(w->store, "SELECT 1 FROM web_users LIMIT 1", NULL,
                             0, any_row, &found, &err) == VIGIL_OK &&
           !found;
}

json_t *
web_cache_get(struct vigil_web *w, const char *key, int64_t max_age_ns)
{
    json_t *out = NULL;
    int64_t now = vigil_time_now();

    pthread_mutex_lock(&w->mu);
    for (size_t i = 0; i < WEB_CACHE_SLOTS && out == NULL; i++)
        if (w->cache[i].json != NULL && strcmp(w->cache[i].key, key) == 0 &&
            now - w->cache[i].at_ns < max_age_ns)
            out = json_deep_copy(w->cache[i].json);
    pthread_mutex_unlock(&w->mu);
    return out;
}

void
web_cache_put(struct vigil_web *w, const char *key, json_t *answer)
{
    json_t *copy = json_deep_copy(answer);
    size_t pick = 0;

    if (copy == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    /* the slot of key, else the oldest */
    for (size_t i = 0; i < WEB_CACHE_SLOTS; i++) {
        if (strcmp(w->cache[i].key, key) == 0) {
            pick = i;
            break;
        }
        if (w->cache[i].at_ns < w->cache[pick].at_ns)
            pick = i;
    }
    json_decref(w->cache[pick].json);
    snprintf(w->cache[pick].key, sizeof(w->cache[pick].key), "%s", key);
    w->cache[pick].at_ns = vigil_time_now();
    w->cache[pick].json = copy;
    pthread_mutex_unlock(&w->mu);
}

enum vigil_rc
vigil_web_start(struct vigil_web *w, struct vigil_err *err)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
    enum vigil_rc rc;
    int fd = prepared_fd;

    if ((rc = load_tls(w->cfg, err)) != VIGIL_OK)
        return rc;
    if (fd < 0 && (rc = open_socket(w->cfg, &fd, err)) != VIGIL_OK)
        return rc;
    prepared_fd = -1;
    w->tls = prepared_cert != NULL;
    w->started_ns = vigil_time_now();
    if (w->tls)
        flags |= MHD_USE_TLS;
    /* One address holds at most WEB_PER_ADDRESS connections, so a slow
     * client cannot take all WEB_CONNECTIONS; an idle one is closed
     * after WEB_IDLE_S (also one trickling a header line at a time
     * slower than that). */
    w->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, w, MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_NOTIFY_COMPLETED, on_done, w, MHD_OPTION_URI_LOG_CALLBACK,
        on_uri, w, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)4,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)WEB_CONNECTIONS,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)WEB_PER_ADDRESS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)WEB_IDLE_S,
        w->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, prepared_cert,
        MHD_OPTION_HTTPS_MEM_KEY, prepared_key, MHD_OPTION_HTTPS_PRIORITIES,
        WEB_TLS_PRIORITIES, MHD_OPTION_END);
    if (w->daemon == NULL) {
        close(fd);
        return vigil_err_set(err, VIGIL_EIO,
                             "cannot start the web server on %s",
                             listen_spec(w->cfg));
    }
    vigil_log(VIGIL_LOG_INFO, 2401, "web: dashboard listening on %s://%s/",
              w->tls ? "https" : "http", listen_spec(w->cfg));
    if (no_users(w))
        vigil_log(VIGIL_LOG_INFO, 2407,
                  "web: no user yet; create the first with `vigil user add "
                  "NAME --role admin --state-dir %s`",
                  w->probe.state_dir ? w->probe.state_dir : "STATE_DIR");
    return VIGIL_OK;
}

void
vigil_web_stop(struct vigil_web *w)
{
    if (w->daemon != NULL) {
        MHD_stop_daemon(w->daemon);
        w->daemon = NULL;
    }
}

void
vigil_web_free(struct vigil_web *w)
{
    if (w == NULL)
        return;
    vigil_web_stop(w);
    for (size_t i = 0; i < WEB_CACHE_SLOTS; i++)
        json_decref(w->cache[i].json);
    pthread_mutex_destroy(&w->mu);
    free(w);
}
