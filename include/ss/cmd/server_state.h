// ServerState: what every command can reach: the live Config, the Keyspace,
// the clock, the counters INFO reports and the registry of connected clients.
// Owned by net::Server for the process lifetime. Loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ss/clock.h"
#include "ss/cmd/client.h"
#include "ss/cmd/command_stats.h"
#include "ss/cmd/instantaneous.h"
#include "ss/cmd/notify.h"
#include "ss/cmd/pubsub.h"
#include "ss/cmd/command_log.h"
#include "ss/config.h"
#include "ss/session/seal.h"
#include "ss/session/session_store.h"
#include "ss/store/keyspace.h"

namespace ss::cmd {

// The Redis version sessiond reports (INFO redis_version, HELLO version):
// the release whose behaviour it follows.
inline constexpr std::string_view kRedisCompatVersion = "7.0.15";

class WatchRegistry;  // ss/cmd/watch.h

// CLIENT PAUSE: which commands wait (kWrite: those that may write).
enum class PauseMode { kNone, kWrite, kAll };

struct Stats {
  uint64_t total_connections_received = 0;
  uint64_t total_commands_processed = 0;
  uint64_t rejected_connections = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t net_input_bytes = 0;
  uint64_t net_output_bytes = 0;
  uint64_t total_error_replies = 0;
  uint64_t used_memory_peak = 0;
};

// Fans keyspace changes out to every layer that follows them (WATCH,
// keyspace events). Borrows the observers, which live as long as the
// ServerState that holds this.
class ObserverList final : public KeyspaceObserver {
 public:
  void Add(KeyspaceObserver* o) { observers_.push_back(o); }
  void OnKeyWritten(int db, std::string_view key) override {
    for (KeyspaceObserver* o : observers_) o->OnKeyWritten(db, key);
  }
  void OnKeyExpired(int db, std::string_view key) override {
    for (KeyspaceObserver* o : observers_) o->OnKeyExpired(db, key);
  }
  void OnDatabaseChanged(int db) override {
    for (KeyspaceObserver* o : observers_) o->OnDatabaseChanged(db);
  }

 private:
  std::vector<KeyspaceObserver*> observers_;
};

enum class ShutdownMode { kDefault, kNoSave, kSave };

class ServerState {
 public:
  ServerState(Config config, const Clock& clock);
  // The keyspace flushes as it is destroyed; its observers go first.
  ~ServerState() { keyspace.set_observer(nullptr); }
  ServerState(const ServerState&) = delete;
  ServerState& operator=(const ServerState&) = delete;

  // WATCH: created by the first WATCH (it then registers itself in
  // keyspace_observers and on_client_closed). Declared before the keyspace
  // so it outlives it.
  std::shared_ptr<WatchRegistry> watches;

  Config config;
  const Clock& clock;
  Keyspace keyspace;
  // Registered as the keyspace's observer; layers Add() themselves.
  ObserverList keyspace_observers;
  // Indexes every session key of the keyspace (constructed after it).
  session::SessionStore sessions;
  // CSRF HMAC secret (config.csrf_secret, else random) and the key that
  // SESSION.TOKEN.SEAL derives from it.
  std::string csrf_secret;
  session::SealKey seal_key;
  Stats stats;
  // INFO commandstats / latencystats / errorstats. error_stats is every
  // connection's ReplyWriter listener and counts stats.total_error_replies.
  CommandStatsTable command_stats;
  ErrorStats error_stats{&stats.total_error_replies};
  // INFO's instantaneous_* figures; SampleInstantaneous is called by the
  // server's cron every 100 ms.
  InstantaneousMetrics instantaneous;
  void SampleInstantaneous(int64_t now_ms) {
    instantaneous.ops.Sample(now_ms, stats.total_commands_processed);
    instantaneous.net_input.Sample(now_ms, stats.net_input_bytes);
    instantaneous.net_output.Sample(now_ms, stats.net_output_bytes);
  }
  // stats.total_error_replies when the last command ended or was refused:
  // a command that leaves it higher failed (Redis's prev_err_count).
  uint64_t error_mark = 0;
  // Pub/Sub subscriptions (SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE); a closing
  // client is unsubscribed from everything through on_client_closed.
  PubSub pubsub;
  // Publishes "expired" keyspace events as keys reach their deadline
  // (registered in keyspace_observers).
  ExpiredEventPublisher expired_events{*this};
  // SLOWLOG entries and MONITOR clients (see LogCommand in command.h).
  CommandLog command_log;
  // Every connected client by id. Connections add and remove themselves.
  std::map<uint64_t, Client*> clients;
  // Called by a connection as it closes, before its Client is destroyed, so
  // layers holding per-client state (WATCH, pub/sub, MONITOR) drop it. RESET
  // calls them too (Redis's RESET unwatches, unsubscribes and ends MONITOR),
  // so a hook must leave the Client usable and work when called twice.
  std::vector<std::function<void(Client&)>> on_client_closed;
  void ClientClosed(Client& c) {
    for (auto& fn : on_client_closed) fn(c);
  }
  uint64_t next_client_id = 1;
  int64_t start_time_us;
  std::string run_id;               // 40 hex chars, random per start
  std::string executable;           // argv[0], for INFO
  // CLIENT PAUSE: until pause_end_ms (clock ms) commands of the paused kind
  // wait (Dispatch reports them postponed and the connection holds them).
  PauseMode pause_mode = PauseMode::kNone;
  int64_t pause_end_ms = 0;
  // Set by net::Server: called after CLIENT PAUSE / UNPAUSE change the two
  // fields above, so the server arms its timer and later resumes the held
  // connections (never from inside this call).
  std::function<void()> pause_changed;
  // Set by net::Server: stop the loop after the current reply is flushed.
  std::function<void(ShutdownMode)> request_shutdown;
};

}  // namespace ss::cmd
