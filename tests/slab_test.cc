#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <unordered_map>
#include <vector>

#include "ss/store/slab.h"

#if defined(__SANITIZE_ADDRESS__)
#define SS_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SS_TEST_ASAN 1
#endif
#endif
#ifdef SS_TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace ss {
namespace {

// A small reservation is enough for these tests and keeps them quick.
constexpr size_t kTestReserve = size_t{256} << 20;

uintptr_t PageOf(const void* p) {
  return reinterpret_cast<uintptr_t>(p) & ~uintptr_t{Slab::kPageBytes - 1};
}

// Resident 4 KB pages (mincore) in the slab page holding p.
size_t ResidentPages(uintptr_t page) {
  const size_t os_page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> vec(Slab::kPageBytes / os_page);
  REQUIRE(mincore(reinterpret_cast<void*>(page), Slab::kPageBytes, vec.data()) == 0);
  size_t resident = 0;
  for (unsigned char v : vec) resident += v & 1;
  return resident;
}

void Fill(void* p, size_t n, uint64_t seed) {
  auto* b = static_cast<unsigned char*>(p);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<unsigned char>(seed * 31 + i);
}

bool Holds(const void* p, size_t n, uint64_t seed) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (size_t i = 0; i < n; ++i) {
    if (b[i] != static_cast<unsigned char>(seed * 31 + i)) return false;
  }
  return true;
}

// The class step for a size: 4 bytes up to 512, 8 up to 1024, 16 beyond.
size_t Step(size_t n) { return n <= 512 ? 4 : n <= 1024 ? 8 : 16; }

TEST_CASE("every small size gets its class, aligned, inside the slab") {
  Slab slab(kTestReserve);
  REQUIRE(slab.reserved_bytes() == kTestReserve);
  std::vector<void*> blocks;
  for (size_t n = 1; n <= Slab::kMaxSmall; ++n) {
    void* p = slab.Allocate(n);
    INFO("n = " << n);
    REQUIRE(slab.Owns(p));
    CHECK(reinterpret_cast<uintptr_t>(p) % Slab::kGranule == 0);
    CHECK(slab.UsableSize(p) == Slab::ClassSize(n));
    CHECK(Slab::ClassSize(n) >= n);
    CHECK(Slab::ClassSize(n) < n + Step(n));
    CHECK(Slab::ClassSize(n) % Step(n) == 0);
    CHECK(slab.BlockBytes(p) == slab.UsableSize(p));
    std::memset(p, 0xab, slab.UsableSize(p));  // the whole class size is usable
    blocks.push_back(p);
  }
  CHECK(Slab::ClassSize(130) == 132);  // a 13-byte key, 100-byte value session
  void* empty = slab.Allocate(0);
  CHECK(slab.UsableSize(empty) == Slab::kGranule);
  slab.Free(empty);
  // Past kMaxSmall: malloc, with malloc's usable size.
  void* big = slab.Allocate(Slab::kMaxSmall + 1);
  CHECK_FALSE(slab.Owns(big));
  CHECK(Slab::ClassSize(Slab::kMaxSmall + 1) == 0);
  CHECK(slab.UsableSize(big) >= Slab::kMaxSmall + 1);
  CHECK(slab.BlockBytes(big) > slab.UsableSize(big));  // malloc's chunk holds a prefix too
  CHECK(reinterpret_cast<uintptr_t>(big) % 16 == 0);
  slab.Free(big);
  slab.Free(nullptr);
  for (void* p : blocks) slab.Free(p);
}

TEST_CASE("random allocate/free churn: blocks never overlap and keep their bytes") {
  Slab slab(kTestReserve);
  std::mt19937_64 rng(11);
  struct Block {
    size_t n;
    uint64_t seed;
  };
  std::unordered_map<void*, Block> live;
  uint64_t next_seed = 1;
  for (int i = 0; i < 200000; ++i) {
    const bool alloc = live.empty() || rng() % 100 < 55;
    if (alloc) {
      // Mostly entry-like sizes, some spanning every class, a few large.
      const uint64_t r = rng() % 100;
      const size_t n = r < 70 ? 100 + rng() % 80 : r < 98 ? 1 + rng() % Slab::kMaxSmall
                                                          : Slab::kMaxSmall + rng() % 5000;
      void* p = slab.Allocate(n);
      REQUIRE(live.count(p) == 0);
      Fill(p, n, next_seed);
      live[p] = {n, next_seed++};
    } else {
      auto it = live.begin();
      std::advance(it, static_cast<long>(rng() % std::min<size_t>(live.size(), 16)));
      REQUIRE(Holds(it->first, it->second.n, it->second.seed));
      slab.Free(it->first);
      live.erase(it);
    }
  }
  // Every live block still holds what was written: no block overlapped
  // another, and no free-list link was written into a live block.
  for (const auto& [p, b] : live) REQUIRE(Holds(p, b.n, b.seed));
  // Blocks of one page never straddle into the next page.
  for (const auto& [p, b] : live) {
    if (slab.Owns(p)) CHECK(PageOf(p) == PageOf(static_cast<char*>(p) + slab.UsableSize(p) - 1));
  }
  for (const auto& [p, b] : live) slab.Free(p);
  CHECK(slab.pages_in_use() <= Slab::kClassCount);  // at most one kept per class
}

