// libFuzzer target: .npy header parser (parseNpyHeader) on arbitrary bytes, then element reads.
#include "core/formats/npy.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto bytes = qv::fuzz::copyBytes(data, size);
    auto info = qv::parseNpyHeader(bytes->bytes(), "fuzz", "fuzz.npy");
    if (!info) return 0;
    qv::ModelFile m;
    m.format = "npy";
    info->source = 0;
    m.tensors.push_back(std::move(*info));
    m.sources.push_back(bytes);
    qv::fuzz::touchModel(m);
    return 0;
}
