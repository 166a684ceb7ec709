// Slab: the allocator for entry blocks. Small blocks (up to kMaxSmall bytes)
// come from size classes with no per-block header: a block is a bare run of
// bytes inside a 64 KB page, and its class is read from an out-of-band page
// descriptor (page = (ptr - base) / kPageBytes). Pages are carved from one
// reserved range of address space, committed as needed. Each page keeps its
// own free list, so Allocate and Free are O(1). A page whose last block is
// freed is queued as empty, and ReleaseEmptyPages gives queued pages back to
// the kernel (madvise MADV_DONTNEED) a bounded number at a time, so RSS falls
// after mass expiry or FLUSHALL without one call paying for thousands of
// madvises; Allocate reuses a queued page before anything else. Larger
// blocks, and everything once the reserved range is full, come from malloc.
//
// Classes step by 4 bytes up to 512, by 8 up to 1024 and by 16 up to 2048,
// so a 130-byte session entry takes 132 bytes (glibc: a 144-byte chunk).
//
// Handles. Every block has a 32-bit handle, so that the entry table and the
// timing wheel can link entries in 4 bytes instead of 8:
//   - a block in the range: its offset / 4 + 1 (1 .. kLargeHandleBase - 1);
//   - a malloc block: kLargeHandleBase + an index into a side array of
//     addresses; the index sits in a 16-byte prefix before the block and
//     stays the same when Reallocate moves a malloc block to a malloc block;
//   - kForeignHandleBase and above: never produced here; users (the timing
//     wheel) name their own objects with them.
// 0 is never a handle. FromHandle of a freed block's handle still returns
// the block's old address until a later Allocate reuses the handle, which
// lets a table find a slot by an address that was just freed.
//
// With reserve_bytes = 0 every block comes from malloc: entry.cc builds its
// slab that way under AddressSanitizer, so ASan checks each entry. A slab with
// pages under ASan poisons free blocks itself (tests use that).
//
// Owns its pages and malloc blocks until they are freed; a Slab must outlive
// its blocks. Not thread-safe: loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace ss {

class Slab {
 public:
  static constexpr size_t kGranule = 4;           // alignment of small blocks
  static constexpr size_t kMaxSmall = 2048;       // larger blocks use malloc
  static constexpr size_t kClassCount = 256;      // 128 + 64 + 64 steps
  static constexpr size_t kPageBytes = 64 * 1024;
  static constexpr uint32_t kLargeHandleBase = uint32_t{3} << 30;
  static constexpr uint32_t kForeignHandleBase = 0xFFFF0000u;
  // The most the handles can address (12 GiB less a page): about 80M
  // sessions. Only committed pages cost memory; past this the slab hands out
  // malloc blocks, which still get handles.
  static constexpr size_t kMaxReserve = (size_t{12} << 30) - kPageBytes;

  // Reserves min(reserve_bytes, kMaxReserve), rounded down to whole pages, of
  // address space; nothing is committed yet. If the kernel refuses, smaller
  // ranges are tried down to 64 MiB, then the slab uses malloc only.
  explicit Slab(size_t reserve_bytes = kMaxReserve);
  ~Slab();  // unmaps the pages: every block must have been freed
  Slab(const Slab&) = delete;
  Slab& operator=(const Slab&) = delete;

  // A block of at least n bytes, aligned to kGranule (16 for malloc
  // blocks). Throws std::bad_alloc when memory is exhausted.
  void* Allocate(size_t n);
  // A block of at least n bytes holding p's first min(n, UsableSize(p))
  // bytes; p is freed. A malloc block that stays one keeps its handle.
  // REQUIRES: p is a live block of this slab.
  void* Reallocate(void* p, size_t n);
  // Returns p's memory. REQUIRES: p came from this slab (or is null).
  void Free(void* p) noexcept;
  // Bytes from p the caller may use (at least what it asked for).
  size_t UsableSize(const void* p) const;
  // Bytes the block costs: its class size, or malloc's whole chunk.
  size_t BlockBytes(const void* p) const;

