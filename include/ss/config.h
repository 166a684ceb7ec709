// Config: every setting of a running sessiond. main.cc fills it from the
// command line / --config file; CONFIG SET changes the live copy held by
// ServerState. Plain data, no dependencies.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ss {

struct Config {
  // Network.
  std::string bind = "127.0.0.1";
  int port = 6379;
  std::string unixsocket;          // empty: no unix socket
  int maxclients = 10000;
  int tcp_backlog = 511;

  // Protocol limits (Redis's names and defaults).
  int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  int64_t client_query_buffer_limit = 1024LL * 1024 * 1024;

  // Keyspace.
  int databases = 16;

  // Sessions (SESSION.* commands, docs/sessions.md).
  std::string session_prefix = "session:";
  int64_t session_ttl = 86400;            // default TTL of SESSION.ALLOCATE, seconds
  int64_t session_max_meta = 64 * 1024;   // largest custom_metadata, bytes
  std::string csrf_secret;                // empty: random per start (warned)

  // AUTH: the default user's password; empty means none (every client is
  // authenticated from the start, as Redis's nopass default user).
  std::string requirepass;
  // Keyspace notifications: cmd::NotifyClass flags, as Redis's
  // notify-keyspace-events string ("" = none; see cmd/notify.h).
  uint32_t notify_keyspace_events = 0;
  // Cluster compatibility (--cluster-compat): answer CLUSTER SLOTS/SHARDS/
  // NODES/... as a one-node Redis Cluster owning all 16384 slots, so cluster
  // clients (redis-py RedisCluster) work against a single sessiond. Only
  // database 0 is then selectable, as in Redis Cluster. Fixed at start.
  bool cluster_compat = false;

  // SLOWLOG (Redis's names and defaults): commands that ran at least this
  // many microseconds are logged (-1: none, 0: all); the log keeps the
  // newest slowlog_max_len entries.
  int64_t slowlog_log_slower_than = 10000;
  int64_t slowlog_max_len = 128;
  // INFO latencystats (Redis's names and defaults): per-command latency
  // histograms are kept while latency_tracking is on; INFO shows these
  // percentiles of them.
  bool latency_tracking = true;
  std::vector<double> latency_tracking_info_percentiles = {50.0, 99.0, 99.9};

  // Logging: debug, verbose, notice, warning (Redis's levels).
  std::string loglevel = "notice";
  std::string config_file;         // where --config came from, for INFO

  // Accepted and reported by CONFIG GET/SET for client compatibility;
  // sessiond has no persistence and no eviction, so these change nothing.
  std::string save;                // "" like `redis-server --save ""`
  std::string appendonly = "no";
  int64_t maxmemory = 0;
  std::string maxmemory_policy = "noeviction";
};

}  // namespace ss
