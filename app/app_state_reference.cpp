// AppState, second-file section: a second model file (the "reference": often the same model in higher
// precision, but any file) compared with the open one on the selected tensor — element by element for
// any dtypes, and, when one side is stored block-quantized, that quantization's error beside quantviz's
// schemes. Both run as jobs.
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "app/app_state.h"
#include "core/calib/slice_calibration.h"

namespace qv {

bool AppState::openReference(const std::string& path) {
    auto opened = openOrReport(path, "Could not open reference");
    if (!opened) return false;
    m_reference = std::move(opened);
    m_referenceChangeReported = false;
    m_stored.reset();
    m_storedModel.reset();
    m_fileCompare.reset();
    m_status = "reference: " + path + " (" + std::to_string(m_reference->tensors.size()) + " tensors)";
    return true;
}

void AppState::clearReference() {
    m_reference.reset();
    m_stored.reset();
    m_storedModel.reset();
    m_fileCompare.reset();
}

std::shared_ptr<const FileTensorComparison> AppState::fileComparison() const {
    const Document* doc = currentDocument();
    if (!doc || !m_selected || !m_reference || !m_fileCompare) return nullptr;
    const auto& c = *m_fileCompare;
    if (c.docId != doc->id || c.tensor != *m_selected || c.second != m_reference.get()) return nullptr;
    return m_fileCompare;
}

void AppState::requestFileComparison() {
    const Document* doc = currentDocument();
    if (!doc || !m_selected || !m_reference || fileComparison()) return;
    auto model = doc->model;
    auto second = m_reference;
    size_t tensor = *m_selected;
    uint64_t docId = doc->id;
    if (m_fileCompareProgress) {
        // Running for what is still selected: wait for it; for another tensor or file: stop it (two
        // passes over a large tensor are wasted work once the selection moved on).
        if (m_fileCompareFor == std::make_tuple(docId, tensor, second.get())) return;
        m_fileCompareProgress->cancel();
    }
    m_fileCompareFor = {docId, tensor, second.get()};
    m_fileCompareProgress = m_jobs->submit("compare " + model->tensors[tensor].name + " with the second file",
                                           [this, model, second, tensor, docId](Progress& progress) {
        auto out = std::make_shared<FileTensorComparison>();
        out->docId = docId;
        out->tensor = tensor;
        out->second = second.get();
        const TensorInfo& a = model->tensors[tensor];
        out->name = a.name;
        out->typeA = storedQuantFacts(a).typeName;
        out->shapeA = a.shape;
        auto j = second->find(a.name);
        // Two single-tensor files (.npy captures are named after their file) pair up whatever the names.
        if (!j && model->tensors.size() == 1 && second->tensors.size() == 1) {
            j = 0;
            out->pairedByPosition = true;
        }
        if (!j) {
            out->error = "'" + a.name + "' is not in the second file " + second->path + " (tensors are matched by name)";
        } else {
            const TensorInfo& b = second->tensors[*j];
            out->typeB = storedQuantFacts(b).typeName;
            out->shapeB = b.shape;
            // A stored-quantized side against a plain one: the plain side is the signal (as in the stored
            // table), so SQNR and relative RMS are the quantization's whichever file is open.
            const bool signalIsB = storedQuantFacts(a).blockQuantized && !storedQuantFacts(b).blockQuantized;
            auto r = compareTensorFiles(model->view(tensor), second->view(*j), &progress, 0, signalIsB);
            if (r) out->result = std::move(r.value());
            else out->error = r.message();
        }
        bool cancelled = progress.cancelled();
        post([this, out, cancelled, p = &progress] {
            if (m_fileCompareProgress.get() == p) m_fileCompareProgress.reset();
            if (!cancelled) m_fileCompare = out;
        });
    });
}

std::shared_ptr<const StoredQuantComparison> AppState::storedModelComparison() const {
    const Document* doc = currentDocument();
    if (!doc || !m_reference || !m_storedModel) return nullptr;
    if (m_storedModelKey != std::make_pair(doc->id, m_reference.get())) return nullptr;
    return m_storedModel;
}

void AppState::requestStoredModelComparison() {
    const Document* doc = currentDocument();
    if (!doc || !m_reference || m_storedModelProgress) return;
    std::pair<uint64_t, const ModelFile*> key{doc->id, m_reference.get()};
    if (m_storedModel && m_storedModelKey == key) return;
    auto model = doc->model;
    auto reference = m_reference;
    m_storedModelProgress = m_jobs->submit("whole-model stored quantization error", [this, model, reference, key](Progress& progress) {
        auto r = compareStoredModel(*model, *reference, false, &progress, 2);
        bool cancelled = progress.cancelled();
        std::shared_ptr<const StoredQuantComparison> value;
        std::string error;
        if (r) value = std::make_shared<StoredQuantComparison>(std::move(r.value()));
        else error = r.message();
        post([this, key, value, error, cancelled, p = &progress] {
            if (m_storedModelProgress.get() == p) m_storedModelProgress.reset();
            if (cancelled) return;
            m_storedModelKey = key;
            // A failure still settles the request (an empty comparison) so it is not retried every frame.
            m_storedModel = value ? value : std::make_shared<StoredQuantComparison>();
            if (!error.empty()) m_status = "whole-model comparison: " + error;
        });
    });
}

std::shared_ptr<const TensorSummary> AppState::cachedSummary(uint64_t docId, size_t tensor) const {
    auto it = m_summaries.find({docId, tensor});
    return it == m_summaries.end() ? nullptr : it->second.value;
}

std::string AppState::storedComparisonKey() const {
    const Document* doc = currentDocument();
    if (!doc || !m_selected || !m_reference) return {};
    const QuantScheme& s = m_scheme;
    char buf[256];
    std::snprintf(buf, sizeof buf, "%" PRIu64 "/%zu/%p/b%d/%d/%d/f%d/g%d/a%d/G%lld/c%d/p%.17g", doc->id,
                  *m_selected, static_cast<const void*>(m_reference.get()), s.bits, int(s.symmetry), int(s.fullRange),
                  int(s.format), int(s.granularity), s.axis, static_cast<long long>(s.groupSize), int(s.convention),
                  m_percentile);
    std::string key = buf;
    for (const auto& c : m_calibrators)
        if (c.enabled) key += "/" + specFor(c.name);
    return key;
}

std::shared_ptr<const StoredComparison> AppState::storedComparison() const {
    if (!m_stored || m_stored->key != storedComparisonKey()) return nullptr;
    return m_stored;
}

void AppState::requestStoredComparison() {
    const Document* doc = currentDocument();
    if (!doc || !m_selected || !m_reference || m_storedProgress) return;
    std::string key = storedComparisonKey();
    if (m_stored && m_stored->key == key) return;
    const TensorInfo& info = doc->model->tensors[*m_selected];
    // The stored-quantized side: the open file's tensor, else the second file's tensor of that name.
    bool storedInSecond = false;
    if (!storedQuantFacts(info).blockQuantized) {
        auto j = m_reference->find(info.name);
        if (!j || !storedQuantFacts(m_reference->tensors[*j]).blockQuantized) return;
        storedInSecond = true;
    }
    auto model = doc->model;
    auto reference = m_reference;
    size_t tensor = *m_selected;
    uint64_t docId = doc->id;
    QuantScheme scheme = m_scheme;
    std::vector<std::string> specs;
    for (const auto& c : m_calibrators)
        if (c.enabled) specs.push_back(specFor(c.name));
    m_storedProgress = m_jobs->submit("stored quantization of " + info.name,
                                      [this, model, reference, tensor, docId, scheme, specs, key,
                                       storedInSecond](Progress& progress) {
        auto out = std::make_shared<StoredComparison>();
        out->docId = docId;
        out->tensor = tensor;
        out->key = key;
        out->scheme = scheme;
        out->storedInSecond = storedInSecond;
        const TensorInfo& t = model->tensors[tensor];
        auto refIndex = reference->find(t.name);
        if (!refIndex) {
            out->error = "'" + t.name + "' is not in the reference " + reference->path;
        } else {
            // x = the higher-precision side, x̂ = the stored-quantized side's reconstruction.
            TensorView storedView = storedInSecond ? reference->view(*refIndex) : model->view(tensor);
            TensorView refView = storedInSecond ? model->view(tensor) : reference->view(*refIndex);
            StoredQuantFacts facts = storedQuantFacts(storedView.info());
            out->storedTypeName = facts.typeName;
            out->storedBitsPerWeight = facts.bitsPerWeight;
            out->referenceType = std::string(dtypeName(refView.info().dtype));
            auto cmp = compareStoredTensor(storedView, refView, &progress, 2);
            if (!cmp) {
                out->error = cmp.message();
            } else {
                out->file = std::move(cmp.value());
                // quantviz's scheme on the reference weights: each enabled calibrator's parameters,
                // then the exact error pass (the same code as the Calibrators tab's exact column).
                for (const auto& spec : specs) {
                    if (progress.cancelled()) break;
                    auto cal = makeCalibrator(spec);
                    if (!cal) continue;
                    auto params = calibrateSlices(*cal, refView, scheme, &progress);
                    if (!params) continue;
                    ErrorPassOptions metricsOnly;
                    metricsOnly.histograms = false;  // the table shows totals only
                    auto rep = measureError(refView, params.value(), &progress, metricsOnly);
                    if (!rep) continue;
                    StoredComparison::Row row;
                    row.spec = spec;
                    row.label = cal->label();
                    row.stats = rep.value()->total;
                    // SQNR = 20·log10(‖x‖/‖e‖), so ‖e‖/‖x‖ = 10^(−SQNR/20).
                    row.relativeRms = std::isinf(row.stats.sqnrDb) ? 0.0 : std::pow(10.0, -row.stats.sqnrDb / 20.0);
                    out->quantviz.push_back(std::move(row));
                }
            }
        }
        bool cancelled = progress.cancelled();
        post([this, out, cancelled, p = &progress] {
            if (m_storedProgress.get() == p) m_storedProgress.reset();
            if (!cancelled) m_stored = out;
        });
    });
}

}  // namespace qv
