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

static const struct det_alias proc_aliases[] = {
    {"Image", "NewProcessName"},
    {"ParentImage", "ParentProcessName"},
    {"ProcessId", "NewProcessId"},
    {"User", "SubjectUserName"},
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
    CAT("network_connection", 3),
    CAT("sysmon_status", 4, 16),
    CAT("driver_load", 6),
    CAT("image_load", 7),
    CAT("create_remote_thread", 8),
    CAT("raw_access_thread", 9),
    CAT("process_access", 10),
    CAT("file_event", 11),
    CAT("registry_add", 12),
    CAT("registry_delete", 12),
    CAT("registry_set", 13),
    CAT("registry_rename", 14),
    CAT("registry_event", 12, 13, 14),
    CAT("create_stream_hash", 15),
    CAT("pipe_created", 17, 18),
    CAT("wmi_event", 19, 20, 21),
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
    SVC("windefend", "Microsoft-Windows-Windows Defender/Operational"),
    SVC("taskscheduler", "Microsoft-Windows-TaskScheduler/Operational"),
    SVC("wmi", "Microsoft-Windows-WMI-Activity/Operational"),
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
