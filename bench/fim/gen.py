#!/usr/bin/env python3
"""gen.py DIR FILES BYTES -- writes a tree of FILES files totalling about
BYTES bytes of real (non-sparse, incompressible) data for bench/fim:
mostly small files, some medium, a few large, in folders of about 500
files three levels deep. Every file is a distinct slice of one random
pool, so making 4 GB costs a write, not a random number generator."""
import os
import random
import sys


def main():
    root, nfiles, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(12)
    pool = os.urandom(64 << 20)
    # sizes: 90 % small (0.5-8 KiB), 9.8 % medium (16-512 KiB),
    # 0.2 % large (1-32 MiB), then scaled to the requested total
    sizes = []
    for _ in range(nfiles):
        r = rnd.random()
        if r < 0.90:
            sizes.append(rnd.randint(512, 8 << 10))
        elif r < 0.998:
            sizes.append(rnd.randint(16 << 10, 512 << 10))
        else:
            sizes.append(rnd.randint(1 << 20, 32 << 20))
    scale = total / max(1, sum(sizes))
    sizes = [max(1, int(s * scale)) for s in sizes]
    written = 0
    for i, size in enumerate(sizes):
        d = os.path.join(root, "d%02d" % (i // 50000), "e%03d" % (i // 500 % 100))
        if i % 500 == 0:
            os.makedirs(d, exist_ok=True)
        off = rnd.randrange(0, len(pool) - min(size, len(pool) - 1))
        with open(os.path.join(d, "f%07d.dat" % i), "wb") as f:
            left = size
            while left > 0:
                chunk = pool[off:off + min(left, len(pool) - off)]
                f.write(chunk)
                left -= len(chunk)
                off = 0
        written += size
    print("%d files, %d bytes" % (nfiles, written))


main()
