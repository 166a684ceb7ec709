// Keyspace notifications: the event classes of Redis's notify-keyspace-events
// (server.h NOTIFY_*), and the call every command makes after it changes a
// key, as Redis's notifyKeyspaceEvent. Published on __keyspace@<db>__:<key>
// and __keyevent@<db>__:<event> when the configured classes say so.
// Loop thread only.
#pragma once

#include <cstdint>
#include <string_view>

namespace ss::cmd {

class ServerState;

enum NotifyClass : uint32_t {
  kNotifyKeyspace = 1u << 0,   // K
  kNotifyKeyevent = 1u << 1,   // E
  kNotifyGeneric = 1u << 2,    // g
  kNotifyString = 1u << 3,     // $
  kNotifyList = 1u << 4,       // l
  kNotifySet = 1u << 5,        // s
  kNotifyHash = 1u << 6,       // h
  kNotifyZset = 1u << 7,       // z
  kNotifyExpired = 1u << 8,    // x
  kNotifyEvicted = 1u << 9,    // e
  kNotifyStream = 1u << 10,    // t
  kNotifyKeyMiss = 1u << 11,   // m
  kNotifyLoaded = 1u << 12,    // module only
  kNotifyModule = 1u << 13,    // d
  kNotifyNew = 1u << 14,       // n
};

// Publishes event `event` of class `type` for key in db, if enabled.
void NotifyKeyspaceEvent(ServerState& server, uint32_t type, std::string_view event,
                         std::string_view key, int db);

}  // namespace ss::cmd
