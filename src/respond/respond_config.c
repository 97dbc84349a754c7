/* respond_config.c -- the `response:` section: management networks,
 * allow-list, policies (which alerts trigger which actions), commands,
 * and where notifications and forwarded alerts go. Everything lands in
 * one plain struct (no pointers), so the privileged helper keeps a copy
 * that a compromised daemon cannot change. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "respond_int.h"

#define MS_DAY  (86400LL * 1000)
#define MS_YEAR (365LL * MS_DAY)

#define CFG(f) offsetof(struct vigil_respond_config, f)
#define SZ(f)  sizeof(((struct vigil_respond_config *)0)->f)

/* "192.0.2.0/24", "2001:db8::/32" or one address. */
static int
parse_net(const char *text, struct vigil_respond_net *n)
{
    const char *slash = strchr(text, '/');
    size_t alen = slash ? (size_t)(slash - text) : strlen(text);
    int64_t prefix;
    int v4;

    if (strlen(text) >= sizeof(n->text) || !vigil_ip_parse(text, alen, n->addr))
        return 0;
    v4 = strchr(text, ':') == NULL;
    prefix = v4 ? 32 : 128;
    if (slash != NULL &&
        (!vigil_parse_i64(slash + 1, strlen(slash + 1), &prefix) ||
         prefix < 0 || prefix > (v4 ? 32 : 128)))
        return 0;
    n->prefix = (unsigned)prefix;
    snprintf(n->text, sizeof(n->text), "%s", text);
    return 1;
}

static enum vigil_rc
parse_nets(const struct vigil_conf *c, const struct vigil_conf_node *v,
           struct vigil_respond_net *nets, size_t *n, const char *name,
           struct vigil_err *err)
{
    if (v->kind != VIGIL_CONF_SEQ)
        return vigil_conf_fail(
            c, v, err, "'response.%s' must be a list of networks", name);
    *n = 0;
    for (const struct vigil_conf_node *e = v->first; e; e = e->next) {
        if (*n >= VIGIL_RESPOND_MAX_NETS)
            return vigil_conf_fail(c, e, err, "more than %d networks in '%s'",
                                   VIGIL_RESPOND_MAX_NETS, name);
        if (e->kind != VIGIL_CONF_SCALAR || !parse_net(e->value, &nets[*n]))
            return vigil_conf_fail(c, e, err,
                                   "'response.%s': '%s' is not an address or "
                                   "network (192.0.2.0/24, 2001:db8::/32)",
                                   name, e->value ? e->value : "");
        (*n)++;
    }
    return VIGIL_OK;
}

static enum vigil_rc
parse_management(const struct vigil_conf *c, const struct vigil_conf_node *v,
                 void *obj, struct vigil_err *err)
{
    struct vigil_respond_config *cfg = obj;

    return parse_nets(c, v, cfg->management, &cfg->nmanagement, "management",
                      err);
}

static enum vigil_rc
parse_allow(const struct vigil_conf *c, const struct vigil_conf_node *v,
            void *obj, struct vigil_err *err)
{
    struct vigil_respond_config *cfg = obj;

    return parse_nets(c, v, cfg->allow, &cfg->nallow, "allow", err);
}

/* ---- policies ---- */

static const struct {
    const char *name;
    enum vigil_respond_do what;
} do_names[] = {
    {"block_source", VIGIL_DO_BLOCK_SOURCE}, {"isolate", VIGIL_DO_ISOLATE},
    {"stop_process", VIGIL_DO_STOP_PROCESS}, {"lock_user", VIGIL_DO_LOCK_USER},
    {"notify_duty", VIGIL_DO_NOTIFY_DUTY},   {"forward", VIGIL_DO_FORWARD},
};

static const char *const levels[] = {"informational", "low", "medium", "high",
                                     "critical"};

