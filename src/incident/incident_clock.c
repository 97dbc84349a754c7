/* incident_clock.c -- the regulators' clocks: which notifications an
 * incident may owe under each configured jurisdiction, the fields each
 * regulator asks for, and the arithmetic of their deadlines. Hours are
 * elapsed time (72 hours are 72 hours across a change of the clocks);
 * calendar months are counted in the configured time zone, so a final
 * report due "one month" after a notification keeps its wall-clock time
 * across a daylight-saving change. docs/regulators.md gives each rule
 * with its source. */
#include <stdio.h>
#include <string.h>

#include "incident_int.h"
#include "parse/parse.h"

static const char *const f_gdpr33[] = {
    "nature of the breach",
    "categories and approximate number of people concerned",
    "categories and approximate number of records concerned",
    "name and contact details of the data protection officer or other contact",
    "likely consequences of the breach",
    "measures taken or proposed, including to mitigate possible adverse "
    "effects",
    "reasons for any delay beyond 72 hours",
    NULL};
static const char *const f_gdpr34[] = {
    "nature of the breach, in clear and plain language",
    "name and contact details of the data protection officer or other contact",
    "likely consequences of the breach",
    "measures taken or proposed, including to mitigate possible adverse "
    "effects",
    NULL};
static const char *const f_uknis[] = {
    "operator's name and the essential services it provides",
    "time the incident occurred",
    "duration of the incident",
    "nature and impact of the incident",
    "any, or any likely, cross-border impact",
    "any other information that may help the competent authority",
    NULL};
static const char *const f_nis2_early[] = {
    "that a significant incident occurred",
    "whether it is suspected of being caused by unlawful or malicious acts",
    "whether it could have a cross-border impact", NULL};
static const char *const f_nis2_notify[] = {
    "update of the early warning", "initial assessment: severity and impact",
    "indicators of compromise, where available", NULL};
static const char *const f_nis2_final[] = {
    "detailed description: severity and impact",
    "type of threat or root cause that likely triggered it",
    "mitigation measures applied and ongoing",
    "cross-border impact, where applicable", NULL};
static const char *const f_qc_cai[] = {
    "name of the organisation (and Quebec enterprise number)",
    "name and contact details of the person to contact",
    "description of the personal information concerned",
    "brief description of the circumstances and cause",
    "date or period of the incident",
    "date or period the organisation became aware of it",
    "number of persons concerned, and of those residing in Quebec",
    "why the incident presents a risk of serious injury",
    "measures taken or planned to reduce the risk",
    "measures taken or planned to notify the persons concerned, and when",
    NULL};
static const char *const f_qc_people[] = {
    "description of the personal information concerned",
    "brief description of the circumstances",
    "date or period of the incident",
    "measures taken or planned to reduce the risk of injury",
    "measures the person could take to reduce the risk",
    "contact details for more information",
    NULL};
static const char *const f_on_ipc[] = {
    "description of the circumstances of the breach",
    "date or period of the breach",
    "description of the personal information concerned",
    "number of individuals affected",
    "steps taken to reduce the risk of harm",
    "steps taken or planned to notify the individuals",
    "contact person",
    NULL};
static const char *const f_pipeda_opc[] = {
    "description of the circumstances of the breach and its cause, if known",
    "day or period of the breach",
    "description of the personal information concerned",
    "number of individuals affected (or approximate)",
    "steps taken to reduce the risk of harm or to mitigate it",
    "steps taken or intended to notify the individuals",
    "name and contact information of a person who can answer questions",
    NULL};
static const char *const f_pipeda_people[] = {
    "description of the circumstances of the breach",
    "day or period of the breach",
    "description of the personal information concerned",
    "steps taken to reduce the risk of harm",
    "steps the individual could take to reduce the risk",
    "contact information for more information",
    NULL};

