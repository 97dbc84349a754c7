/* daemon_links.c -- the slots through which running components lend
 * each other what they hold (daemon_int.h, struct daemon_links): the web
 * component reaches incidents, containment and the loaded rules here,
 * never the components' own structures. */
#include "daemon_int.h"

static const void **
slot(struct daemon_links *l, enum daemon_link which)
{
    switch (which) {
    case DAEMON_LINK_INCIDENT:
        return &l->incident;
    case DAEMON_LINK_RESPOND:
        return (const void **)&l->respond;
    case DAEMON_LINK_DETECT:
        return &l->detect;
    }
    return NULL;
}

void
daemon_link_set(struct daemon_links *l, enum daemon_link which, const void *p)
{
    if (l == NULL)
        return;
    pthread_rwlock_wrlock(&l->lock);
    *slot(l, which) = p;
    pthread_rwlock_unlock(&l->lock);
}

void
daemon_link_clear(struct daemon_links *l, enum daemon_link which, const void *p)
{
    const void **s;

    if (l == NULL)
        return;
    pthread_rwlock_wrlock(&l->lock);
    s = slot(l, which);
    if (*s == p)
        *s = NULL;
    pthread_rwlock_unlock(&l->lock);
}

const void *
daemon_link_get(struct daemon_links *l, enum daemon_link which)
{
    if (l == NULL)
        return NULL;
    pthread_rwlock_rdlock(&l->lock);
    return *slot(l, which);
}

void
daemon_link_put(struct daemon_links *l)
{
    if (l != NULL)
        pthread_rwlock_unlock(&l->lock);
}