static enum vigil_rc
parse_when(const struct vigil_conf *c, const struct vigil_conf_node *v,
           struct vigil_respond_policy *p, struct vigil_err *err)
{
    if (v->kind != VIGIL_CONF_MAP || v->n == 0)
        return vigil_conf_fail(c, v, err,
                               "'when' must be a mapping of rule, level and "
                               "tag");
    for (const struct vigil_conf_node *e = v->first; e; e = e->next) {
        char *dst;
        size_t len;

        if (strcmp(e->key, "rule") == 0)
            dst = p->rule, len = sizeof(p->rule);
        else if (strcmp(e->key, "level") == 0)
            dst = p->level, len = sizeof(p->level);
        else if (strcmp(e->key, "tag") == 0)
            dst = p->tag, len = sizeof(p->tag);
        else
            return vigil_conf_fail(c, e, err,
                                   "unknown key 'when.%s' (known: rule, "
                                   "level, tag)",
                                   e->key);
        if (e->kind != VIGIL_CONF_SCALAR || e->value[0] == '\0' ||
            strlen(e->value) >= len)
            return vigil_conf_fail(c, e, err,
                                   "'when.%s' must be a non-empty string of "
                                   "at most %zu characters",
                                   e->key, len - 1);
        snprintf(dst, len, "%s", e->value);
    }
    if (p->level[0] != '\0') {
        int ok = 0;
        for (size_t i = 0; i < 5; i++)
            ok |= strcasecmp(p->level, levels[i]) == 0;
        if (!ok)
            return vigil_conf_fail(c, vigil_conf_get(v, "level"), err,
                                   "'when.level' must be one of "
                                   "informational, low, medium, high, "
                                   "critical");
    }
    return VIGIL_OK;
}

static enum vigil_rc
parse_do(const struct vigil_conf *c, const struct vigil_conf_node *v,
         struct vigil_respond_policy *p, struct vigil_err *err)
{
    if (v->kind != VIGIL_CONF_SEQ || v->n == 0)
        return vigil_conf_fail(c, v, err, "'do' must be a list of actions");
    for (const struct vigil_conf_node *e = v->first; e; e = e->next) {
        int found = 0;

        if (p->ndo >= VIGIL_RESPOND_MAX_DO)
            return vigil_conf_fail(c, e, err, "more than %d actions",
                                   VIGIL_RESPOND_MAX_DO);
        if (e->kind != VIGIL_CONF_SCALAR)
            return vigil_conf_fail(c, e, err, "an action is a word");
        for (size_t i = 0; i < sizeof(do_names) / sizeof(do_names[0]); i++)
            if (strcmp(e->value, do_names[i].name) == 0) {
                p->what[p->ndo++] = do_names[i].what;
                found = 1;
            }
        if (!found && strncmp(e->value, "run:", 4) == 0 && e->value[4] &&
            strlen(e->value + 4) < sizeof(p->run[0])) {
            snprintf(p->run[p->ndo], sizeof(p->run[0]), "%s", e->value + 4);
            p->what[p->ndo++] = VIGIL_DO_RUN;
            found = 1;
        }
        if (!found)
            return vigil_conf_fail(c, e, err,
                                   "unknown action '%s' (known: block_source, "
                                   "isolate, stop_process, lock_user, "
                                   "notify_duty, forward, run:NAME)",
                                   e->value);
    }
    return VIGIL_OK;
}

