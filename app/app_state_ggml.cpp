// AppState, llama.cpp section: the selected tensor re-quantized into ggml's legacy block types, as
// `llama-quantize` would write them without an importance matrix, and read back — a job per tensor.
#include <cmath>

#include "app/app_state.h"
#include "core/metrics/ggml_requant.h"

namespace qv {

std::shared_ptr<const GgmlRequantComparison> AppState::ggmlRequant() const {
    const Document* doc = currentDocument();
    if (!doc || !m_selected || !m_ggml) return nullptr;
    if (m_ggml->docId != doc->id || m_ggml->tensor != *m_selected) return nullptr;
    return m_ggml;
}

void AppState::requestGgmlRequant() {
    const Document* doc = currentDocument();
    if (!doc || !m_selected || ggmlRequant()) return;
    auto model = doc->model;
    const size_t tensor = *m_selected;
    const uint64_t docId = doc->id;
    if (m_ggmlProgress) {
        if (m_ggmlFor == std::make_pair(docId, tensor)) return;  // running for the selection: wait
        m_ggmlProgress->cancel();
    }
    m_ggmlFor = {docId, tensor};
    const auto& types = ggmlRequantTypes();
    m_ggmlProgress = m_jobs->submit("llama.cpp types for " + model->tensors[tensor].name,
                                    [this, model, tensor, docId, &types](Progress& progress) {
        auto out = std::make_shared<GgmlRequantComparison>();
        out->docId = docId;
        out->tensor = tensor;
        const TensorView view = model->view(tensor);
        progress.setTotal(static_cast<double>(view.elements() * types.size()));
        const bool kept = ggmlKeptAsStored(view.info());
        // One pass per distinct written type (fallbacks shared by several types are computed once).
        auto trips = kept ? Result<std::vector<GgmlRoundTrip>>(std::vector<GgmlRoundTrip>{})
                          : ggmlRoundTrips(view, types, &progress, 0);
        for (size_t k = 0; k < types.size(); ++k) {
            GgmlRequantComparison::Row row;
            row.type = types[k];
            row.written = ggmlWrittenType(view.info(), types[k]);
            row.typeName = std::string(dtypeName(types[k]));
            if (row.written != types[k] && !kept) row.typeName += " -> " + std::string(dtypeName(row.written));
            row.bitsPerWeight = bitsPerElement(row.written);
            if (kept) {  // llama-quantize leaves 1-D tensors (norms, biases) as they are
                row.error = "1-D: llama.cpp keeps it as " + std::string(dtypeName(view.info().dtype));
            } else if (!trips) {
                row.error = trips.message();
            } else {
                const ErrorAccumulator& acc = (*trips)[k].sums;
                row.stats = acc.finish(0, 0);
                row.relativeRms = acc.sumSqErr == 0 || acc.sumSqX == 0 ? 0.0 : std::sqrt(acc.sumSqErr / acc.sumSqX);
            }
            out->rows.push_back(std::move(row));
        }
        const bool cancelled = progress.cancelled();
        post([this, out, cancelled, p = &progress] {
            if (m_ggmlProgress.get() == p) m_ggmlProgress.reset();
            if (!cancelled) m_ggml = out;
        });
    });
}

std::shared_ptr<const GgmlModelComparison> AppState::ggmlModel() const {
    const Document* doc = currentDocument();
    if (!doc || !m_ggmlModel || m_ggmlModel->docId != doc->id) return nullptr;
    return m_ggmlModel;
}

void AppState::requestGgmlModel() {
    const Document* doc = currentDocument();
    if (!doc || m_ggmlModelProgress) return;
    auto model = doc->model;
    const uint64_t docId = doc->id;
    m_ggmlModelProgress = m_jobs->submit("llama.cpp types for the whole model", [this, model, docId](Progress& progress) {
        auto out = std::make_shared<GgmlModelComparison>();
        out->docId = docId;
        const auto& types = ggmlRequantTypes();
        for (DType t : types) out->totals.push_back(GgmlModelTotals{t});
        const double total = static_cast<double>(model->totalElements());
        progress.setTotal(total);
        double done = 0;
        for (size_t i = 0; i < model->tensors.size() && !progress.cancelled(); ++i) {
            Progress pass;  // the tensor's passes report into their own counter; Cancel still reaches them
            pass.setCancelSource(&progress);
            auto trips = ggmlRoundTrips(model->view(i), types, &pass, 0);
            if (!trips) {
                if (!progress.cancelled() && out->error.empty())
                    out->error = "'" + model->tensors[i].name + "': " + trips.message();
                if (progress.cancelled()) break;
                continue;
            }
            for (size_t k = 0; k < types.size(); ++k) out->totals[k].add(model->tensors[i].elements(), (*trips)[k]);
            ++out->tensors;
            done += static_cast<double>(model->tensors[i].elements());
            progress.set(done);
        }
        const bool cancelled = progress.cancelled();
        post([this, out, cancelled, p = &progress] {
            if (m_ggmlModelProgress.get() == p) m_ggmlModelProgress.reset();
            if (!cancelled) m_ggmlModel = out;
        });
    });
}

}  // namespace qv
