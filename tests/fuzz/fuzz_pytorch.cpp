// libFuzzer target: torch.save checkpoint loader (zip + restricted unpickler + storage mapping).
#include "core/formats/pytorch.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto m = qv::openPytorchBytes(qv::fuzz::copyBytes(data, size), "fuzz.pt");
    if (m) qv::fuzz::touchModel(*m);
    return 0;
}
