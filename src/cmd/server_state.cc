#include "ss/cmd/server_state.h"

#include <random>
#include <vector>

#include "ss/log.h"
#include "ss/session/ids.h"

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
      sessions(keyspace, config.session_prefix),
      csrf_secret(config.csrf_secret),
      start_time_us(clock.NowUs()),
      run_id(RandomHex(40)) {
  if (csrf_secret.empty()) {
    uint8_t raw[32];
    session::RandomBytes(raw, sizeof raw);
    static constexpr char kHex[] = "0123456789abcdef";
    for (uint8_t b : raw) {
      csrf_secret.push_back(kHex[b >> 4]);
      csrf_secret.push_back(kHex[b & 15]);
    }
    Log(LogLevel::kWarning, "no --csrf-secret given: using a random one; CSRF and sealed tokens will not "
               "survive a restart");
  }
  seal_key = session::DeriveSealKey(csrf_secret);
  keyspace.set_observer(&keyspace_observers);
  keyspace_observers.Add(&expired_events);
  on_client_closed.push_back([this](Client& c) { pubsub.UnsubscribeAll(c); });
  // A closing MONITOR client stops receiving lines.
  on_client_closed.push_back([this](Client& c) { std::erase(command_log.monitors, &c); });
}

}  // namespace ss::cmd
