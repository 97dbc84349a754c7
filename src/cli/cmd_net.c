/* cmd_net.c -- `vigil net read FILE...` and `vigil net watch IFACE`:
 * flows and network alerts from capture files or a live interface,
 * printed as a table for people or, with --json, one JSON object per line
 * ("type": "flow" or "alert") for machines.
 *
 * The decoding, flows and detectors are src/net; here are the options,
 * the wiring (packet -> detectors and flow table, finished flow ->
 * detectors and output) and the printing. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/core.h"
#include "net/net.h"

enum {
    OPT_JSON,
    OPT_IOC,
    OPT_ALERTS,
    OPT_FILTER,
    OPT_SECONDS,
    OPT_NEWSVC,
    OPT_STATS,
    OPT_SNAPLEN,
    OPT_BUFFER
};

static const struct cli_opt opts[] = {
    {OPT_JSON, "json", 'j', NULL,
     "one JSON object per line (\"type\": \"flow\" or \"alert\")"},
    {OPT_IOC, "ioc", 'i', "FILE",
     "addresses and domains to alert on (text or CSV; repeatable)"},
    {OPT_ALERTS, "alerts-only", 'a', NULL, "print alerts, not flows"},
    {OPT_FILTER, "filter", 'f', "BPF", "watch: capture filter"},
    {OPT_SECONDS, "seconds", 's', "N", "watch: stop after N seconds"},
    {OPT_NEWSVC, "new-service-after", 'n', "N",
     "alert on TCP services first seen after N were learned (0: off)"},
    {OPT_STATS, "stats", 0, NULL,
     "print packet, flow and drop counts "
     "to stderr at the end"},
    {OPT_SNAPLEN, "snaplen", 0, "N",
     "watch: bytes kept per packet (64..262144, default 262144)"},
    {OPT_BUFFER, "buffer", 0, "SIZE",
     "watch: the kernel's capture buffer (1MiB..1GiB, default 16MiB)"},
};

static void usage(FILE *f);

static const struct cli_cmd cmd = {
    .name = "net",
    .synopsis = "usage: vigil net read [--json] [--ioc FILE] [-a] FILE...\n"
                "       vigil net watch [--json] [--ioc FILE] [-a] "
                "[--filter BPF] [--seconds N]\n"
                "                       [--snaplen N] [--buffer SIZE] "
                "IFACE\n",
    .opts = opts,
    .nopts = CLI_NOPTS(opts),
    .usage = usage,
};

static void
usage(FILE *f)
{
    fprintf(f,
            "%s\n"
            "Turns packets into bidirectional flows and runs the network "
            "detectors\n(port scans, beaconing, exfiltration, DNS tunnels, "
            "IOC lists, new services).\n`read` takes pcap and pcapng files; "
            "`watch` captures on an interface\n(needs root or "
            "CAP_NET_RAW) until interrupted.\n\n",
            cmd.synopsis);
    cli_opts_help(f, &cmd);
    fprintf(f, "\nExit status: 0 done; 1 alerts were raised (read); 65 a "
               "file is not a\ncapture; 66 a file is missing; 64 bad command "
               "line; 74 output error.\nSee docs/man/vigil-net.1.md.\n");
}

struct net_run {
    int json, alerts_only;
    uint64_t alerts;
    struct vigil_net_flows *flows;
    struct vigil_net_detect *det;
    struct vigil_arena arena;
    struct vigil_buf out;
    int out_err;
};

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void
flush_out(struct net_run *r)
{
    if (r->out.len && fwrite(r->out.data, 1, r->out.len, stdout) != r->out.len)
        r->out_err = 1;
    vigil_buf_reset(&r->out);
}

static void
on_alert(const struct vigil_net_alert *a, void *arg)
{
    struct net_run *r = arg;
    char ts[40], s[64], d[64];
    static const uint8_t zero[16];

    r->alerts++;
    vigil_time_format(a->time_ns, ts);
    vigil_ip_format(a->src, s);
    vigil_ip_format(a->dst, d);
    if (r->json) {
        vigil_buf_printf(&r->out,
                         "{\"type\":\"alert\",\"@timestamp\":\"%s\","
                         "\"event.kind\":\"alert\",\"event.category\":"
                         "\"network\",\"rule.name\":\"net.%s\","
                         "\"event.severity\":%d,\"source.ip\":\"%s\"",
                         ts, a->kind, a->severity, s);
        if (memcmp(a->dst, zero, 16) != 0)
            vigil_buf_printf(&r->out, ",\"destination.ip\":\"%s\"", d);
        if (a->dport)
            vigil_buf_printf(&r->out, ",\"destination.port\":%u",
                             (unsigned)a->dport);
        if (a->proto == 6 || a->proto == 17)
            vigil_buf_printf(&r->out, ",\"network.transport\":\"%s\"",
                             a->proto == 6 ? "tcp" : "udp");
        else if (a->proto)
            vigil_buf_printf(&r->out, ",\"network.iana_number\":%u",
                             (unsigned)a->proto);
        vigil_buf_printf(&r->out, ",\"message\":");
        vigil_buf_json_str(&r->out, a->msg, strlen(a->msg));
        vigil_buf_putc(&r->out, '}');
        vigil_buf_putc(&r->out, '\n');
    } else {
        vigil_buf_printf(&r->out, "%-26s ALERT %-12s %s\n", ts, a->kind,
                         a->msg);
    }
    if (r->out.len >= (1u << 20))
        flush_out(r);
}

static int
on_flow(const struct vigil_net_flow *f, void *arg)
{
    struct net_run *r = arg;

    vigil_net_detect_flow(r->det, f);
    if (r->alerts_only)
        return r->out_err;
    if (r->json) {
        struct vigil_event ev;

        vigil_arena_reset(&r->arena);
        vigil_event_init(&ev, &r->arena);
        vigil_event_add_strz(&ev, "type", "flow");
        if (vigil_net_flow_event(f, &ev) != VIGIL_OK ||
            vigil_event_to_json(&ev, &r->out) != VIGIL_OK ||
            vigil_buf_putc(&r->out, '\n') != VIGIL_OK) {
            vigil_buf_reset(&r->out); /* the lines before it were flushed */
            r->out_err = 1;
        }
    } else {
        char ts[40], s[64], d[64], ep[160];
        static const char *const app[] = {"-", "dns", "tls", "http"};

        vigil_time_format(f->first_ns, ts);
        vigil_ip_format(f->caddr, s);
        vigil_ip_format(f->saddr, d);
        /* [v6]:port, as URLs write it: the port is no part of the address */
        snprintf(ep, sizeof(ep), "%s%s%s:%u -> %s%s%s:%u", f->ipv6 ? "[" : "",
                 s, f->ipv6 ? "]" : "", (unsigned)f->cport, f->ipv6 ? "[" : "",
                 d, f->ipv6 ? "]" : "", (unsigned)f->sport);
        vigil_buf_printf(&r->out, "%-26s %-4u %-52s %6llu %10llu %-4s %s\n", ts,
                         (unsigned)f->proto, ep,
                         (unsigned long long)(f->cpkts + f->spkts),
                         (unsigned long long)(f->cbytes + f->sbytes),
                         app[f->app & 3], f->name);
    }
    if (r->out.len >= (1u << 20))
        flush_out(r);
    return r->out_err;
}

