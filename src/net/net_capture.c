/* net_capture.c -- where packets come from: pcap and pcapng files and
 * live interfaces, both through libpcap (which reads both file formats
 * and sets up the kernel ring for live capture). Each frame is decoded in
 * place and handed on; libpcap's buffer is reused, nothing is copied. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "net/net.h"

struct vigil_net_live {
    pcap_t *p;
    int dlt;
    int64_t mul; /* tv_usec units to ns */
    int fd;
    uint64_t packets, bytes, non_ip;
};

/* A frame's time in ns, saturated: pcapng carries 64-bit timestamps, and
 * times past VIGIL_NET_TIME_MAX (or before 1970) would overflow the flow
 * and detector arithmetic. */
static int64_t
frame_ns(const struct pcap_pkthdr *h, int64_t mul)
{
    int64_t sec = (int64_t)h->ts.tv_sec, sub = (int64_t)h->ts.tv_usec * mul;

    if (sec < 0)
        return 0;
    if (sec >= VIGIL_NET_TIME_MAX / VIGIL_NS_PER_SEC)
        return VIGIL_NET_TIME_MAX;
    if (sub < 0 || sub >= VIGIL_NS_PER_SEC)
        sub = 0;
    return sec * VIGIL_NS_PER_SEC + sub;
}

/* The "unsupported link type" error, naming it as libpcap does. */
static enum vigil_rc
dlt_refused(struct vigil_err *err, const char *what, int dlt)
{
    const char *name = pcap_datalink_val_to_name(dlt);

    return vigil_err_set(err, VIGIL_EPARSE,
                         "%s: link type %d (%s) is not decoded", what, dlt,
                         name ? name : "unknown");
}

/* Decodes every frame libpcap hands over; returns 1 when fn said stop. */
static int
run_frames(pcap_t *p, int dlt, int64_t mul, int count, vigil_net_pkt_fn fn,
           void *arg, uint64_t *pk, uint64_t *by, uint64_t *nonip, int *eof,
           int *failed)
{
    struct pcap_pkthdr *h;
    const u_char *data;
    int r, n = 0;
    struct vigil_net_pkt pkt;

    while (count < 0 || n < count) {
        r = pcap_next_ex(p, &h, &data);
        if (r == 0)
            return 0; /* live: timeout */
        if (r == PCAP_ERROR_BREAK) {
            *eof = 1;
            return 0;
        }
        if (r < 0) {
            *failed = 1;
            return 0;
        }
        n++;
        (*pk)++;
        *by += h->len;
        if (!vigil_net_decode(data, h->caplen, h->len, dlt, frame_ns(h, mul),
                              &pkt)) {
            (*nonip)++;
            continue;
        }
        if (fn(&pkt, arg) != 0)
            return 1;
    }
    return 0;
}

enum vigil_rc
vigil_net_read_file(const char *path, vigil_net_pkt_fn fn, void *arg,
                    struct vigil_net_capture_stats *st, struct vigil_err *err)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p;
    int eof = 0, failed = 0, stop;
    enum vigil_rc rc = VIGIL_OK;

    FILE *fp = fopen(path, "rb");

    if (fp == NULL)
        return vigil_err_set(err, errno == ENOENT ? VIGIL_ENOTFOUND : VIGIL_EIO,
                             "%s: %s", path, strerror(errno));
    /* Nanoseconds: tv_usec then holds them, whatever the file has. libpcap
     * closes fp with the handle. */
    p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO,
                                                 ebuf);
    if (p == NULL) {
        fclose(fp);
        return vigil_err_set(err, VIGIL_EPARSE, "%s: %s", path, ebuf);
    }
    if (!vigil_net_dlt_supported(pcap_datalink(p))) {
        /* Said, not silent: "no alerts" must not read as "clean". */
        rc = dlt_refused(err, path, pcap_datalink(p));
        pcap_close(p);
        return rc;
    }
    stop = run_frames(p, pcap_datalink(p), 1, -1, fn, arg, &st->packets,
                      &st->bytes, &st->non_ip, &eof, &failed);
    if (failed && !stop)
        /* A capture cut short (truncated last record): what was read
         * counts, the reason is said. */
        rc = vigil_err_set(err, VIGIL_EPARSE, "%s: %s", path, pcap_geterr(p));
    else if (stop)
        rc = VIGIL_END;
    pcap_close(p);
    return rc;
}

