/* fuzz_sigma_condition.c -- libFuzzer target for the Sigma condition
 * parser: the input is a condition over a fixed set of selections
 * (sel, sel_a, sel_b, filter, _hidden); it must parse or be refused,
 * within its depth and size bounds, and a parsed condition is evaluated. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "detect/detect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vigil_detect *d = NULL;
    struct vigil_detect_ctx *c = NULL;
    struct vigil_err err = {0};
    struct vigil_buf b;
    static struct vigil_event ev;
    struct vigil_arena a;

    if (size > 8192 || memchr(data, '\n', size) || memchr(data, '\r', size))
        return 0;
    vigil_buf_init(&b, 65536);
    vigil_buf_printf(&b, "title: t\nlogsource:\n  product: test\ndetection:\n"
                         "  sel:\n    A: 1\n  sel_a:\n    B|contains: x\n"
                         "  sel_b:\n    - C: 2\n    - D|re: '^d'\n"
                         "  filter:\n    E: null\n  _hidden:\n    - kw\n"
                         "  condition: \"");
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '"' || data[i] == '\\')
            vigil_buf_putc(&b, '\\');
        vigil_buf_putc(&b, (char)data[i]);
    }
    vigil_buf_printf(&b, "\"\n");
    if (b.len && vigil_detect_new(&d, NULL, &err) == VIGIL_OK) {
        vigil_detect_add_mem(d, "cond.yml", b.data, b.len, &err);
        if (vigil_detect_compile(d, &err) == VIGIL_OK &&
            vigil_detect_ctx_new(&c, d, &err) == VIGIL_OK) {
            vigil_arena_init(&a, 4096, 1 << 20);
            vigil_event_init(&ev, &a);
            vigil_event_add_strz(&ev, "A", "1");
            vigil_event_add_strz(&ev, "B", "xx");
            vigil_event_add_strz(&ev, "D", "dd");
            vigil_detect_match(c, &ev, NULL, NULL, NULL);
            vigil_arena_fini(&a);
            vigil_detect_ctx_free(c);
        }
        vigil_detect_free(d);
    }
    vigil_buf_fini(&b);
    return 0;
}
