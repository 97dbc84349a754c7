/* evtx_read.c -- bench and debugging driver for the EVTX reader: reads
 * every file named on the command line with vigil_evtx_read and prints
 * the totals; -j also prints each event as a JSON line, -c carves slack
 * space, -t N decodes with N threads (default: as the reader decides).
 * Built by hand (see bench/hunt/evtx_read.sh), not by CMake. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "parse/parse.h"

struct count {
    int json;
    uint64_t fields;
    struct vigil_buf out;
};

static enum vigil_rc
on_event(struct vigil_event *ev, void *arg)
{
    struct count *c = arg;

    c->fields += ev->nfields;
    if (c->json) {
        vigil_buf_reset(&c->out);
        if (vigil_event_to_json(ev, &c->out) == VIGIL_OK)
            printf("%s\n", c->out.data);
    }
    return VIGIL_OK;
}

int
main(int argc, char **argv)
{
    struct vigil_evtx_stats st = {0};
    struct vigil_evtx_opts o = {0, 0};
    struct count c = {0, 0, {0}};
    int i, bad = 0;

    vigil_buf_init(&c.out, 8 * 1024 * 1024);
    for (i = 1; i < argc; i++) {
        struct vigil_err err = {0};
        if (strcmp(argv[i], "-j") == 0) {
            c.json = 1;
            continue;
        }
        if (strcmp(argv[i], "-c") == 0) {
            o.carve = 1;
            continue;
        }
        if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
            o.threads = (int)strtol(argv[++i], NULL, 10);
            continue;
        }
        if (vigil_evtx_read(argv[i], &o, on_event, &c, &st, &err) != VIGIL_OK) {
            fprintf(stderr, "%s\n", err.msg);
            bad++;
        }
    }
    fprintf(stderr,
            "records %llu failed %llu recovered %llu fields %llu "
            "unreadable files %d damaged chunks %llu\n",
            (unsigned long long)st.records, (unsigned long long)st.failed,
            (unsigned long long)st.recovered, (unsigned long long)c.fields, bad,
            (unsigned long long)st.damaged_chunks);
    vigil_buf_fini(&c.out);
    return bad ? 1 : 0;
}
