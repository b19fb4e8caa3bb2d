// Progress: what a long job publishes (fraction done, a cancel request), read by the UI through atomics.
#pragma once

#include <atomic>
#include <string>

namespace qv {

// Shared between a worker (writer of `done`, reader of `cancelled`) and the UI (the opposite).
// Workers check cancelled() once per chunk, never per element.
class Progress {
public:
    void setTotal(double total) { m_total.store(total, std::memory_order_relaxed); }
    void add(double amount) {
        double cur = m_done.load(std::memory_order_relaxed);
        while (!m_done.compare_exchange_weak(cur, cur + amount, std::memory_order_relaxed)) {}
    }
    void set(double done) { m_done.store(done, std::memory_order_relaxed); }
    // 0..1; 0 when the total is unknown.
    double fraction() const {
        double t = m_total.load(std::memory_order_relaxed);
        return t > 0 ? std::min(1.0, m_done.load(std::memory_order_relaxed) / t) : 0.0;
    }
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    // Also cancelled whenever `source` is: a job that runs several passes gives each pass its own
    // Progress (so each pass's fraction starts at 0) and still lets the user's Cancel stop a pass
    // midway. `source` must outlive this Progress.
    void setCancelSource(const Progress* source) { m_cancelSource = source; }
    bool cancelled() const {
        return m_cancelled.load(std::memory_order_relaxed) || (m_cancelSource && m_cancelSource->cancelled());
    }

private:
    std::atomic<double> m_total{0.0};
    std::atomic<double> m_done{0.0};
    std::atomic<bool> m_cancelled{false};
    const Progress* m_cancelSource = nullptr;
};

}  // namespace qv
