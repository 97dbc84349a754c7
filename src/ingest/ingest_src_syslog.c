/* ingest_src_syslog.c -- the syslog source type: receives messages over
 * UDP (one datagram, one message; the kernel's drop count becomes the
 * source's dropped counter), TCP or TLS (RFC 5425; each stream split by
 * the framer of ingest_frame.c) and hands them to the shared machinery
 * without checkpoints: a network stream cannot be read again. Every
 * message carries its sender's address (ingest_src_set_peer).
 *
 * The people the daemon watches can reach this port, so no sender may
 * shut it off for the others: a sender outside `allow:` is refused and
 * counted as dropped; one address holds at most max_per_address
 * connections; a connection silent for idle_timeout, or a TLS handshake
 * not done within tls.handshake_timeout, is closed; and with
 * max_connections open, the longest idle one is closed to admit a new
 * sender. TLS handshakes run non-blocking in the same poll loop, so a
 * slow or stalled client costs one slot, never the loop. Warnings a
 * sender can trigger at will are logged at most once a minute.
 *
 * A reload does not close the port: the listening socket, what the kernel
 * queued on it and the open connections pass to the source that replaces
 * this one (hand_over), so nothing sent during a SIGHUP is lost. Every
 * datagram the kernel drops is counted once: with the next datagram
 * (SO_RXQ_OVFL), and when the queue runs empty or the source stops (the
 * socket's drop count, SO_MEMINFO), against the count already taken,
 * which travels with the socket. */
#include <errno.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "ingest_int.h"

#define SRC_UDP_BURST    1024  /* datagrams per round before polling again */
#define SRC_ACCEPT_BURST 64    /* connections accepted per round */
#define SRC_TLS_READS    16    /* TLS reads per connection and round */
#define SRC_ACCEPT_PAUSE 100   /* ms without accepting when out of fds */
#define SRC_LOG_EVERY_MS 60000 /* a repeated warning: once a minute */

struct conn {
    int fd;          /* -1: a free slot */
    SSL *ssl;        /* TLS only */
    int handshaking; /* TLS: the handshake is not done yet */
    int want_write;  /* TLS: OpenSSL waits until it can write */
    int pending;     /* TLS: decrypted bytes are left to read */
    int failed;      /* TLS: a fatal error; no close_notify */
    int64_t opened_ms, last_ms;
    struct ingest_peer peer;
    struct ingest_framer fr;
};

/* A warning senders can trigger at will: logged at once, then at most
 * once a minute with the number of repeats in between. */
struct ratelog {
    int64_t last_ms;
    int any;
    uint64_t repeats;
};

/* The listening socket, shared by the source that opened it and the one
 * that replaces it on a reload; the last reference closes it. */
struct syslog_sock {
    atomic_int refs;
    int fd;
    enum vigil_protocol protocol;
    char listen[256];
    /* UDP: the kernel's drop count as far as it has been counted. Touched
     * by one source thread at a time: the old one stops before the new
     * one starts. */
    uint32_t drops_seen;
    /* TCP, TLS: the connections the old source had open, moved here when
     * it stops, taken by the new one when it opens. */
    struct conn *held;
    size_t nheld;
};

struct syslog_src {
    struct syslog_sock *sock;
    int ufd, lfd; /* sock->fd, by protocol; -1 for the other */
    SSL_CTX *tls;
    struct conn *conns; /* nconns slots (TCP, TLS) */
    size_t nconns;
    struct pollfd *pfd; /* nconns + 1 */
    struct conn **map;
    int64_t accept_after_ms; /* out of descriptors: pause accepting */
    /* The last datagram's sender, so a steady sender is looked at once. */
    struct sockaddr_storage udp_from;
    socklen_t udp_fromlen;
    int udp_allowed;
    struct ingest_peer udp_peer;
    struct ratelog log_refused, log_per_addr, log_evict, log_tls;
};

static void conn_close(struct ingest_src *s, struct conn *c);

/* Returns 1 when the warning is due now, with note set to "" or to how
 * many times it was held back since the last one. */
