// Slab implementation. Read slab.h first.
//
// Page life cycle: never used (beyond next_page_) -> in use by one class ->
// empty (its index on empty_, still resident) -> released by
// ReleaseEmptyPages (MADV_DONTNEED, its index on released_) -> in use again,
// by any class. An empty page may also be taken back into use straight from
// empty_, skipping the madvise and the page faults. The release is left to
// the caller's steps because a mass expiry or FLUSHALL empties thousands of
// pages at once, at 30-50 us of madvise each: done inline, one expiry slice
// of 512 keys took up to 21 ms near the end of a million-key burst.
//
// A page is in its class's `avail` list exactly when it has a free block or
// uncarved room, so Allocate never searches. Blocks are carved
// from a page's front lazily (a fresh page is not touched beyond what is
// handed out), and freed blocks go on the page's free list, linked through
// their first two bytes.
//
// Malloc blocks carry a kLargePrefix-byte prefix holding their handle index.
//
// An empty page that is its class's only page with room stays (reset, not
// released): a class that keeps allocating and freeing one block must not
// cost a madvise and a page fault each time. That keeps at most one empty
// page per class, kClassCount * 64 KB in the worst case.
#include "ss/store/slab.h"

#include <malloc.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#if defined(__SANITIZE_ADDRESS__)
#define SS_SLAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SS_SLAB_ASAN 1
#endif
#endif

