// libFuzzer target: safetensors loader (path-based, so through a tmpfs file), then element reads.
#include "core/formats/safetensors.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = qv::fuzz::writeTemp(data, size, ".safetensors");
    auto m = qv::openSafetensors(path);
    if (m) qv::fuzz::touchModel(*m);
    return 0;
}
