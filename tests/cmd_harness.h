// Test harness for command handlers: a ServerState on a ManualClock and one
// client; Run({...}) dispatches a request through the real command table and
// returns the exact reply bytes.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "ss/clock.h"
#include "ss/cmd/command.h"
#include "ss/resp/writer.h"

namespace ss::test {

// The default Config with a fixed CSRF secret (no random-secret warning).
inline Config TestConfig() {
  Config c;
  c.csrf_secret = "harness-secret";
  return c;
}

class CmdHarness {
 public:
  explicit CmdHarness(Config config = TestConfig())
      : state_(std::move(config), clock_) {
    client_.id = state_.next_client_id++;
    state_.clients[client_.id] = &client_;
  }
  ~CmdHarness() { state_.clients.erase(client_.id); }

  std::string Run(std::initializer_list<std::string_view> args) {
    return Run(std::vector<std::string_view>(args));
  }
  std::string Run(const std::vector<std::string_view>& args) {
    std::string out;
    resp::ReplyWriter writer(&out, client_.protocol);
    writer.set_error_listener(&state_.error_stats);  // as net::Connection does
    cmd::Dispatch(cmd::CommandTable::Get(), state_, client_, writer, args);
    return out;
  }
  // Runs the keyspace's active expiry until it has nothing due.
  void ExpireAll() {
    while (state_.keyspace.ExpireStep(1u << 20)) {
    }
  }

  ManualClock& clock() { return clock_; }
  cmd::ServerState& state() { return state_; }
  cmd::Client& client() { return client_; }

 private:
  ManualClock clock_;
  cmd::ServerState state_;
  cmd::Client client_;
};

}  // namespace ss::test
