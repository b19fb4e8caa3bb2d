// qv-make-sample: writes the bundled sample model, `qv-make-sample assets/sample.safetensors`.
//
// The sample is the model `make run` opens when no file is given. It is generated, not trained:
// every tensor's distribution is documented in sample_model.cpp, and the test
// SampleAsset.CommittedFileMatchesGenerator regenerates it and compares it byte for byte with the
// committed assets/sample.safetensors, so the file cannot drift from this code. After changing the
// recipe, regenerate with:  build/bin/qv-make-sample assets/sample.safetensors
#include <cstdio>
#include <string>

#include "assets/generator/sample_model.h"

int main(int argc, char** argv) {
    if (argc != 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
        std::fprintf(argc == 2 ? stdout : stderr, "usage: qv-make-sample OUT.safetensors\n");
        return argc == 2 ? 0 : 2;
    }
    const qv::Status st = qv::sample::writeSample(argv[1]);
    if (!st.ok()) {
        std::fprintf(stderr, "qv-make-sample: %s\n", st.message().c_str());
        return 1;
    }
    return 0;
}
