#include "ss/histogram.h"

#include <algorithm>
#include <bit>

namespace ss {

namespace {

// hdr_init's bucket count: the buckets needed until the sub-bucket range,
// doubled each time, covers kHighest.
int BucketsNeeded(int64_t sub_bucket_count, int64_t highest) {
  int64_t smallest_untrackable = sub_bucket_count;
  int buckets = 1;
  while (smallest_untrackable <= highest) {
    if (smallest_untrackable > INT64_MAX / 2) return buckets + 1;
    smallest_untrackable <<= 1;
    ++buckets;
  }
  return buckets;
}

}  // namespace

LatencyHistogram::LatencyHistogram()
    : counts_len_((BucketsNeeded(kSubBucketCount, kHighest) + 1) *
                  static_cast<int>(kSubBucketHalfCount)),
      counts_(new uint64_t[counts_len_]()) {}

int64_t LatencyHistogram::ValueFromIndex(int index) {
  int bucket = (index >> kSubBucketHalfCountMagnitude) - 1;
  int64_t sub_bucket = (index & (kSubBucketHalfCount - 1)) + kSubBucketHalfCount;
  if (bucket < 0) {
    sub_bucket -= kSubBucketHalfCount;
    bucket = 0;
  }
  return sub_bucket << bucket;
}

int64_t LatencyHistogram::LowestEquivalent(int64_t value) {
  const int bucket = BucketIndex(value);
  return (value >> bucket) << bucket;
}

int64_t LatencyHistogram::HighestEquivalent(int64_t value) {
  const int bucket = BucketIndex(value);
  const int64_t sub_bucket = value >> bucket;
  const int adjusted = sub_bucket >= kSubBucketCount ? bucket + 1 : bucket;
  return LowestEquivalent(value) + (int64_t{1} << adjusted) - 1;
}

int64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  if (total_ == 0) return 0;
  const double p = std::min(percentile, 100.0);
  uint64_t wanted = static_cast<uint64_t>(p / 100.0 * static_cast<double>(total_) + 0.5);
  wanted = std::max<uint64_t>(wanted, 1);
  uint64_t seen = 0;
  int index = 0;
  // Bounded by counts_len_; ends at the bucket where `wanted` is reached.
  for (; index < counts_len_; ++index) {
    seen += counts_[index];
    if (seen >= wanted) break;
  }
  if (index == counts_len_) index = counts_len_ - 1;
  const int64_t value = ValueFromIndex(index);
  return percentile == 0.0 ? LowestEquivalent(value) : HighestEquivalent(value);
}

}  // namespace ss