static int
ratelog_due(struct ratelog *r, int64_t now, char note[64])
{
    if (r->any && now - r->last_ms < SRC_LOG_EVERY_MS) {
        r->repeats++;
        return 0;
    }
    note[0] = '\0';
    if (r->repeats > 0)
        snprintf(note, 64, " (%llu more since the last message)",
                 (unsigned long long)r->repeats);
    r->repeats = 0;
    r->last_ms = now;
    r->any = 1;
    return 1;
}

/* A sender outside `allow:`: counted as dropped, logged (1122). */
static void
refuse_outsider(struct ingest_src *s, struct syslog_src *n,
                const struct ingest_peer *p, const char *what, int64_t now)
{
    char rep[64];

    ingest_src_add_dropped(s, 1);
    if (ratelog_due(&n->log_refused, now, rep))
        vigil_log(VIGIL_LOG_WARN, 1122,
                  "source %s: refused a %s from %s, outside 'allow'%s",
                  ingest_src_config(s)->name, what, p->text, rep);
}

/* The OpenSSL error behind a failure, for a log line; clears the
 * thread's error queue. */
static const char *
tls_reason(char *buf, size_t size)
{
    unsigned long e = ERR_peek_last_error();

    if (e == 0)
        snprintf(buf, size, "%s", errno ? strerror(errno) : "closed");
    else
        ERR_error_string_n(e, buf, size);
    ERR_clear_error();
    return buf;
}

static enum vigil_rc
tls_new(const struct vigil_source_config *sc, SSL_CTX **out,
        struct vigil_err *err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    const char *what = NULL, *file = "";
    char reason[256];

    *out = NULL;
    if (ctx == NULL)
        what = "cannot create a TLS context";
    else if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
        what = "cannot require TLS 1.2";
    else if (SSL_CTX_use_certificate_chain_file(ctx, sc->tls_cert) != 1)
        what = "tls.cert", file = sc->tls_cert;
    else if (SSL_CTX_use_PrivateKey_file(ctx, sc->tls_key, SSL_FILETYPE_PEM) !=
             1)
        what = "tls.key", file = sc->tls_key;
    else if (SSL_CTX_check_private_key(ctx) != 1)
        what = "tls.key does not match tls.cert", file = sc->tls_key;
    else if (sc->tls_ca[0] != '\0' &&
             SSL_CTX_load_verify_locations(ctx, sc->tls_ca, NULL) != 1)
        what = "tls.ca", file = sc->tls_ca;
    if (what != NULL) {
        SSL_CTX_free(ctx);
        return vigil_err_set(err, VIGIL_EINVAL, "source %s: %s %s: %s",
                             sc->name, what, file,
                             tls_reason(reason, sizeof(reason)));
    }
    /* Senders often close without close_notify: that is an end, not an
     * error. Renegotiation would let a client make the server work. */
    SSL_CTX_set_options(ctx,
                        SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"vigil", 5);
    if (sc->tls_ca[0] != '\0') {
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(sc->tls_ca);
        if (names != NULL)
            SSL_CTX_set_client_CA_list(ctx, names);
        SSL_CTX_set_verify(ctx,
                           SSL_VERIFY_PEER |
                               (sc->tls_require_client_cert
                                    ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT
                                    : 0),
                           NULL);
    }
    ERR_clear_error();
    *out = ctx;
    return VIGIL_OK;
}

/* Ends a held connection that no source took over (a reload that did
 * not start): what its framer holds is lost with it. */
static void
conn_discard(struct conn *c)
{
    ingest_framer_fini(&c->fr);
    SSL_free(c->ssl);
    ERR_clear_error();
    close(c->fd);
}

static void
sock_unref(struct syslog_sock *k)
{
    if (k == NULL || atomic_fetch_sub(&k->refs, 1) != 1)
        return;
    for (size_t i = 0; i < k->nheld; i++)
        conn_discard(&k->held[i]);
    free(k->held);
    if (k->fd >= 0)
        close(k->fd);
    free(k);
}

/* Opens and binds sc's listening socket. Returns owned *out (one
 * reference, dropped with sock_unref). */
