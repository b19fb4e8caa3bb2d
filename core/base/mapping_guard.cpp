// The SIGBUS handler behind MappingGuard. Everything the handler touches is a lock-free atomic or a
// value written once before the handler is installed; the calls it makes (mmap, sigaction) are
// plain system calls (sigaction is async-signal-safe per POSIX; mmap is not listed but is a bare
// system call on Linux with no user-space state).
#include "core/base/mapping_guard.h"

#include <atomic>
#include <csignal>
#include <cstring>
#include <mutex>

#include <sys/mman.h>
#include <unistd.h>

namespace qv {

namespace {

constexpr int kSlots = 512;  // open mapped files at once (a sharded model has one per shard)

struct Slot {
    std::atomic<uintptr_t> begin{0};  // 0: free
    std::atomic<uintptr_t> end{0};    // one past the last byte of the last page
    std::atomic<uint64_t> faults{0};
};

Slot g_slots[kSlots];
std::mutex g_tableMutex;  // add/remove only; the handler never locks
struct sigaction g_previous {};
uintptr_t g_pageSize = 4096;
std::once_flag g_installOnce;

void chainToPrevious(int sig, siginfo_t* info, void* context) {
    if (g_previous.sa_flags & SA_SIGINFO) {
        if (g_previous.sa_sigaction) {
            g_previous.sa_sigaction(sig, info, context);
            return;
        }
    } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN) {
        g_previous.sa_handler(sig);
        return;
    }
    // Default action: restore it and return; the faulting access runs again and the kernel
    // delivers SIGBUS with its default effect (the process ends with a core dump, as it would have).
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGBUS, &dfl, nullptr);
}

void onSigbus(int sig, siginfo_t* info, void* context) {
    // BUS_ADRERR is what a read past the end of a mapped object raises; raise()/kill() give other
    // codes and go straight to the previous handler.
    if (info && info->si_code == BUS_ADRERR) {
        const auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
        for (Slot& s : g_slots) {
            const uintptr_t b = s.begin.load(std::memory_order_acquire);
            if (b == 0 || addr < b) continue;
            const uintptr_t e = s.end.load(std::memory_order_acquire);
            if (addr >= e) continue;
            // Everything from the faulting page to the end of the mapping: a truncation cuts the
            // whole tail, and one call is far cheaper than a signal per 4 KiB page of a large file.
            const uintptr_t page = addr & ~(g_pageSize - 1);
            void* p = mmap(reinterpret_cast<void*>(page), e - page, PROT_READ,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
            if (p != MAP_FAILED) {
                s.faults.fetch_add(1, std::memory_order_relaxed);
                return;
            }
            break;
        }
    }
    chainToPrevious(sig, info, context);
}

void install() {
    g_pageSize = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    struct sigaction act {};
    act.sa_sigaction = onSigbus;
    act.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&act.sa_mask);
    sigaction(SIGBUS, &act, &g_previous);
}

}  // namespace

int MappingGuard::add(const void* begin, size_t length) {
    if (!begin || length == 0) return -1;
    std::call_once(g_installOnce, install);
    const auto b = reinterpret_cast<uintptr_t>(begin);
    const uintptr_t e = (b + length + g_pageSize - 1) & ~(g_pageSize - 1);
    std::lock_guard lock(g_tableMutex);
    for (int i = 0; i < kSlots; ++i) {
        Slot& s = g_slots[i];
        if (s.begin.load(std::memory_order_relaxed) != 0) continue;
        s.faults.store(0, std::memory_order_relaxed);
        s.end.store(e, std::memory_order_release);
        s.begin.store(b, std::memory_order_release);  // published last: the handler tests begin first
        return i;
    }
    return -1;
}

void MappingGuard::remove(int slot) {
    if (slot < 0 || slot >= kSlots) return;
    std::lock_guard lock(g_tableMutex);
    g_slots[slot].begin.store(0, std::memory_order_release);
    g_slots[slot].end.store(0, std::memory_order_release);
}

uint64_t MappingGuard::faults(int slot) {
    if (slot < 0 || slot >= kSlots) return 0;
    return g_slots[slot].faults.load(std::memory_order_relaxed);
}

int MappingGuard::capacity() { return kSlots; }

}  // namespace qv
