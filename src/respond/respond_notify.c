/* respond_notify.c -- telling people and systems: a webhook (JSON POST
 * signed with HMAC-SHA256 in X-Vigil-Signature), e-mail (SMTP through
 * libcurl, STARTTLS required unless the server is on loopback), and
 * alerts forwarded to a SIEM as syslog (RFC 5424) or CEF over UDP or TCP
 * (octet-counted, RFC 6587). These run in the daemon itself, not the
 * helper: they need the network, not root. */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "respond_int.h"
#include "store/store.h"

#define SMTP_LINE_MAX 900 /* below SMTP's 998, with room for the CRLF */

void
respond_hmac_hex(const char *key, const char *body, size_t len, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)body, len,
         md, &mdlen);
    for (unsigned i = 0; i < mdlen && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    hex[64] = '\0';
}

/* libcurl's global set-up, once, before the first transfer on any
 * thread (curl_easy_init would otherwise do it, unsynchronised). */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static enum vigil_rc
curl_failed(CURLcode c, const char *what, const char *ebuf,
            struct vigil_err *err)
{
    return vigil_err_set(err, VIGIL_EIO, "%s: %s", what,
                         ebuf[0] ? ebuf : curl_easy_strerror(c));
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

enum vigil_rc
respond_webhook_post(const struct vigil_respond_config *cfg, const char *body,
                     struct vigil_err *err)
{
    char ebuf[CURL_ERROR_SIZE] = "", sig[100], hex[65];
    struct curl_slist *hdr = NULL, *h2;
    enum vigil_rc rc = VIGIL_OK;
    CURL *h;
    long code = 0;
    CURLcode c;