static enum vigil_rc
parse_policies(const struct vigil_conf *c, const struct vigil_conf_node *v,
               void *obj, struct vigil_err *err)
{
    struct vigil_respond_config *cfg = obj;
    enum vigil_rc rc;

    if (v->kind != VIGIL_CONF_SEQ)
        return vigil_conf_fail(c, v, err, "'response.policies' must be a list");
    cfg->npolicies = 0;
    for (const struct vigil_conf_node *n = v->first; n; n = n->next) {
        struct vigil_respond_policy *p;
        const struct vigil_conf_node *when, *todo;

        if (cfg->npolicies >= VIGIL_RESPOND_MAX_POLICIES)
            return vigil_conf_fail(c, n, err, "more than %d policies",
                                   VIGIL_RESPOND_MAX_POLICIES);
        if (n->kind != VIGIL_CONF_MAP)
            return vigil_conf_fail(c, n, err,
                                   "a policy is a mapping with when, do and "
                                   "for");
        p = &cfg->policies[cfg->npolicies++];
        memset(p, 0, sizeof(*p));
        p->line = n->line;
        for (const struct vigil_conf_node *e = n->first; e; e = e->next)
            if (strcmp(e->key, "when") != 0 && strcmp(e->key, "do") != 0 &&
                strcmp(e->key, "for") != 0)
                return vigil_conf_fail(c, e, err,
                                       "unknown key '%s' in a policy (known: "
                                       "when, do, for)",
                                       e->key);
        when = vigil_conf_get(n, "when");
        todo = vigil_conf_get(n, "do");
        if (when == NULL || todo == NULL)
            return vigil_conf_fail(c, n, err, "a policy needs 'when' and 'do'");
        if ((rc = parse_when(c, when, p, err)) != VIGIL_OK ||
            (rc = parse_do(c, todo, p, err)) != VIGIL_OK)
            return rc;
        if (vigil_conf_get(n, "for") != NULL) {
            const struct vigil_conf_node *f = vigil_conf_get(n, "for");
            if (f->kind != VIGIL_CONF_SCALAR ||
                !vigil_respond_parse_for(f->value, &p->for_s))
                return vigil_conf_fail(c, f, err,
                                       "'for' must be a duration like 1h, "
                                       "30m or 24h");
        }
    }
    return VIGIL_OK;
}

/* commands: {NAME: [ARGV...]} */
static enum vigil_rc
parse_commands(const struct vigil_conf *c, const struct vigil_conf_node *v,
               void *obj, struct vigil_err *err)
{
    struct vigil_respond_config *cfg = obj;

    if (v->kind != VIGIL_CONF_MAP)
        return vigil_conf_fail(c, v, err,
                               "'response.commands' must map names to "
                               "argument lists");
    cfg->ncommands = 0;
    for (const struct vigil_conf_node *e = v->first; e; e = e->next) {
        struct vigil_respond_command *cmd;

        if (cfg->ncommands >= VIGIL_RESPOND_MAX_COMMANDS)
            return vigil_conf_fail(c, e, err, "more than %d commands",
                                   VIGIL_RESPOND_MAX_COMMANDS);
        cmd = &cfg->commands[cfg->ncommands++];
        memset(cmd, 0, sizeof(*cmd));
        if (strlen(e->key) >= sizeof(cmd->name) || e->kind != VIGIL_CONF_SEQ ||
            e->n == 0)
            return vigil_conf_fail(c, e, err,
                                   "command '%s' must be a list: the program "
                                   "and its arguments",
                                   e->key);
        snprintf(cmd->name, sizeof(cmd->name), "%s", e->key);
        for (const struct vigil_conf_node *a = e->first; a; a = a->next) {
            if (cmd->argc >= VIGIL_RESPOND_MAX_ARGS)
                return vigil_conf_fail(c, a, err, "more than %d arguments",
                                       VIGIL_RESPOND_MAX_ARGS);
            if (a->kind != VIGIL_CONF_SCALAR ||
                strlen(a->value) >= sizeof(cmd->argv[0]))
                return vigil_conf_fail(c, a, err,
                                       "an argument is a string of at most "
                                       "%zu characters",
                                       sizeof(cmd->argv[0]) - 1);
            snprintf(cmd->argv[cmd->argc++], sizeof(cmd->argv[0]), "%s",
                     a->value);
        }
        if (cmd->argv[0][0] != '/')
            return vigil_conf_fail(c, e->first, err,
                                   "command '%s': the program must be an "
                                   "absolute path (no shell, no PATH search)",
                                   e->key);
    }
    return VIGIL_OK;
}

