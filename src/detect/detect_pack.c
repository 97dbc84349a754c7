/* detect_pack.c -- where vigil's own rule pack is installed. */
#include "detect.h"

/* $VIGIL_RULES_DIR, else the installed pack (share/vigil/rules beside the
 * binary's prefix), else the source tree's rules/ ($VIGIL_SOURCE_DIR or
 * the tree this binary was built from), else /usr/share/vigil/rules. */
int
vigil_detect_find_pack(char *dst, size_t len)
{
#ifdef VIGIL_SOURCE_DIR
    return vigil_find_data_dir("VIGIL_RULES_DIR", "rules", VIGIL_SOURCE_DIR,
                               dst, len);
#else
    return vigil_find_data_dir("VIGIL_RULES_DIR", "rules", NULL, dst, len);
#endif
}
