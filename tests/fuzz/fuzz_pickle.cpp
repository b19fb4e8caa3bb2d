// libFuzzer target: the restricted unpickler alone (the zip layer would dilute its mutations).
#include "core/formats/pickle.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto p = qv::unpickleTorch({reinterpret_cast<const std::byte*>(data), size}, "fuzz.pkl");
    if (p && p->root >= p->values.size()) __builtin_trap();  // the root must be a built value
    return 0;
}
