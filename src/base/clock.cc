#include "ss/clock.h"

#include <time.h>

namespace ss {

int64_t SystemClock::NowMs() const { return NowUs() / 1000; }

int64_t SystemClock::NowUs() const {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

}  // namespace ss
