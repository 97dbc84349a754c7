/* replay.c -- main() for a fuzz target outside libFuzzer: every file
 * named, and every regular file inside a folder named (one level), goes
 * once through LLVMFuzzerTestOneInput. Linked with each fuzz_<name>.c into
 * replay_<name>, so the seed corpora run as CTest tests under any compiler
 * (gcc release, ASan+UBSan) and a crash libFuzzer found can be rerun with
 * the same code. Exit status: 0 every input ran, 77 (CTest's skip) when
 * no input was found, 1 a file could not be read. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs one file; returns 0, or -1 if it could not be read. */
static int
replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data = NULL;
    long len;
    int rc = -1;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0)
        goto out;
    /* An exact-size copy so ASan sees any read past the input. */
    if ((data = malloc(len ? (size_t)len : 1)) == NULL ||
        fread(data, 1, (size_t)len, f) != (size_t)len)
        goto out;
    (void)LLVMFuzzerTestOneInput(data, (size_t)len);
    rc = 0;
out:
    if (rc != 0)
        fprintf(stderr, "replay: cannot read %s\n", path);
    free(data);
    if (f != NULL)
        fclose(f);
    return rc;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int
main(int argc, char **argv)
{
    unsigned ran = 0, bad = 0;

    for (int i = 1; i < argc; i++) {
        struct dirent **ents = NULL;
        struct stat st;
        int n;

        if (stat(argv[i], &st) != 0) {
            printf("replay: %s is absent\n", argv[i]);
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad += replay_file(argv[i]) != 0;
            ran++;
            continue;
        }
        /* Sorted, so a crash is reported at the same input every run. */
        if ((n = scandir(argv[i], &ents, NULL, by_name)) < 0) {
            bad++;
            continue;
        }
        for (int j = 0; j < n; j++) {
            char path[4096];

            if (snprintf(path, sizeof(path), "%s/%s", argv[i],
                         ents[j]->d_name) < (int)sizeof(path) &&
                stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                bad += replay_file(path) != 0;
                ran++;
            }
            free(ents[j]);
        }
        free(ents);
    }
    printf("replay: %u inputs, %u unreadable\n", ran, bad);
    if (bad)
        return 1;
    if (ran == 0) {
        printf("SKIP: no input to replay\n");
        return 77;
    }
    return 0;
}
