/* test_net_config.c -- the daemon's `net:` section (net_config.c): every
 * key reaches the flow, detector and capture options; defaults hold
 * without the section; wrong values (an interface name with a slash, a
 * BPF syntax error, a jitter out of range, an unknown key) are refused
 * with the file and line. */
#include "vigil_test.h"

#include "net/net.h"

static enum vigil_rc
load(const char *text, struct vigil_net_config *cfg, struct vigil_err *err)
{
    struct vigil_conf *c = NULL;
    struct vigil_conf_binding b = {&vigil_net_conf, cfg};
    enum vigil_rc rc;

    memset(cfg, 0, sizeof(*cfg));
    vigil_conf_defaults(&vigil_net_conf, cfg);
    rc = vigil_conf_parse(&c, "vigil.yml", text, strlen(text), err);
    if (rc == VIGIL_OK)
        rc = vigil_conf_apply(c, vigil_conf_root(c), &b, 1, err);
    vigil_conf_free(c);
    return rc;
}

static void
test_keys(void **state)
{
    struct vigil_net_config cfg;
    struct vigil_net_flow_opts fo;
    struct vigil_net_detect_opts d;
    struct vigil_net_live_opts lo;
    struct vigil_err err = {0};

    (void)state;
    assert_int_equal(load("net:\n"
                          "  interfaces: [eth0, any]\n"
                          "  filter: \"not port 22\"\n"
                          "  snaplen: 1500\n"
                          "  buffer: 32MiB\n"
                          "  events: false\n"
                          "  flows: {max: 2048, idle_timeout: 5s, "
                          "active_timeout: 10m}\n"
                          "  scan: {window: 30s, ports: 10, hosts: 5}\n"
                          "  beacon: {connections: 4, jitter: 0.1, "
                          "min_interval: 500ms}\n"
                          "  exfil: {bytes: 10MiB, factor: 4.5, "
                          "baseline_flows: 7, window: 2h, ratio: 8}\n"
                          "  dns_tunnel: {label_length: 30, entropy: 4, "
                          "encoded_queries: 3, txt_queries: 9, window: 5m}\n"
                          "  home: [10.1.0.0/16, \"2001:db8::/32\"]\n"
                          "  ioc: [/etc/vigil/a.txt]\n"
                          "  new_service_after: 100\n"
                          "  max_entries: 4096\n",
                          &cfg, &err),
                     VIGIL_OK);
    assert_int_equal(cfg.nifaces, 2);
    assert_string_equal(cfg.ifaces[1], "any");
    assert_int_equal(cfg.events, 0);
    assert_int_equal(cfg.niocs, 1);
    vigil_net_config_opts(&cfg, &fo, &d, &lo);
    assert_int_equal(fo.max_flows, 2048);
    assert_true(fo.idle_timeout_ns == 5 * VIGIL_NS_PER_SEC);
    assert_true(fo.active_timeout_ns == 600 * VIGIL_NS_PER_SEC);
    assert_true(d.scan_window_ns == 30 * VIGIL_NS_PER_SEC);
    assert_int_equal(d.scan_ports, 10);
    assert_int_equal(d.scan_hosts, 5);
    assert_int_equal(d.beacon_min, 4);
    assert_true(d.beacon_jitter > 0.099 && d.beacon_jitter < 0.101);
    assert_true(d.beacon_min_interval_ns == VIGIL_NS_PER_SEC / 2);
    assert_true(d.exfil_bytes == 10u << 20);
    assert_true(d.exfil_factor > 4.49 && d.exfil_factor < 4.51);
    assert_int_equal(d.exfil_baseline_flows, 7);
    assert_int_equal(d.dns_label_len, 30);
    assert_true(d.dns_entropy > 3.99 && d.dns_entropy < 4.01);
    assert_int_equal(d.dns_encoded_queries, 3);
    assert_int_equal(d.dns_txt_queries, 9);
    assert_int_equal(d.new_service_after, 100);
    assert_int_equal(d.max_entries, 4096);
    assert_true(d.exfil_window_ns == 7200 * VIGIL_NS_PER_SEC);
    assert_true(d.exfil_ratio > 7.99 && d.exfil_ratio < 8.01);
    assert_true(d.dns_window_ns == 300 * VIGIL_NS_PER_SEC);
    assert_int_equal(d.nhome, 2);
    assert_int_equal(d.home[0].prefix, 16); /* IPv4 bits of a mapped net */
    assert_string_equal(lo.filter, "not port 22");
    assert_int_equal(lo.snaplen, 1500);
    assert_int_equal(lo.buffer_bytes, 32 << 20);
    vigil_net_config_fini(&cfg);

    /* no section: the detectors' defaults */
    assert_int_equal(load("state_dir: /x\n", &cfg, &err), VIGIL_EPARSE);
    assert_int_equal(load("{}\n", &cfg, &err), VIGIL_OK);
    assert_int_equal(cfg.nifaces, 0);
    assert_int_equal(cfg.events, 1);
    vigil_net_config_opts(&cfg, &fo, &d, &lo);
    assert_int_equal(fo.max_flows, 65536);
    assert_int_equal(d.scan_ports, 50);
    assert_true(d.beacon_jitter > 0.19 && d.beacon_jitter < 0.21);
    assert_true(d.dns_entropy > 3.49 && d.dns_entropy < 3.51);
    vigil_net_config_fini(&cfg);
}

static void
test_refusals(void **state)
{
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"net:\n  interfaces: [eth0/1]\n", "vigil.yml:2: 'net.interfaces'"},
        {"net:\n  interfaces: [eth0, eth0]\n",
         "vigil.yml:2: interface 'eth0' named twice"},
        {"net:\n  interfaces: eth0\n",
         "vigil.yml:2: 'net.interfaces' must be a list"},
        {"net:\n  filter: \"port port\"\n", "vigil.yml:2: 'net.filter': "},
        {"net:\n  beacon:\n    jitter: 2\n",
         "vigil.yml:3: 'net.beacon.jitter' must be a number from 0.01 to 1"},
        {"net:\n  dns_tunnel: {entropy: abc}\n",
         "vigil.yml:2: 'net.dns_tunnel.entropy'"},
        {"net:\n  flows: {max: 10}\n", "vigil.yml:2: 'net.flows.max'"},
        {"net:\n  ioc: [relative.txt]\n",
         "vigil.yml:2: 'net.ioc' holds absolute file paths"},
        {"net:\n  scans: {}\n", "vigil.yml:2: unknown key 'net.scans'"},
        {"net:\n  home: [10.0.0.0/99]\n",
         "vigil.yml:2: 'net.home' holds networks"},
        {"net:\n  exfil: {ratio: 0.5}\n", "vigil.yml:2: 'net.exfil.ratio'"},
    };
    struct vigil_net_config cfg;
    struct vigil_err err;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(&err, 0, sizeof(err));
        assert_int_equal(load(cases[i].text, &cfg, &err), VIGIL_EPARSE);
        if (strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)) != 0)
            fail_msg("case %zu: \"%s\" does not start with \"%s\"", i, err.msg,
                     cases[i].msg);
        vigil_net_config_fini(&cfg);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
