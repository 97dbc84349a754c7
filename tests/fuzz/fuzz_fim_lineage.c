/* fuzz_fim_lineage.c -- libFuzzer target: one datagram from the kernel's
 * process-event socket (netlink headers, the connector's header, a fork
 * or exit event) through fim_lineage.c's reader, then the parents it
 * answers for. The kernel is the only sender it accepts, but its messages
 * are still read within their lengths. */
#include <stddef.h>
#include <stdint.h>

#include "fim/fim_lineage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fim_lineage *l;

    if (l == NULL && (l = fim_lineage_new(-1)) == NULL)
        return 0;
    fim_lineage_parse(l, data, size);
    for (int64_t pid = 95; pid < 110; pid++)
        (void)fim_lineage_parent(l, pid);
    return 0;
}
