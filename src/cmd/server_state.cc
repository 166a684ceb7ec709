#include "ss/cmd/server_state.h"

#include <random>

namespace ss::cmd {

namespace {

std::string RandomHex(size_t n) {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(n, '0');
  for (char& c : out) c = kHex[rd() & 15];
  return out;
}

}  // namespace

ServerState::ServerState(Config cfg, const Clock& clk)
    : config(std::move(cfg)),
      clock(clk),
      keyspace(clock, config.databases),
      start_time_us(clock.NowUs()),
      run_id(RandomHex(40)) {}

}  // namespace ss::cmd
