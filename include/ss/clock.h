// Time source for everything that expires. Production uses SystemClock
// (CLOCK_REALTIME, since Redis deadlines are absolute unix times); tests use
// ManualClock and never sleep. Loop thread only.
#pragma once

#include <cstdint>

namespace ss {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the unix epoch.
  virtual int64_t NowMs() const = 0;
  // Microseconds since the unix epoch.
  virtual int64_t NowUs() const = 0;
  // NowMs() as of the last Refresh(): for what needs only about a second's
  // precision (the access clock behind OBJECT IDLETIME), so a command does
  // not read the clock for it. Deadlines always use NowMs().
  virtual int64_t CoarseNowMs() const { return NowMs(); }
  // Called by the event loop each time it wakes with input (net/), before
  // running the commands that input carries.
  virtual void Refresh() const {}
};

class SystemClock final : public Clock {
 public:
  int64_t NowMs() const override;
  int64_t NowUs() const override;
  int64_t CoarseNowMs() const override { return coarse_ms_; }
  void Refresh() const override { coarse_ms_ = NowMs(); }

 private:
  mutable int64_t coarse_ms_ = NowMs();
};

// A clock that moves only when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_ms = 1'700'000'000'000) : now_us_(now_ms * 1000) {}
  int64_t NowMs() const override { return now_us_ / 1000; }
  int64_t NowUs() const override { return now_us_; }
  void AdvanceMs(int64_t ms) { now_us_ += ms * 1000; }
  void SetMs(int64_t ms) { now_us_ = ms * 1000; }

 private:
  int64_t now_us_;
};

}  // namespace ss