/* notify.duty.email: one address or a list */
static enum vigil_rc
parse_emails(const struct vigil_conf *c, const struct vigil_conf_node *v,
             void *obj, struct vigil_err *err)
{
    struct vigil_respond_config *cfg = obj;
    const struct vigil_conf_node *one = v->kind == VIGIL_CONF_SCALAR ? v : NULL;

    if (v->kind != VIGIL_CONF_SEQ && one == NULL)
        return vigil_conf_fail(c, v, err,
                               "'notify.duty.email' must be an address or a "
                               "list of addresses");
    cfg->nduty_email = 0;
    for (const struct vigil_conf_node *e = one ? one : v->first; e;
         e = one ? NULL : e->next) {
        const char *s = e->value;
        if (cfg->nduty_email >= VIGIL_RESPOND_MAX_EMAILS)
            return vigil_conf_fail(c, e, err, "more than %d addresses",
                                   VIGIL_RESPOND_MAX_EMAILS);
        /* One address: no brackets, separators or line breaks that could
         * add recipients or headers. */
        if (e->kind != VIGIL_CONF_SCALAR || strchr(s, '@') == NULL ||
            strlen(s) >= sizeof(cfg->duty_email[0]) ||
            strpbrk(s, "<>,;\"\r\n\t ") != NULL)
            return vigil_conf_fail(c, e, err, "'%s' is not an e-mail address",
                                   s ? s : "");
        snprintf(cfg->duty_email[cfg->nduty_email++],
                 sizeof(cfg->duty_email[0]), "%s", s);
    }
    return VIGIL_OK;
}

static enum vigil_rc
parse_tls(const struct vigil_conf *c, const struct vigil_conf_node *v,
          void *obj, struct vigil_err *err)
{
    struct vigil_respond_config *cfg = obj;

    if (v->kind == VIGIL_CONF_SCALAR && strcmp(v->value, "starttls") == 0)
        cfg->smtp_tls = VIGIL_SMTP_STARTTLS;
    else if (v->kind == VIGIL_CONF_SCALAR && strcmp(v->value, "tls") == 0)
        cfg->smtp_tls = VIGIL_SMTP_TLS;
    else if (v->kind == VIGIL_CONF_SCALAR && strcmp(v->value, "none") == 0)
        cfg->smtp_tls = VIGIL_SMTP_NONE;
    else
        return vigil_conf_fail(c, v, err,
                               "'notify.smtp.tls' must be starttls, tls or "
                               "none");
    return VIGIL_OK;
}

static enum vigil_rc
parse_format(const struct vigil_conf *c, const struct vigil_conf_node *v,
             void *obj, struct vigil_err *err)
{
    struct vigil_respond_config *cfg = obj;

    if (v->kind != VIGIL_CONF_SCALAR ||
        (strcmp(v->value, "rfc5424") != 0 && strcmp(v->value, "cef") != 0))
        return vigil_conf_fail(c, v, err,
                               "'forward.format' must be rfc5424 or cef");
    snprintf(cfg->forward_format, sizeof(cfg->forward_format), "%s", v->value);
    return VIGIL_OK;
}

#define STR_KEY(n, f)                                                          \
    {                                                                          \
        .name = n, .type = VIGIL_CT_STR, .offset = CFG(f), .size = SZ(f)       \
    }

static const struct vigil_conf_key duty_keys[] = {
    {.name = "email", .type = VIGIL_CT_CUSTOM, .parse = parse_emails},
    STR_KEY("webhook", duty_webhook),
};
static const struct vigil_conf_table duty_table = {
    "response.notify.duty.", duty_keys,
    sizeof(duty_keys) / sizeof(duty_keys[0])};

