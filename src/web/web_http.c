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
/* TLS 1.2 and 1.3 only, forward-secret AEAD ciphers (GnuTLS syntax). */
#define TLS_PRIORITIES                                                         \
    "SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-RSA:-AES-128-CBC:"         \
    "-AES-256-CBC:-CAMELLIA-128-CBC:-CAMELLIA-256-CBC:-3DES-CBC:-SHA1:"        \
    "%SERVER_PRECEDENCE"

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
    /* the name everyone types for this machine's loopback */
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    a->port = (int)port;
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
                         "[::1]:8443)",
                         spec);
}

static const char *
listen_spec(const struct vigil_web_config *cfg)
{
    return cfg->listen[0] ? cfg->listen : "127.0.0.1:8443";
}

/* Without TLS the server is on loopback: a Host other than its own
 * address, localhost or [::1] (with its port) is a page elsewhere that
 * had its name point here (DNS rebinding), so it is refused. Under TLS
 * the certificate names the server. */
static int
host_ok(const struct vigil_web *w, const char *host)
{
    const char *spec = listen_spec(w->cfg), *port = strrchr(spec, ':');
    static const char *const names[] = {"127.0.0.1", "localhost", "[::1]"};
    char want[160];

    if (w->tls)
        return 1;
    if (host == NULL || port == NULL)
        return 0;
    if (strcmp(host, spec) == 0)
        return 1;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(want, sizeof(want), "%s%s", names[i], port);
        if (strcmp(host, want) == 0)
            return 1;
    }
    return 0;
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
    /* a private key others may read is no longer private (FIND16 15s) */
    struct stat st;
    if (stat(cfg->key, &st) == 0 && (st.st_mode & 077) != 0)
        vigil_log(VIGIL_LOG_WARN, 2408,
                  "web: the key %s can be read by others (mode %03o); "
                  "chmod 600 it",
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
    struct timespec t0;
};

/* The counter of key in this minute: its slot, a free one (empty or of
 * an earlier minute) along the probe sequence, or the shared overflow
 * counter when every probed slot is live, which limits too -- a
 * colliding newcomer never resets another key's count. Under w->mu. */
static struct web_rate *
rate_slot(struct vigil_web *w, const char *key, size_t klen, int64_t now)
{
    size_t h = 5381;
    struct web_rate *free_slot = NULL;

    for (size_t i = 0; i < klen; i++)
        h = h * 33 + (unsigned char)key[i];
    for (size_t i = 0; i < WEB_RATE_PROBES; i++) {
        struct web_rate *s = &w->rate[(h + i) % WEB_RATE_SLOTS];
        if (s->window_s == now && memcmp(s->client, key, klen) == 0 &&
            s->client[klen] == '\0' && s->client[klen + 1] == '\0')
            return s;
        if (free_slot == NULL && s->window_s != now)
            free_slot = s;
    }
    if (free_slot == NULL) {
        if (w->rate_overflow.window_s != now) {
            w->rate_overflow.window_s = now;
            w->rate_overflow.fails = 0;
            w->rate_overflow.refused = 0;
        }
        return &w->rate_overflow;
    }
    memset(free_slot->client, 0, sizeof(free_slot->client));
    memcpy(free_slot->client, key, klen);
    free_slot->window_s = now;
    free_slot->fails = 0;
    free_slot->refused = 0;
    return free_slot;
}

/* A login attempt of user from client takes one from each budget of this
 * minute before the password is checked (so parallel attempts cannot all
 * pass the check), and gives it back when it succeeds. Budgets: the
 * (address, user) pair login_per_minute; the address and the user name,
 * four times that (spraying users, rotating addresses). Returns 1 (and
 * takes nothing) when a budget is spent; *first (may be NULL) is then set
 * for the first refusal of the pair this minute, the one to log. */
