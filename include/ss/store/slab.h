// Slab: the allocator for entry blocks. Small blocks (up to kMaxSmall bytes)
// come from size classes at kGranule steps with no per-block header: a block
// is a bare run of bytes inside a 64 KB page, and its class is read from an
// out-of-band page descriptor (page = (ptr - base) / kPageBytes). Pages are
// carved from one reserved range of address space, committed as needed. Each
// page keeps its own free list, so Allocate and Free are O(1), and a page whose
// last block is freed goes back to the kernel (madvise MADV_DONTNEED), so RSS
// falls after mass expiry or FLUSHALL. Larger blocks, and everything once the
// reserved range is full, use malloc.
//
// Compared with glibc malloc for a 145-byte entry: 152 bytes instead of a
// 160-byte chunk (glibc adds an 8-byte size header and rounds to 16).
//
// With reserve_bytes = 0 every block comes from malloc: entry.cc builds its
// slab that way under AddressSanitizer, so ASan checks each entry. A slab with
// pages under ASan poisons free blocks itself (tests use that).
//
// Owns its pages; blocks are the caller's until Free. A Slab must outlive its
// blocks. Not thread-safe: loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ss {

class Slab {
 public:
  static constexpr size_t kGranule = 8;           // class step and alignment
  static constexpr size_t kMaxSmall = 2048;       // larger blocks use malloc
  static constexpr size_t kClassCount = kMaxSmall / kGranule;
  static constexpr size_t kPageBytes = 64 * 1024;
  // 16 GiB of address space: about 100M sessions. Only committed pages cost
  // memory; past this the slab hands out malloc blocks.
  static constexpr size_t kDefaultReserve = size_t{16} << 30;

  // Reserves reserve_bytes (rounded down to whole pages) of address space;
  // nothing is committed yet. If the kernel refuses, smaller ranges are tried
  // down to 64 MiB, then the slab uses malloc only.
  explicit Slab(size_t reserve_bytes = kDefaultReserve);
  ~Slab();  // unmaps the pages: every block must have been freed
  Slab(const Slab&) = delete;
  Slab& operator=(const Slab&) = delete;

  // A block of at least n bytes, aligned to kGranule (malloc's 16 for large
  // ones). Throws std::bad_alloc when memory is exhausted.
  void* Allocate(size_t n);
  // Returns p's memory. REQUIRES: p came from this slab's Allocate (or null).
  void Free(void* p) noexcept;
  // Bytes p really holds: its class size, or malloc_usable_size.
  size_t UsableSize(const void* p) const;

  // What Allocate(n) hands out from a class, or 0 if n goes to malloc.
  static size_t ClassSize(size_t n) {
    return n <= kMaxSmall ? (n + kGranule - 1) / kGranule * kGranule : 0;
  }

  // Whether p lies in this slab's pages (else it is a malloc block).
  bool Owns(const void* p) const {
    return static_cast<size_t>(static_cast<const char*>(p) - base_) < reserved_;
  }
  // Pages currently holding blocks or kept for reuse; each is up to
  // kPageBytes of RSS. Released pages are not counted.
  size_t pages_in_use() const { return pages_in_use_; }
  size_t reserved_bytes() const { return reserved_; }

 private:
  static constexpr uint32_t kNoPage = UINT32_MAX;

  // Out-of-band page descriptor (16 bytes; the array is committed lazily by
  // the kernel as pages are first used).
  struct PageInfo {
    uint32_t next;       // neighbours in the class's list of pages with room
    uint32_t prev;       // (a released page: `next` links the released stack)
    uint16_t cls;        // 1..kClassCount; 0 = page not in use
    uint16_t live;       // blocks handed out
    uint16_t carved;     // bytes / kGranule carved from the page's front so far
    uint16_t free_head;  // first free block, as offset / kGranule + 1; 0 = none
  };
  struct SizeClass {
    uint32_t size = 0;          // block bytes
    uint32_t carve_limit = 0;   // carved may not pass this (granules)
    uint32_t avail = kNoPage;   // pages with a free block or uncarved room
  };

  char* PageBase(uint32_t page) const { return base_ + size_t{page} * kPageBytes; }
  uint32_t PageOf(const void* p) const {
    return static_cast<uint32_t>(static_cast<size_t>(static_cast<const char*>(p) - base_) /
                                 kPageBytes);
  }
  void* AllocateSmall(size_t cls);
  // A fresh page for class cls, or kNoPage when the reserved range is full.
  uint32_t AcquirePage(size_t cls);
  void ReleasePage(uint32_t page);
  void PushAvail(uint32_t page);
  void RemoveAvail(uint32_t page);

  char* base_ = nullptr;      // reserved range (PROT_NONE beyond committed_)
  size_t reserved_ = 0;
  size_t committed_ = 0;      // bytes of the range made read-write so far
  uint32_t next_page_ = 0;    // pages never used start here
  PageInfo* pages_ = nullptr;  // one descriptor per reserved page
  size_t pages_in_use_ = 0;
  uint32_t released_ = kNoPage;  // pages given back to the kernel, linked by `next`
  SizeClass classes_[kClassCount + 1];
};

}  // namespace ss
