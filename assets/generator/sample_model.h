// The bundled sample model (assets/sample.safetensors): tensors with documented, realistic properties,
// generated deterministically so the committed file can always be reproduced from this code.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/formats/safetensors.h"

namespace qv::sample {

// Shape of the tiny transformer the sample imitates.
constexpr int kDim = 128;        // model width (hidden size)
constexpr int kHidden = 256;     // MLP inner width
constexpr int kVocab = 256;      // embedding rows
constexpr int kLayers = 2;
constexpr int kTokens = 64;      // rows of the captured activations tensor
constexpr unsigned long long kSeed = 0x5157'5649'5A00'0001ULL;  // "QVIZ" + 1

// Input channels of layers.0.mlp.down_proj scaled up, and their factors (LLM.int8()-style outliers).
struct OutlierChannel {
    int channel;
    double factor;
};
inline constexpr OutlierChannel kDownProjOutliers[] = {{17, 20.0}, {101, 35.0}, {200, 50.0}};
// Channels of the activations tensor with huge magnitudes, and their scales.
inline constexpr OutlierChannel kActivationOutliers[] = {{7, 60.0}, {66, 25.0}, {113, 40.0}};

// The tensors in file order, and the __metadata__ describing the generator.
std::vector<SafetensorsEntry> sampleTensors();
std::map<std::string, std::string> sampleMetadata();

// Writes the sample to path (atomically).
Status writeSample(const std::string& path);

}  // namespace qv::sample
