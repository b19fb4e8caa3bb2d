// MappingGuard: a model file that is truncated on disk while it is memory-mapped must not kill the
// program. Reading a mapped page that now lies wholly past the file's end raises SIGBUS (POSIX
// mmap(): "references within the address range ... to whole pages following the end of an object
// shall result in delivery of a SIGBUS signal"); that happens whenever a training job overwrites
// the checkpoint being inspected (torch.save and safetensors' save_file open the path with "wb",
// which truncates it in place).
//
// The guard installs one process-wide SIGBUS handler. A fault inside a registered mapping is
// answered by mapping anonymous zero pages over the rest of that mapping (mmap MAP_FIXED), so the
// faulting read is restarted and sees zeros, and the mapping's fault count goes up; the owner
// (MappedFile) turns that count into a message, and every pass that read the file reports it
// instead of numbers. A SIGBUS anywhere else goes to the handler that was installed before (or
// the default action), so real bugs still stop the program.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qv {

class MappingGuard {
public:
    // Registers [begin, begin + length) (a whole mapping). Returns a slot, or −1 when the table
    // is full (that mapping is then unguarded: a truncation ends the program as before).
    static int add(const void* begin, size_t length);
    // Unregisters a slot; call before munmap so the address range can be reused safely.
    static void remove(int slot);
    // Faults answered with zero pages since add().
    static uint64_t faults(int slot);
    // The capacity of the table (tests).
    static int capacity();
};

}  // namespace qv