static const struct vigil_conf_key smtp_keys[] = {
    STR_KEY("url", smtp_url),
    STR_KEY("from", smtp_from),
    STR_KEY("user", smtp_user),
    STR_KEY("password", smtp_password),
    {.name = "tls", .type = VIGIL_CT_CUSTOM, .parse = parse_tls},
};
static const struct vigil_conf_table smtp_table = {
    "response.notify.smtp.", smtp_keys,
    sizeof(smtp_keys) / sizeof(smtp_keys[0])};

static const struct vigil_conf_key notify_keys[] = {
    {.name = "duty", .type = VIGIL_CT_SECTION, .sub = &duty_table},
    {.name = "smtp", .type = VIGIL_CT_SECTION, .sub = &smtp_table},
    STR_KEY("webhook_secret", webhook_secret),
    {.name = "timeout",
     .type = VIGIL_CT_MS,
     .offset = CFG(notify_timeout_ms),
     .min = 100,
     .max = 10 * 60 * 1000,
     .def = 10000},
};
static const struct vigil_conf_table notify_table = {
    "response.notify.", notify_keys,
    sizeof(notify_keys) / sizeof(notify_keys[0])};

static const struct vigil_conf_key forward_keys[] = {
    STR_KEY("to", forward_to),
    {.name = "format", .type = VIGIL_CT_CUSTOM, .parse = parse_format},
};
static const struct vigil_conf_table forward_table = {
    "response.forward.", forward_keys,
    sizeof(forward_keys) / sizeof(forward_keys[0])};

static const struct vigil_conf_key response_keys[] = {
    {.name = "management", .type = VIGIL_CT_CUSTOM, .parse = parse_management},
    {.name = "allow", .type = VIGIL_CT_CUSTOM, .parse = parse_allow},
    {.name = "policies", .type = VIGIL_CT_CUSTOM, .parse = parse_policies},
    {.name = "commands", .type = VIGIL_CT_CUSTOM, .parse = parse_commands},
    {.name = "command_timeout",
     .type = VIGIL_CT_MS,
     .offset = CFG(command_timeout_ms),
     .min = 100,
     .max = MS_DAY,
     .def = 30000},
    {.name = "block_for",
     .type = VIGIL_CT_SECONDS,
     .offset = CFG(block_for_s),
     .min = 0,
     .max = MS_YEAR,
     .def = 3600},
    {.name = "dry_run",
     .type = VIGIL_CT_BOOL,
     .offset = CFG(dry_run),
     .def = 0},
    STR_KEY("nft", nft),
    {.name = "notify", .type = VIGIL_CT_SECTION, .sub = &notify_table},
    {.name = "forward", .type = VIGIL_CT_SECTION, .sub = &forward_table},
};
static const struct vigil_conf_table response_table = {
    "response.", response_keys,
    sizeof(response_keys) / sizeof(response_keys[0])};

static const struct vigil_conf_key top_keys[] = {
    {.name = "response", .type = VIGIL_CT_SECTION, .sub = &response_table},
};
const struct vigil_conf_table vigil_respond_conf = {
    "", top_keys, sizeof(top_keys) / sizeof(top_keys[0])};

int
vigil_respond_parse_for(const char *s, int64_t *seconds)
{
    int64_t ms;

    if (s == NULL || !vigil_parse_duration_ms(s, &ms) || ms < 1000 ||
        ms > MS_YEAR * 10)
        return 0;
    *seconds = ms / 1000;
    return 1;
}

/* Is the host of a URL ("scheme://host:port/...") a loopback address or
 * localhost? */
static int
url_host_loopback(const char *url)
{
    const char *h = strstr(url, "://");
    char host[256];
    size_t n = 0;
    uint8_t ip[16];

    if (h == NULL)
        return 0;
    h += 3;
    if (*h == '[') { /* [::1]:25 */
        h++;
        while (h[n] && h[n] != ']' && n < sizeof(host) - 1)
            n++;
    } else {
        while (h[n] && h[n] != ':' && h[n] != '/' && n < sizeof(host) - 1)
            n++;
    }
    memcpy(host, h, n);
    host[n] = '\0';
    if (strcmp(host, "localhost") == 0)
        return 1;
    if (!vigil_ip_parse(host, n, ip))
        return 0;
    static const uint8_t lo6[16] = {[15] = 1};
    static const uint8_t lo4[16] = {[10] = 0xff, [11] = 0xff, [12] = 127};
    return memcmp(ip, lo6, 16) == 0 || vigil_ip_in_cidr(ip, lo4, 8);
}