#ifdef SS_SLAB_ASAN
#include <sanitizer/asan_interface.h>
#define SS_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define SS_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define SS_POISON(p, n) ((void)(p), (void)(n))
#define SS_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace ss {
namespace {

// Committing read-write memory in steps of this many bytes keeps mprotect
// calls rare (one per 32 pages) while committing little ahead of use.
constexpr size_t kCommitStep = size_t{2} << 20;
// A committed step becomes one huge page once the next step is committed
// (MADV_COLLAPSE: synchronous, a 2 MB copy): entries are reached at random
// addresses, one per request and one per hop of a timing-wheel list, and
// with 4 KB pages nearly each is a TLB miss once the slab outgrows the TLB's
// reach. Only full steps are collapsed (MADV_HUGEPAGE on each step as it is
// committed would make the last, partly used one resident whole: 2 MB).
constexpr size_t kHugePageBytes = size_t{2} << 20;
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25  // Linux 6.1; glibc 2.36's headers lack it
#endif
static_assert(kCommitStep % kHugePageBytes == 0, "commit steps are whole huge pages");
// The smallest range worth reserving when the kernel refuses the asked one.
constexpr size_t kMinReserve = size_t{64} << 20;

void* MapOrNull(size_t bytes, int prot) {
  void* p = mmap(nullptr, bytes, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

// A PROT_NONE range of `bytes` starting on a kHugePageBytes boundary, so
// that each commit step (kCommitStep, the same size) can be one huge page.
void* MapAligned(size_t bytes) {
  void* p = MapOrNull(bytes + kHugePageBytes, PROT_NONE);
  if (p == nullptr) return nullptr;
  const auto start = reinterpret_cast<uintptr_t>(p);
  const uintptr_t aligned = (start + kHugePageBytes - 1) & ~(uintptr_t{kHugePageBytes} - 1);
  if (aligned > start) munmap(p, aligned - start);
  const uintptr_t end = start + bytes + kHugePageBytes;
  if (end > aligned + bytes) munmap(reinterpret_cast<void*>(aligned + bytes), end - (aligned + bytes));
  return reinterpret_cast<void*>(aligned);
}

}  // namespace

Slab::Slab(size_t reserve_bytes) {
  static_assert(kMaxReserve / kGranule < kLargeHandleBase, "range handles below large ones");
  static_assert(kPageBytes / kGranule <= UINT16_MAX, "page offsets fit the descriptor");
  for (size_t c = 1; c <= kClassCount; ++c) {
    const size_t size = SizeOfClass(c);
    classes_[c].size = static_cast<uint32_t>(size);
    classes_[c].carve_limit = static_cast<uint32_t>(kPageBytes / size * size / kGranule);
  }
  // Bounded: halves each time, down to kMinReserve.
  const size_t asked = std::min(reserve_bytes, kMaxReserve);
  for (size_t want = asked / kPageBytes * kPageBytes; want >= kMinReserve; want /= 2) {
    // The descriptor array is committed lazily too (MAP_NORESERVE, and the
    // kernel backs a page only when it is first written).
    const size_t desc_bytes = want / kPageBytes * sizeof(PageInfo);
    void* range = MapAligned(want);
    if (range == nullptr) continue;
    void* desc = MapOrNull(desc_bytes, PROT_READ | PROT_WRITE);
    if (desc == nullptr) {
      munmap(range, want);
      continue;
    }
    base_ = static_cast<char*>(range);
    reserved_ = want;
    pages_ = static_cast<PageInfo*>(desc);
    break;
  }
}

Slab::~Slab() {
  if (base_ == nullptr) return;
  // Unpoison before unmapping, so ASan does not report later users of the
  // same addresses.
  SS_UNPOISON(base_, committed_);
  munmap(base_, reserved_);
  munmap(pages_, reserved_ / kPageBytes * sizeof(PageInfo));
}

void* Slab::Allocate(size_t n) {
  if (n <= kMaxSmall && base_ != nullptr) {
    void* p = AllocateSmall(ClassOf(n));
    if (p != nullptr) return p;
  }
  return AllocateLarge(n);
}

void* Slab::Reallocate(void* p, size_t n) {
  if (!Owns(p) && (n > kMaxSmall || base_ == nullptr)) {
    // Malloc to malloc: realloc may grow in place (or mremap a huge block),
    // and the handle index stays.
    char* block = static_cast<char*>(p) - kLargePrefix;
    if (n > SIZE_MAX - kLargePrefix) throw std::bad_alloc();
    void* grown = std::realloc(block, n + kLargePrefix);
    if (grown == nullptr) throw std::bad_alloc();
    char* q = static_cast<char*>(grown) + kLargePrefix;
    uint32_t index;
    std::memcpy(&index, grown, sizeof(index));
    large_[index] = q;
    return q;
  }
  void* q = Allocate(n);
  std::memcpy(q, p, std::min(n, UsableSize(p)));
  Free(p);
  return q;
}

void* Slab::AllocateLarge(size_t n) {
  if (n > SIZE_MAX - kLargePrefix) throw std::bad_alloc();
  uint32_t index;
  if (!free_indices_.empty()) {
    index = free_indices_.back();
    free_indices_.pop_back();
  } else {
    if (large_.size() >= kForeignHandleBase - kLargeHandleBase) throw std::bad_alloc();
    index = static_cast<uint32_t>(large_.size());
    large_.push_back(nullptr);
    // Room for every index, so FreeLarge's push_back cannot throw.
    if (free_indices_.capacity() < large_.capacity()) free_indices_.reserve(large_.capacity());
  }
  char* block = static_cast<char*>(std::malloc(n + kLargePrefix));
  if (block == nullptr) {
    free_indices_.push_back(index);
    throw std::bad_alloc();
  }
  std::memcpy(block, &index, sizeof(index));
  large_[index] = block + kLargePrefix;
  return block + kLargePrefix;
}

void Slab::FreeLarge(void* p) noexcept {
  char* block = static_cast<char*>(p) - kLargePrefix;
  uint32_t index;
  std::memcpy(&index, block, sizeof(index));
  std::free(block);
  // large_[index] keeps the stale address until the index is reused.
  free_indices_.push_back(index);
}

void* Slab::AllocateSmall(size_t cls) {
  SizeClass& sc = classes_[cls];
  uint32_t page = sc.avail;
  if (page == kNoPage) {
    page = AcquirePage(cls);
    if (page == kNoPage) return nullptr;
  }
  PageInfo& pi = pages_[page];
  char* block;
  if (pi.free_head != 0) {
    block = PageBase(page) + size_t{pi.free_head - 1u} * kGranule;
    SS_UNPOISON(block, sc.size);
    uint16_t next;
    std::memcpy(&next, block, sizeof(next));
    pi.free_head = next;
  } else {
    block = PageBase(page) + size_t{pi.carved} * kGranule;
    pi.carved = static_cast<uint16_t>(pi.carved + sc.size / kGranule);
    SS_UNPOISON(block, sc.size);
  }
  ++pi.live;
  if (pi.free_head == 0 && pi.carved >= sc.carve_limit) RemoveAvail(page);  // now full
  return block;
}

void Slab::Free(void* p) noexcept {
  if (p == nullptr) return;
  if (!Owns(p)) {
    FreeLarge(p);
    return;
  }
  const uint32_t page = PageOf(p);
  PageInfo& pi = pages_[page];
  const SizeClass& sc = classes_[pi.cls];
  const bool was_full = pi.free_head == 0 && pi.carved >= sc.carve_limit;
  const uint16_t link = pi.free_head;
  std::memcpy(p, &link, sizeof(link));
  SS_POISON(p, sc.size);
  pi.free_head =
      static_cast<uint16_t>((static_cast<char*>(p) - PageBase(page)) / kGranule + 1);
  --pi.live;
  if (was_full) PushAvail(page);
  if (pi.live != 0) return;
  // Empty. Keep it (reset to uncarved) if it is the class's only page with
  // room; otherwise queue it for ReleaseEmptyPages.
  if (sc.avail == page && pi.next == kNoPage) {
    pi.free_head = 0;
    pi.carved = 0;
    return;
  }
  RemoveAvail(page);
  pi.cls = 0;
  pi.next = empty_;
  empty_ = page;
  ++empty_pages_;
  --pages_in_use_;
}

size_t Slab::ReleaseEmptyPages(size_t max_pages) {
  // Bounded by max_pages: each pass releases one page.
  for (size_t i = 0; i < max_pages && empty_ != kNoPage; ++i) {
    const uint32_t page = empty_;
    empty_ = pages_[page].next;
    --empty_pages_;
    ReleasePage(page);
  }
  return empty_pages_;
}

size_t Slab::UsableSize(const void* p) const {
  if (!Owns(p)) return BlockBytes(p) - kLargePrefix;
  return classes_[pages_[PageOf(p)].cls].size;
}

size_t Slab::BlockBytes(const void* p) const {
  if (!Owns(p)) {
    return malloc_usable_size(const_cast<char*>(static_cast<const char*>(p)) - kLargePrefix);
  }
  return classes_[pages_[PageOf(p)].cls].size;
}

uint32_t Slab::AcquirePage(size_t cls) {
  uint32_t page;
  if (empty_ != kNoPage) {
    page = empty_;  // still resident: no page faults
    empty_ = pages_[page].next;
    --empty_pages_;
  } else if (released_ != kNoPage) {
    page = released_;
    released_ = pages_[page].next;
  } else {
    if (size_t{next_page_ + 1u} * kPageBytes > reserved_) return kNoPage;
    page = next_page_;
    const size_t end = size_t{page + 1u} * kPageBytes;
    if (end > committed_) {
      const size_t to = std::min(reserved_, committed_ + kCommitStep);
      if (mprotect(base_ + committed_, to - committed_, PROT_READ | PROT_WRITE) != 0) {
        return kNoPage;  // the kernel will not commit more: malloc from now on
      }
      // Advisory: a refusal (an older kernel, THP off) changes nothing.
      if (committed_ >= kCommitStep) madvise(base_ + committed_ - kCommitStep, kCommitStep, MADV_COLLAPSE);
      SS_POISON(base_ + committed_, to - committed_);
      committed_ = to;
    }
    ++next_page_;
  }
  PageInfo& pi = pages_[page];
  pi.cls = static_cast<uint16_t>(cls);
  pi.live = 0;
  pi.carved = 0;
  pi.free_head = 0;
  ++pages_in_use_;
  PushAvail(page);
  return page;
}

void Slab::ReleasePage(uint32_t page) {
  char* base = PageBase(page);
  SS_UNPOISON(base, kPageBytes);
  // MADV_DONTNEED frees the frames at once (RSS drops now, unlike
  // MADV_FREE), and the next touch gets zero pages.
  madvise(base, kPageBytes, MADV_DONTNEED);
  SS_POISON(base, kPageBytes);
  pages_[page].next = released_;
  released_ = page;
}

void Slab::PushAvail(uint32_t page) {
  PageInfo& pi = pages_[page];
  SizeClass& sc = classes_[pi.cls];
  pi.prev = kNoPage;
  pi.next = sc.avail;
  if (sc.avail != kNoPage) pages_[sc.avail].prev = page;
  sc.avail = page;
}

void Slab::RemoveAvail(uint32_t page) {
  PageInfo& pi = pages_[page];
  SizeClass& sc = classes_[pi.cls];
  if (pi.prev != kNoPage) {
    pages_[pi.prev].next = pi.next;
  } else {
    sc.avail = pi.next;
  }
  if (pi.next != kNoPage) pages_[pi.next].prev = pi.prev;
  pi.next = pi.prev = kNoPage;
}

}  // namespace ss
