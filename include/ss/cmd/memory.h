// Process memory figures shared by INFO memory and MEMORY STATS / DOCTOR
// (src/cmd/server.cc). sessiond uses libc malloc: there is no allocator
// with its own statistics, as Redis's jemalloc has.
#pragma once

#include <cstddef>

namespace ss::cmd {

// Bytes malloc has handed out and not taken back (mallinfo2: uordblks +
// hblkhd); Redis's used_memory counterpart.
size_t HeapInUse();
// The process's resident set size in bytes (/proc/self/statm).
size_t ResidentBytes();

}  // namespace ss::cmd
