/* detect_logsource.c -- how a Sigma logsource (product/category/service)
 * becomes a predicate on events: the Windows event channel (and, for the
 * Sysmon-backed categories, the event IDs) the events must carry, plus
 * field aliases for sources that name the same thing differently (Security
 * 4688 calls the process image NewProcessName). The table is the
 * documentation: docs/rules.md is generated from the same choices. */
#include <string.h>
#include <strings.h>

#include "detect/detect_int.h"

#define SYSMON  "Microsoft-Windows-Sysmon/Operational"
#define LSYSMON "Linux-Sysmon/Operational"
#define PSOP    "Microsoft-Windows-PowerShell/Operational"
#define PSCORE  "PowerShellCore/Operational"
#define DEFEND  "Microsoft-Windows-Windows Defender/Operational"
#define WMIACT  "Microsoft-Windows-WMI-Activity/Operational"

static const struct det_alias proc_aliases[] = {
    {"Image", "NewProcessName"},
    {"ParentImage", "ParentProcessName"},
    {"ProcessId", "NewProcessId"},
    {"User", "SubjectUserName"},
    /* the SID; detect_winmap.c gives rules' level names their SIDs */
    {"IntegrityLevel", "MandatoryLabel"},
    {NULL, NULL},
};

/* Security 5156 (Filtering Platform connection) under Sysmon 3's names;
 * Initiated's true/false become 5156's Direction codes (detect_winmap). */
static const struct det_alias net_aliases[] = {
    {"Image", "Application"},         {"SourceIp", "SourceAddress"},
    {"DestinationIp", "DestAddress"}, {"DestinationPort", "DestPort"},
    {"Initiated", "Direction"},       {NULL, NULL},
};

/* Security 4657 (registry value modified) under Sysmon 12-14's names.
 * 4657 keeps the key (ObjectName, \REGISTRY\MACHINE\...) apart from the
 * value name, so a rule ending in a value name does not match it; rules
 * naming the key or a part of its path do (HKLM\ is mapped). */
static const struct det_alias reg_aliases[] = {
    {"TargetObject", "ObjectName"},
    {"Details", "NewValue"},
    {"Image", "ProcessName"},
    {NULL, NULL},
};

/* WMI-Activity 5861 (permanent event consumer bound) under Sysmon
 * 19-21's names: PossibleCause holds the whole binding, the consumer's
 * command line or script included. */
static const struct det_alias wmi_aliases[] = {
    {"Destination", "PossibleCause"},
    {"Consumer", "CONSUMER"},
    {"EventNamespace", "Namespace"},
    {NULL, NULL},
};

/* Microsoft Defender's detection events under the names of SigmaHQ's
 * antivirus rules (the names of its pipelines for Defender): the
 * signature is the threat name, the file its path. Event fields with
 * spaces ("Threat Name") are seen without them (detect_match.c). */
static const struct det_alias av_aliases[] = {
    {"Signature", "ThreatName"},
    {"Filename", "Path"},
    {NULL, NULL},
};

#define E(...)                                                                 \
    {                                                                          \
        __VA_ARGS__                                                            \
    }
#define N(...) (uint16_t)(sizeof((uint16_t[]){__VA_ARGS__}) / sizeof(uint16_t))
#define CAT(cat, ...)                                                          \
    {                                                                          \
        "windows", cat, NULL, 1,                                               \
            {{SYSMON, NULL, N(__VA_ARGS__), E(__VA_ARGS__)}}, NULL             \
    }
/* a Sysmon registry category, and Security 4657 for set/add/delete */
#define REG(cat, n, ...)                                                       \
    {                                                                          \
        "windows", cat, NULL, 2,                                               \
            {{SYSMON, NULL, n, {__VA_ARGS__}}, {"Security", NULL, 1, {4657}}}, \
            reg_aliases                                                        \
    }
#define SVC(svc, chan)                                                         \
    {                                                                          \
        "windows", NULL, svc, 1, {{chan, NULL, 0, {0}}}, NULL                  \
    }