  // p's handle. REQUIRES: p is a live block of this slab.
  uint32_t HandleOf(const void* p) const {
    if (Owns(p)) return static_cast<uint32_t>(Offset(p) / kGranule) + 1;
    uint32_t index;
    std::memcpy(&index, static_cast<const char*>(p) - kLargePrefix, sizeof(index));
    return kLargeHandleBase + index;
  }
  // The block a handle names. REQUIRES: h came from HandleOf of this slab.
  void* FromHandle(uint32_t h) const {
    if (h < kLargeHandleBase) return base_ + size_t{h - 1} * kGranule;
    return large_[h - kLargeHandleBase];
  }

  // What Allocate(n) hands out from a class, or 0 if n goes to malloc.
  static size_t ClassSize(size_t n) { return n <= kMaxSmall ? SizeOfClass(ClassOf(n)) : 0; }

  // Whether p lies in this slab's pages (else it is a malloc block).
  bool Owns(const void* p) const { return Offset(p) < reserved_; }
  // Pages currently holding blocks or kept for reuse; each is up to
  // kPageBytes of RSS. Queued empty and released pages are not counted.
  size_t pages_in_use() const { return pages_in_use_; }
  // Empty pages queued for release, still resident (up to kPageBytes each).
  size_t empty_pages() const { return empty_pages_; }
  // Gives up to max_pages queued empty pages back to the kernel (one madvise
  // each, 30-50 us); returns how many stay queued.
  size_t ReleaseEmptyPages(size_t max_pages);
  size_t reserved_bytes() const { return reserved_; }
  // Live malloc blocks.
  size_t large_blocks() const { return large_.size() - free_indices_.size(); }

 private:
  static constexpr uint32_t kNoPage = UINT32_MAX;
  static constexpr size_t kLargePrefix = 16;  // keeps malloc's alignment

  // Class c (1..kClassCount) for a size 1..kMaxSmall, and back.
  static size_t ClassOf(size_t n) {
    if (n <= 512) return n == 0 ? 1 : (n + 3) / 4;
    if (n <= 1024) return 128 + (n - 512 + 7) / 8;
    return 192 + (n - 1024 + 15) / 16;
  }
  static size_t SizeOfClass(size_t c) {
    if (c <= 128) return c * 4;
    if (c <= 192) return 512 + (c - 128) * 8;
    return 1024 + (c - 192) * 16;
  }

  // Out-of-band page descriptor (16 bytes; the array is committed lazily by
  // the kernel as pages are first used).
  struct PageInfo {
    uint32_t next;       // neighbours in the class's list of pages with room
    uint32_t prev;       // (an empty or released page: `next` links its stack)
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

  // p's distance from the range's start (huge when p lies below it).
  size_t Offset(const void* p) const {
    return reinterpret_cast<uintptr_t>(p) - reinterpret_cast<uintptr_t>(base_);
  }
  char* PageBase(uint32_t page) const { return base_ + size_t{page} * kPageBytes; }
  uint32_t PageOf(const void* p) const { return static_cast<uint32_t>(Offset(p) / kPageBytes); }
  void* AllocateSmall(size_t cls);
  void* AllocateLarge(size_t n);
  void FreeLarge(void* p) noexcept;
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
  uint32_t empty_ = kNoPage;     // empty pages not yet released, linked by `next`
  size_t empty_pages_ = 0;
  uint32_t released_ = kNoPage;  // pages given back to the kernel, linked by `next`
  SizeClass classes_[kClassCount + 1];
  // Malloc blocks by handle index (a freed one keeps its stale address until
  // reused), and the free indices; free_indices_ has room for every index,
  // so Free never allocates.
  std::vector<void*> large_;
  std::vector<uint32_t> free_indices_;
};

}  // namespace ss
