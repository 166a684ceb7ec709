// LatencyHistogram: the per-command latency record behind INFO latencystats,
// with the bucket layout of the HdrHistogram Redis 7.0 uses (lowest value 1,
// highest 1e9, 2 significant figures, values in nanoseconds), so percentiles
// come out on the same bucket edges as Redis's: values below 256 exactly,
// above that within 1/128 of themselves. Record is O(1); a percentile walks
// the counts (3,072 of them, 24 KB per histogram). Loop thread only.
#pragma once

#include <bit>
#include <cstdint>
#include <memory>

namespace ss {

class LatencyHistogram {
 public:
  static constexpr int64_t kLowest = 1;
  static constexpr int64_t kHighest = 1'000'000'000;

  LatencyHistogram();

  // Records one value, clamped to [kLowest, kHighest] (Redis clamps the
  // same way before hdr_record_value). Inline: it runs once per command.
  void Record(int64_t value) {
    value = value < kLowest ? kLowest : (value > kHighest ? kHighest : value);
    ++counts_[CountsIndex(value)];
    ++total_;
  }
  uint64_t total() const { return total_; }

  // hdr_value_at_percentile: the highest value equivalent to the one at
  // `percentile` (0..100) of the recorded values; for percentile 0 the
  // lowest equivalent value of the smallest recorded one. 0 if empty.
  int64_t ValueAtPercentile(double percentile) const;

  // The recorded values bucketed by powers of two as LATENCY HISTOGRAM
  // reports them is not offered: sessiond has no LATENCY command.

 private:
  static constexpr int kSubBucketHalfCountMagnitude = 7;  // 2 significant figures
  static constexpr int64_t kSubBucketHalfCount = 1 << kSubBucketHalfCountMagnitude;
  static constexpr int64_t kSubBucketCount = kSubBucketHalfCount * 2;
  static constexpr int64_t kSubBucketMask = kSubBucketCount - 1;

  static int BucketIndex(int64_t value) {
    // The smallest power of two holding value | mask, less the sub-bucket bits.
    const int pow2ceiling = 64 - std::countl_zero(static_cast<uint64_t>(value | kSubBucketMask));
    return pow2ceiling - (kSubBucketHalfCountMagnitude + 1);
  }
  static int CountsIndex(int64_t value) {
    const int bucket = BucketIndex(value);
    const int64_t sub_bucket = value >> bucket;
    const int64_t bucket_base = static_cast<int64_t>(bucket + 1) << kSubBucketHalfCountMagnitude;
    return static_cast<int>(bucket_base + (sub_bucket - kSubBucketHalfCount));
  }
  static int64_t ValueFromIndex(int index);
  static int64_t LowestEquivalent(int64_t value);
  static int64_t HighestEquivalent(int64_t value);

  int counts_len_;
  std::unique_ptr<uint64_t[]> counts_;
  uint64_t total_ = 0;
};

}  // namespace ss
