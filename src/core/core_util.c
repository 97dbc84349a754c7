/* core_util.c -- small helpers shared by every domain: integer parsing,
 * bounded whole-file reads, the state directory rule and where the data
 * installed with vigil (rules, playbooks) is. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

int
vigil_parse_i64(const char *s, size_t len, int64_t *out)
{
    int neg = 0;
    uint64_t v = 0;
    size_t i = 0;

    if (len == 0)
        return 0;
    if (s[0] == '-') {
        neg = 1;
        i = 1;
        if (len == 1)
            return 0;
    }
    for (; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    if (v > (uint64_t)INT64_MAX + (uint64_t)neg)
        return 0;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 1;
}

enum vigil_rc
vigil_read_file(const char *path, size_t max, char **data, size_t *len,
                struct vigil_err *err)
{
    FILE *f = fopen(path, "rb");
    struct vigil_buf b;
    char chunk[65536];
    size_t n;
    enum vigil_rc rc = VIGIL_OK;

    if (f == NULL)
        return vigil_err_set(err, VIGIL_EIO, "%s: %s", path, strerror(errno));
    vigil_buf_init(&b, max);
    errno = 0; /* so a read error names its cause (EISDIR for a folder) */
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if ((rc = vigil_buf_append(&b, chunk, n)) != VIGIL_OK) {
            vigil_err_set(err, rc, "%s: larger than %zu bytes", path, max);
            break;
        }
    }
    if (rc == VIGIL_OK && ferror(f))
        rc = vigil_err_set(err, VIGIL_EIO, "%s: %s", path,
                           errno ? strerror(errno) : "read error");
    fclose(f);
    if (rc != VIGIL_OK) {
        vigil_buf_fini(&b);
        return rc;
    }
    if (b.data == NULL && (rc = vigil_buf_reserve(&b, 0)) != VIGIL_OK)
        return vigil_err_set(err, rc, "%s: out of memory", path);
    *data = b.data;
    *len = b.len;
    return VIGIL_OK;
}

enum vigil_rc
vigil_state_dir(const char *override, char *dst, size_t dstlen,
                struct vigil_err *err)
{
    const char *env = getenv("VIGIL_STATE_DIR");
    const char *xdg = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    int n;

    if (override && *override)
        n = snprintf(dst, dstlen, "%s", override);
    else if (env && *env)
        n = snprintf(dst, dstlen, "%s", env);
    else if (geteuid() == 0)
        n = snprintf(dst, dstlen, "/var/lib/vigil");
    else if (xdg && *xdg)
        n = snprintf(dst, dstlen, "%s/vigil", xdg);
    else if (home && *home)
        n = snprintf(dst, dstlen, "%s/.local/state/vigil", home);
    else
        return vigil_err_set(err, VIGIL_EINVAL,
                             "no state directory: set --state-dir or "
                             "VIGIL_STATE_DIR");
    if (n < 0 || (size_t)n >= dstlen)
        return vigil_err_set(err, VIGIL_ELIMIT,
                             "state directory path too "
                             "long");
    return VIGIL_OK;
}

static int
is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
vigil_find_data_dir(const char *env_var, const char *name,
                    const char *source_dir, char *dst, size_t len)
{
    const char *env = getenv(env_var);
    char exe[PATH_MAX], *slash;
    struct stat st;
    ssize_t n;

    if (env != NULL && *env != '\0') {
        snprintf(dst, len, "%s", env);
        return stat(dst, &st) == 0;
    }
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        if ((slash = strrchr(exe, '/')) != NULL) {
            *slash = '\0';
            if (snprintf(dst, len, "%s/../share/vigil/%s", exe, name) <
                    (int)len &&
                is_dir(dst))
                return 1;
        }
    }
    env = getenv("VIGIL_SOURCE_DIR");
    if (env != NULL && *env != '\0' &&
        snprintf(dst, len, "%s/%s", env, name) < (int)len && is_dir(dst))
        return 1;
    if (source_dir != NULL &&
        snprintf(dst, len, "%s/%s", source_dir, name) < (int)len && is_dir(dst))
        return 1;
    snprintf(dst, len, "/usr/share/vigil/%s", name);
    return is_dir(dst);
}

int
vigil_mkdir_p(const char *path)
{
    char tmp[4096];
    size_t n = strlen(path);

    if (n == 0 || n >= sizeof(tmp))
        return -1;
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

int
vigil_cache_dir(const char *state_dir, char *dst, size_t len)
{
    char state[4096];
    struct vigil_err err = {0};

    if (state_dir == NULL) {
        if (vigil_state_dir(NULL, state, sizeof(state), &err) != VIGIL_OK)
            return 0;
        state_dir = state;
    }
    if (snprintf(dst, len, "%s/cache", state_dir) >= (int)len)
        return 0;
    return vigil_mkdir_p(dst) == 0;
}

enum vigil_rc
vigil_uid_new(char out[VIGIL_UID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t raw[VIGIL_UID_LEN / 2];
    size_t got = 0;
    ssize_t n;

    while (got < sizeof(raw)) {
        n = getrandom(raw + got, sizeof(raw) - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            out[0] = '\0';
            return VIGIL_EIO;
        }
        got += (size_t)n;
    }
    for (size_t i = 0; i < sizeof(raw); i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[VIGIL_UID_LEN] = '\0';
    return VIGIL_OK;
}