enum vigil_rc
vigil_net_live_open(struct vigil_net_live **out,
                    const struct vigil_net_live_opts *o, struct vigil_err *err)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    struct vigil_net_live *l;
    enum vigil_rc rc = VIGIL_OK;

    *out = NULL;
    if ((l = calloc(1, sizeof(*l))) == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    if ((l->p = pcap_create(o->iface, ebuf)) == NULL) {
        rc = vigil_err_set(err, VIGIL_EIO, "%s: %s", o->iface, ebuf);
        goto out;
    }
    pcap_set_snaplen(l->p, o->snaplen > 0 ? o->snaplen : 262144);
    pcap_set_buffer_size(l->p,
                         o->buffer_bytes > 0 ? o->buffer_bytes : 16 << 20);
    pcap_set_promisc(l->p, !o->no_promisc);
    pcap_set_timeout(l->p, 200);
    /* tv_usec then holds nanoseconds, as from files. */
    l->mul = pcap_set_tstamp_precision(l->p, PCAP_TSTAMP_PRECISION_NANO) == 0
                 ? 1
                 : 1000;
    pcap_set_immediate_mode(l->p, 0);
    if (pcap_activate(l->p) < 0) {
        rc = vigil_err_set(err, VIGIL_EIO, "%s: %s", o->iface,
                           pcap_geterr(l->p));
        goto out;
    }
    l->dlt = pcap_datalink(l->p);
    if (!vigil_net_dlt_supported(l->dlt)) {
        rc = dlt_refused(err, o->iface, l->dlt);
        goto out;
    }
    /* Non-blocking, waited for with poll: pcap's own timeout does not
     * fire on an interface that stays silent. */
    if (pcap_setnonblock(l->p, 1, ebuf) < 0 ||
        (l->fd = pcap_get_selectable_fd(l->p)) < 0) {
        rc = vigil_err_set(err, VIGIL_EIO, "%s: cannot poll the capture",
                           o->iface);
        goto out;
    }
    if (o->filter && o->filter[0])
        rc = vigil_net_live_set_filter(l, o->filter, err);
out:
    if (rc != VIGIL_OK)
        vigil_net_live_close(l);
    else
        *out = l;
    return rc;
}

enum vigil_rc
vigil_net_live_set_filter(struct vigil_net_live *l, const char *filter,
                          struct vigil_err *err)
{
    struct bpf_program prog;
    enum vigil_rc rc = VIGIL_OK;

    /* "" compiles to accept-all, which also lifts an earlier filter */
    if (filter == NULL)
        filter = "";
    if (pcap_compile(l->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0)
        return vigil_err_set(err, VIGIL_EINVAL, "filter \"%s\": %s", filter,
                             pcap_geterr(l->p));
    if (pcap_setfilter(l->p, &prog) < 0)
        rc = vigil_err_set(err, VIGIL_EIO, "filter: %s", pcap_geterr(l->p));
    pcap_freecode(&prog);
    return rc;
}

void
vigil_net_live_close(struct vigil_net_live *l)
{
    if (l == NULL)
        return;
    if (l->p)
        pcap_close(l->p);
    free(l);
}

enum vigil_rc
vigil_net_live_poll(struct vigil_net_live *l, vigil_net_pkt_fn fn, void *arg,
                    struct vigil_err *err)
{
    int eof = 0, failed = 0;
    struct pollfd pfd = {.fd = l->fd, .events = POLLIN};

    if (poll(&pfd, 1, 200) < 0 && errno != EINTR)
        return vigil_err_set(err, VIGIL_EIO, "poll: %s", strerror(errno));
    /* A bounded batch, so the caller's clock tick and stop flag are seen
     * under load too. */
    if (run_frames(l->p, l->dlt, l->mul, 4096, fn, arg, &l->packets, &l->bytes,
                   &l->non_ip, &eof, &failed))
        return VIGIL_END;
    if (failed)
        return vigil_err_set(err, VIGIL_EIO, "capture: %s", pcap_geterr(l->p));
    return eof ? VIGIL_END : VIGIL_OK;
}

void
vigil_net_live_stats(struct vigil_net_live *l,
                     struct vigil_net_capture_stats *st)
{
    struct pcap_stat ps;

    memset(st, 0, sizeof(*st));
    st->packets = l->packets;
    st->bytes = l->bytes;
    st->non_ip = l->non_ip;
    if (pcap_stats(l->p, &ps) == 0) {
        st->kernel_drops = ps.ps_drop;
        st->if_drops = ps.ps_ifdrop;
    }
}
