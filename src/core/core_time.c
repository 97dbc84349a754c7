/* core_time.c -- calendar arithmetic and timestamp parsing/formatting.
 *
 * Hand-written because timegm() and strptime() are slow, locale-bound and
 * need NUL-terminated copies; decoders call these once per event. */
#include <string.h>
#include <time.h>

#include "core.h"

int64_t
vigil_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Howard Hinnant's algorithm: exact for the proleptic Gregorian
     * calendar, no tables, no loops. */
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int64_t
vigil_time_from_utc(int y, int mon, int day, int h, int min, int s, long nsec)
{
    int64_t days = vigil_days_from_civil(y, (unsigned)mon, (unsigned)day);

    return ((days * 86400) + h * 3600 + min * 60 + s) * VIGIL_NS_PER_SEC + nsec;
}

static int
digits(const char *s, size_t n, int *out)
{
    int v = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

int
vigil_time_parse_rfc3339(const char *s, size_t len, int64_t *ns)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
    long frac = 0;
    size_t i;

    if (len < 10 || !digits(s, 4, &y) || s[4] != '-' ||
        !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d))
        return 0;
    /* int64 nanoseconds cover 1677-09-21 to 2262-04-11; refuse what
     * would overflow rather than wrap to a wrong time. */
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1678 || y > 2261)
        return 0;
    i = 10;
    if (i < len && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
        if (len < i + 9 || !digits(s + i + 1, 2, &h) || s[i + 3] != ':' ||
            !digits(s + i + 4, 2, &mi) || s[i + 6] != ':' ||
            !digits(s + i + 7, 2, &sec))
            return 0;
        if (h > 23 || mi > 59 || sec > 60)
            return 0;
        i += 9;
        if (i < len && (s[i] == '.' || s[i] == ',')) {
            long scale = 100000000;
            i++;
            if (i >= len || s[i] < '0' || s[i] > '9')
                return 0;
            while (i < len && s[i] >= '0' && s[i] <= '9') {
                frac += (s[i] - '0') * scale;
                scale /= 10;
                i++;
            }
        }
        if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
            i++;
        } else if (i < len && (s[i] == '+' || s[i] == '-')) {
            int oh, om;
            int sign = s[i] == '-' ? -1 : 1;
            if (len - i == 6 && s[i + 3] == ':' && digits(s + i + 1, 2, &oh) &&
                digits(s + i + 4, 2, &om))
                ;
            else if (len - i == 5 && digits(s + i + 1, 2, &oh) &&
                     digits(s + i + 3, 2, &om))
                ;
            else
                return 0;
            off = sign * (oh * 3600 + om * 60);
            i = len;
        }
    }
    if (i != len)
        return 0;
    *ns = vigil_time_from_utc(y, mo, d, h, mi, sec, frac) -
          (int64_t)off * VIGIL_NS_PER_SEC;
    return 1;
}

size_t
vigil_time_format(int64_t ns, char *dst)
{
    int64_t secs = ns / VIGIL_NS_PER_SEC, rem = ns % VIGIL_NS_PER_SEC;
    int64_t days, z, era, y;
    unsigned doe, yoe, doy, mp, d, m, sod;

    if (rem < 0) {
        rem += VIGIL_NS_PER_SEC;
        secs--;
    }
    days = secs / 86400;
    if (secs % 86400 < 0)
        days--;
    sod = (unsigned)(secs - days * 86400);
    /* Inverse of vigil_days_from_civil (Hinnant). */
    z = days + 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = (int64_t)yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    if (y < 0 || y > 9999)
        y = 0;
    {
        char *p = dst;
        unsigned us = (unsigned)(rem / 1000);
        unsigned parts[] = {(unsigned)y,   m,       d, sod / 3600,
                            sod / 60 % 60, sod % 60};
        /* Fixed layout "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" without snprintf. */
        p[0] = (char)('0' + parts[0] / 1000);
        p[1] = (char)('0' + parts[0] / 100 % 10);
        p[2] = (char)('0' + parts[0] / 10 % 10);
        p[3] = (char)('0' + parts[0] % 10);
        p += 4;
        for (int k = 1; k < 6; k++) {
            *p++ = "--T::"[k - 1];
            *p++ = (char)('0' + parts[k] / 10);
            *p++ = (char)('0' + parts[k] % 10);
        }
        *p++ = '.';
        for (int k = 5; k >= 0; k--) {
            p[k] = (char)('0' + us % 10);
            us /= 10;
        }
        p += 6;
        *p++ = 'Z';
        *p = '\0';
        return (size_t)(p - dst);
    }
}

int64_t
vigil_time_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * VIGIL_NS_PER_SEC + ts.tv_nsec;
}

int
vigil_month_from_abbr(const char *s)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

    for (int i = 0; i < 12; i++)
        if (memcmp(s, months + 3 * i, 3) == 0)
            return i + 1;
    return 0;
}
