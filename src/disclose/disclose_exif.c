/* disclose_exif.c -- GPS coordinates in a JPEG's EXIF block (APP1): a
 * photograph in a published document can give away where it was taken,
 * a home or a safe house. Reads only the marker chain and two IFDs, every
 * offset checked against the segment. */
#include <stdio.h>
#include <string.h>

#include "disclose/disclose_int.h"

struct tiff {
    const unsigned char *p;
    size_t n;
    int le;
};

static int
u16(const struct tiff *t, size_t off, unsigned *v)
{
    if (off + 2 > t->n)
        return 0;
    *v = t->le ? (unsigned)(t->p[off] | t->p[off + 1] << 8)
               : (unsigned)(t->p[off] << 8 | t->p[off + 1]);
    return 1;
}

static int
u32(const struct tiff *t, size_t off, uint32_t *v)
{
    if (off + 4 > t->n)
        return 0;
    if (t->le)
        *v = (uint32_t)t->p[off] | (uint32_t)t->p[off + 1] << 8 |
             (uint32_t)t->p[off + 2] << 16 | (uint32_t)t->p[off + 3] << 24;
    else
        *v = (uint32_t)t->p[off] << 24 | (uint32_t)t->p[off + 1] << 16 |
             (uint32_t)t->p[off + 2] << 8 | (uint32_t)t->p[off + 3];
    return 1;
}

/* Finds tag in the IFD at off; sets the entry offset. */
static int
ifd_find(const struct tiff *t, uint32_t off, unsigned tag, size_t *entry)
{
    unsigned n, tg;

    if (!u16(t, off, &n) || n > 512)
        return 0;
    for (unsigned i = 0; i < n; i++) {
        size_t e = off + 2 + (size_t)i * 12;
        if (!u16(t, e, &tg))
            return 0;
        if (tg == tag) {
            *entry = e;
            return 1;
        }
    }
    return 0;
}

/* Three RATIONALs (degrees, minutes, seconds) -> decimal degrees. */
static int
dms(const struct tiff *t, size_t entry, double *out)
{
    uint32_t off, num, den;
    double v[3];

    if (!u32(t, entry + 8, &off))
        return 0;
    for (int i = 0; i < 3; i++) {
        if (!u32(t, off + (size_t)i * 8, &num) ||
            !u32(t, off + (size_t)i * 8 + 4, &den))
            return 0;
        v[i] = den ? (double)num / den : 0;
    }
    *out = v[0] + v[1] / 60 + v[2] / 3600;
    return 1;
}

static int
gps_in_tiff(const unsigned char *p, size_t n, char *desc, size_t dn)
{
    struct tiff t = {p, n, 0};
    uint32_t ifd0, gps;
    unsigned magic;
    size_t e;
    double lat = 0, lon = 0;
    int has_lat, has_lon;
    char latref = 'N', lonref = 'E';

    if (n < 8)
        return 0;
    if (p[0] == 'I' && p[1] == 'I')
        t.le = 1;
    else if (!(p[0] == 'M' && p[1] == 'M'))
        return 0;
    if (!u16(&t, 2, &magic) || magic != 42 || !u32(&t, 4, &ifd0))
        return 0;
    if (!ifd_find(&t, ifd0, 0x8825, &e) || !u32(&t, e + 8, &gps))
        return 0;
    has_lat = ifd_find(&t, gps, 2, &e) && dms(&t, e, &lat);
    has_lon = ifd_find(&t, gps, 4, &e) && dms(&t, e, &lon);
    if (ifd_find(&t, gps, 1, &e) && e + 8 < n)
        latref = (char)p[e + 8];
    if (ifd_find(&t, gps, 3, &e) && e + 8 < n)
        lonref = (char)p[e + 8];
    if (!has_lat && !has_lon) {
        unsigned cnt;
        if (!u16(&t, gps, &cnt) || cnt == 0)
            return 0;
        snprintf(desc, dn, "GPS tags present (%u)", cnt);
        return 1;
    }
    snprintf(desc, dn, "%.5f %c, %.5f %c", lat, latref == 'S' ? 'S' : 'N', lon,
             lonref == 'W' ? 'W' : 'E');
    return 1;
}

void
disclose_exif(struct disclose_ctx *c, const char *part,
              const unsigned char *data, size_t len)
{
    size_t i = 2;
    char desc[128];

    if (len < 4 || data[0] != 0xFF || data[1] != 0xD8)
        return;
    while (i + 4 <= len) {
        unsigned marker, seglen;

        if (data[i] != 0xFF)
            return;
        marker = data[i + 1];
        if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) {
            i += 2;
            continue;
        }
        if (marker == 0xDA || marker == 0xD9)
            return; /* image data: no more metadata segments */
        seglen = (unsigned)(data[i + 2] << 8 | data[i + 3]);
        if (seglen < 2 || i + 2 + seglen > len)
            return;
        if (marker == 0xE1 && seglen > 8 &&
            memcmp(data + i + 4, "Exif\0\0", 6) == 0 &&
            gps_in_tiff(data + i + 10, seglen - 8, desc, sizeof(desc))) {
            disclose_add(c, VIGIL_DK_GPS_LOCATION, VIGIL_DISCLOSE_REVIEW, part,
                         NULL, NULL,
                         "Remove the location from the photo (re-export it "
                         "without metadata) or check that the place may be "
                         "disclosed.",
                         "image metadata records where the photo was taken: "
                         "%s",
                         desc);
            return;
        }
        i += 2 + seglen;
    }
}
