// Keyspace notifications: the event classes of Redis's notify-keyspace-events
// (server.h NOTIFY_*), and the call every command makes after it changes a
// key, as Redis's notifyKeyspaceEvent. Published on __keyspace@<db>__:<key>
// and __keyevent@<db>__:<event> when the configured classes say so.
// Loop thread only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ss/store/keyspace.h"

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

// "A": every class but m (key miss) and n (new key), as in Redis 7.0.
inline constexpr uint32_t kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList |
                                       kNotifySet | kNotifyHash | kNotifyZset |
                                       kNotifyExpired | kNotifyEvicted | kNotifyStream |
                                       kNotifyModule;

// Redis's keyspaceEventsStringToFlags: the flags of a notify-keyspace-events
// string ("KEA", "Ex", ""), or -1 if it holds a character that names no
// class.
int64_t KeyspaceEventsStringToFlags(std::string_view classes);
// Redis's keyspaceEventsFlagsToString: the canonical string of flags, as
// CONFIG GET shows it ("A" for all classes, then K, E, m).
std::string KeyspaceEventsFlagsToString(uint32_t flags);
// CONFIG SET's error detail for a string KeyspaceEventsStringToFlags rejects.
inline constexpr std::string_view kErrInvalidEventClass =
    "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

// Publishes event `event` of class `type` for key in db, if the
// configured classes (Config::notify_keyspace_events) include `type` and K
// or E: "__keyspace@<db>__:<key>" with the event as message, and
// "__keyevent@<db>__:<event>" with the key as message, in that order.
void NotifyKeyspaceEvent(ServerState& server, uint32_t type, std::string_view event,
                         std::string_view key, int db);

// Publishes "expired" (class x) for every key the keyspace reports expired,
// whether the timing wheel reclaimed it at its deadline or a lookup found
// it past it. Borrows the ServerState that holds it.
class ExpiredEventPublisher final : public KeyspaceObserver {
 public:
  explicit ExpiredEventPublisher(ServerState& server) : server_(server) {}
  void OnKeyExpired(int db, std::string_view key) override;

 private:
  ServerState& server_;
};

}  // namespace ss::cmd
