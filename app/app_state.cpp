// AppState: documents, selection, scheme, background jobs and the immutable analysis snapshots.
//
// Index
// [SECTION] construction and the job inbox
// [SECTION] documents and selection
// [SECTION] scheme and calibrators
// [SECTION] background jobs: summary, per-slice ranges, exact pass
// [SECTION] analysis (cheap, from the summary)
// [SECTION] whole-model overview
// [SECTION] estimates on the sample
#include "app/app_state.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>

#include "app/views/tensor_tree.h"
#include "core/base/parallel.h"
#include "core/calib/calibrator.h"
#include "core/calib/presets.h"
#include "core/calib/slice_calibration.h"
#include "core/quant/quantizer.h"

namespace qv {

namespace {
constexpr size_t kExactCacheLimit = 512;
constexpr size_t kRecentLimit = 10;
constexpr uint64_t kPerSliceStatsLimit = 65536;  // per-slice estimate rows kept (bars beyond are meaningless)
}  // namespace

// [SECTION] construction and the job inbox

AppState::AppState(int workers) : m_jobs(std::make_unique<JobQueue>(workers)) {
    for (const auto& name : calibratorNames()) m_calibrators.push_back({name, true});
    m_jobs->setOnJobDone([this] {
        std::function<void()> wake;
        {
            std::lock_guard lock(m_inboxMutex);
            wake = m_wake;
        }
        if (wake) wake();
    });
}

AppState::~AppState() { m_jobs.reset(); }

void AppState::setWake(std::function<void()> wake) {
    std::lock_guard lock(m_inboxMutex);
    m_wake = std::move(wake);
}

void AppState::post(std::function<void()> fn) {
    std::lock_guard lock(m_inboxMutex);
    m_inbox.push_back(std::move(fn));
}

void AppState::poll() {
    std::vector<std::function<void()>> inbox;
    {
        std::lock_guard lock(m_inboxMutex);
        inbox.swap(m_inbox);
    }
    for (auto& fn : inbox) fn();
}

void AppState::report(std::string title, std::string text) {
    m_status = title + ": " + text;
    m_message.title = std::move(title);
    m_message.text = std::move(text);
    m_message.reopenDocId = 0;
    ++m_message.serial;
}

// [SECTION] documents and selection

std::shared_ptr<const ModelFile> AppState::openOrReport(const std::string& path, const char* title) {
    auto r = openModel(path);
    if (r) return std::move(r.value());
    std::string msg = r.message();
    if (msg.find(path) == std::string::npos) msg = path + ": " + msg;
    report(title, msg);
    return nullptr;
}

void AppState::forgetSummaries(uint64_t docId) {
    for (auto it = m_summaries.begin(); it != m_summaries.end();) {
        if (it->first.first == docId) {
            if (it->second.progress) it->second.progress->cancel();
            it = m_summaries.erase(it);
        } else {
            ++it;
        }
    }
}

std::optional<size_t> firstTensorToShow(const ModelFile& model) {
    if (model.tensors.empty()) return std::nullopt;
    // A weight first: the first floating or block-quantized tensor of two or more dimensions, in the
    // browser's order (the tensor tree: an .npz's zip order puts layers.3 first, the tree layers.0). Files
    // often begin with scalars and small integer tensors (ONNX shape constants, GGUF token ids, an exported
    // graph's step counters) that say nothing about quantization.
    std::vector<size_t> order;
    order.reserve(model.tensors.size());
    std::function<void(const TensorTreeNode&)> leaves = [&](const TensorTreeNode& n) {
        for (const auto& c : n.children) {
            if (c.tensor) order.push_back(*c.tensor);
            else leaves(c);
        }
    };
    leaves(buildTensorTree(model.tensors));
    for (size_t i : order) {
        const TensorInfo& t = model.tensors[i];
        const auto& tr = traits(t.dtype);
        if ((tr.isFloat || tr.isBlockQuantized) && t.shape.size() >= 2 && t.elements() >= 2) return i;
    }
    // Otherwise the largest floating tensor (a file of vectors, or one .npy), else the first.
    std::optional<size_t> largest;
    for (size_t i = 0; i < model.tensors.size(); ++i) {
        const TensorInfo& t = model.tensors[i];
        if (!traits(t.dtype).isFloat && !traits(t.dtype).isBlockQuantized) continue;
        if (!largest || t.elements() > model.tensors[*largest].elements()) largest = i;
    }
    return largest ? largest : std::optional<size_t>(0);
}

bool AppState::openFile(const std::string& path) {
    auto opened = openOrReport(path, "Could not open file");
    if (!opened) return false;
    Document doc{m_nextDocId++, std::move(opened), {}};
    m_documents.push_back(std::move(doc));
    m_currentDoc = int(m_documents.size()) - 1;
    m_selected.reset();
    const auto& model = *m_documents.back().model;
    if (auto first = firstTensorToShow(model)) selectTensor(*first);
    m_recent.erase(std::remove(m_recent.begin(), m_recent.end(), path), m_recent.end());
    m_recent.insert(m_recent.begin(), path);
    if (m_recent.size() > kRecentLimit) m_recent.resize(kRecentLimit);
    char buf[160];
    std::snprintf(buf, sizeof buf, "opened %zu tensors (%s)", model.tensors.size(), model.format.c_str());
    m_status = path + ": " + buf;
    invalidate();
    return true;
}

const Document* AppState::currentDocument() const {
    if (m_currentDoc < 0 || m_currentDoc >= int(m_documents.size())) return nullptr;
    return &m_documents[m_currentDoc];
}

void AppState::setCurrentDocument(int index) {
    if (index < 0 || index >= int(m_documents.size()) || index == m_currentDoc) return;
    m_currentDoc = index;
    m_selected.reset();
    if (auto first = firstTensorToShow(*m_documents[index].model)) selectTensor(*first);
    invalidate();
}

void AppState::closeDocument(int index) {
    if (index < 0 || index >= int(m_documents.size())) return;
    forgetSummaries(m_documents[index].id);
    m_documents.erase(m_documents.begin() + index);
    m_currentDoc = m_documents.empty() ? -1 : std::min<int>(m_currentDoc, int(m_documents.size()) - 1);
    m_selected.reset();
    m_analysis.reset();
    if (auto* d = currentDocument())
        if (auto first = firstTensorToShow(*d->model)) selectTensor(*first);
    invalidate();
}

int AppState::documentIndex(uint64_t docId) const {
    for (size_t i = 0; i < m_documents.size(); ++i)
        if (m_documents[i].id == docId) return int(i);
    return -1;
}

bool AppState::reopenDocument(int index) {
    if (index < 0 || index >= int(m_documents.size())) return false;
    const std::string path = m_documents[index].model->path;
    auto opened = openOrReport(path, "Could not reopen file");
    if (!opened) return false;
    const bool current = index == m_currentDoc;
    std::string selectedName;
    if (current && m_selected && *m_selected < m_documents[index].model->tensors.size())
        selectedName = m_documents[index].model->tensors[*m_selected].name;
    // Everything computed from the old bytes goes with the old id (summaries, exact results and
    // failures are keyed by it); the new document gets a fresh id, like a newly opened file.
    forgetSummaries(m_documents[index].id);
    m_documents[index] = Document{m_nextDocId++, std::move(opened), {}};
    if (current) {
        m_selected.reset();
        m_analysis.reset();
        const auto& model = *m_documents[index].model;
        if (selectedName.empty() || !selectTensorByName(selectedName))
            if (auto first = firstTensorToShow(model)) selectTensor(*first);
    }
    char buf[160];
    std::snprintf(buf, sizeof buf, "reopened: %zu tensors (%s)", m_documents[index].model->tensors.size(),
                  m_documents[index].model->format.c_str());
    m_status = path + ": " + buf;
    invalidate();
    return true;
}

void AppState::offerReopenIfChanged(const ModelFile& model) {
    for (auto& doc : m_documents) {
        if (doc.model.get() != &model) continue;
        for (const auto& src : model.sources) {
            std::string why = src ? src->integrityProblem() : std::string();
            if (why.empty()) continue;
            if (doc.changedOnDisk.empty()) doc.changedOnDisk = why;
            m_message.reopenDocId = doc.id;
            return;
        }
    }
}

void AppState::checkFilesOnDisk() {
    for (auto& doc : m_documents) {
        if (!doc.changedOnDisk.empty()) continue;
        for (const auto& src : doc.model->sources) {
            if (!src) continue;
            std::string why = src->integrityProblem();
            if (why.empty()) continue;
            doc.changedOnDisk = why;
            report("File changed on disk", why);
            m_message.reopenDocId = doc.id;
            break;
        }
    }
    if (m_reference && !m_referenceChangeReported)
        for (const auto& src : m_reference->sources) {
            if (!src) continue;
            std::string why = src->integrityProblem();
            if (why.empty()) continue;
            m_referenceChangeReported = true;
            report("Second file changed on disk", why + " (File > Open second file to compare... opens it again.)");
            break;
        }
}

void AppState::selectTensor(size_t index) {
    const Document* doc = currentDocument();
    if (!doc || index >= doc->model->tensors.size()) return;
    if (m_selected == index) return;
    m_selected = index;
    m_manual.reset();
    if (m_activeCalibrator == "manual") m_activeCalibrator = "minmax";
    requestSummary(doc->id, index);
    invalidate();
}

bool AppState::selectTensorByName(const std::string& name) {
    const Document* doc = currentDocument();
    if (!doc) return false;
    auto i = doc->model->find(name);
    if (!i) return false;
    selectTensor(*i);
    return true;
}

void AppState::selectRelative(int delta, const std::vector<size_t>& order) {
    if (order.empty()) return;
    auto it = m_selected ? std::find(order.begin(), order.end(), *m_selected) : order.end();
    long pos = it == order.end() ? (delta > 0 ? -1 : long(order.size())) : long(it - order.begin());
    pos = std::clamp<long>(pos + delta, 0, long(order.size()) - 1);
    selectTensor(order[size_t(pos)]);
}

// [SECTION] scheme and calibrators

void AppState::setScheme(const QuantScheme& s) {
    QuantScheme n = s;
    n.bits = std::clamp(n.bits, 2, 16);
    n.groupSize = std::max<int64_t>(1, n.groupSize);
    n.axis = std::max(0, n.axis);
    if (n == m_scheme) return;
    m_scheme = n;
    invalidate();
}

void AppState::setBits(int bits) {
    QuantScheme s = m_scheme;
    s.bits = bits;
    setScheme(s);
}

void AppState::setActiveCalibrator(const std::string& name) {
    if (name == m_activeCalibrator) return;
    m_activeCalibrator = name;
    invalidate();
}

void AppState::setCalibratorEnabled(size_t i, bool enabled) {
    if (i >= m_calibrators.size() || m_calibrators[i].enabled == enabled) return;
    m_calibrators[i].enabled = enabled;
    invalidate();
}

void AppState::setPercentile(double p) {
    p = std::clamp(p, 50.0, 100.0);
    if (p == m_percentile) return;
    m_percentile = p;
    invalidate();
}

bool AppState::applyPreset(const std::string& name) {
    const Preset* p = findPreset(name);
    if (!p) return false;
    m_preset = name;
    setScheme(p->apply(m_scheme));
    for (auto& c : m_calibrators) {
        c.enabled = false;
        c.arg.clear();
        for (const auto& spec : p->calibrators) {
            auto colon = spec.find(':');
            if (spec.substr(0, colon) != c.name) continue;
            c.enabled = true;
            if (colon == std::string::npos) continue;
            if (c.name == "percentile") m_percentile = std::atof(spec.c_str() + colon + 1);
            else c.arg = spec.substr(colon + 1);
        }
    }
    bool activeOn = false;
    for (const auto& c : m_calibrators) activeOn |= c.enabled && c.name == m_activeCalibrator;
    if (!activeOn && m_activeCalibrator != "manual") m_activeCalibrator = "minmax";
    invalidate();
    return true;
}

std::string AppState::specFor(const std::string& name) const {
    if (name != "percentile") {
        for (const auto& c : m_calibrators)
            if (c.name == name && !c.arg.empty()) return name + ":" + c.arg;
        return name;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "percentile:%.6g", m_percentile);
    return buf;
}

void AppState::setCompare(const QuantScheme& scheme, const std::string& calibrator) {
    QuantScheme s = scheme;
    s.bits = std::clamp(s.bits, 2, 16);
    s.granularity = Granularity::PerTensor;
    if (m_compare && m_compare->first == s && m_compare->second == calibrator) return;
    m_compare = std::make_pair(s, calibrator);
    invalidate();
}

void AppState::clearCompare() {
    if (!m_compare) return;
    m_compare.reset();
    invalidate();
}

void AppState::setManualRange(ClipRange r) {
    if (r.lo > r.hi) std::swap(r.lo, r.hi);
    if (m_manual && *m_manual == r && m_activeCalibrator == "manual") return;
    m_manual = r;
    m_activeCalibrator = "manual";
    invalidate();
}

void AppState::clearManualRange() {
    if (!m_manual) return;
    m_manual.reset();
    if (m_activeCalibrator == "manual") m_activeCalibrator = "minmax";
    invalidate();
}

// [SECTION] background jobs: summary, per-slice ranges, exact pass

std::shared_ptr<const TensorSummary> AppState::summary() const {
    const Document* doc = currentDocument();
    if (!doc || !m_selected) return nullptr;
    auto it = m_summaries.find({doc->id, *m_selected});
    return it == m_summaries.end() ? nullptr : it->second.value;
}

std::string AppState::summaryError() const {
    const Document* doc = currentDocument();
    if (!doc || !m_selected) return {};
    auto it = m_summaries.find({doc->id, *m_selected});
    return it == m_summaries.end() ? std::string() : it->second.error;
}

void AppState::requestSummary(uint64_t docId, size_t tensor) {
    auto& e = m_summaries[{docId, tensor}];
    if (e.value || e.progress || !e.error.empty()) return;
    const Document* doc = currentDocument();
    if (!doc || doc->id != docId) return;
    auto model = doc->model;
    std::string label = "summary of " + model->tensors[tensor].name;
    e.progress = m_jobs->submit(label, [this, model, docId, tensor](Progress& progress) {
        TensorView view = model->view(tensor);
        auto r = summarize(view, &progress);
        bool cancelled = progress.cancelled();
        std::shared_ptr<const TensorSummary> value;
        std::string error;
        if (r) value = std::move(r.value());
        else error = r.message();
        post([this, docId, tensor, value, error, cancelled, model, name = model->tensors[tensor].name] {
            auto it = m_summaries.find({docId, tensor});
            if (it == m_summaries.end()) return;
            if (cancelled) {
                m_summaries.erase(it);
            } else if (value) {
                it->second.value = value;
                it->second.progress.reset();
            } else {
                it->second.error = error;
                it->second.progress.reset();
                report("Could not read tensor", error.rfind(name, 0) == 0 ? error : name + ": " + error);
                offerReopenIfChanged(*model);
            }
            invalidate();
        });
    });
}

void AppState::requestSlices() {
    const Document* doc = currentDocument();
    if (!doc || !m_selected) return;
    if (m_slicesProgress) m_slicesProgress->cancel();
    auto model = doc->model;
    uint64_t docId = doc->id;
    size_t tensor = *m_selected;
    QuantScheme scheme = m_scheme;
    m_slicesProgress = m_jobs->submit("per-slice ranges of " + model->tensors[tensor].name,
                                      [this, model, docId, tensor, scheme](Progress& progress) {
        TensorView view = model->view(tensor);
        auto out = std::make_shared<SliceRanges>();
        out->docId = docId;
        out->tensor = tensor;
        out->layoutScheme = scheme;
        out->layout = SliceLayout::make(scheme, model->tensors[tensor].shape);
        const uint64_t n = view.elements();
        const uint64_t slices = std::max<uint64_t>(1, out->layout.slices);
        progress.setTotal(double(n));
        const size_t chunk = std::max<size_t>(4096, view.chunkElements());
        int workers = parallelWorkers(n, chunk, 0);
        std::vector<std::vector<float>> mins(workers, std::vector<float>(slices, std::numeric_limits<float>::infinity()));
        std::vector<std::vector<float>> maxs(workers, std::vector<float>(slices, -std::numeric_limits<float>::infinity()));
        bool readFailed = false;
        PageReleaser release = view.pageReleaser(n, chunk);  // very large tensors: pages go once copied
        parallelFor(n, chunk, 0, [&](size_t begin, size_t end, int w) {
            if (progress.cancelled()) return;
            std::vector<float> buf(end - begin);
            if (!view.read(begin, buf.size(), buf.data())) { readFailed = true; return; }
            release.chunkDone(begin);
            auto& mn = mins[w];
            auto& mx = maxs[w];
            for (size_t i = 0; i < buf.size(); ++i) {
                float v = buf[i];
                if (!std::isfinite(v)) continue;
                uint64_t s = out->layout.sliceOf(begin + i);
                mn[s] = std::min(mn[s], v);
                mx[s] = std::max(mx[s], v);
            }
            progress.add(double(buf.size()));
        });
        if (progress.cancelled() || readFailed) {
            post([this, p = &progress] { if (m_slicesProgress.get() == p) m_slicesProgress.reset(); });
            return;
        }
        out->mins = std::move(mins[0]);
        out->maxs = std::move(maxs[0]);
        for (int w = 1; w < workers; ++w)
            for (uint64_t s = 0; s < slices; ++s) {
                out->mins[s] = std::min(out->mins[s], mins[w][s]);
                out->maxs[s] = std::max(out->maxs[s], maxs[w][s]);
            }
        for (uint64_t s = 0; s < slices; ++s)
            if (!(out->mins[s] <= out->maxs[s])) out->mins[s] = out->maxs[s] = 0;
        // Evenly strided sample that keeps each value's slice (for per-slice live estimates).
        const uint64_t want = std::min<uint64_t>(n, TensorSummary::kSampleSize);
        out->sampleValues.reserve(want);
        out->sampleSlices.reserve(want);
        for (uint64_t k = 0; k < want; ++k) {
            uint64_t i = want == n ? k : (k * n) / want;
            float v = 0;
            if (!view.read(i, 1, &v) || !std::isfinite(v)) continue;
            out->sampleValues.push_back(v);
            out->sampleSlices.push_back(uint32_t(out->layout.sliceOf(i)));
        }
        std::shared_ptr<const SliceRanges> result = std::move(out);
        post([this, result, p = &progress] {
            if (m_slicesProgress.get() == p) m_slicesProgress.reset();
            m_slices = result;
            invalidate();
        });
    });
}

std::string AppState::exactKey(const CalibRow& row) const {
    const auto& s = row.params.scheme;
    char buf[256];
    std::snprintf(buf, sizeof buf, "%" PRIu64 "/%zu/b%d/%d/%d/%d/g%d/a%d/G%lld/c%d/", m_analysis ? m_analysis->docId : 0,
                  m_analysis ? m_analysis->tensor : size_t(0), s.bits, int(s.symmetry), int(s.fullRange), int(s.format),
                  int(s.granularity), s.axis, static_cast<long long>(s.groupSize), int(s.convention));
    std::string key = buf;
    key += row.spec;
    if (!row.perSliceMinMax) {
        std::snprintf(buf, sizeof buf, "/%.17g/%.17g", row.range.lo, row.range.hi);
        key += buf;
    }
    return key;
}

bool AppState::exactMissing(const CalibRow& row) const {
    if (row.exact) return false;
    const std::string key = exactKey(row);
    return !m_exactCache.count(key) && !m_exactFailed.count(key);
}

void AppState::submitExact() {
    if (!m_analysis || m_exactProgress) return;
    const Document* doc = currentDocument();
    if (!doc || doc->id != m_analysis->docId) return;
    // The table needs only the metrics; the code and error histograms (a scatter per element,
    // several times the metrics-only pass) are asked for the rows whose views show them.
    struct Todo { std::string key; QuantParams params; bool histograms; };
    std::vector<Todo> todo;
    auto add = [&](const CalibRow& row, bool histograms) {
        std::string key = exactKey(row);
        auto it = m_exactCache.find(key);
        const ErrorReport* have = row.exact ? row.exact.get() : it != m_exactCache.end() ? it->second.get() : nullptr;
        if (have && (have->hasHistograms || !histograms)) return;
        if (m_exactFailed.count(key)) return;
        for (auto& t : todo)
            if (t.key == key) {
                t.histograms = t.histograms || histograms;
                return;
            }
        todo.push_back({key, row.params, histograms});
    };
    if (auto* a = m_analysis->activeRow()) add(*a, true);
    for (const auto& row : m_analysis->rows) add(row, false);
    if (m_analysis->compare) add(*m_analysis->compare, true);
    m_wantExact = false;
    if (todo.empty()) return;
    auto model = doc->model;
    size_t tensor = m_analysis->tensor;
    m_exactProgress = m_jobs->submit("exact error pass", [this, model, tensor, todo](Progress& progress) {
        TensorView view = model->view(tensor);
        for (size_t ti = 0; ti < todo.size(); ++ti) {
            const auto& t = todo[ti];
            if (progress.cancelled()) break;
            ErrorPassOptions options;
            options.histograms = t.histograms;
            auto r = measureError(view, t.params, &progress, options);
            if (!r) {
                if (progress.cancelled()) break;
                // A file that changed on disk fails every row alike: all of them are marked, and
                // the user hears about it once. Anything else belongs to this row's parameters.
                const bool wholeTensor = !view.source()->integrityProblem().empty();
                std::vector<std::string> keys{t.key};
                if (wholeTensor)
                    for (size_t tj = ti + 1; tj < todo.size(); ++tj) keys.push_back(todo[tj].key);
                post([this, msg = r.message(), keys, model, name = model->tensors[tensor].name] {
                    if (m_exactFailed.size() > kExactCacheLimit) m_exactFailed.clear();
                    for (const auto& k : keys) m_exactFailed[k] = msg;
                    report("Exact pass failed", msg.rfind(name, 0) == 0 ? msg : name + ": " + msg);
                    offerReopenIfChanged(*model);
                });
                if (wholeTensor) break;
                continue;
            }
            std::shared_ptr<const ErrorReport> rep = std::move(r.value());
            post([this, key = t.key, rep] {
                if (m_exactCache.size() > kExactCacheLimit) m_exactCache.clear();
                m_exactCache[key] = rep;
                // Attach to the current snapshot without recomputing the estimates.
                if (!m_analysis) return;
                auto copy = std::make_shared<Analysis>(*m_analysis);
                bool changed = false;
                for (auto& row : copy->rows)
                    if ((!row.exact || (rep->hasHistograms && !row.exact->hasHistograms)) && exactKey(row) == key) {
                        row.exact = rep;
                        changed = true;
                    }
                if (copy->compare && (!copy->compare->exact || (rep->hasHistograms && !copy->compare->exact->hasHistograms)) &&
                    exactKey(*copy->compare) == key) {
                    copy->compare->exact = rep;
                    changed = true;
                }
                if (changed) { m_analysis = std::move(copy); ++m_analysisSerial; }
            });
        }
        post([this, p = &progress] {
            if (m_exactProgress.get() == p) {
                m_exactProgress.reset();
                // Rows still without an exact result (inputs moved on meanwhile) get another pass.
                if (m_analysis) {
                    for (const auto& row : m_analysis->rows)
                        if (exactMissing(row)) m_wantExact = true;
                    if (auto* a = m_analysis->activeRow(); a && a->exact && !a->exact->hasHistograms && !m_exactFailed.count(exactKey(*a)))
                        m_wantExact = true;
                    if (const auto& c = m_analysis->compare; c && exactMissing(*c))
                        m_wantExact = true;  // the Compare tab's scheme B, like the rows
                }
            }
        });
    });
}

// [SECTION] analysis (cheap, from the summary)

ClipRange AppState::cachedRange(const Calibrator& cal, const std::string& spec, const TensorSummary& sum) {
    const auto& s = m_scheme;
    char buf[160];
    std::snprintf(buf, sizeof buf, "%p/%d/%d/%d/%d/f%d/", static_cast<const void*>(&sum), s.bits, int(s.symmetry),
                  int(s.fullRange), int(s.convention), int(s.format));
    std::string key = buf + spec;
    {
        std::lock_guard lock(m_rangeCacheMutex);
        auto it = m_rangeCache.find(key);
        if (it != m_rangeCache.end()) return it->second;
    }
    ClipRange r = cal.calibrate(sum, s);
    std::lock_guard lock(m_rangeCacheMutex);
    if (m_rangeCache.size() > 4096) m_rangeCache.clear();
    m_rangeCache[key] = r;
    return r;
}

void AppState::rebuildAnalysis(bool interacting) {
    const size_t stride = interacting ? 4 : 1;
    m_dirty = false;
    const Document* doc = currentDocument();
    auto sum = summary();
    if (!doc || !m_selected || !sum) {
        if (!doc || !m_selected) m_analysis.reset();
        else if (m_analysis && (m_analysis->docId != doc->id || m_analysis->tensor != *m_selected)) m_analysis.reset();
        ++m_analysisSerial;
        return;
    }
    auto a = std::make_shared<Analysis>();
    a->docId = doc->id;
    a->tensor = *m_selected;
    a->scheme = m_scheme;
    a->summary = sum;
    const auto& shape = doc->model->tensors[*m_selected].shape;

    if (m_scheme.granularity != Granularity::PerTensor) {
        bool fits = m_slices && m_slices->docId == doc->id && m_slices->tensor == *m_selected &&
                    m_slices->layoutScheme.granularity == m_scheme.granularity &&
                    m_slices->layoutScheme.axis == m_scheme.axis && m_slices->layoutScheme.groupSize == m_scheme.groupSize;
        if (!fits) {
            char key[128];
            std::snprintf(key, sizeof key, "%llu/%zu/%d/%d/%lld", static_cast<unsigned long long>(doc->id), *m_selected,
                          int(m_scheme.granularity), m_scheme.axis, static_cast<long long>(m_scheme.groupSize));
            if (!m_slicesProgress || m_slicesRequestKey != key) {
                m_slicesRequestKey = key;
                requestSlices();
            }
            m_analysis = a;  // rows empty: the panels say the per-slice ranges are being computed
            ++m_analysisSerial;
            return;
        }
        a->slices = m_slices;
        CalibRow row;
        row.spec = "minmax";
        row.label = "min-max per slice";
        row.description = "Each slice (channel or group) gets its own range [min, max] of its values "
                          "(±max|x| when symmetric): one scale and zero point per slice.";
        row.perSliceMinMax = true;
        row.params.scheme = m_scheme;
        row.params.slices.reserve(m_slices->mins.size());
        row.range = {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
        for (size_t s = 0; s < m_slices->mins.size(); ++s) {
            ClipRange r{m_slices->mins[s], m_slices->maxs[s]};
            row.params.slices.push_back(paramsFromRange(m_scheme, r));
            row.range.lo = std::min(row.range.lo, row.params.slices.back().clip.lo);
            row.range.hi = std::max(row.range.hi, row.params.slices.back().clip.hi);
        }
        if (row.params.slices.empty()) row.range = {};
        applyTensorScale(row.params);  // NVFP4: block scales relative to the whole tensor's amax
        row.estimate = estimateOnSample(m_slices->sampleValues, m_slices->sampleSlices, row.params, 128, stride);
        a->rows.push_back(std::move(row));
        a->active = 0;
        // The other calibrators per slice come from a job (calibrateSlices); rows appear as they land.
        m_sliceCalMissing.clear();
        m_sliceCalWanted.clear();
        for (const auto& c : m_calibrators) {
            if (c.name == "minmax" || (!c.enabled && c.name != m_activeCalibrator)) continue;
            std::string spec = specFor(c.name);
            std::string key = sliceCalKey(spec);
            m_sliceCalWanted.push_back(key);
            auto it = m_sliceCalCache.find(key);
            if (it == m_sliceCalCache.end()) {
                if (std::find(m_sliceCalRunning.begin(), m_sliceCalRunning.end(), key) == m_sliceCalRunning.end())
                    m_sliceCalMissing.push_back(spec);
                continue;
            }
            auto cal = makeCalibrator(spec);
            if (!cal) continue;
            CalibRow r;
            r.spec = spec;
            r.label = cal->label() + " per slice";
            r.description = cal->description();
            r.perSliceMinMax = true;  // params are fixed by (tensor, scheme, spec): no range in the cache key
            r.params = *it->second;
            r.range = {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
            for (const auto& sp : r.params.slices) {
                r.range.lo = std::min(r.range.lo, sp.clip.lo);
                r.range.hi = std::max(r.range.hi, sp.clip.hi);
            }
            if (r.params.slices.empty()) r.range = {};
            r.estimate = estimateOnSample(m_slices->sampleValues, m_slices->sampleSlices, r.params, 128, stride);
            if (c.name == m_activeCalibrator) a->active = int(a->rows.size());
            a->rows.push_back(std::move(r));
        }
    } else {
        std::vector<std::unique_ptr<Calibrator>> cals;
        for (const auto& c : m_calibrators) {
            if (!c.enabled && c.name != m_activeCalibrator) continue;
            std::string err;
            auto cal = makeCalibrator(specFor(c.name), &err);
            if (!cal) continue;
            CalibRow row;
            row.spec = specFor(c.name);
            row.label = cal->label();
            row.description = cal->description();
            if (c.name == m_activeCalibrator) a->active = int(a->rows.size());
            a->rows.push_back(std::move(row));
            cals.push_back(std::move(cal));
        }
        // Rows are independent: calibrate and estimate them on all cores (this runs on the UI
        // thread while a control moves, so it is the frame-time budget).
        parallelFor(a->rows.size(), 1, 0, [&](size_t begin, size_t end, int) {
            for (size_t i = begin; i < end; ++i) {
                CalibRow& row = a->rows[i];
                row.range = cachedRange(*cals[i], row.spec, *sum);
                row.params.scheme = m_scheme;
                row.params.slices = {paramsFromRange(m_scheme, row.range)};
                row.estimate = estimateOnSample(sum->sample, {}, row.params, 128, stride);
            }
        });
        if (m_manual) {
            CalibRow row;
            row.spec = "manual";
            row.label = "manual";
            row.description = "The clip range you dragged on the histogram.";
            row.range = *m_manual;
            row.params.scheme = m_scheme;
            row.params.slices = {paramsFromRange(m_scheme, row.range)};
            row.estimate = estimateOnSample(sum->sample, {}, row.params, 128, stride);
            if (m_activeCalibrator == "manual") a->active = int(a->rows.size());
            a->rows.push_back(std::move(row));
        }
        if (a->active < 0 && !a->rows.empty()) a->active = 0;
    }
    if (m_compare) {
        auto cal = makeCalibrator(specFor(m_compare->second));
        if (cal) {
            CalibRow row;
            row.spec = specFor(m_compare->second);
            row.label = "B: " + cal->label();
            row.description = cal->description();
            row.params.scheme = m_compare->first;
            row.range = cal->calibrate(*sum, m_compare->first);
            row.params.slices = {paramsFromRange(m_compare->first, row.range)};
            row.estimate = estimateOnSample(sum->sample, {}, row.params, 128, stride);
            a->compare = std::move(row);
        }
    }
    (void)shape;
    m_analysis = a;
    bool missing = false;
    for (auto& row : a->rows) {
        const std::string key = exactKey(row);
        auto it = m_exactCache.find(key);
        if (it != m_exactCache.end()) row.exact = it->second;
        else if (!m_exactFailed.count(key)) missing = true;
    }
    // The active row's views need the histograms, which a metrics-only result lacks.
    if (auto* act = a->activeRow(); act && act->exact && !act->exact->hasHistograms && !m_exactFailed.count(exactKey(*act)))
        missing = true;
    if (a->compare) {
        const std::string key = exactKey(*a->compare);
        auto it = m_exactCache.find(key);
        if (it != m_exactCache.end()) a->compare->exact = it->second;
        else if (!m_exactFailed.count(key)) missing = true;
        if (a->compare->exact && !a->compare->exact->hasHistograms && !m_exactFailed.count(key)) missing = true;
    }
    m_wantExact = missing;
    ++m_analysisSerial;
}

std::string AppState::sliceCalKey(const std::string& spec) const {
    const auto& s = m_scheme;
    char buf[200];
    std::snprintf(buf, sizeof buf, "%llu/%zu/b%d/%d/%d/f%d/g%d/a%d/G%lld/c%d/",
                  static_cast<unsigned long long>(currentDocument() ? currentDocument()->id : 0),
                  m_selected.value_or(0), s.bits, int(s.symmetry), int(s.fullRange), int(s.format), int(s.granularity),
                  s.axis, static_cast<long long>(s.groupSize), int(s.convention));
    return buf + spec;
}

void AppState::submitSliceCalibration() {
    const Document* doc = currentDocument();
    if (!doc || !m_selected || m_sliceCalMissing.empty() || m_sliceCalProgress) return;
    auto model = doc->model;
    size_t tensor = *m_selected;
    QuantScheme scheme = m_scheme;
    auto summary = this->summary();
    std::vector<std::pair<std::string, std::string>> todo;  // (key, spec)
    m_sliceCalRunning.clear();
    for (const auto& spec : m_sliceCalMissing) {
        todo.emplace_back(sliceCalKey(spec), spec);
        m_sliceCalRunning.push_back(todo.back().first);
    }
    m_sliceCalMissing.clear();
    m_sliceCalProgress = m_jobs->submit("per-slice calibration", [this, model, tensor, scheme, summary, todo](Progress& progress) {
        TensorView view = model->view(tensor);
        for (const auto& [key, spec] : todo) {
            if (progress.cancelled()) break;
            auto cal = makeCalibrator(spec);
            if (!cal) continue;
            auto r = calibrateSlices(*cal, view, scheme, &progress, summary.get());
            if (!r) break;
            auto params = std::make_shared<const QuantParams>(std::move(r.value()));
            post([this, key = key, params] {
                if (m_sliceCalCache.size() > 256) m_sliceCalCache.clear();
                m_sliceCalCache[key] = params;
                invalidate();
            });
        }
        post([this, p = &progress] {
            if (m_sliceCalProgress.get() == p) {
                m_sliceCalProgress.reset();
                m_sliceCalRunning.clear();
                invalidate();  // anything the job did not deliver is asked for again
            }
        });
    });
}

void AppState::update(bool interacting) {
    {
        // One fstat per open file, twice a second: a file rewritten under the app is reported
        // within half a second, before anyone reads numbers computed from it.
        const auto nowMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
        if (m_lastDiskCheckMs < 0 || nowMs - m_lastDiskCheckMs >= 500) {
            m_lastDiskCheckMs = nowMs;
            checkFilesOnDisk();
        }
    }
    if (m_dirty) {
        rebuildAnalysis(interacting);
        // An exact pass for inputs that are gone is wasted work on a 58M-element tensor.
        if (m_exactProgress) {
            m_exactProgress->cancel();
            m_exactProgress.reset();
        }
        if (m_sliceCalProgress) {
            bool stale = false;
            for (const auto& k : m_sliceCalRunning)
                stale |= std::find(m_sliceCalWanted.begin(), m_sliceCalWanted.end(), k) == m_sliceCalWanted.end();
            if (stale) {
                m_sliceCalProgress->cancel();
                m_sliceCalProgress.reset();
                m_sliceCalRunning.clear();
                m_dirty = true;  // recompute what is missing once the controls are released
            }
        }
    }
    if (!interacting && !m_sliceCalMissing.empty() && !m_sliceCalProgress) submitSliceCalibration();
    if (!interacting && m_wantExact && !m_exactProgress) submitExact();
}

bool AppState::settled() const {
    // Jobs first, inbox second: a job posts its result before it leaves the queue's running list, so
    // once pending() is 0 every result is already in the inbox. The other order had a window: the
    // inbox looked empty, the job posted and finished, pending() read 0, and waitSettled returned
    // with a result still unread (tests saw no summary or analysis about once in 2000 runs).
    if (m_jobs->pending() > 0 || m_dirty || m_wantExact || m_exactProgress || m_slicesProgress || m_sliceCalProgress ||
        !m_sliceCalMissing.empty())
        return false;
    std::lock_guard lock(const_cast<std::mutex&>(m_inboxMutex));
    return m_inbox.empty();
}

void AppState::waitSettled() {
    for (int guard = 0; guard < 1000; ++guard) {
        poll();
        update(false);
        if (settled()) return;
        m_jobs->waitIdle();
    }
}

// [SECTION] whole-model overview

void AppState::startSweep() {
    const Document* doc = currentDocument();
    if (!doc || m_sweepProgress) return;
    auto model = doc->model;
    uint64_t docId = doc->id;
    QuantScheme scheme = m_scheme;
    scheme.granularity = Granularity::PerTensor;  // the overview compares tensors under one per-tensor scheme
    std::vector<std::string> specs;
    for (const auto& c : m_calibrators)
        if (c.enabled) specs.push_back(specFor(c.name));
    auto start = std::make_shared<Overview>();
    start->docId = docId;
    start->scheme = scheme;
    start->calibrators = specs;
    start->total = model->tensors.size();
    m_overview = start;
    m_sweepProgress = m_jobs->submit("model sweep", [this, model, docId, scheme, specs](Progress& progress) {
        // Progress: one unit per tensor for the summaries, one more per tensor for its exact passes.
        const size_t tensors = model->tensors.size();
        progress.setTotal(double(2 * tensors));
        std::vector<std::unique_ptr<Calibrator>> cals;
        for (const auto& s : specs) cals.push_back(makeCalibrator(s));
        // Each tensor's parameters per calibrator, kept for the exact passes (empty: nothing to refine).
        std::vector<std::vector<std::optional<QuantParams>>> params(tensors);
        auto setBest = [](OverviewRow& row) {
            double best = -INFINITY;
            row.best = -1;
            for (size_t c = 0; c < row.sqnrDb.size(); ++c)
                if (row.sqnrDb[c] > best) {
                    best = row.sqnrDb[c];
                    row.best = int(c);
                }
        };
        std::vector<OverviewRow> batch;
        auto flush = [&] {
            if (batch.empty()) return;
            post([this, docId, rows = std::move(batch)] {
                if (!m_overview || m_overview->docId != docId) return;
                auto copy = std::make_shared<Overview>(*m_overview);
                copy->rows.insert(copy->rows.end(), rows.begin(), rows.end());
                m_overview = std::move(copy);
            });
            batch.clear();
        };
        // Pass 1: summaries and ≈ SQNR on each tensor's sample (fills the table quickly).
        for (size_t t = 0; t < tensors && !progress.cancelled(); ++t) {
            OverviewRow row;
            row.tensor = t;
            // Each pass gets a Progress linked to the job's, so Cancel stops a pass over a huge tensor
            // within one chunk instead of after the whole tensor.
            Progress pass;
            pass.setCancelSource(&progress);
            auto r = summarize(model->view(t), &pass);
            if (progress.cancelled()) break;
            if (!r) {
                row.error = r.message();
            } else {
                const TensorSummary& s = *r.value();
                row.min = s.min;
                row.max = s.max;
                row.std = s.std;
                row.kurtosis = s.kurtosis;
                row.nonFinite = s.nanCount + s.posInfCount + s.negInfCount;
                if (s.finite > 0 && s.std > 0) {
                    double lo = s.histogram.countBelow(s.mean - 6 * s.std);
                    double hi = double(s.histogram.total()) - s.histogram.countBelow(s.mean + 6 * s.std);
                    row.outlierShare = (lo + hi) / double(s.finite);
                }
                params[t].resize(cals.size());
                for (size_t c = 0; c < cals.size(); ++c) {
                    double sq = NAN;
                    if (cals[c] && s.hasFinite()) {
                        QuantParams p;
                        p.scheme = scheme;
                        p.slices = {paramsFromRange(scheme, cals[c]->calibrate(s, scheme))};
                        sq = estimateOnSample(s.sample, {}, p, 16).total.sqnrDb;
                        params[t][c] = std::move(p);
                    }
                    row.sqnrDb.push_back(sq);
                    row.sqnrExact.push_back(0);
                }
                setBest(row);
                std::shared_ptr<const TensorSummary> value = std::move(r.value());
                post([this, docId, t, value] {
                    auto& e = m_summaries[{docId, t}];
                    if (!e.value && !e.progress) e.value = value;
                });
            }
            batch.push_back(std::move(row));
            progress.add(1);
            if (batch.size() >= 16) flush();
        }
        flush();
        // Pass 2: the exact error pass (every element) per tensor and calibrator replaces the
        // estimates, in model order. Cancel stops the running pass within one chunk.
        struct Refined { size_t tensor; std::vector<double> sqnr; std::vector<uint8_t> exact; };
        std::vector<Refined> done;
        auto flushRefined = [&] {
            if (done.empty()) return;
            post([this, docId, setBest, rows = std::move(done)] {
                if (!m_overview || m_overview->docId != docId) return;
                auto copy = std::make_shared<Overview>(*m_overview);
                for (const auto& d : rows) {
                    if (d.tensor >= copy->rows.size() || copy->rows[d.tensor].tensor != d.tensor) continue;
                    OverviewRow& row = copy->rows[d.tensor];
                    for (size_t c = 0; c < d.sqnr.size() && c < row.sqnrDb.size(); ++c)
                        if (d.exact[c]) {
                            row.sqnrDb[c] = d.sqnr[c];
                            row.sqnrExact[c] = 1;
                        }
                    setBest(row);
                    ++copy->exactRows;
                }
                m_overview = std::move(copy);
            });
            done.clear();
        };
        auto lastFlush = std::chrono::steady_clock::now();
        for (size_t t = 0; t < tensors && !progress.cancelled(); ++t) {
            Refined d{t, std::vector<double>(cals.size(), NAN), std::vector<uint8_t>(cals.size(), 0)};
            TensorView view = model->view(t);
            for (size_t c = 0; c < params[t].size() && !progress.cancelled(); ++c) {
                if (!params[t][c]) continue;
                ErrorPassOptions metricsOnly;  // the overview shows SQNR only
                metricsOnly.histograms = false;
                Progress pass;
                pass.setCancelSource(&progress);
                auto rep = measureError(view, *params[t][c], &pass, metricsOnly);
                if (progress.cancelled()) break;
                if (rep) {
                    d.sqnr[c] = rep.value()->total.sqnrDb;
                    d.exact[c] = 1;
                }
                progress.add(1.0 / double(params[t].size()));
            }
            if (params[t].empty()) progress.add(1);
            if (progress.cancelled()) break;
            done.push_back(std::move(d));
            auto now = std::chrono::steady_clock::now();
            if (done.size() >= 64 || now - lastFlush > std::chrono::milliseconds(100)) {
                flushRefined();
                lastFlush = now;
            }
        }
        flushRefined();
        post([this, p = &progress] {
            if (m_sweepProgress.get() == p) m_sweepProgress.reset();
        });
    });
}

void AppState::cancelSweep() {
    if (m_sweepProgress) m_sweepProgress->cancel();
}

// [SECTION] estimates on the sample

ErrorReport estimateOnSample(std::span<const float> values, std::span<const uint32_t> slices,
                             const QuantParams& params, size_t errorBins, size_t stride) {
    stride = std::max<size_t>(1, stride);
    ErrorReport rep;
    if (params.slices.empty()) return rep;
    const auto& scheme = params.scheme;
    const int32_t qmin = scheme.qmin(), qmax = scheme.qmax();
    const uint64_t codes = uint64_t(int64_t(qmax) - qmin + 1);
    std::vector<Quantizer> qs;
    qs.reserve(params.slices.size());
    for (const auto& sp : params.slices) qs.emplace_back(scheme, sp);
    const bool perSlice = params.slices.size() > 1 && params.slices.size() <= kPerSliceStatsLimit;
    std::vector<ErrorAccumulator> sliceAcc(perSlice ? params.slices.size() : 0);
    rep.codeHistogram.assign(codes, 0);
    ErrorAccumulator acc;
    std::vector<float> errs;
    errs.reserve(values.size() / stride + 1);
    double emax = 0;
    for (size_t i = 0; i < values.size(); i += stride) {
        uint32_t s = slices.empty() ? 0 : std::min<uint32_t>(slices[i], uint32_t(qs.size() - 1));
        const float x = values[i];
        const int32_t q = qs[s].quantize(x);
        const float xq = qs[s].dequantize(q);
        const auto& clip = params.slices[s].clip;
        const bool clipped = x < clip.lo || x > clip.hi;
        acc.add(x, xq, clipped);
        if (perSlice) sliceAcc[s].add(x, xq, clipped);
        ++rep.codeHistogram[size_t(q - qmin)];
        errs.push_back(xq - x);
        emax = std::max(emax, std::fabs(double(errs.back())));
    }
    uint64_t used = 0;
    for (auto c : rep.codeHistogram) used += c != 0;
    rep.total = acc.finish(used, codes);
    for (auto& sa : sliceAcc) rep.perSlice.push_back(sa.finish(0, codes));
    if (emax == 0) emax = 1e-12;
    rep.errorLo = -emax;
    rep.errorHi = emax;
    rep.errorHistogram.assign(errorBins, 0.0);
    for (float e : errs) {
        auto b = size_t((double(e) - rep.errorLo) / (rep.errorHi - rep.errorLo) * double(errorBins));
        rep.errorHistogram[std::min(b, errorBins - 1)] += 1.0;
    }
    return rep;
}

}  // namespace qv
