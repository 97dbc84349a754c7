/* respond_policy.c -- which alerts a policy's `when` takes (rule by id,
 * name or title; level or higher; a tag or a tag below it), and reading
 * the fields an action needs (source.ip, process.pid, user.name) from the
 * alert's event JSON. */
#include <string.h>
#include <strings.h>

#include "respond_int.h"
#include "store/store.h"

static int
level_rank(const char *l)
{
    static const char *const levels[] = {"informational", "low", "medium",
                                         "high", "critical"};

    for (int i = 0; l != NULL && i < 5; i++)
        if (strcasecmp(l, levels[i]) == 0)
            return i;
    return -1;
}

/* Is tag in the JSON array tags, itself or as a parent ("attack.t1110"
 * takes "attack.t1110.001")? */
static int
has_tag(const char *tags, const char *tag)
{
    size_t n = strlen(tag);

    for (const char *p = tags; p != NULL && (p = strchr(p, '"')) != NULL;) {
        const char *end = strchr(p + 1, '"');
        size_t len;

        if (end == NULL)
            return 0;
        len = (size_t)(end - p - 1);
        if (len >= n && strncasecmp(p + 1, tag, n) == 0 &&
            (len == n || p[1 + n] == '.'))
            return 1;
        p = end + 1;
    }
    return 0;
}

int
respond_policy_matches(const struct vigil_respond_policy *p,
                       const struct vigil_alert *a)
{
    if (p->rule[0] != '\0' &&
        !(a->rule_id && strcmp(a->rule_id, p->rule) == 0) &&
        !(a->rule_name && strcmp(a->rule_name, p->rule) == 0) &&
        !(a->title && strcasecmp(a->title, p->rule) == 0))
        return 0;
    if (p->level[0] != '\0' && level_rank(a->level) < level_rank(p->level))
        return 0;
    if (p->tag[0] != '\0' && !has_tag(a->tags_json, p->tag))
        return 0;
    return 1;
}

int
respond_json_field(const char *json, const char *name, char *out, size_t outlen)
{
    size_t n = strlen(name);
    const char *p = json;

    /* A key is "name" followed by ':'; inside a string value the quotes
     * are escaped, so `"name":` cannot appear there. */
    while (p != NULL && (p = strchr(p, '"')) != NULL) {
        const char *v;
        size_t len = 0;

        if (strncmp(p + 1, name, n) != 0 || p[1 + n] != '"' ||
            p[2 + n] != ':') {
            p++;
            continue;
        }
        v = p + 3 + n;
        if (*v == '"') {
            v++;
            while (v[len] && v[len] != '"' && v[len] != '\\')
                len++;
            if (v[len] != '"')
                return 0; /* escaped text is no address, pid or name */
        } else {
            while (v[len] >= '0' && v[len] <= '9')
                len++;
        }
        if (len == 0 || len >= outlen)
            return 0;
        memcpy(out, v, len);
        out[len] = '\0';
        return 1;
    }
    return 0;
}

/* A correlation alert raised when its window ends names no single event:
 * what it is about is in its group. Only a group of that one field
 * ("user.name=alice") is trusted: with several fields, a value the
 * attacker chose (a user name "x,process.pid=1") could spell another. */
static int
group_field(const char *group, const char *name, char *out, size_t len)
{
    size_t nl = strlen(name), vl;

    if (strchr(group, ',') != NULL || strncmp(group, name, nl) != 0 ||
        group[nl] != '=')
        return 0;
    vl = strlen(group + nl + 1);
    if (vl == 0 || vl >= len)
        return 0;
    memcpy(out, group + nl + 1, vl + 1);
    return 1;
}

/* The value of field name for alert a: from its event, else from what
 * matched, else from its correlation group. */
int
respond_alert_field(const struct vigil_alert *a, const char *name, char *out,
                    size_t len)
{
    char group[512];

    if (a->event_json != NULL &&
        respond_json_field(a->event_json, name, out, len))
        return 1;
    if (a->matched_json == NULL)
        return 0;
    if (respond_json_field(a->matched_json, name, out, len))
        return 1;
    return respond_json_field(a->matched_json, "correlation.group", group,
                              sizeof(group)) &&
           group_field(group, name, out, len);
}

/* The address an alert is about: its event's source.ip, else the group of
 * a correlation grouped by source.ip alone. */
int
respond_alert_address(const struct vigil_alert *a, char *out, size_t outlen)
{
    static const char key[] = "source.ip=";
    uint8_t ip[16];
    char group[128];

    if (a->event_json != NULL &&
        respond_json_field(a->event_json, "source.ip", out, outlen) &&
        vigil_ip_parse(out, strlen(out), ip))
        return 1;
    /* "source.ip=203.0.113.5"; with more group-by keys the values of the
     * others (a user name) could spell "source.ip=" too, so only the
     * group of that one key names the address */
    if (a->matched_json == NULL ||
        !respond_json_field(a->matched_json, "correlation.group", group,
                            sizeof(group)) ||
        strncmp(group, key, sizeof(key) - 1) != 0 ||
        !vigil_ip_parse(group + sizeof(key) - 1,
                        strlen(group + sizeof(key) - 1), ip) ||
        strlen(group + sizeof(key) - 1) >= outlen) {
        if (outlen > 0)
            out[0] = '\0';
        return 0;
    }
    memmove(out, group + sizeof(key) - 1, strlen(group + sizeof(key) - 1) + 1);
    return 1;
}