static enum vigil_rc
sock_bind(const struct vigil_source_config *sc, struct syslog_sock **out,
          struct vigil_err *err)
{
    struct syslog_sock *k = calloc(1, sizeof(*k));
    struct sockaddr_storage ss;
    unsigned sslen = 0;
    int one = 1, udp = sc->protocol == VIGIL_PROTO_UDP;

    *out = NULL;
    if (k == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    atomic_init(&k->refs, 1);
    k->protocol = sc->protocol;
    snprintf(k->listen, sizeof(k->listen), "%s", sc->listen);
    k->fd = -1;
    if (!ingest_parse_listen(sc->listen, &ss, &sslen)) {
        sock_unref(k);
        return vigil_err_set(err, VIGIL_EINVAL,
                             "source %s: cannot use listen address '%s'",
                             sc->name, sc->listen);
    }
    k->fd = socket(
        ss.ss_family,
        (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (k->fd >= 0 && udp) {
        int rcvbuf = 4 * 1024 * 1024;
        setsockopt(k->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
        setsockopt(k->fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
    }
    if (k->fd < 0 ||
        setsockopt(k->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(k->fd, (struct sockaddr *)&ss, sslen) != 0 ||
        (!udp && listen(k->fd, 128) != 0)) {
        int e = errno;
        sock_unref(k);
        return vigil_err_set(err, VIGIL_EIO,
                             "source %s: cannot listen on %s: %s", sc->name,
                             sc->listen, strerror(e));
    }
    *out = k;
    return VIGIL_OK;
}

/* Takes the connections the replaced source held open; those beyond
 * max_connections are closed (their last message handed over). Returns
 * how many were taken. */
static size_t
conns_take(struct ingest_src *s, struct syslog_src *n)
{
    struct syslog_sock *k = n->sock;
    size_t took = 0;

    for (size_t i = 0; i < k->nheld; i++) {
        if (took < n->nconns)
            n->conns[took++] = k->held[i];
        else
            conn_close(s, &k->held[i]);
    }
    free(k->held);
    k->held = NULL;
    k->nheld = 0;
    return took;
}

static enum vigil_rc
syslog_open(struct ingest_src *s, void **state, struct vigil_err *err)
{
    const struct vigil_source_config *sc = ingest_src_config(s);
    static const char *const proto[] = {"", "udp", "tcp", "tls"};
    struct syslog_src *n;
    enum vigil_rc rc;
    int inherited;

    if (ingest_src_once(s))
        return VIGIL_END; /* offline: nothing to receive */
    if ((n = calloc(1, sizeof(*n))) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    *state = n;
    n->ufd = n->lfd = -1;
    /* Taken first, so that close releases it whatever fails below. */
    n->sock = ingest_src_inherited(s);
    inherited = n->sock != NULL;
    if (sc->protocol == VIGIL_PROTO_TLS &&
        (rc = tls_new(sc, &n->tls, err)) != VIGIL_OK)
        return rc;
    if (sc->protocol != VIGIL_PROTO_UDP) {
        n->nconns = (size_t)sc->max_connections;
        n->conns = calloc(n->nconns, sizeof(*n->conns));
        n->pfd = calloc(n->nconns + 1, sizeof(*n->pfd));
        n->map = calloc(n->nconns + 1, sizeof(*n->map));
        if (n->conns == NULL || n->pfd == NULL || n->map == NULL)
            return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
        for (size_t i = 0; i < n->nconns; i++)
            n->conns[i].fd = -1;
    }
    if (n->sock == NULL && (rc = sock_bind(sc, &n->sock, err)) != VIGIL_OK)
        return rc;
    if (sc->protocol == VIGIL_PROTO_UDP)
        n->ufd = n->sock->fd;
    else
        n->lfd = n->sock->fd;
    if (inherited)
        vigil_log(VIGIL_LOG_INFO, 1125,
                  "source %s: kept listening on %s/%s across the reload "
                  "(%zu connections)",
                  sc->name, sc->listen, proto[sc->protocol], conns_take(s, n));
    else
        vigil_log(VIGIL_LOG_INFO, 1120, "source %s: listening on %s/%s",
                  sc->name, sc->listen, proto[sc->protocol]);
    return VIGIL_OK;
}

/* Is the datagram's sender allowed? Sets the peer of its message. */
static int
udp_sender(struct ingest_src *s, struct syslog_src *n,
           const struct sockaddr_storage *from, socklen_t len)
{
    if (len == 0 || len > sizeof(*from))
        return 0;
    if (len != n->udp_fromlen || memcmp(from, &n->udp_from, len) != 0) {
        memcpy(&n->udp_from, from, len);
        n->udp_fromlen = len;
        n->udp_allowed =
            ingest_peer_set(&n->udp_peer, (const struct sockaddr *)from) &&
            ingest_peer_allowed(ingest_src_config(s), n->udp_peer.ip);
    }
    return n->udp_allowed;
}

/* The kernel's count of datagrams dropped on the socket since it was
 * opened, read now: counts what it adds to what was counted already. A
 * count older than one read before (a datagram queued before the last
 * look) adds nothing. */
static void
drops_note(struct ingest_src *s, struct syslog_sock *k, uint32_t count)
{
    int32_t more = (int32_t)(count - k->drops_seen);

    if (more > 0) {
        ingest_src_add_dropped(s, (uint64_t)more);
        k->drops_seen = count;
    }
}

/* Drops after the last queued datagram are in no SO_RXQ_OVFL until
 * another datagram comes, which may be never: the socket's own count
 * (SO_MEMINFO) tells them at once. */
static void
drops_read(struct ingest_src *s, struct syslog_sock *k)
{
    uint32_t mem[SK_MEMINFO_VARS];
    socklen_t len = sizeof(mem);

    if (getsockopt(k->fd, SOL_SOCKET, SO_MEMINFO, mem, &len) == 0 &&
        len > SK_MEMINFO_DROPS * sizeof(mem[0]))
        drops_note(s, k, mem[SK_MEMINFO_DROPS]);
}

/* Reads up to a burst of datagrams; returns how many. Fewer than a burst:
 * the queue ran empty, and the drops are counted up to now. */
static int
udp_drain(struct ingest_src *s, struct syslog_src *n, char *buf, size_t bufsz,
          int64_t now)
{
    size_t max = ingest_src_config(s)->max_message;
    int i;

    ingest_src_set_peer(s, &n->udp_peer);
    for (i = 0; i < SRC_UDP_BURST; i++) {
        char cbuf[CMSG_SPACE(sizeof(uint32_t))];
        struct sockaddr_storage from;
        struct iovec iov = {buf, bufsz};
        struct msghdr mh = {0};
        ssize_t k;

        mh.msg_name = &from;
        mh.msg_namelen = sizeof(from);
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = cbuf;
        mh.msg_controllen = sizeof(cbuf);
        k = recvmsg(n->ufd, &mh, MSG_TRUNC);
        if (k < 0) {
            drops_read(s, n->sock);
            break;
        }
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL;
             c = CMSG_NXTHDR(&mh, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
                uint32_t drops;
                memcpy(&drops, CMSG_DATA(c), sizeof(drops));
                drops_note(s, n->sock, drops);
            }
        }
        if (!udp_sender(s, n, &from, mh.msg_namelen))
            refuse_outsider(s, n, &n->udp_peer, "datagram", now);
        else if ((size_t)k > max || (mh.msg_flags & MSG_TRUNC))
            ingest_src_line(s, NULL, 0, NULL);
        else
            ingest_src_line(s, buf, (size_t)k, NULL);
    }
    ingest_src_set_peer(s, NULL);
    return i;
}

/* Ends a connection: its last message without a newline is handed over,
 * a TLS peer gets close_notify unless the session failed. */
static void
conn_close(struct ingest_src *s, struct conn *c)
{
    ingest_src_set_peer(s, &c->peer);
    ingest_framer_finish(&c->fr, ingest_src_message, s);
    ingest_src_set_peer(s, NULL);
    ingest_framer_fini(&c->fr);
    if (c->ssl != NULL) {
        if (!c->handshaking && !c->failed)
            SSL_shutdown(c->ssl); /* best effort, non-blocking */
        SSL_free(c->ssl);
        ERR_clear_error();
    }
    close(c->fd);
    c->fd = -1;
    c->ssl = NULL;
}

/* A TLS call returned r <= 0: wait for the socket, or end the session. */
static void
tls_wait_or_close(struct ingest_src *s, struct syslog_src *n, struct conn *c,
                  int r, int64_t now)
{
    int e = SSL_get_error(c->ssl, r);
    char reason[256];
    char rep[64];

    c->pending = 0;
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        c->want_write = e == SSL_ERROR_WANT_WRITE;
        return;
    }
    if (e != SSL_ERROR_ZERO_RETURN) {
        c->failed = 1;
        tls_reason(reason, sizeof(reason));
        if (c->handshaking && ratelog_due(&n->log_tls, now, rep))
            vigil_log(VIGIL_LOG_WARN, 1124,
                      "source %s: TLS handshake with %s failed: %s%s",
                      ingest_src_config(s)->name, c->peer.text, reason, rep);
    }
    conn_close(s, c);
}

/* Reads what the connection has and frames it. */
static void
conn_read(struct ingest_src *s, struct syslog_src *n, struct conn *c, char *buf,
          size_t bufsz, int64_t now)
{
    if (c->ssl == NULL) {
        ssize_t got = read(c->fd, buf, bufsz);
        if (got > 0) {
            c->last_ms = now;
            ingest_src_set_peer(s, &c->peer);
            ingest_framer_feed(&c->fr, buf, (size_t)got, ingest_src_message, s);
            ingest_src_set_peer(s, NULL);
        } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
            conn_close(s, c);
        }
        return;
    }
    errno = 0;
    ERR_clear_error(); /* SSL_get_error reads the thread's queue */
    if (c->handshaking) {
        int r = SSL_accept(c->ssl);
        if (r != 1) {
            tls_wait_or_close(s, n, c, r, now);
            return;
        }
        c->handshaking = 0;
        c->want_write = 0;
        c->last_ms = now;
    }
    ingest_src_set_peer(s, &c->peer);
    for (int i = 0; i < SRC_TLS_READS; i++) {
        int got =
            SSL_read(c->ssl, buf, bufsz > INT32_MAX ? INT32_MAX : (int)bufsz);
        if (got <= 0) {
            ingest_src_set_peer(s, NULL);
            tls_wait_or_close(s, n, c, got, now);
            return;
        }
        c->last_ms = now;
        c->want_write = 0;
        ingest_framer_feed(&c->fr, buf, (size_t)got, ingest_src_message, s);
    }
    ingest_src_set_peer(s, NULL);
    /* Bytes OpenSSL holds are no longer visible to poll. */
    c->pending = SSL_has_pending(c->ssl);
}

/* Closes connections silent for idle_timeout and TLS handshakes not done
 * within tls.handshake_timeout. */
static void
conn_sweep(struct ingest_src *s, struct syslog_src *n, int64_t now)
{
    const struct vigil_source_config *sc = ingest_src_config(s);
    char rep[64];

    for (size_t i = 0; i < n->nconns; i++) {
        struct conn *c = &n->conns[i];
        if (c->fd < 0)
            continue;
        if (c->handshaking && now - c->opened_ms >= sc->tls_handshake_ms) {
            if (ratelog_due(&n->log_tls, now, rep))
                vigil_log(VIGIL_LOG_WARN, 1124,
                          "source %s: TLS handshake with %s failed: not done "
                          "within %lld ms%s",
                          sc->name, c->peer.text,
                          (long long)sc->tls_handshake_ms, rep);
            c->failed = 1;
            conn_close(s, c);
        } else if (!c->handshaking && now - c->last_ms >= sc->idle_ms) {
            conn_close(s, c);
        }
    }
}

/* Admits one connection: allow-list, per-address limit, then a free
 * slot or the longest idle connection's. Returns 0 when fd was closed. */
static int
conn_admit(struct ingest_src *s, struct syslog_src *n, int fd,
           const struct ingest_peer *peer, int64_t now)
{
    const struct vigil_source_config *sc = ingest_src_config(s);
    struct conn *c = NULL, *idlest = NULL;
    int64_t same = 0;
    char rep[64];

    if (!ingest_peer_allowed(sc, peer->ip)) {
        refuse_outsider(s, n, peer, "connection", now);
        close(fd);
        return 0;
    }
    for (size_t i = 0; i < n->nconns; i++) {
        struct conn *o = &n->conns[i];
        if (o->fd < 0) {
            if (c == NULL)
                c = o;
            continue;
        }
        same += memcmp(o->peer.ip, peer->ip, sizeof(peer->ip)) == 0;
        if (idlest == NULL || o->last_ms < idlest->last_ms)
            idlest = o;
    }
    if (same >= sc->max_per_address) {
        ingest_src_add_dropped(s, 1);
        if (ratelog_due(&n->log_per_addr, now, rep))
            vigil_log(VIGIL_LOG_WARN, 1121,
                      "source %s: %s has %lld connections open already; "
                      "refusing one%s",
                      sc->name, peer->text, (long long)same, rep);
        close(fd);
        return 0;
    }
    if (c == NULL) {
        if (ratelog_due(&n->log_evict, now, rep))
            vigil_log(VIGIL_LOG_WARN, 1123,
                      "source %s: %zu connections open; closing the longest "
                      "idle one (from %s) to admit %s%s",
                      sc->name, n->nconns, idlest->peer.text, peer->text, rep);
        conn_close(s, idlest);
        c = idlest;
    }
    memset(c, 0, sizeof(*c));
    c->fd = fd;
    c->peer = *peer;
    c->opened_ms = c->last_ms = now;
    if (n->tls != NULL) {
        if ((c->ssl = SSL_new(n->tls)) == NULL || SSL_set_fd(c->ssl, fd) != 1) {
            SSL_free(c->ssl);
            ERR_clear_error();
            close(fd);
            c->fd = -1;
            c->ssl = NULL;
            return 0;
        }
        SSL_set_accept_state(c->ssl);
        c->handshaking = 1;
    }
    ingest_framer_init(&c->fr, sc->max_message);
    return 1;
}

static void
conn_accept(struct ingest_src *s, struct syslog_src *n, int64_t now)
{
    for (int a = 0; a < SRC_ACCEPT_BURST; a++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        struct ingest_peer peer;
        int fd = accept4(n->lfd, (struct sockaddr *)&ss, &sl,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (fd < 0) {
            /* Out of descriptors: the listening socket stays readable;
             * pause rather than spin. */
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
                errno == ENOMEM)
                n->accept_after_ms = now + SRC_ACCEPT_PAUSE;
            return;
        }
        if (!ingest_peer_set(&peer, (struct sockaddr *)&ss)) {
            close(fd);
            continue;
        }
        conn_admit(s, n, fd, &peer, now);
    }
}

/* Moves the open connections to the socket's successor (hand_over took a
 * reference) with what their framers hold; returns 0 when out of
 * memory. */
static int
conns_hold(struct syslog_src *n)
{
    struct syslog_sock *k = n->sock;
    size_t open = 0;

    for (size_t i = 0; i < n->nconns; i++)
        open += n->conns[i].fd >= 0;
    if (open == 0)
        return 1;
    if ((k->held = calloc(open, sizeof(*k->held))) == NULL)
        return 0;
    for (size_t i = 0; i < n->nconns; i++)
        if (n->conns[i].fd >= 0) {
            k->held[k->nheld++] = n->conns[i];
            n->conns[i].fd = -1;
        }
    return 1;
}

/* The source stops. With a successor the socket's queue and connections
 * are left to it; without, what the kernel queued is read now (a bounded
 * number of rounds, for a sender that never pauses) and the connections
 * are closed. Either way the drops so far are counted. */
static void
syslog_stop(struct ingest_src *s, struct syslog_src *n, char *buf)
{
    int heir = atomic_load(&n->sock->refs) > 1;

    if (n->ufd >= 0) {
        for (int r = 0; !heir && r < 64; r++)
            if (udp_drain(s, n, buf, ingest_src_config(s)->max_message + 1,
                          ingest_mono_ms()) < SRC_UDP_BURST)
                break;
        drops_read(s, n->sock);
    }
    if (heir && conns_hold(n))
        return;
    for (size_t i = 0; i < n->nconns; i++)
        if (n->conns[i].fd >= 0)
            conn_close(s, &n->conns[i]);
}

static void
syslog_run(struct ingest_src *s, void *state)
{
    struct syslog_src *n = state;
    struct pollfd ufd[1];
    struct pollfd *pfd = n->pfd != NULL ? n->pfd : ufd;
    size_t bufsz = ingest_src_config(s)->max_message + 1;
    char *buf = malloc(bufsz > 65536 ? bufsz : 65536);

    if (buf == NULL) {
        vigil_log(VIGIL_LOG_ERROR, 1114, "source %s: out of memory",
                  ingest_src_config(s)->name);
        return;
    }
    if (bufsz < 65536)
        bufsz = 65536;
    while (!ingest_src_stopping(s)) {
        struct vigil_err err = {0};
        int64_t now = ingest_mono_ms();
        int wait = INGEST_WAIT_MS, listening;
        nfds_t k = 0;
        int r;

        ingest_src_recover(s); /* cannot re-read: goes on */
        conn_sweep(s, n, now);
        listening = n->ufd >= 0 || now >= n->accept_after_ms;
        pfd[k].fd = !listening ? -1 : n->ufd >= 0 ? n->ufd : n->lfd;
        pfd[k].events = POLLIN;
        k++;
        for (size_t i = 0; i < n->nconns; i++) {
            struct conn *c = &n->conns[i];
            if (c->fd < 0)
                continue;
            pfd[k].fd = c->fd;
            pfd[k].events = c->want_write ? POLLOUT : POLLIN;
            n->map[k++] = c;
            if (c->pending)
                wait = 0;
        }
        r = poll(pfd, k, wait);
        if (r < 0 && errno != EINTR)
            break;
        now = ingest_mono_ms();
        /* Connections first: accepting may reuse a slot polled above. */
        for (nfds_t i = 1; r >= 0 && i < k; i++) {
            struct conn *c = n->map[i];
            if (c->fd >= 0 &&
                ((pfd[i].revents & (POLLIN | POLLOUT | POLLHUP | POLLERR)) ||
                 c->pending))
                conn_read(s, n, c, buf, bufsz, now);
        }
        if (r > 0 && (pfd[0].revents & POLLIN)) {
            if (n->ufd >= 0)
                udp_drain(s, n, buf, ingest_src_config(s)->max_message + 1,
                          now);
            else
                conn_accept(s, n, now);
        }
        if (r == 0)
            ingest_src_flush(s, &err);
        else
            ingest_src_flush_due(s, &err);
    }
    syslog_stop(s, n, buf);
    free(buf);
}

static void
syslog_close(void *state)
{
    struct syslog_src *n = state;

    if (n == NULL)
        return;
    for (size_t i = 0; i < n->nconns; i++)
        if (n->conns[i].fd >= 0)
            conn_discard(&n->conns[i]); /* taken over, never run */
    sock_unref(n->sock);
    free(n->conns);
    free(n->pfd);
    free(n->map);
    SSL_CTX_free(n->tls);
    free(n);
}

/* The socket goes on to a successor with the same protocol and listen
 * address; its TLS settings, limits and allow-list are the successor's
 * own. */
static void *
syslog_hand_over(void *state, const struct vigil_source_config *next)
{
    struct syslog_src *n = state;
    struct syslog_sock *k = n->sock;

    if (k == NULL || next->type != VIGIL_SOURCE_SYSLOG ||
        next->protocol != k->protocol || strcmp(next->listen, k->listen) != 0)
        return NULL;
    atomic_fetch_add(&k->refs, 1);
    return k;
}

static void
syslog_release(void *handed)
{
    sock_unref(handed);
}

const struct ingest_source_ops ingest_src_syslog_ops = {
    .type = "syslog",
    .default_format = "syslog",
    .open = syslog_open,
    .run = syslog_run,
    .rewind = NULL,
    .close = syslog_close,
    .hand_over = syslog_hand_over,
    .release = syslog_release,
};
