// libFuzzer target: ONNX loader (protobuf parse + initializer/Constant walk) without external files.
#include "core/formats/onnx.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto m = qv::openOnnxBytes({reinterpret_cast<const std::byte*>(data), size}, "/nonexistent/fuzz.onnx",
                               /*allowExternal=*/false);
    if (m) qv::fuzz::touchModel(*m);
    return 0;
}
