/* detect_pack.c -- where vigil's own rule pack is installed. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "detect.h"

/* $VIGIL_RULES_DIR, else the installed pack (share/vigil/rules beside the
 * binary's prefix), else the source tree's rules/ ($VIGIL_SOURCE_DIR or
 * the tree this binary was built from), else /usr/share/vigil/rules. */
int
vigil_detect_find_pack(char *dst, size_t len)
{
    char exe[PATH_MAX];
    const char *env = getenv("VIGIL_RULES_DIR");
    struct stat st;
    ssize_t n;

    if (env != NULL && *env != '\0') {
        snprintf(dst, len, "%s", env);
        return stat(dst, &st) == 0;
    }
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        char *slash;

        exe[n] = '\0';
        if ((slash = strrchr(exe, '/')) != NULL) {
            *slash = '\0';
            if (snprintf(dst, len, "%s/../share/vigil/rules", exe) < (int)len &&
                stat(dst, &st) == 0 && S_ISDIR(st.st_mode))
                return 1;
        }
    }
    env = getenv("VIGIL_SOURCE_DIR");
    if (env != NULL && *env != '\0' &&
        snprintf(dst, len, "%s/rules", env) < (int)len && stat(dst, &st) == 0 &&
        S_ISDIR(st.st_mode))
        return 1;
#ifdef VIGIL_SOURCE_DIR
    if (snprintf(dst, len, "%s/rules", VIGIL_SOURCE_DIR) < (int)len &&
        stat(dst, &st) == 0 && S_ISDIR(st.st_mode))
        return 1;
#endif
    snprintf(dst, len, "/usr/share/vigil/rules");
    return stat(dst, &st) == 0 && S_ISDIR(st.st_mode);
}
