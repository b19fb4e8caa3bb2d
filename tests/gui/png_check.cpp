// qv_png_check: asserts that a screenshot is a real render — expected size, many distinct colours,
// no single colour covering almost everything (a blank or all-black window fails).
// usage: qv_png_check FILE.png WIDTH HEIGHT [MIN_COLOURS]
#include <stb_image.h>

#include <cstdio>
#include <cstdlib>
#include <unordered_map>

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: qv_png_check FILE.png WIDTH HEIGHT [MIN_COLOURS]\n");
        return 2;
    }
    int w = 0, h = 0, n = 0;
    unsigned char* px = stbi_load(argv[1], &w, &h, &n, 3);
    if (!px) {
        std::fprintf(stderr, "%s: cannot read PNG (%s)\n", argv[1], stbi_failure_reason());
        return 1;
    }
    const int wantW = std::atoi(argv[2]), wantH = std::atoi(argv[3]);
    const size_t minColours = argc > 4 ? size_t(std::atoi(argv[4])) : 64;
    std::unordered_map<unsigned, size_t> counts;
    const size_t total = size_t(w) * size_t(h);
    for (size_t i = 0; i < total; ++i) {
        unsigned c = unsigned(px[3 * i]) << 16 | unsigned(px[3 * i + 1]) << 8 | px[3 * i + 2];
        ++counts[c];
    }
    stbi_image_free(px);
    size_t top = 0;
    for (auto& [c, k] : counts) top = k > top ? k : top;
    double topShare = double(top) / double(total);
    std::printf("%s: %dx%d, %zu distinct colours, most common colour covers %.1f%%\n", argv[1], w, h, counts.size(),
                100.0 * topShare);
    int rc = 0;
    if (w != wantW || h != wantH) {
        std::fprintf(stderr, "expected %dx%d\n", wantW, wantH);
        rc = 1;
    }
    if (counts.size() < minColours) {
        std::fprintf(stderr, "only %zu colours (want >= %zu): not a real render\n", counts.size(), minColours);
        rc = 1;
    }
    if (topShare > 0.97) {
        std::fprintf(stderr, "one colour covers %.1f%%: blank window\n", 100.0 * topShare);
        rc = 1;
    }
    return rc;
}