static const struct det_lsmap table[] = {
    {"windows",
     "process_creation",
     NULL,
     2,
     {{SYSMON, NULL, 1, {1}}, {"Security", NULL, 1, {4688}}},
     proc_aliases},
    CAT("process_termination", 5),
    CAT("file_change", 2),
    {"windows",
     "network_connection",
     NULL,
     2,
     {{SYSMON, NULL, 1, {3}}, {"Security", NULL, 1, {5156}}},
     net_aliases},
    CAT("sysmon_status", 4, 16),
    CAT("driver_load", 6),
    CAT("image_load", 7),
    CAT("create_remote_thread", 8),
    CAT("raw_access_thread", 9),
    CAT("process_access", 10),
    CAT("file_event", 11),
    REG("registry_add", 1, 12),
    REG("registry_delete", 1, 12),
    REG("registry_set", 1, 13),
    REG("registry_rename", 1, 14),
    REG("registry_event", 3, 12, 13, 14),
    CAT("create_stream_hash", 15),
    CAT("pipe_created", 17, 18),
    {"windows",
     "wmi_event",
     NULL,
     2,
     {{SYSMON, NULL, 3, {19, 20, 21}}, {WMIACT, NULL, 1, {5861}}},
     wmi_aliases},
    {"windows",
     "antivirus",
     NULL,
     2,
     {{DEFEND, NULL, 8, {1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013}},
      {DEFEND, NULL, 8, {1014, 1015, 1016, 1017, 1018, 1019, 1115, 1116}}},
     av_aliases},
    CAT("dns_query", 22),
    CAT("file_delete", 23, 26),
    CAT("clipboard_capture", 24),
    CAT("process_tampering", 25),
    CAT("file_delete_detected", 26),
    CAT("file_block_executable", 27),
    CAT("file_block_shredding", 28),
    CAT("file_executable_detected", 29),
    CAT("sysmon_error", 255),
    {"windows",
     "ps_script",
     NULL,
     2,
     {{PSOP, NULL, 1, {4104}}, {PSCORE, NULL, 1, {4104}}},
     NULL},
    {"windows",
     "ps_module",
     NULL,
     2,
     {{PSOP, NULL, 1, {4103}}, {PSCORE, NULL, 1, {4103}}},
     NULL},
    {"windows",
     "ps_classic_start",
     NULL,
     1,
     {{"Windows PowerShell", NULL, 1, {400}}},
     NULL},
    {"windows",
     "ps_classic_provider_start",
     NULL,
     1,
     {{"Windows PowerShell", NULL, 1, {600}}},
     NULL},
    {"windows",
     "ps_classic_script",
     NULL,
     1,
     {{"Windows PowerShell", NULL, 1, {800}}},
     NULL},
    SVC("security", "Security"),
    SVC("system", "System"),
    SVC("application", "Application"),
    SVC("sysmon", SYSMON),
    SVC("powershell", PSOP),
    SVC("powershell-classic", "Windows PowerShell"),
    SVC("windefend", DEFEND),
    SVC("taskscheduler", "Microsoft-Windows-TaskScheduler/Operational"),
    SVC("wmi", WMIACT),
    SVC("dns-server", "DNS Server"),
    SVC("dns-server-analytic", "Microsoft-Windows-DNS-Server/Analytical"),
    SVC("bits-client", "Microsoft-Windows-Bits-Client/Operational"),
    SVC("codeintegrity-operational",
        "Microsoft-Windows-CodeIntegrity/Operational"),
    SVC("firewall-as", "Microsoft-Windows-Windows Firewall With Advanced "
                       "Security/Firewall"),
    SVC("msexchange-management", "MSExchange Management"),
    SVC("appxdeployment-server",
        "Microsoft-Windows-AppXDeploymentServer/Operational"),
    SVC("appxpackaging-om", "Microsoft-Windows-AppxPackaging/Operational"),
    SVC("appmodel-runtime", "Microsoft-Windows-AppModel-Runtime/Admin"),
    SVC("dns-client", "Microsoft-Windows-DNS Client Events/Operational"),
    SVC("ntlm", "Microsoft-Windows-NTLM/Operational"),
    SVC("iis-configuration", "Microsoft-IIS-Configuration/Operational"),
    SVC("printservice-admin", "Microsoft-Windows-PrintService/Admin"),
    SVC("printservice-operational",
        "Microsoft-Windows-PrintService/Operational"),
    SVC("smbclient-security", "Microsoft-Windows-SmbClient/Security"),
    SVC("smbclient-connectivity", "Microsoft-Windows-SmbClient/Connectivity"),
    SVC("smbserver-connectivity", "Microsoft-Windows-SMBServer/Connectivity"),
    SVC("terminalservices-localsessionmanager",
        "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational"),
    SVC("shell-core", "Microsoft-Windows-Shell-Core/Operational"),
    SVC("driver-framework",
        "Microsoft-Windows-DriverFrameworks-UserMode/Operational"),
    SVC("ldap", "Microsoft-Windows-LDAP-Client/Debug"),
    SVC("openssh", "OpenSSH/Operational"),
    SVC("capi2", "Microsoft-Windows-CAPI2/Operational"),
    SVC("lsa-server", "Microsoft-Windows-LSA/Operational"),
    SVC("diagnosis-scripted", "Microsoft-Windows-Diagnosis-Scripted/"
                              "Operational"),
    SVC("certificateservicesclient-lifecycle-system",
        "Microsoft-Windows-CertificateServicesClient-Lifecycle-System/"
        "Operational"),
    SVC("microsoft-servicebus-client", "Microsoft-ServiceBus-Client"),
    SVC("vhdmp", "Microsoft-Windows-VHDMP/Operational"),
    {"windows",
     NULL,
     "security-mitigations",
     2,
     {{"Microsoft-Windows-Security-Mitigations/Kernel Mode", NULL, 0, {0}},
      {"Microsoft-Windows-Security-Mitigations/User Mode", NULL, 0, {0}}},
     NULL},
    {"windows",
     NULL,
     "applocker",
     4,
     {{"Microsoft-Windows-AppLocker/MSI and Script", NULL, 0, {0}},
      {"Microsoft-Windows-AppLocker/EXE and DLL", NULL, 0, {0}},
      {"Microsoft-Windows-AppLocker/Packaged app-Deployment", NULL, 0, {0}},
      {"Microsoft-Windows-AppLocker/Packaged app-Execution", NULL, 0, {0}}},
     NULL},
    {"linux", "process_creation", NULL, 1, {{LSYSMON, NULL, 1, {1}}}, NULL},
    {"linux", "network_connection", NULL, 1, {{LSYSMON, NULL, 1, {3}}}, NULL},
    {"linux", "file_event", NULL, 1, {{LSYSMON, NULL, 1, {11}}}, NULL},
    /* vigil's file monitor (src/fim) writes Sysmon for Linux's ids: 2 a
     * file's content changed, 23 deleted, 11 created or renamed to */
    {"linux", "file_change", NULL, 1, {{LSYSMON, NULL, 1, {2}}}, NULL},
    {"linux", "file_delete", NULL, 1, {{LSYSMON, NULL, 1, {23}}}, NULL},
    {"linux", "file_rename", NULL, 1, {{LSYSMON, NULL, 1, {11}}}, NULL},
};

