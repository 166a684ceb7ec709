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
  struct Level;
  std::vector<Level> levels_;
  size_t size_ = 0;
  int64_t now_ms_;  // every deadline < now_ms_ has been expired or is overdue
};

}  // namespace ss