enum vigil_rc
vigil_respond_config_check(struct vigil_respond_config *cfg,
                           struct vigil_err *err)
{
    for (size_t i = 0; i < cfg->npolicies; i++) {
        struct vigil_respond_policy *p = &cfg->policies[i];
        for (size_t k = 0; k < p->ndo; k++) {
            size_t j;
            if (p->what[k] == VIGIL_DO_NOTIFY_DUTY && cfg->nduty_email == 0 &&
                cfg->duty_webhook[0] == '\0')
                return vigil_err_set(err, VIGIL_EPARSE,
                                     "response.policies (line %u): "
                                     "notify_duty needs notify.duty.email "
                                     "or .webhook",
                                     p->line);
            if (p->what[k] == VIGIL_DO_FORWARD && cfg->forward_to[0] == '\0')
                return vigil_err_set(err, VIGIL_EPARSE,
                                     "response.policies (line %u): forward "
                                     "needs response.forward.to",
                                     p->line);
            if (p->what[k] != VIGIL_DO_RUN)
                continue;
            for (j = 0; j < cfg->ncommands; j++)
                if (strcmp(cfg->commands[j].name, p->run[k]) == 0)
                    break;
            if (j == cfg->ncommands)
                return vigil_err_set(err, VIGIL_EPARSE,
                                     "response.policies (line %u): run:%s "
                                     "names no command of response.commands",
                                     p->line, p->run[k]);
            p->command[k] = (int)j;
        }
    }
    if (cfg->nduty_email > 0 &&
        (cfg->smtp_url[0] == '\0' || cfg->smtp_from[0] == '\0'))
        return vigil_err_set(err, VIGIL_EPARSE,
                             "response.notify.duty.email needs "
                             "response.notify.smtp.url and .from");
    if (cfg->smtp_url[0] != '\0' && strncmp(cfg->smtp_url, "smtp://", 7) != 0 &&
        strncmp(cfg->smtp_url, "smtps://", 8) != 0)
        return vigil_err_set(err, VIGIL_EPARSE,
                             "response.notify.smtp.url must start with "
                             "smtp:// or smtps://");
    if (cfg->smtp_url[0] != '\0' && cfg->smtp_tls == VIGIL_SMTP_NONE &&
        !url_host_loopback(cfg->smtp_url))
        return vigil_err_set(err, VIGIL_EPARSE,
                             "response.notify.smtp.tls: none sends mail "
                             "in clear and is allowed to a loopback "
                             "address only (a local relay or test sink)");
    if (cfg->duty_webhook[0] != '\0' &&
        strncmp(cfg->duty_webhook, "https://", 8) != 0 &&
        strncmp(cfg->duty_webhook, "http://", 7) != 0)
        return vigil_err_set(err, VIGIL_EPARSE,
                             "response.notify.duty.webhook must be an "
                             "http:// or https:// URL");
    if (cfg->forward_to[0] != '\0' &&
        strncmp(cfg->forward_to, "udp://", 6) != 0 &&
        strncmp(cfg->forward_to, "tcp://", 6) != 0)
        return vigil_err_set(err, VIGIL_EPARSE,
                             "response.forward.to must be udp://HOST:PORT "
                             "or tcp://HOST:PORT");
    if (cfg->forward_format[0] == '\0')
        snprintf(cfg->forward_format, sizeof(cfg->forward_format), "rfc5424");
    return VIGIL_OK;
}
