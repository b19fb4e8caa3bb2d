// The Learn menu's windows, in menu order.
#include "app/panels/gguf_walkthrough.h"
#include "app/panels/glossary_window.h"
#include "app/panels/learn_window.h"
#include "app/panels/mac_walkthrough.h"
#include "app/panels/qat_demo.h"
#include "app/panels/quantize_walkthrough.h"

namespace qv {

std::vector<std::unique_ptr<LearnWindow>> makeLearnWindows() {
    std::vector<std::unique_ptr<LearnWindow>> w;
    w.push_back(std::make_unique<GlossaryWindow>());
    w.push_back(std::make_unique<QuantizeWalkthrough>());
    w.push_back(std::make_unique<MacWalkthrough>());
    w.push_back(std::make_unique<GgufWalkthrough>());
    w.push_back(std::make_unique<QatDemo>());
    return w;
}

}  // namespace qv
