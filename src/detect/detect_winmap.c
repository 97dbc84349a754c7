/* detect_winmap.c -- the values Windows writes in one form and Sigma rules
 * look for in another. An EVTX record keeps what the event source wrote:
 * message-table codes (`%%4417` in a 5145 AccessList), a mandatory-label
 * SID where Sysmon writes an integrity level name, a registry path under
 * \REGISTRY\MACHINE where Sysmon writes HKLM. Rules use either form
 * (SigmaHQ has `AccessList|contains: 'WriteData'` and `'%%4417'`), so
 * each rule value gets the other form as an alternative when the rule is
 * compiled: nothing is rewritten per event, and an event already rendered
 * by another tool (names instead of codes) matches too. The field aliases
 * that bring Security 4688/4657/5156 and WMI 5861 under the Sysmon
 * categories are in detect_logsource.c; this file only maps values. */
#include <string.h>
#include <strings.h>

#include "detect/detect_int.h"

struct wm_code {
    const char *code; /* as the record holds it */
    const char *text; /* as Windows renders it (Event Viewer, WEF) */
};

/* Object-access rights of 4656/4663/5145 AccessList (msobjs.dll). */
static const struct wm_code access_codes[] = {
    {"%%1537", "DELETE"},
    {"%%1538", "READ_CONTROL"},
    {"%%1539", "WRITE_DAC"},
    {"%%1540", "WRITE_OWNER"},
    {"%%1541", "SYNCHRONIZE"},
    {"%%1542", "ACCESS_SYS_SEC"},
    {"%%4416", "ReadData (or ListDirectory)"},
    {"%%4417", "WriteData (or AddFile)"},
    {"%%4418", "AppendData (or AddSubdirectory or CreatePipeInstance)"},
    {"%%4419", "ReadEA"},
    {"%%4420", "WriteEA"},
    {"%%4421", "Execute/Traverse"},
    {"%%4422", "DeleteChild"},
    {"%%4423", "ReadAttributes"},
    {"%%4424", "WriteAttributes"},
    {NULL, NULL},
};

/* Names rules write for a right that Windows renders differently. */
static const struct wm_code access_names[] = {
    {"%%1539", "WriteDAC"},
    {"%%1540", "WriteOwner"},
    {"%%1538", "ReadControl"},
    {NULL, NULL},
};

/* Mandatory-label SIDs of Security 4688 (MandatoryLabel) and the names
 * Sysmon writes in IntegrityLevel. Medium Plus is what UIAccess
 * processes get; Sysmon reports it as Medium. */
static const struct wm_code integrity[] = {
    {"S-1-16-0", "Untrusted"},     {"S-1-16-4096", "Low"},
    {"S-1-16-8192", "Medium"},     {"S-1-16-8448", "Medium"},
    {"S-1-16-12288", "High"},      {"S-1-16-16384", "System"},
    {"S-1-16-20480", "Protected"}, {NULL, NULL},
};

/* Security 5156 Direction for Sysmon's Initiated. */
static const struct wm_code direction[] = {
    {"%%14593", "true"},
    {"%%14592", "false"},
    {NULL, NULL},
};

/* Registry roots: Sysmon's abbreviation, then Security 4657's path. */
static const struct wm_code reg_roots[] = {
    {"\\REGISTRY\\MACHINE\\SOFTWARE\\Classes\\", "HKCR\\"},
    {"\\REGISTRY\\MACHINE\\", "HKLM\\"},
    {"\\REGISTRY\\USER\\", "HKU\\"},
    {NULL, NULL},
};

static int
is_field(const char *f, size_t fl, const char *name)
{
    return fl == strlen(name) && memcmp(f, name, fl) == 0;
}

/* whether needle (n bytes) occurs in hay, ASCII case ignored */
static int
has_ci(const char *hay, const char *needle, size_t n)
{
    size_t hl = strlen(hay);

    for (size_t i = 0; n <= hl && i + n <= hl; i++)
        if (strncasecmp(hay + i, needle, n) == 0)
            return 1;
    return 0;
}

int
detect_winmap_alts(const char *field, size_t fl, const char *val, size_t len,
                   int (*add)(void *arg, const char *s, size_t n), void *arg)
{
    int rc = 0;

    if (is_field(field, fl, "AccessList")) {
        /* a code: its rendering; a name (or part of one, as rules write
         * 'WriteData'): every code whose rendering holds it. Short
         * fragments would pull in unrelated rights. */
        for (const struct wm_code *c = access_codes; c->code && !rc; c++) {
            if (len == strlen(c->code) && strncasecmp(val, c->code, len) == 0)
                rc = add(arg, c->text, strlen(c->text));
            else if (len >= 4 && val[0] != '%' && has_ci(c->text, val, len))
                rc = add(arg, c->code, strlen(c->code));
        }
        for (const struct wm_code *c = access_names; c->code && !rc; c++)
            if (len == strlen(c->text) && strncasecmp(val, c->text, len) == 0)
                rc = add(arg, c->code, strlen(c->code));
        return rc;
    }
    const struct wm_code *tab = is_field(field, fl, "IntegrityLevel")
                                    ? integrity
                                : is_field(field, fl, "Initiated") ? direction
                                                                   : NULL;
    if (tab) {
        for (const struct wm_code *c = tab; c->code && !rc; c++)
            if (len == strlen(c->text) && strncasecmp(val, c->text, len) == 0)
                rc = add(arg, c->code, strlen(c->code));
        return rc;
    }
    if (is_field(field, fl, "TargetObject")) {
        /* HKLM\X becomes \REGISTRY\MACHINE\X (a value written as it
         * starts; contains-values such as '\CurrentVersion\Run' need no
         * other form). HKCU has no fixed form: the user's SID follows
         * \REGISTRY\USER\ in 4657. */
        for (const struct wm_code *c = reg_roots; c->code && !rc; c++) {
            size_t pl = strlen(c->text), cl = strlen(c->code);
            char buf[1024];
            if (len < pl || strncasecmp(val, c->text, pl) != 0 ||
                len - pl + cl >= sizeof(buf))
                continue;
            memcpy(buf, c->code, cl);
            memcpy(buf + cl, val + pl, len - pl);
            rc = add(arg, buf, cl + len - pl);
        }
    }
    return rc;
}