static int
eq(const char *a, const char *b)
{
    if (!a || !b)
        return !a && !b;
    return strcasecmp(a, b) == 0;
}

const struct det_lsmap *
detect_logsource_find(const char *product, const char *category,
                      const char *service)
{
    if (!product)
        return NULL;
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        const struct det_lsmap *m = &table[i];
        if (!eq(m->product, product))
            continue;
        if (m->category && eq(m->category, category))
            return m;
        if (m->service && !category && eq(m->service, service))
            return m;
    }
    return NULL;
}

size_t
detect_logsource_index(const struct det_lsmap *m)
{
    return (size_t)(m - table);
}

size_t
detect_logsource_count(void)
{
    return sizeof(table) / sizeof(table[0]);
}

_Static_assert(sizeof(table) / sizeof(table[0]) <= DET_MAX_LOGSOURCES,
               "logsource table larger than the per-event cache");

/* Fields only a product's own records carry (any one of a row's names,
 * all of them when `all`). A Zeek log line (JSON) has a connection uid
 * and the originator's address; CloudTrail an event source and region;
 * and so on. Rules of these products are written for those records: a
 * `not selection` of a Zeek rule holds for any line that is not the
 * Zeek record it excludes, a README's included. */
struct det_print {
    const char *product;
    uint8_t all;
    const char *fields[4];
};