    pthread_once(&curl_once, curl_init);
    if ((h = curl_easy_init()) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "webhook: out of memory");
    hdr = curl_slist_append(NULL, "Content-Type: application/json");
    if (hdr != NULL && cfg->webhook_secret[0] != '\0') {
        respond_hmac_hex(cfg->webhook_secret, body, strlen(body), hex);
        snprintf(sig, sizeof(sig), "X-Vigil-Signature: sha256=%s", hex);
        if ((h2 = curl_slist_append(hdr, sig)) != NULL)
            hdr = h2;
        else
            hdr = NULL;
    }
    if (hdr == NULL) {
        rc = vigil_err_set(err, VIGIL_ENOMEM, "webhook: out of memory");
        goto out;
    }
    curl_easy_setopt(h, CURLOPT_URL, cfg->duty_webhook);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(h, CURLOPT_USERAGENT, "vigil/" VIGIL_VERSION);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)cfg->notify_timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    if ((c = curl_easy_perform(h)) != CURLE_OK) {
        rc = curl_failed(c, "webhook", ebuf, err);
        goto out;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (code < 200 || code > 299)
        rc = vigil_err_set(err, VIGIL_EIO, "webhook: %s answered HTTP %ld",
                           cfg->duty_webhook, code);
out:
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return rc;
}

/* ---- e-mail ---- */

struct reader {
    const char *p;
    size_t left;
};

static size_t
read_msg(char *dst, size_t size, size_t n, void *arg)
{
    struct reader *r = arg;
    size_t k = size * n < r->left ? size * n : r->left;

    memcpy(dst, r->p, k);
    r->p += k;
    r->left -= k;
    return k;
}

/* One header line: control characters (a CR or LF would start a new
 * header) become spaces. */
static enum vigil_rc
put_header(struct vigil_buf *b, const char *name, const char *value)
{
    enum vigil_rc rc = vigil_buf_printf(b, "%s: ", name);

    for (const char *p = value; rc == VIGIL_OK && *p; p++)
        rc = vigil_buf_putc(b,
                            (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p);
    return rc == VIGIL_OK ? vigil_buf_printf(b, "\r\n") : rc;
}

/* The body with CRLF line ends and no line longer than SMTP allows. */
static enum vigil_rc
put_body(struct vigil_buf *b, const char *text)
{
    enum vigil_rc rc = VIGIL_OK;
    size_t col = 0;

    for (const char *p = text; rc == VIGIL_OK && *p; p++) {
        if (*p == '\r')
            continue;
        if (*p == '\n' || col >= SMTP_LINE_MAX) {
            rc = vigil_buf_printf(b, "\r\n");
            col = 0;
            if (*p == '\n')
                continue;
        }
        if (rc == VIGIL_OK)
            rc = vigil_buf_putc(b, *p);
        col++;
    }
    return rc == VIGIL_OK ? vigil_buf_printf(b, "\r\n") : rc;
}

enum vigil_rc
respond_mail_send(const struct vigil_respond_config *cfg, const char *subject,
                  const char *text, struct vigil_err *err)
{
    char ebuf[CURL_ERROR_SIZE] = "", date[64], from[300],
         uid[VIGIL_UID_LEN + 1];
    struct curl_slist *rcpt = NULL;
    struct vigil_buf m, to;
    enum vigil_rc rc = VIGIL_OK;
    struct reader r;
    time_t now = time(NULL);
    struct tm tm;
    CURL *h = NULL;
    CURLcode c;

    pthread_once(&curl_once, curl_init);
    vigil_buf_init(&m, 8 * 1024 * 1024);
    vigil_buf_init(&to, 64 * 1024);
    if (cfg->nduty_email == 0 || cfg->smtp_url[0] == '\0')
        return vigil_err_set(err, VIGIL_ENOTFOUND, "no duty e-mail address");
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    if (vigil_uid_new(uid) != VIGIL_OK)
        snprintf(uid, sizeof(uid), "%lld", (long long)vigil_time_now());
    for (size_t i = 0; i < cfg->nduty_email; i++) {
        char a[300];
        struct curl_slist *n;
        snprintf(a, sizeof(a), "<%s>", cfg->duty_email[i]);
        if ((n = curl_slist_append(rcpt, a)) == NULL) {
            rc = vigil_err_set(err, VIGIL_ENOMEM, "e-mail: out of memory");
            goto out;
        }
        rcpt = n;
        VIGIL_TRY(
            vigil_buf_printf(&to, "%s%s", i ? ", " : "", cfg->duty_email[i]));
    }
    VIGIL_TRY(put_header(&m, "Date", date));
    VIGIL_TRY(put_header(&m, "From", cfg->smtp_from));
    VIGIL_TRY(put_header(&m, "To", to.data));
    VIGIL_TRY(put_header(&m, "Subject", subject));
    VIGIL_TRY(vigil_buf_printf(&m,
                               "Message-ID: <%s@vigil>\r\nMIME-Version: 1.0\r\n"
                               "Content-Type: text/plain; charset=utf-8\r\n"
                               "Content-Transfer-Encoding: 8bit\r\n\r\n",
                               uid));
    VIGIL_TRY(put_body(&m, text));
    if ((h = curl_easy_init()) == NULL) {
        rc = vigil_err_set(err, VIGIL_ENOMEM, "e-mail: out of memory");
        goto out;
    }
    snprintf(from, sizeof(from), "<%s>", cfg->smtp_from);
    r.p = m.data;
    r.left = m.len;
    curl_easy_setopt(h, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_msg);
    curl_easy_setopt(h, CURLOPT_READDATA, &r);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_USE_SSL,
                     cfg->smtp_tls == VIGIL_SMTP_NONE ? (long)CURLUSESSL_NONE
                                                      : (long)CURLUSESSL_ALL);
    if (cfg->smtp_user[0] != '\0') {
        curl_easy_setopt(h, CURLOPT_USERNAME, cfg->smtp_user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->smtp_password);
    }
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)cfg->notify_timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    if ((c = curl_easy_perform(h)) != CURLE_OK)
        rc = curl_failed(c, "e-mail", ebuf, err);
out:
    if (rc == VIGIL_ELIMIT || rc == VIGIL_ENOMEM)
        vigil_err_set(err, rc, "e-mail: message too large");
    curl_easy_cleanup(h);
    curl_slist_free_all(rcpt);
    vigil_buf_fini(&m);
    vigil_buf_fini(&to);
    return rc;
}

/* ---- forwarding alerts ---- */

static int
severity(const char *level, int cef)
{
    static const char *const levels[] = {"informational", "low", "medium",
                                         "high", "critical"};
    static const int syslog_sev[] = {6, 5, 4, 3, 2};
    static const int cef_sev[] = {1, 3, 5, 8, 10};

    for (int i = 0; level != NULL && i < 5; i++)
        if (strcmp(level, levels[i]) == 0)
            return cef ? cef_sev[i] : syslog_sev[i];
    return cef ? 5 : 4;
}

