// TimingWheel: a hierarchical hashed timing wheel with millisecond ticks over
// entries linked intrusively (Entry::link). The wheel only links entries and
// never frees them: when a deadline passes it unlinks the entry and hands it
// to the ExpiryHandler, which (the Keyspace) removes it from its table and
// destroys it.
//
// Work is bounded: Advance() does at most `budget` units (an expiry or moving
// one entry down a level is one unit) and says whether work is left, so the
// server can interleave expiry with client I/O. Cascades from a coarse level
// to the finer one start a full coarse slot ahead of the deadlines they hold
// and proceed in budgeted steps, so a million keys due in one second never
// cause one long pause.
// Loop thread only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ss/store/entry.h"

namespace ss {

class ExpiryHandler {
 public:
  virtual ~ExpiryHandler() = default;
  // e's deadline has passed; e is already unlinked from the wheel. The
  // handler takes it (removes it from its table and destroys it).
  virtual void OnExpired(Entry* e) = 0;
  // e is due and will reach OnExpired soon (the wheel drains a list two
  // entries ahead of this hint): a handler may start loading what it will
  // touch then, such as e's table slot. A hint only; e stays linked.
  virtual void PrefetchExpiring(const Entry* e) { (void)e; }
};

class TimingWheel {
 public:
  // now_ms: the wheel's starting time (unix ms).
  explicit TimingWheel(int64_t now_ms);
  ~TimingWheel();  // unlinks nothing: the owner clears entries first
  TimingWheel(const TimingWheel&) = delete;
  TimingWheel& operator=(const TimingWheel&) = delete;

  // Links e to expire at e->deadline_ms(). A deadline at or before the
  // wheel's current time expires on the next Advance().
  // REQUIRES: e->has_deadline() and !e->link().linked().
  void Schedule(Entry* e);
  // Unlinks e. REQUIRES: e is linked in this wheel.
  void Unlink(Entry* e);

  // Moves the wheel's time towards now_ms, expiring every entry whose deadline
  // is <= now_ms, with at most `budget` units of work. Returns true if work
  // due by now_ms remains (call again soon), false when caught up.
  bool Advance(int64_t now_ms, size_t budget, ExpiryHandler& handler);

  // The earliest time (unix ms) at which Advance() has work to do (an expiry
  // or a cascade to start), or -1 when the wheel is empty.
  int64_t NextWorkMs() const;

  // Linked entries.
  size_t size() const { return size_; }
  // Bytes of the wheel's own arrays (not the entries).
  size_t MemoryBytes() const;

 private:
  // Geometry and invariants: see the comment at the top of timing_wheel.cc.
  static constexpr int kLevels = 7;
  static constexpr size_t kSlotCount = 256 + 6 * 128;  // sentinels of all levels
  static constexpr size_t kDueList = kSlotCount;       // deadline already passed
  static constexpr size_t kOverflowList = kSlotCount + 1;  // beyond the top level
  static constexpr size_t kPendingList = kSlotCount + 2;   // overflow being re-placed
  static constexpr size_t kListCount = kSlotCount + 3;

  // Counters for tests and INFO: units of work done, slots visited.
  struct Stats {
    uint64_t work = 0;
    uint64_t slot_visits = 0;
  };
  friend struct TimingWheelPeer;  // tests: stats_ and CheckInvariants()

  void Place(Entry* e);
  void LinkInto(size_t list, Entry* e);
  void Detach(Entry* e);
  void Expire(Entry* e, ExpiryHandler& handler);
  void Move(Entry* e);
  bool DrainList(size_t list, ExpiryHandler& handler);
  bool ExpireLevel0(ExpiryHandler& handler);
  bool DrainLevel(int level, ExpiryHandler& handler);
  bool DrainOverflow(ExpiryHandler& handler);
  int64_t Position(int level) const;
  int64_t TimeWhenPositionReaches(int level, int64_t pos_ms) const;
  size_t NextOccupied(int level, int64_t from_index) const;
  // Links are handles: entries' (Entry::HandleOf) and, for the sentinels,
  // kFirstSentinel + list index, a range the entry slab never hands out.
  static constexpr uint32_t kFirstSentinel = Slab::kForeignHandleBase;
  static_assert(kListCount <= UINT32_MAX - kFirstSentinel, "sentinel handles fit");
  static uint32_t SentinelHandle(size_t list) {
    return kFirstSentinel + static_cast<uint32_t>(list);
  }
  WheelLink& LinkOf(uint32_t h) {
    return h >= kFirstSentinel ? lists_[h - kFirstSentinel] : Entry::FromHandle(h)->link();
  }
  const WheelLink& LinkOf(uint32_t h) const {
    return h >= kFirstSentinel ? lists_[h - kFirstSentinel] : Entry::FromHandle(h)->link();
  }
  bool ListEmpty(size_t list) const { return lists_[list].next == SentinelHandle(list); }
  bool CheckInvariants() const;

  std::vector<WheelLink> lists_;  // kListCount circular lists (never resized)
  std::array<uint64_t, kSlotCount / 64> occupied_{};  // bit per non-empty slot
  std::array<int64_t, kLevels> cursor_{};  // per level: first undrained slot index
  int64_t overflow_min_;  // <= every overflow deadline (may be stale-low)
  size_t size_ = 0;
  size_t work_left_ = 0;  // budget left in the current Advance()
  int64_t now_ms_;  // latest time given to Advance (or the constructor)
  Stats stats_;
};

}  // namespace ss
