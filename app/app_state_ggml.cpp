// AppState, llama.cpp section: the selected tensor re-quantized into ggml's block types, as `llama-quantize`
// would write them without an importance matrix, and read back — a job per tensor, posting its rows as they
// come (the legacy types take milliseconds, the K-quants and IQ4_NL/IQ4_XS search their scales for seconds on a
// large layer) — and the whole model on request.
#include <cmath>
#include <filesystem>

#include "app/app_state.h"
#include "core/metrics/ggml_quant_mix.h"
#include "core/metrics/ggml_requant.h"

namespace qv {

std::shared_ptr<const GgmlRequantComparison> AppState::ggmlRequant() const {
    const Document* doc = currentDocument();
    if (!doc || !m_selected || !m_ggml) return nullptr;
    if (m_ggml->docId != doc->id || m_ggml->tensor != *m_selected || m_ggml->imatrixSerial != m_imatrixSerial)
        return nullptr;
    return m_ggml;
}

Result<size_t> AppState::loadImatrix(const std::string& path) {
    auto im = readImatrix(path);
    if (!im) return makeError(im.message());
    const size_t n = im->entries.size();
    useImatrix(std::make_shared<const Imatrix>(std::move(*im)), std::filesystem::path(path).filename().string());
    return n;
}

void AppState::useImatrix(std::shared_ptr<const Imatrix> imatrix, std::string label) {
    m_imatrix = std::move(imatrix);
    m_imatrixLabel = m_imatrix ? std::move(label) : std::string();
    ++m_imatrixSerial;
    if (m_ggmlProgress) m_ggmlProgress->cancel();  // computed under the previous one: its posts are dropped
    m_ggmlProgress.reset();
}

void AppState::clearImatrix() {
    if (!m_imatrix) return;
    useImatrix(nullptr, "");
}

void AppState::requestGgmlRequant() {
    const Document* doc = currentDocument();
    if (!doc || !m_selected) return;
    auto model = doc->model;
    const size_t tensor = *m_selected;
    const uint64_t docId = doc->id;
    if (auto g = ggmlRequant(); g && g->complete) return;
    if (m_ggmlProgress) {
        if (m_ggmlFor == std::make_pair(docId, tensor)) return;  // running for the selection: wait
        m_ggmlProgress->cancel();
    }
    m_ggmlFor = {docId, tensor};
    const auto& types = ggmlRequantTypes();
    m_ggmlProgress = m_jobs->submit("llama.cpp types for " + model->tensors[tensor].name,
                                    [this, model, tensor, docId, &types, imatrix = m_imatrix,
                                     serial = m_imatrixSerial](Progress& progress) {
        auto out = std::make_shared<GgmlRequantComparison>();
        out->docId = docId;
        out->tensor = tensor;
        out->imatrixSerial = serial;
        const TensorView view = model->view(tensor);
        const bool kept = ggmlKeptAsStored(view.info());
        // Covered by the importance matrix: encoded with it, and once more without it (the figure it beats).
        const ImatrixEntry* entry = imatrix && !kept ? ggmlImportanceEntry(*imatrix, view.info().name) : nullptr;
        if (entry) out->importanceEntry = entry->name;
        progress.setTotal(static_cast<double>(view.elements() * types.size()) * (entry ? 2 : 1));
        for (DType t : types) {
            GgmlRequantComparison::Row row;
            row.type = t;
            row.written = ggmlWrittenType(view.info(), t);
            row.typeName = std::string(dtypeName(t));
            if (row.written != t && !kept) row.typeName += " -> " + std::string(dtypeName(row.written));
            row.bitsPerWeight = bitsPerElement(row.written);
            if (kept) row.error = "1-D: llama.cpp keeps it as " + std::string(dtypeName(view.info().dtype));  // as stored
            else row.pending = true;
            out->rows.push_back(std::move(row));
        }
        // The cheap types first (blocks of 32: one pass each), then the searched ones, a post after each.
        std::vector<size_t> order;
        for (int searched = 0; searched < 2; ++searched)
            for (size_t k = 0; k < types.size(); ++k)
                if ((traits(out->rows[k].written).blockElements == 256 || out->rows[k].written == DType::IQ4_NL) == (searched == 1))
                    order.push_back(k);
        for (size_t k : kept ? std::vector<size_t>{} : order) {
            if (progress.cancelled()) break;
            auto& row = out->rows[k];
            // A written type already measured for another row (fallbacks): the same numbers.
            bool copied = false;
            for (const auto& other : out->rows)
                if (&other != &row && !other.pending && other.error.empty() && other.written == row.written) {
                    row.stats = other.stats;
                    row.relativeRms = other.relativeRms;
                    row.weighted = other.weighted;
                    row.weightedRel = other.weightedRel;
                    row.weightedRelWithout = other.weightedRelWithout;
                    copied = true;
                    break;
                }
            if (!copied) {
                ErrorAccumulator acc;
                GgmlWeightedSums with, without;
                auto r = entry ? ggmlRequantError(view, row.written, GgmlImportance{entry->values, true}, &progress, 0, &acc,
                                                  &with)
                               : ggmlRequantError(view, row.written, &progress, 0, &acc);
                if (r && entry) {
                    auto plain = ggmlRequantError(view, row.written, GgmlImportance{entry->values, false}, &progress, 0,
                                                  nullptr, &without);
                    if (!plain) r = makeError(plain.message());
                    row.weighted = true;
                    row.weightedRel = std::sqrt(with.relative());
                    row.weightedRelWithout = std::sqrt(without.relative());
                }
                if (r) {
                    row.stats = *r;
                    row.relativeRms = acc.sumSqErr == 0 || acc.sumSqX == 0 ? 0.0 : std::sqrt(acc.sumSqErr / acc.sumSqX);
                } else {
                    row.error = r.message();
                }
            }
            row.pending = false;
            if (progress.cancelled()) break;
            auto partial = std::make_shared<GgmlRequantComparison>(*out);
            post([this, partial, p = &progress] {
                if (m_ggmlProgress.get() == p) m_ggml = partial;
            });
        }
        out->complete = !progress.cancelled();
        const bool cancelled = progress.cancelled();
        post([this, out, cancelled, p = &progress] {
            if (m_ggmlProgress.get() == p) m_ggmlProgress.reset();
            if (!cancelled) m_ggml = out;
        });
    });
}

std::shared_ptr<const GgmlDetailResult> AppState::ggmlDetail() const {
    const Document* doc = currentDocument();
    if (!doc || !m_selected || !m_ggmlDetail) return nullptr;
    if (m_ggmlDetail->docId != doc->id || m_ggmlDetail->tensor != *m_selected ||
        m_ggmlDetail->imatrixSerial != m_imatrixSerial)
        return nullptr;
    return m_ggmlDetail;
}

void AppState::requestGgmlDetail(DType type) {
    const Document* doc = currentDocument();
    if (!doc || !m_selected) return;
    auto model = doc->model;
    const size_t tensor = *m_selected;
    const uint64_t docId = doc->id;
    if (auto d = ggmlDetail(); d && d->type == type) return;
    if (m_ggmlDetailProgress) {
        if (m_ggmlDetailFor == std::make_tuple(docId, tensor, type) && m_ggmlDetailSerial == m_imatrixSerial)
            return;  // running for it: wait
        m_ggmlDetailProgress->cancel();
    }
    m_ggmlDetailFor = {docId, tensor, type};
    m_ggmlDetailSerial = m_imatrixSerial;
    // The ranges of the histogram and the envelope from what is already known (the table's max |e| for the
    // type, the summary's min/max): one pass instead of two.
    GgmlDetailOptions options;
    if (auto g = ggmlRequant())
        for (const auto& r : g->rows)
            if (r.type == type && !r.pending && r.error.empty() && r.stats.maxAbsError > 0)
                options.errorLo = -r.stats.maxAbsError, options.errorHi = r.stats.maxAbsError;
    if (auto sum = cachedSummary(docId, tensor); sum && sum->min < sum->max)
        options.valueLo = sum->min, options.valueHi = sum->max;
    m_ggmlDetailProgress = m_jobs->submit(
        "llama.cpp " + std::string(dtypeName(type)) + " in detail for " + model->tensors[tensor].name,
        [this, model, tensor, docId, type, options, imatrix = m_imatrix, serial = m_imatrixSerial](Progress& progress) mutable {
            auto out = std::make_shared<GgmlDetailResult>();
            out->docId = docId;
            out->tensor = tensor;
            out->type = type;
            out->typeName = std::string(dtypeName(type));
            out->imatrixSerial = serial;
            const TensorView view = model->view(tensor);
            // Covered by the importance matrix: the same encoding as the table's row (the entry lives in `imatrix`).
            if (const ImatrixEntry* e = imatrix && !ggmlKeptAsStored(view.info()) ? ggmlImportanceEntry(*imatrix, view.info().name)
                                                                                  : nullptr) {
                options.importance = GgmlImportance{e->values, true};
                out->importanceEntry = e->name;
            }
            const bool twoPasses = !(options.errorLo < options.errorHi) || !(options.valueLo < options.valueHi);
            progress.setTotal(static_cast<double>(view.elements()) * (twoPasses ? 2 : 1));
            auto r = ggmlRequantDetail(view, type, options, &progress);
            const bool cancelled = progress.cancelled();
            if (r) out->detail = std::move(*r);
            else out->error = r.message();
            post([this, out, cancelled, p = &progress] {
                if (m_ggmlDetailProgress.get() != p) return;  // superseded by a request for another type
                m_ggmlDetailProgress.reset();
                if (!cancelled) m_ggmlDetail = out;
            });
        });
}

double GgmlTensorRow::Cell::sqnrDb() const { return sums.finish(0, 0).sqnrDb; }

double GgmlTensorRow::Cell::relativeRms() const {
    return sums.sumSqErr == 0 || sums.sumSqX == 0 ? 0.0 : std::sqrt(sums.sumSqErr / sums.sumSqX);
}

std::shared_ptr<const GgmlModelComparison> AppState::ggmlModel() const {
    const Document* doc = currentDocument();
    if (!doc || !m_ggmlModel || m_ggmlModel->docId != doc->id || m_ggmlModel->imatrixSerial != m_imatrixSerial)
        return nullptr;
    return m_ggmlModel;
}

void AppState::requestGgmlModel() {
    const Document* doc = currentDocument();
    if (!doc || m_ggmlModelProgress) return;
    auto model = doc->model;
    const uint64_t docId = doc->id;
    m_ggmlModelProgress = m_jobs->submit("llama.cpp types for the whole model", [this, model, docId, imatrix = m_imatrix,
                                                                           serial = m_imatrixSerial](Progress& progress) {
        auto out = std::make_shared<GgmlModelComparison>();
        out->docId = docId;
        out->imatrixSerial = serial;
        const auto& types = ggmlRequantTypes();
        for (DType t : types) out->totals.push_back(GgmlModelTotals{t});
        out->weighted.resize(types.size());
        const double total = static_cast<double>(model->totalElements());
        progress.setTotal(total);
        double done = 0;
        for (size_t i = 0; i < model->tensors.size() && !progress.cancelled(); ++i) {
            Progress pass;  // the tensor's passes report into their own counter; Cancel still reaches them
            pass.setCancelSource(&progress);
            const TensorInfo& info = model->tensors[i];
            const ImatrixEntry* entry =
                imatrix && !ggmlKeptAsStored(info) ? ggmlImportanceEntry(*imatrix, info.name) : nullptr;
            auto trips = entry ? ggmlRoundTrips(model->view(i), types, GgmlImportance{entry->values, true}, &pass, 0)
                               : ggmlRoundTrips(model->view(i), types, &pass, 0);
            if (!trips) {
                if (!progress.cancelled() && out->error.empty())
                    out->error = "'" + model->tensors[i].name + "': " + trips.message();
                if (progress.cancelled()) break;
                continue;
            }
            GgmlTensorRow row;
            row.tensor = i;
            row.elements = model->tensors[i].elements();
            if (entry) ++out->withImportance;
            for (size_t k = 0; k < types.size(); ++k) {
                out->totals[k].add(row.elements, (*trips)[k]);
                if (entry) {
                    out->weighted[k].sumImpSqErr += (*trips)[k].weighted.sumImpSqErr;
                    out->weighted[k].sumImpSqX += (*trips)[k].weighted.sumImpSqX;
                }
                row.kept = (*trips)[k].kept;
                row.types.push_back({(*trips)[k].written, (*trips)[k].sums});
            }
            out->rows.push_back(std::move(row));
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