/* Copies s escaping the characters in special with a backslash, and
 * turning line breaks into spaces (or \n for CEF extensions). */
static enum vigil_rc
put_escaped(struct vigil_buf *b, const char *s, const char *special)
{
    enum vigil_rc rc = VIGIL_OK;

    for (const char *p = s ? s : ""; rc == VIGIL_OK && *p; p++) {
        if (*p == '\r' || *p == '\n')
            rc = vigil_buf_putc(b, ' ');
        else if (strchr(special, *p) != NULL) {
            rc = vigil_buf_putc(b, '\\');
            if (rc == VIGIL_OK)
                rc = vigil_buf_putc(b, *p);
        } else
            rc = vigil_buf_putc(b, *p);
    }
    return rc;
}

enum vigil_rc
respond_forward_format(const struct vigil_respond_config *cfg,
                       const struct vigil_alert *a, struct vigil_buf *out)
{
    int cef = strcmp(cfg->forward_format, "cef") == 0;
    char host[256] = "-", ts[40], ip[64] = "";
    enum vigil_rc rc = VIGIL_OK;

    gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    vigil_time_format(a->time_ns ? a->time_ns : vigil_time_now(), ts);
    /* authpriv (10): security messages */
    VIGIL_TRY(vigil_buf_printf(out, "<%d>1 %s %s vigil %d ALERT ",
                               10 * 8 + severity(a->level, 0), ts, host,
                               (int)getpid()));
    respond_alert_address(a, ip, sizeof(ip));
    if (!cef) {
        VIGIL_TRY(vigil_buf_printf(out, "[vigil@32473 uid=\""));
        VIGIL_TRY(put_escaped(out, a->uid, "\"\\]"));
        VIGIL_TRY(vigil_buf_printf(out, "\" rule=\""));
        VIGIL_TRY(put_escaped(out, a->rule_id, "\"\\]"));
        VIGIL_TRY(vigil_buf_printf(out, "\" level=\""));
        VIGIL_TRY(put_escaped(out, a->level, "\"\\]"));
        if (ip[0]) {
            VIGIL_TRY(vigil_buf_printf(out, "\" src=\""));
            VIGIL_TRY(put_escaped(out, ip, "\"\\]"));
        }
        VIGIL_TRY(vigil_buf_printf(out, "\"] "));
        VIGIL_TRY(put_escaped(out, a->title, ""));
        goto out;
    }
    VIGIL_TRY(vigil_buf_printf(out, "- CEF:0|vigil|vigil|%s|", VIGIL_VERSION));
    VIGIL_TRY(put_escaped(out, a->rule_id, "|\\"));
    VIGIL_TRY(vigil_buf_putc(out, '|'));
    VIGIL_TRY(put_escaped(out, a->title, "|\\"));
    VIGIL_TRY(vigil_buf_printf(out, "|%d|rt=%lld", severity(a->level, 1),
                               (long long)(a->time_ns / 1000000)));
    if (ip[0])
        VIGIL_TRY(vigil_buf_printf(out, " src=%s", ip));
    VIGIL_TRY(vigil_buf_printf(out, " cs1Label=alertUid cs1="));
    VIGIL_TRY(put_escaped(out, a->uid, "=\\"));
    VIGIL_TRY(vigil_buf_printf(out, " cs2Label=level cs2="));
    VIGIL_TRY(put_escaped(out, a->level, "=\\"));
out:
    return rc;
}

static enum vigil_rc
forward_connect(const struct vigil_respond_config *cfg, int *fd,
                struct vigil_err *err)
{
    int tcp = strncmp(cfg->forward_to, "tcp://", 6) == 0;
    const char *hp = cfg->forward_to + 6;
    char host[256], *port;
    struct addrinfo hints = {0}, *res = NULL;
    int e;