TEST_CASE("pages whose blocks are all freed go back to the kernel") {
  Slab slab(kTestReserve);
  constexpr size_t kSize = 152;  // a 100-byte session entry
  constexpr size_t kCount = 20000;
  std::vector<void*> blocks;
  std::set<uintptr_t> pages;
  for (size_t i = 0; i < kCount; ++i) {
    void* p = slab.Allocate(kSize);
    std::memset(p, 1, kSize);
    blocks.push_back(p);
    pages.insert(PageOf(p));
  }
  const size_t per_page = Slab::kPageBytes / kSize;
  CHECK(pages.size() == (kCount + per_page - 1) / per_page);  // densely packed
  CHECK(slab.pages_in_use() == pages.size());
  size_t resident = 0;
  for (uintptr_t page : pages) resident += ResidentPages(page);
  MESSAGE("4 KB pages resident while full: ", resident);
  CHECK(resident >= pages.size() * 15);

  // Free all but one block: every other page is queued as empty, still
  // resident, and ReleaseEmptyPages gives them back a bounded number at a time.
  for (size_t i = 1; i < kCount; ++i) slab.Free(blocks[i]);
  CHECK(slab.pages_in_use() == 1);
  CHECK(slab.empty_pages() == pages.size() - 1);
  auto resident_others = [&] {
    size_t r = 0;
    for (uintptr_t page : pages) {
      if (page != PageOf(blocks[0])) r += ResidentPages(page);
    }
    return r;
  };
  CHECK(resident_others() >= (pages.size() - 1) * 15);
  CHECK(slab.ReleaseEmptyPages(3) == pages.size() - 4);
  CHECK(resident_others() <= (pages.size() - 4) * 16);
  CHECK(slab.ReleaseEmptyPages(SIZE_MAX) == 0);
  CHECK(slab.empty_pages() == 0);
  CHECK(resident_others() == 0);
  // The survivor is intact, and the last page is kept once empty (no
  // madvise per allocate/free of a lone block).
  const unsigned char* b0 = static_cast<unsigned char*>(blocks[0]);
  CHECK((b0[0] == 1 && b0[kSize - 1] == 1));
  slab.Free(blocks[0]);
  CHECK(slab.pages_in_use() == 1);
  for (int i = 0; i < 1000; ++i) {
    void* p = slab.Allocate(kSize);
    CHECK(PageOf(p) == PageOf(blocks[0]));
    slab.Free(p);
  }
  CHECK(slab.pages_in_use() == 1);

  // An empty page is reused (by any class) before a released one, and
  // released ones before new address space.
  {
    void* a = slab.Allocate(kSize);
    void* b = slab.Allocate(kSize);
    std::vector<void*> fill;  // fill a's page so b's class needs another page
    while (PageOf(b) == PageOf(a)) {
      fill.push_back(b);
      b = slab.Allocate(kSize);
    }
    const uintptr_t b_page = PageOf(b);
    slab.Free(fill.back());  // a's page has room again, so b's is not the only one
    fill.pop_back();
    slab.Free(b);  // empty, and not its class's only page with room: queued
    CHECK(slab.empty_pages() == 1);
    void* c = slab.Allocate(2000);  // another class takes the queued page
    CHECK(PageOf(c) == b_page);
    CHECK(slab.empty_pages() == 0);
    slab.Free(c);
    slab.Free(a);
    for (void* p : fill) slab.Free(p);
    slab.ReleaseEmptyPages(SIZE_MAX);
  }
  // Released pages are reused (by any class) before new address space.
  std::vector<void*> again;
  for (size_t i = 0; i < kCount; ++i) again.push_back(slab.Allocate(64));
  size_t reused = 0;
  for (void* p : again) reused += pages.count(PageOf(p));
  CHECK(reused == again.size());
  for (void* p : again) slab.Free(p);
}

