#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "ss/histogram.h"

namespace ss {
namespace {

TEST_CASE("an empty histogram reports 0") {
  LatencyHistogram h;
  CHECK(h.total() == 0);
  CHECK(h.ValueAtPercentile(50) == 0);
}

TEST_CASE("values below 256 are kept exactly") {
  LatencyHistogram h;
  for (int64_t v = 1; v <= 100; ++v) h.Record(v);
  CHECK(h.total() == 100);
  CHECK(h.ValueAtPercentile(0) == 1);
  CHECK(h.ValueAtPercentile(50) == 50);
  CHECK(h.ValueAtPercentile(99) == 99);
  CHECK(h.ValueAtPercentile(100) == 100);
  CHECK(h.ValueAtPercentile(250) == 100);  // above 100 counts as 100
}

TEST_CASE("bucket edges are those of Redis's HdrHistogram (2 significant figures)") {
  // Redis 7.0 printed p50=98.303 and p99=165.887 (usec) for values recorded
  // in these buckets: the highest value equivalent to each, in ns.
  LatencyHistogram h;
  h.Record(98'000);
  CHECK(h.ValueAtPercentile(50) == 98'303);
  CHECK(h.ValueAtPercentile(0) == 97'792);  // percentile 0: the lowest equivalent
  LatencyHistogram g;
  g.Record(165'000);
  CHECK(g.ValueAtPercentile(99.9) == 165'887);
  LatencyHistogram e;
  e.Record(255);
  e.Record(256);
  e.Record(257);
  CHECK(e.ValueAtPercentile(33) == 255);
  CHECK(e.ValueAtPercentile(66) == 257);  // 256 and 257 share a bucket of width 2
  CHECK(e.ValueAtPercentile(100) == 257);
}

TEST_CASE("values are clamped to 1 ns .. 1 s as Redis clamps them") {
  LatencyHistogram h;
  h.Record(0);
  h.Record(-5);
  CHECK(h.ValueAtPercentile(100) == 1);
  LatencyHistogram g;
  g.Record(5'000'000'000);
  const int64_t top = g.ValueAtPercentile(100);
  CHECK(top >= LatencyHistogram::kHighest);
  CHECK(top < LatencyHistogram::kHighest + LatencyHistogram::kHighest / 128);
}

TEST_CASE("percentiles agree with a sorted copy within the bucket width") {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(9.0, 2.0);  // ns: ~8 us median, long tail
  LatencyHistogram h;
  std::vector<int64_t> values;
  for (int i = 0; i < 20000; ++i) {
    int64_t v = std::clamp<int64_t>(static_cast<int64_t>(dist(rng)), 1, LatencyHistogram::kHighest);
    values.push_back(v);
    h.Record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {0.5, 10.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
    uint64_t wanted = static_cast<uint64_t>(p / 100.0 * values.size() + 0.5);
    wanted = std::max<uint64_t>(wanted, 1);
    const int64_t exact = values[wanted - 1];
    const int64_t got = h.ValueAtPercentile(p);
    INFO("p", p, " exact ", exact, " got ", got);
    CHECK(got >= exact);
    CHECK(got - exact <= std::max<int64_t>(0, exact / 128));
  }
}

}  // namespace
}  // namespace ss