    snprintf(host, sizeof(host), "%s", hp[0] == '[' ? hp + 1 : hp);
    port = strrchr(host, ':');
    if (port == NULL)
        return vigil_err_set(err, VIGIL_EINVAL, "forward.to: no port in %s",
                             cfg->forward_to);
    *port++ = '\0';
    if (port > host + 1 && port[-2] == ']')
        port[-2] = '\0';
    hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
    if ((e = getaddrinfo(host, port, &hints, &res)) != 0)
        return vigil_err_set(err, VIGIL_EIO, "forward.to %s: %s",
                             cfg->forward_to, gai_strerror(e));
    *fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC,
                 res->ai_protocol);
    if (*fd < 0 || connect(*fd, res->ai_addr, res->ai_addrlen) != 0) {
        int saved = errno;
        if (*fd >= 0)
            close(*fd);
        *fd = -1;
        freeaddrinfo(res);
        return vigil_err_set(err, VIGIL_EIO, "forward.to %s: %s",
                             cfg->forward_to, strerror(saved));
    }
    freeaddrinfo(res);
    return VIGIL_OK;
}

enum vigil_rc
respond_forward_send(const struct vigil_respond_config *cfg, const char *line,
                     int *fd, struct vigil_err *err)
{
    int tcp = strncmp(cfg->forward_to, "tcp://", 6) == 0;
    struct vigil_buf framed;
    enum vigil_rc rc;

    vigil_buf_init(&framed, 128 * 1024);
    rc = tcp ? vigil_buf_printf(&framed, "%zu %s", strlen(line), line)
             : vigil_buf_printf(&framed, "%s", line);
    for (int attempt = 0; rc == VIGIL_OK && attempt < 2; attempt++) {
        if (*fd < 0 && (rc = forward_connect(cfg, fd, err)) != VIGIL_OK)
            break;
        if (send(*fd, framed.data, framed.len, MSG_NOSIGNAL) ==
            (ssize_t)framed.len)
            break;
        close(*fd); /* a dropped connection: once more on a new one */
        *fd = -1;
        if (attempt == 1)
            rc = vigil_err_set(err, VIGIL_EIO, "forward.to %s: %s",
                               cfg->forward_to, strerror(errno));
    }
    vigil_buf_fini(&framed);
    return rc;
}

/* ---- vigil_respond_send ---- */

static enum vigil_rc
webhook_body(const struct vigil_respond_msg *m, struct vigil_buf *b)
{
    char host[256] = "", ts[40];
    enum vigil_rc rc = VIGIL_OK;

    gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    vigil_time_format(vigil_time_now(), ts);
    VIGIL_TRY(vigil_buf_printf(b, "{\"host\":"));
    VIGIL_TRY(vigil_buf_json_str(b, host, strlen(host)));
    VIGIL_TRY(vigil_buf_printf(b, ",\"sent\":\"%s\",\"subject\":", ts));
    VIGIL_TRY(vigil_buf_json_str(b, m->subject ? m->subject : "",
                                 m->subject ? strlen(m->subject) : 0));
    VIGIL_TRY(vigil_buf_printf(b, ",\"text\":"));
    VIGIL_TRY(vigil_buf_json_str(b, m->text ? m->text : "",
                                 m->text ? strlen(m->text) : 0));
    VIGIL_TRY(vigil_buf_printf(b, ",\"data\":%s}",
                               m->json && m->json[0] ? m->json : "null"));
out:
    return rc;
}

enum vigil_rc
vigil_respond_send(const struct vigil_respond_config *cfg,
                   const struct vigil_respond_msg *m, struct vigil_err *err)
{
    enum vigil_rc rc = VIGIL_OK, r;
    struct vigil_buf body;

    if (cfg->nduty_email == 0 && cfg->duty_webhook[0] == '\0')
        return vigil_err_set(err, VIGIL_ENOTFOUND,
                             "no duty channel configured "
                             "(response.notify.duty)");
    if (cfg->nduty_email > 0)
        rc = respond_mail_send(cfg, m->subject ? m->subject : "vigil",
                               m->text ? m->text : "", err);
    if (cfg->duty_webhook[0] != '\0') {
        vigil_buf_init(&body, 16 * 1024 * 1024);
        r = webhook_body(m, &body);
        if (r == VIGIL_OK)
            r = respond_webhook_post(cfg, body.data, err);
        else
            vigil_err_set(err, r, "webhook: message too large");
        if (rc == VIGIL_OK)
            rc = r;
        vigil_buf_fini(&body);
    }
    return rc;
}
