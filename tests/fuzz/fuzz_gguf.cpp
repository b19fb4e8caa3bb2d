// libFuzzer target: GGUF loader from memory (header, KV metadata, tensor infos), then element reads.
#include "core/formats/gguf.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto m = qv::openGgufFromBytes(qv::fuzz::copyBytes(data, size), "fuzz.gguf");
    if (m) qv::fuzz::touchModel(*m);
    return 0;
}
