/* cmd_evidence.c -- `vigil evidence verify`: checks the whole evidence log
 * (every entry's hash, signature and link, the signed head against the
 * last entry, and the anchor file against the log) and exits 0 when
 * intact, 1 naming the first bad entry.
 * Opens the store read-only, so it runs beside the daemon. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "evidence/evidence.h"
#include "store/store.h"

enum { OPT_STATE_DIR, OPT_CONFIG, OPT_JSON, OPT_KEY };

static const struct cli_opt opts[] = {
    {OPT_STATE_DIR, "state-dir", 0, "DIR",
     "the daemon's state directory (default as for `vigil run`)."},
    {OPT_CONFIG, "config", 'c', "FILE",
     "take the state directory from this configuration."},
    {OPT_JSON, "json", 0, NULL,
     "one JSON object: intact, entries, pending, bad (the first bad "
     "entry's position, 0 when intact), anchor (the position "
     "STATE/evidence.head names, -1 when unread) and why."},
    {OPT_KEY, "public-key", 'k', "HEX",
     "verify against this public key (64 hex digits, kept apart from the "
     "machine) instead of STATE/evidence.pub."},
};

static void usage(FILE *out);

static const struct cli_cmd cmd = {
    .name = "evidence",
    .synopsis = "usage: vigil evidence verify [--state-dir DIR | -c FILE]\n"
                "                             [--public-key HEX] [--json]\n",
    .opts = opts,
    .nopts = CLI_NOPTS(opts),
    .usage = usage,
};

static void
usage(FILE *out)
{
    fprintf(out,
            "%s\nChecks the evidence log: entries 1..n without gap, each "
            "entry's SHA-256 over\nits content and the entry before, each "
            "Ed25519 signature, the signed head\nagainst the last entry "
            "(entries cut off the end are found), and the anchor\n"
            "STATE/evidence.head, kept outside the store, against the log "
            "(a log deleted\nwith its head is found; a missing anchor is "
            "a failure). docs/evidence.md\ndescribes the format.\n\n",
            cmd.synopsis);
    cli_opts_help(out, &cmd);
    fprintf(out, "\nExit codes: 0 intact, 1 not intact (the first bad entry "
                 "is named), 64 bad\ncommand line, 66 no store or no key, 74 "
                 "store error.\n");
}

int
cmd_evidence(int argc, char **argv)
{
    const char *state_opt = NULL, *cfg_path = NULL, *keyhex = NULL;
    struct vigil_evidence_verdict v;
    struct vigil_store *store = NULL;
    struct vigil_err err = {0};
    char state[4096], db[4200];
    uint8_t pub[32];
    size_t got = 0;
    int json = 0, c, ret;
    struct cli_opts o;

    cli_opts_start(&o, &cmd, argc, argv);
    while ((c = cli_opts_next(&o)) >= 0) {
        switch (c) {
        case OPT_STATE_DIR:
            state_opt = o.val;
            break;
        case OPT_CONFIG:
            cfg_path = o.val;
            break;
        case OPT_JSON:
            json = 1;
            break;
        case OPT_KEY:
            keyhex = o.val;
            break;
        }
    }
    if (c == CLI_OPTS_EXIT)
        return o.exit;
    if (o.nargs != 1 || strcmp(o.args[0], "verify") != 0)
        return cli_usage_error(&cmd, "the subcommand is verify");
    if (keyhex != NULL &&
        (strlen(keyhex) != 64 ||
         sodium_hex2bin(pub, sizeof(pub), keyhex, 64, NULL, &got, NULL) != 0 ||
         got != 32))
        return cli_usage_error(&cmd, "--public-key wants 64 hex digits");
    cli_log_to_stderr(0);
    ret = cli_state_dir("evidence", state_opt, cfg_path, state, sizeof(state));
    if (ret != VIGIL_EXIT_OK)
        return ret;
    if (keyhex == NULL &&
        vigil_evidence_pub_read(state, pub, &err) != VIGIL_OK) {
        fprintf(stderr, "vigil evidence: no public key: %s\n", err.msg);
        return VIGIL_EXIT_NOINPUT;
    }
    ret = cli_open_store_readonly("evidence", state_opt, cfg_path, &store, db,
                                  sizeof(db));
    if (ret != VIGIL_EXIT_OK)
        return ret;
    if (vigil_evidence_verify_anchored(store, pub, state, &v, &err) !=
        VIGIL_OK) {
        fprintf(stderr, "vigil evidence: %s\n", err.msg);
        vigil_store_close(store);
        return VIGIL_EXIT_IOERR;
    }
    vigil_store_close(store);
    if (json) {
        struct vigil_buf b;

        vigil_buf_init(&b, 4096);
        char when[48] = "";

        vigil_buf_json_str(&b, v.why, strlen(v.why));
        if (v.head_time_ns > 0)
            vigil_time_format(v.head_time_ns, when);
        printf("{\"intact\":%s,\"entries\":%lld,\"pending\":%lld,\"bad\":%lld,"
               "\"anchor\":%lld,\"head_seq\":%lld,\"head_hash\":\"%s\","
               "\"head_time\":\"%s\",\"why\":%.*s}\n",
               v.bad ? "false" : "true", (long long)v.entries,
               (long long)v.pending, (long long)v.bad, (long long)v.anchor,
               (long long)v.head.seq, v.head.hash, when, (int)b.len,
               b.data ? b.data : "\"\"");
        vigil_buf_fini(&b);
    } else if (v.bad == 0) {
        char hex[65];

        /* Without --public-key the key is the state directory's own,
         * which whoever rewrote the log could have replaced too: show
         * it, to be compared with the copy kept away (docs/evidence.md). */
        sodium_bin2hex(hex, sizeof(hex), pub, sizeof(pub));
        printf("evidence log intact: %lld entries%s, signed by %s%s\n",
               (long long)v.entries,
               v.pending ? " (and some not sealed yet)" : "", hex,
               keyhex == NULL ? " (the key in the state directory: compare "
                                "it with your own copy)"
                              : "");
        /* The head, to be copied off this host: a rollback of the store
         * together with its anchor is found only by comparing with such
         * a copy (docs/evidence.md, "Keeping the head elsewhere"). */
        if (v.head.seq > 0) {
            char when[48];

            vigil_time_format(v.head_time_ns, when);
            printf("head: entry %lld, hash %s, sealed %s\n",
                   (long long)v.head.seq, v.head.hash, when);
        }
    } else {
        char hex[65];

        printf("evidence log NOT intact: entry %lld: %s\n", (long long)v.bad,
               v.why);
        /* The head says which key signed the log: when it is not the
         * one checked against, say so rather than leave "entry 1
         * forged" as the only clue (FIND14 8) */
        sodium_bin2hex(hex, sizeof(hex), pub, sizeof(pub));
        if (v.head.seq > 0 && v.head.pub[0] != '\0' &&
            strcmp(v.head.pub, hex) != 0)
            printf("the log's head names the key %s, checked against %s: "
                   "the key was replaced (restore STATE/evidence.key, or "
                   "pass the key you hold with --public-key)\n",
                   v.head.pub, hex);
    }
    if (fflush(stdout) != 0)
        return VIGIL_EXIT_IOERR;
    return v.bad ? 1 : VIGIL_EXIT_OK;
}