/* A live flow: IOC and exfiltration alerts without waiting for its end. */
static int
on_update(const struct vigil_net_flow *f, void *arg)
{
    struct net_run *r = arg;

    vigil_net_detect_update(r->det, f);
    return r->out_err;
}

static int
on_packet(const struct vigil_net_pkt *p, void *arg)
{
    struct net_run *r = arg;

    if (p->payload_len && (p->dport == 53))
        vigil_net_detect_packet(r->det, p);
    return vigil_net_flows_add(r->flows, p) || stop_flag;
}

static void
print_stats(struct net_run *r, const struct vigil_net_capture_stats *cs)
{
    struct vigil_net_flow_stats fs;

    vigil_net_flows_stats(r->flows, &fs);
    fprintf(stderr,
            "%llu packets (%llu not IP), %llu flows (%llu evicted, %llu cut "
            "at the active timeout), %llu alerts, %llu detector entries "
            "dropped, %llu dropped by the kernel\n",
            (unsigned long long)cs->packets, (unsigned long long)cs->non_ip,
            (unsigned long long)fs.flows, (unsigned long long)fs.evicted,
            (unsigned long long)fs.active_cut, (unsigned long long)r->alerts,
            (unsigned long long)vigil_net_detect_dropped(r->det),
            (unsigned long long)cs->kernel_drops);
}

