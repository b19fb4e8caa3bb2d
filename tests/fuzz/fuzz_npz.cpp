// libFuzzer target: .npz loader (libzip over memory, stored windows, inflation, .npy headers).
#include "core/formats/npz.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto m = qv::openNpzBytes(qv::fuzz::copyBytes(data, size), "fuzz.npz");
    if (m) qv::fuzz::touchModel(*m);
    return 0;
}
