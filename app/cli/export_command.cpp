// `quantviz-cli export FILE --tensor NAME --out OUT.npy`: one tensor as float32 .npy in its declared shape.
#include <iostream>
#include <memory>

#include "app/cli/cli_support.h"

namespace qv::cli {

namespace {

struct ExportOptions {
    std::string file;
    std::string tensor;
    std::string out;
};

int runExport(const ExportOptions& o) {
    SelectedTensor t = selectTensor(o.file, o.tensor);
    // TensorView converts any storage (f16, bf16, integers, ggml blocks) to float32 in logical
    // row-major order, so Fortran-order .npy and GGUF tensors come out in numpy order.
    std::vector<float> values = readAllFloats(t);
    writeFloatNpy(o.out, t.info().shape, values);
    std::cerr << "wrote " << o.out << ": " << t.info().name << " float32 " << t.info().shapeString() << " (from "
              << dtypeName(t.info().dtype) << ")\n";
    return kExitOk;
}

}  // namespace

Command addExportCommand(CLI::App& root) {
    auto o = std::make_shared<ExportOptions>();
    CLI::App* sub = root.add_subcommand(
        "export", "Write one tensor as a float32 .npy in the shape the file declares (dequantized if stored quantized)");
    sub->add_option("FILE", o->file, "Model or tensor file")->required();
    sub->add_option("--tensor", o->tensor, "Tensor name as the file has it (optional when the file holds one tensor)");
    sub->add_option("--out", o->out, "Output .npy path (written atomically: nothing is left behind on failure)")
        ->required();
    return {sub, [o] { return runExport(*o); }};
}

}  // namespace qv::cli