int
cmd_net(int argc, char **argv)
{
    struct net_run r;
    struct cli_opts o;
    struct vigil_net_detect_opts dopts;
    const char *iocs[16];
    const char *filter = NULL;
    size_t niocs = 0;
    int64_t seconds = 0, n;
    int c, watch, stats = 0, exit_code = VIGIL_EXIT_OK, snaplen = 0, buffer = 0;
    struct vigil_err err = {0};
    struct vigil_net_capture_stats cs = {0};
    struct vigil_net_live *live = NULL;

    if (argc < 2 ||
        (strcmp(argv[1], "read") != 0 && strcmp(argv[1], "watch") != 0)) {
        if (argc >= 2 &&
            (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            usage(stdout);
            return VIGIL_EXIT_OK;
        }
        return cli_usage_error(&cmd, "say read or watch");
    }
    watch = argv[1][0] == 'w';
    memset(&r, 0, sizeof(r));
    memset(&dopts, 0, sizeof(dopts));
    cli_opts_start(&o, &cmd, argc - 1, argv + 1);
    while ((c = cli_opts_next(&o)) >= 0) {
        switch (c) {
        case OPT_JSON:
            r.json = 1;
            break;
        case OPT_ALERTS:
            r.alerts_only = 1;
            break;
        case OPT_IOC:
            if (niocs == 16)
                return cli_usage_error(&cmd, "at most 16 --ioc files");
            iocs[niocs++] = o.val;
            break;
        case OPT_FILTER:
            filter = o.val;
            break;
        case OPT_SECONDS:
            if (!vigil_parse_i64(o.val, strlen(o.val), &seconds) || seconds < 1)
                return cli_usage_error(&cmd, "--seconds needs a number > 0");
            break;
        case OPT_NEWSVC:
            if (!vigil_parse_i64(o.val, strlen(o.val), &n) || n < 0 ||
                n > UINT32_MAX)
                return cli_usage_error(&cmd, "--new-service-after needs a "
                                             "number >= 0");
            dopts.new_service_after = (uint32_t)n;
            break;
        case OPT_STATS:
            stats = 1;
            break;
        case OPT_SNAPLEN:
            if (!vigil_parse_i64(o.val, strlen(o.val), &n) || n < 64 ||
                n > 262144)
                return cli_usage_error(&cmd, "--snaplen needs 64..262144");
            snaplen = (int)n;
            break;
        case OPT_BUFFER:
            if (!vigil_parse_size(o.val, &n) || n < (1 << 20) || n > (1 << 30))
                return cli_usage_error(&cmd, "--buffer needs 1MiB..1GiB");
            buffer = (int)n;
            break;
        }
    }
    if (c == CLI_OPTS_EXIT)
        return o.exit;
    if (o.nargs == 0 || (watch && o.nargs != 1))
        return cli_usage_error(&cmd, watch ? "name one interface"
                                           : "name a capture file");
    if (!watch && (filter || seconds || snaplen || buffer))
        /* silently reading everything would look like a filtered run */
        return cli_usage_error(&cmd, "--filter, --seconds, --snaplen and "
                                     "--buffer are for watch");
    cli_log_to_stderr(0);
    vigil_buf_init(&r.out, 64u << 20);
    vigil_arena_init(&r.arena, 16384, 1u << 20);
    if (vigil_net_flows_new(
            &r.flows, &(struct vigil_net_flow_opts){.on_update = on_update},
            on_flow, &r, &err) != VIGIL_OK ||
        vigil_net_detect_new(&r.det, &dopts, on_alert, &r, &err) != VIGIL_OK) {
        fprintf(stderr, "vigil net: %s\n", err.msg);
        exit_code = VIGIL_EXIT_SOFTWARE;
        goto out;
    }
    for (size_t i = 0; i < niocs; i++)
        if (vigil_net_detect_load_iocs(r.det, iocs[i], &err) != VIGIL_OK) {
            fprintf(stderr, "vigil net: %s\n", err.msg);
            exit_code = err.rc == VIGIL_ENOTFOUND || err.rc == VIGIL_EIO
                            ? VIGIL_EXIT_NOINPUT
                            : VIGIL_EXIT_DATAERR;
            goto out;
        }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (!watch) {
        for (int i = 0; i < o.nargs && !stop_flag && !r.out_err; i++) {
            enum vigil_rc rc;

            vigil_err_clear(&err);
            /* "-": standard input, as `tcpdump -w - | vigil net read -` */
            rc = vigil_net_read_file(strcmp(o.args[i], "-") == 0 ? "/dev/stdin"
                                                                 : o.args[i],
                                     on_packet, &r, &cs, &err);
            if (rc != VIGIL_OK && rc != VIGIL_END) {
                fprintf(stderr, "vigil net: %s\n", err.msg);
                exit_code = rc == VIGIL_EPARSE ? VIGIL_EXIT_DATAERR
                                               : VIGIL_EXIT_NOINPUT;
            }
        }
    } else {
        struct vigil_net_live_opts lo = {.iface = o.args[0],
                                         .filter = filter,
                                         .snaplen = snaplen,
                                         .buffer_bytes = buffer};
        int64_t until =
            seconds ? vigil_time_now() + seconds * VIGIL_NS_PER_SEC : 0;

        if (vigil_net_live_open(&live, &lo, &err) != VIGIL_OK) {
            /* a filter that does not compile is a bad command line */
            fprintf(stderr, "vigil net: %s%s\n", err.msg,
                    err.rc != VIGIL_EINVAL && geteuid() != 0
                        ? " (capturing needs root or CAP_NET_RAW)"
                        : "");
            exit_code =
                err.rc == VIGIL_EINVAL ? VIGIL_EXIT_USAGE : VIGIL_EXIT_NOINPUT;
            goto out;
        }
        while (!stop_flag && !r.out_err) {
            enum vigil_rc rc = vigil_net_live_poll(live, on_packet, &r, &err);
            int64_t now = vigil_time_now();

            if (rc == VIGIL_EIO) {
                fprintf(stderr, "vigil net: %s\n", err.msg);
                exit_code = VIGIL_EXIT_IOERR;
                break;
            }
            vigil_net_flows_expire(r.flows, now);
            flush_out(&r);
            fflush(stdout);
            if (until && now >= until)
                break;
        }
        vigil_net_live_stats(live, &cs);
    }
    vigil_net_flows_flush(r.flows);
    flush_out(&r);
    if (fflush(stdout) != 0)
        r.out_err = 1;
    if (stats)
        print_stats(&r, &cs);
    if (r.out_err) {
        fprintf(stderr, "vigil net: cannot write output\n");
        exit_code = VIGIL_EXIT_IOERR;
    } else if (exit_code == VIGIL_EXIT_OK && r.alerts && !watch) {
        exit_code = 1;
    }
out:
    vigil_net_live_close(live);
    vigil_net_detect_free(r.det);
    vigil_net_flows_free(r.flows);
    vigil_arena_fini(&r.arena);
    vigil_buf_fini(&r.out);
    return exit_code;
}
