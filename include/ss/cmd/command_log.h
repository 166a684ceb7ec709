// The command log: what the server remembers about executed commands besides
// their effects. SLOWLOG entries and the set of MONITOR clients, filled by
// LogCommand() after every executed command (src/cmd/command_log.cc).
// Owned by ServerState. Loop thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ss/cmd/client.h"

namespace ss::cmd {

// One SLOWLOG entry, with copies of what it reports (Redis's slowlogEntry).
struct SlowlogEntry {
  int64_t id = 0;
  int64_t unix_time_s = 0;
  int64_t duration_us = 0;
  std::vector<std::string> args;  // truncated as Redis does (see command_log.cc)
  std::string peer;               // client "ip:port"
  std::string client_name;
};

struct CommandLog {
  // Newest first; at most config.slowlog_max_len entries.
  std::deque<SlowlogEntry> slowlog;
  // The id the next entry gets; SLOWLOG RESET does not restart it.
  int64_t next_slowlog_id = 0;
  // Clients in MONITOR mode, borrowed: each is removed as its connection
  // closes (ServerState::on_client_closed).
  std::vector<Client*> monitors;
};

// The MONITOR line for one command, as Redis 7.0's replicationFeedMonitors:
// "+<sec>.<usec> [<db> <peer>] \"arg\" ...\r\n", each argument quoted with
// sdscatrepr's escapes.
std::string MonitorLine(int64_t unix_us, int db, std::string_view peer,
                        std::span<const std::string_view> args);

}  // namespace ss::cmd