static int
rate_take(struct vigil_web *w, const char *client, const char *user, int back,
          int *first)
{
    int64_t now = vigil_time_now() / 1000000000LL / 60;
    int64_t lim = w->cfg->login_per_minute;
    char keys[3][sizeof(w->rate[0].client)];
    size_t lens[3];
    struct web_rate *s[3];
    int limited = 0;

    /* "p" client NUL user, "a" client, "u" user: two NULs end each */
    memset(keys, 0, sizeof(keys));
    lens[0] = (size_t)snprintf(keys[0], sizeof(keys[0]) - 2, "p%.63s%c%.64s",
                               client, 0, user);
    lens[1] = (size_t)snprintf(keys[1], sizeof(keys[1]) - 2, "a%.63s", client);
    lens[2] = (size_t)snprintf(keys[2], sizeof(keys[2]) - 2, "u%.64s", user);
    pthread_mutex_lock(&w->mu);
    for (int i = 0; i < 3; i++) {
        s[i] = rate_slot(w, keys[i], lens[i], now);
        if (!back && (s[i] == &w->rate_overflow ? s[i]->fails >= lim * 4
                      : i == 0                  ? s[i]->fails >= lim
                                                : s[i]->fails >= lim * 4))
            limited = 1;
    }
    if (limited && first != NULL)
        *first = s[0]->refused++ == 0;
    for (int i = 0; !limited && i < 3; i++) {
        s[i]->fails += back ? -1 : 1;
        if (s[i]->fails < 0)
            s[i]->fails = 0;
    }
    pthread_mutex_unlock(&w->mu);
    return limited;
}

/* POST /api/login {"user":..., "password":...}: public, rate limited. */
int
web_h_login(struct web_req *r)
{
    struct vigil_err err = {0};
    json_t *in = json_loadb(r->body ? r->body : "", r->body_len, 0, NULL);
    const char *user = json_string_value(json_object_get(in, "user"));
    const char *pw = json_string_value(json_object_get(in, "password"));
    char sid[65];
    struct web_principal who;

    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_TYPE);
    /* JSON only: a cross-site form cannot send it without a preflight,
     * which this server never grants, so no one is logged in by a
     * forged form. */
    if (ct == NULL || strncmp(ct, "application/json", 16) != 0) {
        json_decref(in);
        return web_fail(r, 415, "login takes application/json");
    }
    if (user == NULL || pw == NULL) {
        json_decref(in);
        return web_fail(r, 400, "expected {\"user\":..., \"password\":...}");
    }
    int first = 0;
    if (rate_take(r->w, r->client, user, 0, &first)) {
        /* once per pair and minute: a flood of refused attempts must not
         * become a flood of log lines (FIND16 17) */
        if (first)
            vigil_log(VIGIL_LOG_WARN, 2404,
                      "web: logins from %s as '%.64s' refused for a minute "
                      "after too many failures",
                      r->client, user);
        json_decref(in);
        return web_fail(r, 429, "too many failed logins; wait a minute");
    }
    if (web_login(r->w->store, user, pw, r->w->cfg->session_ttl_s, sid, &who,
                  &err) != VIGIL_OK) {
        vigil_log(VIGIL_LOG_WARN, 2403, "web: failed login for '%.64s' from %s",
                  user, r->client);
        json_decref(in);
        return web_fail(r, err.rc == VIGIL_EPERM ? 401 : 500,
                        err.rc == VIGIL_EPERM ? err.msg : "store error");
    }
    rate_take(r->w, r->client, user, 1, NULL); /* a success gives it back */
    json_decref(in);
    snprintf(
        r->set_cookie, sizeof(r->set_cookie),
        COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
        sid, (long long)r->w->cfg->session_ttl_s, r->w->tls ? "; Secure" : "");
    sodium_memzero(sid, sizeof(sid));
    r->who = who;
    web_record_change(r->w, who.user, "login", r->client, NULL);
    r->json = json_pack("{s:s,s:s,s:s}", "user", who.user, "role",
                        vigil_web_role_name(who.role), "csrf", who.csrf);
    return 0;
}

int
web_h_logout(struct web_req *r)
{
    if (r->who.by_token)
        return web_fail(r, 400,
                        "an API token is not a session: an admin revokes it "
                        "(Users page, or POST /api/tokens/{id}/revoke)");
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
        /* HEAD is GET without the body (libmicrohttpd leaves it out) */
        if (strcmp(web_routes[i].method, r->method) == 0 ||
            (strcmp(r->method, "HEAD") == 0 &&
             strcmp(web_routes[i].method, "GET") == 0))
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
    r.method = method;
    r.path = url;
    r.conn = conn;
    r.body = cs->body;
    r.body_len = cs->len;
    client_name(conn, r.client, sizeof(r.client));
    if (cs->too_big)
        web_fail(&r, 413, "request body too large");
    else if (!host_ok(w, MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_HOST)))
        web_fail(&r, 421, "not this server's name");
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
    w->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, w, MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_NOTIFY_COMPLETED, on_done, w, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)4, MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
        /* one client (address) cannot hold every connection, and one that
         * stops sending is dropped after 10 s */
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)64,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
        w->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, prepared_cert,
        MHD_OPTION_HTTPS_MEM_KEY, prepared_key, MHD_OPTION_HTTPS_PRIORITIES,
        TLS_PRIORITIES, MHD_OPTION_END);
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
