// Helpers for the app tests.
#include "app_test_support.h"

#include <cstring>
#include <fstream>

namespace qv::test {

void writeNpyF32(const std::string& path, const std::vector<int64_t>& shape, const std::vector<float>& values) {
    // NumPy format spec (numpy.lib.format): magic, version 1.0, uint16 header length, a Python dict
    // literal padded with spaces so that the data starts at a multiple of 64, ending in '\n'.
    std::string dims;
    for (size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
    if (shape.size() == 1) dims += ",";
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
    size_t total = 10 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header += '\n';
    std::ofstream f(path, std::ios::binary);
    f.write("\x93NUMPY\x01\x00", 8);
    uint16_t len = uint16_t(header.size());
    f.put(char(len & 0xff));
    f.put(char(len >> 8));
    f.write(header.data(), std::streamsize(header.size()));
    f.write(reinterpret_cast<const char*>(values.data()), std::streamsize(values.size() * sizeof(float)));
}

}  // namespace qv::test
