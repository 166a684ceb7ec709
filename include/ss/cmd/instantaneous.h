// InstantaneousMetric: Redis's trackInstantaneousMetric / getInstantaneous-
// Metric, behind INFO's instantaneous_ops_per_sec and _kbps fields: a
// counter is sampled every 100 ms (the server's cron); each sample is the
// rate since the previous one, and the figure is the mean of the last 16.
// Time comes from the caller, so tests need no clock. Loop thread only.
#pragma once

#include <array>
#include <cstdint>

namespace ss::cmd {

class InstantaneousMetric {
 public:
  static constexpr int kSamples = 16;  // Redis's STATS_METRIC_SAMPLES

  // Records the rate of `reading` (a counter that only grows, except when
  // reset) since the last call. now_ms: any monotonic millisecond clock.
  void Sample(int64_t now_ms, uint64_t reading) {
    const int64_t t = now_ms - last_ms_;
    const int64_t delta = static_cast<int64_t>(reading) - static_cast<int64_t>(last_reading_);
    samples_[idx_] = t > 0 ? delta * 1000 / t : 0;
    idx_ = (idx_ + 1) % kSamples;
    last_ms_ = now_ms;
    last_reading_ = reading;
  }

  // Per second, the mean of the last kSamples rates (integer division, as Redis).
  int64_t PerSecond() const {
    int64_t sum = 0;
    for (int64_t s : samples_) sum += s;
    return sum / kSamples;
  }

  // CONFIG RESETSTAT: no samples, and the counter starts again from 0 (the
  // next sample measures from the last one's time).
  void Reset() {
    samples_.fill(0);
    idx_ = 0;
    last_reading_ = 0;
  }

 private:
  std::array<int64_t, kSamples> samples_{};
  int idx_ = 0;
  int64_t last_ms_ = 0;
  uint64_t last_reading_ = 0;
};

// The three Redis tracks: commands, network bytes in, network bytes out.
struct InstantaneousMetrics {
  InstantaneousMetric ops;
  InstantaneousMetric net_input;
  InstantaneousMetric net_output;
  void Reset() {
    ops.Reset();
    net_input.Reset();
    net_output.Reset();
  }
};

}  // namespace ss::cmd
