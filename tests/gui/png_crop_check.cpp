// qv_png_crop_check: asserts that a view PNG (--screenshot-view) is exactly the given rectangle of the
// full-window PNG of the same scene — same size as the region, same pixels — and a real render.
// usage: qv_png_crop_check FULL.png CROP.png X Y W H
#include <stb_image.h>

#include <cstdio>
#include <cstdlib>
#include <set>

int main(int argc, char** argv) {
    if (argc != 7) {
        std::fprintf(stderr, "usage: qv_png_crop_check FULL.png CROP.png X Y W H\n");
        return 2;
    }
    int fw = 0, fh = 0, cw = 0, ch = 0, n = 0;
    unsigned char* full = stbi_load(argv[1], &fw, &fh, &n, 3);
    unsigned char* crop = stbi_load(argv[2], &cw, &ch, &n, 3);
    if (!full || !crop) {
        std::fprintf(stderr, "cannot read %s (%s)\n", full ? argv[2] : argv[1], stbi_failure_reason());
        return 1;
    }
    const int x = std::atoi(argv[3]), y = std::atoi(argv[4]), w = std::atoi(argv[5]), h = std::atoi(argv[6]);
    int rc = 0;
    if (cw != w || ch != h) {
        std::fprintf(stderr, "crop is %dx%d, the region is %dx%d\n", cw, ch, w, h);
        rc = 1;
    }
    if (x < 0 || y < 0 || x + w > fw || y + h > fh) {
        std::fprintf(stderr, "region %d,%d %dx%d lies outside the %dx%d window\n", x, y, w, h, fw, fh);
        rc = 1;
    }
    if (rc == 0) {
        // Two runs of the same scene render the same pixels; allow a sliver (0.5 %) for anything that
        // differs between runs (none is expected).
        long same = 0;
        std::set<unsigned> colours;
        for (int r = 0; r < h; ++r)
            for (int c = 0; c < w; ++c) {
                const unsigned char* a = crop + 3 * (size_t(r) * size_t(w) + size_t(c));
                const unsigned char* b = full + 3 * (size_t(y + r) * size_t(fw) + size_t(x + c));
                same += a[0] == b[0] && a[1] == b[1] && a[2] == b[2];
                colours.insert(unsigned(a[0]) << 16 | unsigned(a[1]) << 8 | a[2]);
            }
        double share = double(same) / (double(w) * double(h));
        std::printf("%s: %dx%d at %d,%d of %dx%d; %.3f%% of pixels equal the window's; %zu colours\n", argv[2], w, h, x,
                    y, fw, fh, 100 * share, colours.size());
        if (share < 0.995) {
            std::fprintf(stderr, "the crop is not the window's region\n");
            rc = 1;
        }
        if (colours.size() < 32) {
            std::fprintf(stderr, "only %zu colours: not a real render\n", colours.size());
            rc = 1;
        }
    }
    stbi_image_free(full);
    stbi_image_free(crop);
    return rc;
}