TEST_CASE("a full reservation falls back to malloc") {
  Slab slab(size_t{64} << 20);  // the smallest reservation a slab takes
  REQUIRE(slab.reserved_bytes() == size_t{64} << 20);
  std::vector<void*> blocks;
  size_t outside = 0;
  // 72 MiB of 2 KB blocks: the last 8 MiB cannot fit the range.
  for (size_t i = 0; i < (size_t{72} << 20) / 2048; ++i) {
    void* p = slab.Allocate(2048);
    std::memset(p, 7, 2048);
    outside += !slab.Owns(p);
    blocks.push_back(p);
  }
  CHECK(outside == (size_t{8} << 20) / 2048);
  for (void* p : blocks) slab.Free(p);
  CHECK(slab.pages_in_use() <= 1);
}

TEST_CASE("reserve 0 means malloc only") {
  Slab slab(0);
  CHECK(slab.reserved_bytes() == 0);
  void* p = slab.Allocate(100);
  CHECK_FALSE(slab.Owns(p));
  CHECK(slab.UsableSize(p) >= 100);
  CHECK(slab.HandleOf(p) >= Slab::kLargeHandleBase);
  CHECK(slab.FromHandle(slab.HandleOf(p)) == p);
  slab.Free(p);
}

TEST_CASE("handles name live blocks uniquely and survive malloc reallocation") {
  Slab slab(kTestReserve);
  std::mt19937_64 rng(5);
  std::unordered_map<uint32_t, void*> by_handle;
  std::vector<void*> blocks;
  for (int i = 0; i < 20000; ++i) {
    const size_t n = rng() % 4 == 0 ? Slab::kMaxSmall + 1 + rng() % 3000 : 1 + rng() % 600;
    void* p = slab.Allocate(n);
    const uint32_t h = slab.HandleOf(p);
    CHECK(h != 0);
    CHECK(h < Slab::kForeignHandleBase);
    CHECK((h < Slab::kLargeHandleBase) == slab.Owns(p));
    REQUIRE(by_handle.emplace(h, p).second);  // unique among live blocks
    CHECK(slab.FromHandle(h) == p);
    blocks.push_back(p);
  }
  CHECK(slab.large_blocks() > 4000);
  // Free half; handles of the rest still resolve.
  for (size_t i = 0; i < blocks.size(); i += 2) {
    by_handle.erase(slab.HandleOf(blocks[i]));
    slab.Free(blocks[i]);
  }
  for (const auto& [h, p] : by_handle) REQUIRE(slab.FromHandle(h) == p);

  // A malloc block that grows keeps its handle and bytes wherever it lands.
  void* big = slab.Allocate(3000);
  Fill(big, 3000, 9);
  const uint32_t h = slab.HandleOf(big);
  void* bigger = slab.Reallocate(big, 300000);
  CHECK(slab.HandleOf(bigger) == h);
  CHECK(slab.FromHandle(h) == bigger);
  CHECK(Holds(bigger, 3000, 9));
  // A small block that grows moves to another class and handle.
  void* small = slab.Allocate(40);
  Fill(small, 40, 3);
  const uint32_t hs = slab.HandleOf(small);
  void* moved = slab.Reallocate(small, 400);
  CHECK(slab.HandleOf(moved) != hs);
  CHECK(Holds(moved, 40, 3));
  // A freed block's handle names its old address until a new block takes it.
  CHECK(slab.FromHandle(hs) == small);
  void* big2 = slab.Allocate(5000);
  const uint32_t h2 = slab.HandleOf(big2);
  slab.Free(big2);
  CHECK(slab.FromHandle(h2) == big2);
  void* big3 = slab.Allocate(6000);
  CHECK(slab.HandleOf(big3) == h2);  // reused
  CHECK(slab.FromHandle(h2) == big3);
  slab.Free(big3);
  slab.Free(moved);
  slab.Free(bigger);
  for (size_t i = 1; i < blocks.size(); i += 2) slab.Free(blocks[i]);
  CHECK(slab.large_blocks() == 0);
}

#ifdef SS_TEST_ASAN
TEST_CASE("under ASan, free blocks and uncarved room are poisoned") {
  Slab slab(kTestReserve);
  char* a = static_cast<char*>(slab.Allocate(96));
  CHECK(__asan_address_is_poisoned(a) == 0);
  CHECK(__asan_address_is_poisoned(a + 95) == 0);
  CHECK(__asan_address_is_poisoned(a + 96) != 0);  // the next, uncarved block
  slab.Free(a);
  CHECK(__asan_address_is_poisoned(a) != 0);
  char* b = static_cast<char*>(slab.Allocate(96));
  CHECK(b == a);  // the page's free list hands it back
  CHECK(__asan_address_is_poisoned(b + 50) == 0);
  slab.Free(b);
}
#endif

}  // namespace
}  // namespace ss