static const struct vigil_regime regimes[] = {
    {"uk-gdpr-33", VIGIL_JUR_UK, "UK GDPR Art. 33: report to the ICO",
     "Information Commissioner's Office (ICO)", 1, 0, VIGIL_DUE_HOURS, 72, NULL,
     "a personal data breach, unless it is unlikely to result in a risk to "
     "people's rights and freedoms",
     "UK GDPR Art. 33(1), 33(3), 33(5); ICO guide to personal data breaches",
     f_gdpr33},
    {"uk-gdpr-34", VIGIL_JUR_UK, "UK GDPR Art. 34: tell the people affected",
     "the people whose data it is", 1, 0, VIGIL_DUE_PROMPT, 0, NULL,
     "the breach is likely to result in a high risk to their rights and "
     "freedoms (without undue delay; no number of hours in the law)",
     "UK GDPR Art. 34(1)-(3)", f_gdpr34},
    {"uk-nis", VIGIL_JUR_UK,
     "NIS Regulations 2018 reg. 11: report to the "
     "competent authority",
     "the designated competent authority", 0, 1, VIGIL_DUE_HOURS, 72, NULL,
     "an operator of an essential service has an incident with a significant "
     "impact on the continuity of that service",
     "The Network and Information Systems Regulations 2018 (SI 2018/506), "
     "reg. 11(1)-(3)",
     f_uknis},
    {"eu-gdpr-33", VIGIL_JUR_EU,
     "GDPR Art. 33: report to the supervisory "
     "authority",
     "the lead supervisory authority", 1, 0, VIGIL_DUE_HOURS, 72, NULL,
     "a personal data breach, unless it is unlikely to result in a risk to "
     "people's rights and freedoms",
     "Regulation (EU) 2016/679 Art. 33(1), 33(3)", f_gdpr33},
    {"eu-nis2-early", VIGIL_JUR_EU, "NIS2 Art. 23(4)(a): early warning",
     "the CSIRT or competent authority", 0, 1, VIGIL_DUE_HOURS, 24, NULL,
     "an essential or important entity has a significant incident",
     "Directive (EU) 2022/2555 Art. 23(1), 23(3), 23(4)(a)", f_nis2_early},
    {"eu-nis2-notify", VIGIL_JUR_EU,
     "NIS2 Art. 23(4)(b): incident "
     "notification",
     "the CSIRT or competent authority", 0, 1, VIGIL_DUE_HOURS, 72, NULL,
     "an essential or important entity has a significant incident",
     "Directive (EU) 2022/2555 Art. 23(4)(b)", f_nis2_notify},
    {"eu-nis2-final", VIGIL_JUR_EU, "NIS2 Art. 23(4)(d): final report",
     "the CSIRT or competent authority", 0, 1, VIGIL_DUE_MONTH, 0,
     "eu-nis2-notify",
     "one month after the incident notification (a progress report instead "
     "while the incident is ongoing, Art. 23(4)(e))",
     "Directive (EU) 2022/2555 Art. 23(4)(d)-(e)", f_nis2_final},
    {"qc-cai", VIGIL_JUR_QUEBEC,
     "Quebec Law 25: notify the Commission d'accès à l'information",
     "Commission d'accès à l'information du Québec (CAI)", 1, 0,
     VIGIL_DUE_PROMPT, 0, NULL,
     "a confidentiality incident presenting a risk of serious injury "
     "(promptly; no number of hours in the law)",
     "Act respecting the protection of personal information in the private "
     "sector s. 3.5 (public bodies: Access Act s. 63.8); Regulation "
     "respecting confidentiality incidents (A-2.1, r. 3.1) s. 3",
     f_qc_cai},
    {"qc-people", VIGIL_JUR_QUEBEC,
     "Quebec Law 25: notify the persons "
     "concerned",
     "the persons whose information it is", 1, 0, VIGIL_DUE_PROMPT, 0, NULL,
     "a confidentiality incident presenting a risk of serious injury",
     "Private sector Act s. 3.5 (public bodies: Access Act s. 63.8); "
     "Regulation respecting confidentiality incidents s. 5-6",
     f_qc_people},
    {"on-ipc", VIGIL_JUR_ONTARIO,
     "Ontario FIPPA: report to the Information and Privacy Commissioner",
     "Information and Privacy Commissioner of Ontario (IPC)", 1, 0,
     VIGIL_DUE_PROMPT, 0, NULL,
     "a provincial institution's breach with a real risk of significant harm "
     "(as soon as feasible; since 1 July 2025). Municipal institutions under "
     "MFIPPA have no statutory duty yet; the IPC asks them to report too",
     "FIPPA s. 40.1, as amended by the Strengthening Cyber Security and "
     "Building Trust in the Public Sector Act, 2024, Sch. 2; IPC privacy "
     "breach guidance",
     f_on_ipc},
    {"ca-pipeda-opc", VIGIL_JUR_CANADA,
     "PIPEDA s. 10.1: report to the Privacy Commissioner of Canada",
     "Office of the Privacy Commissioner of Canada (OPC)", 1, 0,
     VIGIL_DUE_PROMPT, 0, NULL,
     "a breach of security safeguards with a real risk of significant harm "
     "(as soon as feasible)",
     "PIPEDA s. 10.1(1)-(2); Breach of Security Safeguards Regulations "
     "(SOR/2018-64) s. 2",
     f_pipeda_opc},
    {"ca-pipeda-people", VIGIL_JUR_CANADA,
     "PIPEDA s. 10.1(3): notify the "
     "individuals",
     "the individuals affected", 1, 0, VIGIL_DUE_PROMPT, 0, NULL,
     "a breach of security safeguards with a real risk of significant harm "
     "(as soon as feasible)",
     "PIPEDA s. 10.1(3)-(6); Breach of Security Safeguards Regulations s. 3-5",
     f_pipeda_people},
};

