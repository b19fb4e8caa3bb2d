// Worker threads that drain the JobQueue.
#include "core/base/job_queue.h"

#include <algorithm>

namespace qv {

JobQueue::JobQueue(int workers) {
    for (int i = 0; i < std::max(1, workers); ++i) m_threads.emplace_back([this] { workerLoop(); });
}

JobQueue::~JobQueue() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        for (auto& j : m_queue) j.progress->cancel();
        for (auto& r : m_running) r.progress->cancel();
    }
    m_cv.notify_all();
    for (auto& t : m_threads) t.join();
}

std::shared_ptr<Progress> JobQueue::submit(std::string label, std::function<void(Progress&)> run) {
    Job job{std::move(label), std::move(run)};
    auto progress = job.progress;
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(std::move(job));
    }
    m_cv.notify_one();
    return progress;
}

void JobQueue::setOnJobDone(std::function<void()> cb) {
    std::lock_guard lock(m_mutex);
    m_onDone = std::move(cb);
}

size_t JobQueue::pending() const {
    std::lock_guard lock(m_mutex);
    return m_queue.size() + m_running.size();
}

std::vector<JobQueue::Running> JobQueue::running() const {
    std::lock_guard lock(m_mutex);
    return m_running;
}

void JobQueue::waitIdle() {
    std::unique_lock lock(m_mutex);
    m_idleCv.wait(lock, [this] { return m_queue.empty() && m_running.empty(); });
}

void JobQueue::workerLoop() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return m_stop || !m_queue.empty(); });
            if (m_stop && m_queue.empty()) return;
            job = std::move(m_queue.front());
            m_queue.pop_front();
            m_running.push_back({job.label, job.progress});
        }
        if (!job.progress->cancelled()) job.run(*job.progress);
        std::function<void()> onDone;
        {
            std::lock_guard lock(m_mutex);
            auto it = std::find_if(m_running.begin(), m_running.end(),
                                   [&](const Running& r) { return r.progress == job.progress; });
            if (it != m_running.end()) m_running.erase(it);
            onDone = m_onDone;
        }
        m_idleCv.notify_all();
        if (onDone) onDone();
    }
}

}  // namespace qv
