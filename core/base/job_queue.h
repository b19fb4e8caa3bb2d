// JobQueue: runs bulk work (summaries, exact error passes, sweeps, GEMM) off the UI thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/base/progress.h"

namespace qv {

// A unit of background work. `run` does the work and must poll progress->cancelled() per chunk.
// Results travel back through whatever the closure captured (typically it stores a
// shared_ptr<const Result> into a slot guarded by the owner), then `onDone` is invoked on the
// worker thread — the app uses it to wake the event loop (glfwPostEmptyEvent).
struct Job {
    std::string label;
    std::function<void(Progress&)> run;
    std::shared_ptr<Progress> progress = std::make_shared<Progress>();
};

class JobQueue {
public:
    explicit JobQueue(int workers = 1);
    ~JobQueue();  // cancels queued and running jobs, then joins
    JobQueue(const JobQueue&) = delete;
    JobQueue& operator=(const JobQueue&) = delete;

    // Enqueue; returns the job's progress handle (for the UI's bar and Cancel button).
    std::shared_ptr<Progress> submit(std::string label, std::function<void(Progress&)> run);
    // Called (on a worker thread) after every job, finished or cancelled.
    void setOnJobDone(std::function<void()> cb);
    // Jobs queued or running.
    size_t pending() const;
    // Label and progress of a running job, for the status bar; empty label when idle.
    struct Running { std::string label; std::shared_ptr<Progress> progress; };
    std::vector<Running> running() const;
    // Blocks until no job is queued or running (tests, screenshot mode).
    void waitIdle();

private:
    void workerLoop();
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::condition_variable m_idleCv;
    std::deque<Job> m_queue;
    std::vector<Running> m_running;
    std::function<void()> m_onDone;
    bool m_stop = false;
    std::vector<std::thread> m_threads;
};

}  // namespace qv
