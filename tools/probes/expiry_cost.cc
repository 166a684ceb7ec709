// expiry-cost: the store's own cost of a mass expiry, without the network or
// the machine's other processes: loads N keys (13-byte `sess:%08d`, 100-byte
// values) with deadlines spread over one second, 5 s ahead as in the bench (so
// the wheel holds them on its coarser levels first and cascades them), then
// advances a manual clock 1 ms at a time and runs the keyspace's expiry steps
// (512 units and 4 emptied pages released, as the server's slices) until
// every key is gone. Prints the
// nanoseconds per expired key (wall clock over the drain, which includes the
// cascades between wheel levels) and the longest single step.
// Usage: expiry-cost [N] [ROUNDS]    (defaults 1000000, 5)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "ss/clock.h"
#include "ss/store/keyspace.h"

namespace {

using Ns = std::chrono::nanoseconds;
using Steady = std::chrono::steady_clock;

struct Result {
  double ns_per_key;
  double max_step_us;
};

Result RunOnce(size_t n, unsigned seed) {
  constexpr int64_t kT0 = 1'700'000'000'000;
  ss::ManualClock clock(kT0);
  ss::Keyspace ks(clock, 1);
  std::mt19937 rng(seed);
  const int64_t base = kT0 + 5'000;  // deadlines 5 s ahead: on the wheel's coarser levels
  const std::string value(100, 'v');
  char key[32];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(key, sizeof key, "sess:%08zu", i);
    ks.Set(0, key, value, base + static_cast<int64_t>(rng() % 1000));
  }
  // Drain from 1 ms before the first deadline, 1 ms at a time, as the loop's
  // timer and idle slices would (without the waiting).
  Ns total{0};
  Ns max_step{0};
  for (int64_t t = base - 1; ks.Size(0) > 0; ++t) {
    clock.SetMs(t);
    bool more = true;
    while (more) {
      const auto a = Steady::now();
      more = ks.ExpireStep(512);
#ifndef SS_OLD_SLAB
      more = ks.ReleaseMemoryStep(4) || more;  // as the server's slice
#endif
      const Ns d = std::chrono::duration_cast<Ns>(Steady::now() - a);
      total += d;
      max_step = std::max(max_step, d);
    }
  }
  return {static_cast<double>(total.count()) / static_cast<double>(n),
          static_cast<double>(max_step.count()) / 1e3};
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1'000'000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  std::vector<double> per_key;
  for (int r = 0; r < rounds; ++r) {
    const Result res = RunOnce(n, static_cast<unsigned>(r + 1));
    std::printf("round %d: %.1f ns per expired key, longest step %.0f us\n", r + 1, res.ns_per_key,
                res.max_step_us);
    per_key.push_back(res.ns_per_key);
  }
  std::sort(per_key.begin(), per_key.end());
  std::printf("median %.1f ns per expired key over %d rounds of %zu keys\n", per_key[per_key.size() / 2],
              rounds, n);
  return 0;
}