static const struct det_print prints[] = {
    {"zeek", 1, {"uid", "id.orig_h"}},
    {"zeek", 0, {"_path"}},
    {"aws", 1, {"eventSource", "awsRegion"}},
    {"azure", 0, {"operationName", "properties.operationName", "resourceId"}},
    {"gcp", 0, {"protoPayload.methodName", "protoPayload.serviceName"}},
    {"okta", 1, {"eventType", "actor.alternateId"}},
    {"m365", 0, {"Workload"}},
    {"github", 1, {"action", "actor"}},
    {"bitbucket", 1, {"auditType.action"}},
    {"onelogin", 1, {"event_type_id"}},
    {"google_workspace", 0, {"id.applicationName"}},
    {"kubernetes", 1, {"objectRef.resource", "verb"}},
};

/* Products whose logs come in formats of their own (SigmaHQ's product
 * names): their rules are written for those records and run on an event
 * of no declared family only when it is one. Any other product (linux,
 * a site's own product name) is judged by the rule's fields alone. */
static const char *const closed_products[] = {
    "zeek",
    "aws",
    "azure",
    "gcp",
    "okta",
    "m365",
    "github",
    "bitbucket",
    "kubernetes",
    "onelogin",
    "google_workspace",
    "macos",
    "opencanary",
    "rpc_firewall",
    "cisco",
    "fortigate",
    "fortios",
    "paloalto",
    "juniper",
    "huawei",
    "jvm",
    "spring",
    "qualys",
    "velocity",
    "sql",
    "ruby_on_rails",
    "python",
    "nodejs",
    "django",
};

/* A Zeek record that says which log it is (event.dataset "zeek.X" from
 * src/parse, or Zeek's own _path) and is not service's log. A record
 * that does not say is not excluded. */
static int
zeek_other_log(const char *service, const struct vigil_event *ev)
{
    const struct vigil_field *f = vigil_event_getn(ev, "_path", 5);
    size_t sl = strlen(service);

    if (f != NULL)
        return f->text_len != sl || strncasecmp(f->text, service, sl) != 0;
    f = vigil_event_getn(ev, "event.dataset", 13);
    if (f == NULL || f->text_len <= 5 || strncmp(f->text, "zeek.", 5) != 0)
        return 0;
    return f->text_len - 5 != sl || strncasecmp(f->text + 5, service, sl) != 0;
}

int
detect_logsource_product_ok(const char *product, const char *service,
                            const struct vigil_event *ev)
{
    size_t i, nc = sizeof(closed_products) / sizeof(closed_products[0]);

    if (service != NULL && strcasecmp(product, "zeek") == 0 &&
        zeek_other_log(service, ev))
        return 0;

    for (i = 0; i < nc; i++)
        if (strcasecmp(product, closed_products[i]) == 0)
            break;
    if (i == nc)
        return 1;
    /* an event that says which product wrote it (ECS, CEF) */
    static const char *const names[] = {"observer.product", "event.module",
                                        "product"};
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const struct vigil_field *f =
            vigil_event_getn(ev, names[i], strlen(names[i]));
        if (f && f->text_len == strlen(product) &&
            strncasecmp(f->text, product, f->text_len) == 0)
            return 1;
    }
    for (i = 0; i < sizeof(prints) / sizeof(prints[0]); i++) {
        const struct det_print *p = &prints[i];
        size_t k, seen = 0, n = 0;
        if (strcasecmp(p->product, product) != 0)
            continue;
        for (k = 0; k < 4 && p->fields[k]; k++, n++)
            seen += vigil_event_getn(ev, p->fields[k], strlen(p->fields[k])) !=
                    NULL;
        if (p->all ? seen == n : seen > 0)
            return 1;
    }
    return 0;
}
