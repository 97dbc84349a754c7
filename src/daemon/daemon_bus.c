/* daemon_bus.c -- the in-process bus between components: events from the
 * sources to the detectors, alerts from the detectors to whoever acts on
 * them (containment, incidents), findings from the scanners.
 *
 * Delivery is a direct call on the publishing thread, so an event costs a
 * read lock and a loop over a short fixed array: no queue, no copy, no
 * allocation. The subscriber lists change only at start and stop, under
 * the write lock. A scale-out bus (NATS JetStream) would sit behind the
 * same calls. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "daemon_int.h"

enum bus_kind { BUS_EVENT, BUS_ALERT };

struct bus_sub {
    int id;
    enum bus_kind kind;
    union {
        vigil_bus_event_fn event;
        vigil_bus_alert_fn alert;
    } fn;
    void *arg;
};

struct vigil_bus {
    pthread_rwlock_t lock;
    struct bus_sub subs[VIGIL_BUS_MAX_SUBSCRIBERS];
    size_t nsubs;
    int next_id;
    /* Events are not counted here: the sources count them, and a shared
     * counter would cost every event a contended cache line. */
    atomic_uint_fast64_t alerts, findings;
};

enum vigil_rc
vigil_bus_new(struct vigil_bus **out, struct vigil_err *err)
{
    struct vigil_bus *bus = calloc(1, sizeof(*bus));

    *out = NULL;
    if (bus == NULL)
        return vigil_err_set(err, VIGIL_ENOMEM, "out of memory");
    pthread_rwlock_init(&bus->lock, NULL);
    *out = bus;
    return VIGIL_OK;
}

void
vigil_bus_free(struct vigil_bus *bus)
{
    if (bus == NULL)
        return;
    pthread_rwlock_destroy(&bus->lock);
    free(bus);
}

static int
subscribe(struct vigil_bus *bus, struct bus_sub *s)
{
    int id = 0;

    pthread_rwlock_wrlock(&bus->lock);
    if (bus->nsubs < VIGIL_BUS_MAX_SUBSCRIBERS) {
        s->id = id = ++bus->next_id;
        bus->subs[bus->nsubs++] = *s;
    }
    pthread_rwlock_unlock(&bus->lock);
    return id;
}

int
vigil_bus_on_event(struct vigil_bus *bus, vigil_bus_event_fn fn, void *arg)
{
    struct bus_sub s = {.kind = BUS_EVENT, .fn.event = fn, .arg = arg};

    return subscribe(bus, &s);
}

int
vigil_bus_on_alert(struct vigil_bus *bus, vigil_bus_alert_fn fn, void *arg)
{
    struct bus_sub s = {.kind = BUS_ALERT, .fn.alert = fn, .arg = arg};

    return subscribe(bus, &s);
}

void
vigil_bus_unsubscribe(struct vigil_bus *bus, int id)
{
    pthread_rwlock_wrlock(&bus->lock);
    for (size_t i = 0; i < bus->nsubs; i++)
        if (bus->subs[i].id == id) {
            memmove(&bus->subs[i], &bus->subs[i + 1],
                    (bus->nsubs - i - 1) * sizeof(bus->subs[0]));
            bus->nsubs--;
            break;
        }
    pthread_rwlock_unlock(&bus->lock);
}

enum vigil_rc
vigil_bus_publish_event(struct vigil_bus *bus, const struct vigil_event *ev,
                        const char *source, struct vigil_store_batch *batch)
{
    enum vigil_rc rc = VIGIL_OK;

    pthread_rwlock_rdlock(&bus->lock);
    for (size_t i = 0; i < bus->nsubs; i++) {
        const struct bus_sub *s = &bus->subs[i];
        enum vigil_rc r;

        if (s->kind != BUS_EVENT)
            continue;
        r = s->fn.event(s->arg, ev, source, batch);
        if (rc == VIGIL_OK)
            rc = r;
    }
    pthread_rwlock_unlock(&bus->lock);
    return rc;
}

enum vigil_rc
vigil_bus_publish_alert(struct vigil_bus *bus, const struct vigil_alert *a,
                        struct vigil_store_batch *batch)
{
    char uid[VIGIL_UID_LEN + 1];
    struct vigil_alert own;
    enum vigil_rc rc;

    /* Subscribers (incidents, the evidence log) name the alert by the id
     * the store keeps, so it is made here, once. */
    if (a->uid == NULL) {
        if ((rc = vigil_uid_new(uid)) != VIGIL_OK)
            return rc;
        own = *a;
        own.uid = uid;
        a = &own;
    }
    if ((rc = vigil_store_batch_add_alert(batch, a)) != VIGIL_OK)
        return rc;
    atomic_fetch_add_explicit(&bus->alerts, 1, memory_order_relaxed);
    pthread_rwlock_rdlock(&bus->lock);
    for (size_t i = 0; i < bus->nsubs; i++)
        if (bus->subs[i].kind == BUS_ALERT)
            bus->subs[i].fn.alert(bus->subs[i].arg, a, batch);
    pthread_rwlock_unlock(&bus->lock);
    return VIGIL_OK;
}

enum vigil_rc
vigil_bus_publish_finding(struct vigil_bus *bus, const struct vigil_finding *f,
                          struct vigil_store_batch *batch)
{
    struct vigil_buf ev;
    struct vigil_alert a = {0};
    enum vigil_rc rc;

    atomic_fetch_add_explicit(&bus->findings, 1, memory_order_relaxed);
    /* The alert's event: what was found, about what. */
    vigil_buf_init(&ev, 1024 * 1024);
    rc = vigil_buf_printf(&ev, "{\"finding.kind\":");
    if (rc == VIGIL_OK)
        rc = vigil_buf_json_str(&ev, f->kind, strlen(f->kind));
    if (rc == VIGIL_OK)
        rc = vigil_buf_printf(&ev, ",\"finding.subject\":");
    if (rc == VIGIL_OK)
        rc = vigil_buf_json_str(&ev, f->subject ? f->subject : "",
                                f->subject ? strlen(f->subject) : 0);
    if (rc == VIGIL_OK && f->detail_json != NULL)
        rc = vigil_buf_printf(&ev, ",\"finding.detail\":%s", f->detail_json);
    if (rc == VIGIL_OK)
        rc = vigil_buf_putc(&ev, '}');
    if (rc == VIGIL_OK) {
        memset(&a, 0, sizeof(a));
        a.time_ns = f->time_ns ? f->time_ns : vigil_time_now();
        a.rule_id = f->kind;
        a.title = f->title;
        a.level = f->level;
        a.event_json = ev.data;
        a.source = f->source;
        rc = vigil_bus_publish_alert(bus, &a, batch);
    }
    vigil_buf_fini(&ev);
    return rc;
}

void
vigil_bus_counts(const struct vigil_bus *bus, uint64_t *alerts,
                 uint64_t *findings)
{
    *alerts = atomic_load(&bus->alerts);
    *findings = atomic_load(&bus->findings);
}