const struct vigil_regime *
vigil_regimes(size_t *n)
{
    *n = sizeof(regimes) / sizeof(regimes[0]);
    return regimes;
}

const struct vigil_regime *
vigil_regime_get(const char *id)
{
    for (size_t i = 0; id != NULL && i < sizeof(regimes) / sizeof(regimes[0]);
         i++)
        if (strcmp(regimes[i].id, id) == 0)
            return &regimes[i];
    return NULL;
}

/* Civil date of a day count since 1970-01-01 (Howard Hinnant's
 * algorithm, the inverse of vigil_days_from_civil). */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era, yy;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    yy = (int64_t)yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static unsigned
month_days(int64_t y, unsigned m)
{
    static const unsigned days[] = {31, 28, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

static int32_t
offset_at(const struct vigil_tz *tz, int64_t ns)
{
    int64_t s = ns / VIGIL_NS_PER_SEC;

    if (ns < 0 && ns % VIGIL_NS_PER_SEC != 0)
        s--;
    return tz != NULL ? vigil_tz_offset(tz, s) : 0;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int64_t
vigil_clock_add_months(const struct vigil_tz *tz, int64_t ns, int months)
{
    int64_t local = ns + (int64_t)offset_at(tz, ns) * VIGIL_NS_PER_SEC;
    int64_t day = floor_div(local, 86400 * VIGIL_NS_PER_SEC);
    int64_t in_day = local - day * 86400 * VIGIL_NS_PER_SEC;
    int64_t y, mi;
    unsigned m, d;

    civil_from_days(day, &y, &m, &d);
    mi = y * 12 + (m - 1) + months;
    y = floor_div(mi, 12);
    m = (unsigned)(mi - y * 12) + 1;
    if (d > month_days(y, m))
        d = month_days(y, m);
    local = vigil_days_from_civil(y, m, d) * 86400 * VIGIL_NS_PER_SEC + in_day;
    return tz != NULL ? vigil_tz_to_utc(tz, local) : local;
}

int64_t
vigil_regime_due(const struct vigil_regime *r, int64_t aware_ns,
                 const struct vigil_tz *tz, int64_t prompt_s)
{
    switch (r->kind) {
    case VIGIL_DUE_HOURS:
        return aware_ns + r->hours * 3600 * VIGIL_NS_PER_SEC;
    case VIGIL_DUE_PROMPT:
        return aware_ns + prompt_s * VIGIL_NS_PER_SEC;
    case VIGIL_DUE_MONTH: {
        const struct vigil_regime *a = vigil_regime_get(r->after);
        int64_t base =
            a != NULL ? vigil_regime_due(a, aware_ns, tz, prompt_s) : aware_ns;
        return vigil_clock_add_months(tz, base, 1);
    }
    }
    return aware_ns;
}

size_t
vigil_clock_format(const struct vigil_tz *tz, int64_t ns, char *dst)
{
    int32_t off = offset_at(tz, ns);
    int64_t local = ns + (int64_t)off * VIGIL_NS_PER_SEC;
    int64_t day = floor_div(local, 86400 * VIGIL_NS_PER_SEC);
    int64_t secs = (local - day * 86400 * VIGIL_NS_PER_SEC) / VIGIL_NS_PER_SEC;
    int64_t y;
    unsigned m, d, aoff = (unsigned)(off < 0 ? -off : off);
    int n;

    civil_from_days(day, &y, &m, &d);
    n = snprintf(dst, 40, "%04lld-%02u-%02uT%02lld:%02lld:%02lld%c%02u:%02u",
                 (long long)y, m, d, (long long)(secs / 3600),
                 (long long)(secs / 60 % 60), (long long)(secs % 60),
                 off < 0 ? '-' : '+', aoff / 3600, aoff / 60 % 60);
    return n < 0 ? 0 : (size_t)n;
}

void
vigil_clock_left(int64_t ns, char *dst, size_t len)
{
    int64_t m = (ns < 0 ? -ns : ns) / (60 * VIGIL_NS_PER_SEC);
    const char *sign = ns < 0 ? "-" : "";

    if (m >= 24 * 60)
        snprintf(dst, len, "%s%lldd %lldh", sign, (long long)(m / 1440),
                 (long long)(m / 60 % 24));
    else if (m >= 60)
        snprintf(dst, len, "%s%lldh %lldm", sign, (long long)(m / 60),
                 (long long)(m % 60));
    else
        snprintf(dst, len, "%s%lldm", sign, (long long)m);
}
