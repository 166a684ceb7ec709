// Server commands: INFO, TIME, SHUTDOWN.
#include <malloc.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "ss/cmd/args.h"
#include "ss/cmd/cluster.h"
#include "ss/cmd/command.h"
#include "ss/cmd/errors.h"
#include "ss/cmd/memory.h"
#include "ss_version.h"

namespace ss::cmd {

size_t HeapInUse() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

namespace {

// What sessiond answers as redis_version: the Redis release whose commands
// and replies it reproduces (clients pick features by this number).

std::string Human(uint64_t n) {
  char buf[32];
  double d = static_cast<double>(n);
  if (n < 1024) {
    std::snprintf(buf, sizeof(buf), "%" PRIu64 "B", n);
  } else if (n < 1024 * 1024) {
    std::snprintf(buf, sizeof(buf), "%.2fK", d / 1024);
  } else if (n < 1024ULL * 1024 * 1024) {
    std::snprintf(buf, sizeof(buf), "%.2fM", d / (1024 * 1024));
  } else {
    std::snprintf(buf, sizeof(buf), "%.2fG", d / (1024.0 * 1024 * 1024));
  }
  return buf;
}

class InfoBuilder {
 public:
  void Section(std::string_view name) {
    if (!out_.empty()) out_ += "\r\n";
    out_ += "# ";
    out_ += name;
    out_ += "\r\n";
  }
  void Field(std::string_view key, std::string_view value) {
    out_ += key;
    out_ += ':';
    out_ += value;
    out_ += "\r\n";
  }
  void Field(std::string_view key, uint64_t value) { Field(key, std::to_string(value)); }
  void FieldI(std::string_view key, int64_t value) { Field(key, std::to_string(value)); }
  std::string& text() { return out_; }

 private:
  std::string out_;
};

void InfoServer(CommandContext& ctx, InfoBuilder& b) {
  ServerState& s = ctx.server;
  utsname u{};
  uname(&u);
  int64_t now_us = s.clock.NowUs();
  int64_t uptime = (now_us - s.start_time_us) / 1'000'000;
  b.Section("Server");
  b.Field("redis_version", kRedisCompatVersion);
  b.Field("redis_git_sha1", "00000000");
  b.Field("redis_git_dirty", "0");
  b.Field("redis_mode", RedisMode(ctx.server));
  b.Field("sessiond_version", SS_VERSION);
  b.Field("os", std::string(u.sysname) + " " + u.release + " " + u.machine);
  b.Field("arch_bits", std::to_string(sizeof(void*) * 8));
  b.Field("monotonic_clock", "POSIX clock_gettime");
  b.Field("multiplexing_api", "epoll");
  b.Field("gcc_version", std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
                             std::to_string(__GNUC_PATCHLEVEL__));
  b.FieldI("process_id", getpid());
  b.Field("process_supervised", "no");
  b.Field("run_id", s.run_id);
  b.FieldI("tcp_port", s.config.port);
  b.FieldI("server_time_usec", now_us);
  b.FieldI("uptime_in_seconds", uptime);
  b.FieldI("uptime_in_days", uptime / 86400);
  b.Field("hz", "10");
  b.Field("configured_hz", "10");
  b.Field("executable", s.executable);
  b.Field("config_file", s.config.config_file);
  b.Field("io_threads_active", "0");
}

void InfoClients(CommandContext& ctx, InfoBuilder& b) {
  size_t max_in = 0, max_out = 0;
  for (const auto& [id, c] : ctx.server.clients) {
    max_in = std::max(max_in, c->query_buffer);
    max_out = std::max(max_out, c->output_pending);
  }
  b.Section("Clients");
  b.Field("connected_clients", ctx.server.clients.size());
  b.Field("cluster_connections", uint64_t{0});
  b.FieldI("maxclients", ctx.server.config.maxclients);
  b.Field("client_recent_max_input_buffer", max_in);
  b.Field("client_recent_max_output_buffer", max_out);
  b.Field("blocked_clients", uint64_t{0});
  b.Field("tracking_clients", uint64_t{0});
  b.Field("clients_in_timeout_table", uint64_t{0});
}

void InfoMemory(CommandContext& ctx, InfoBuilder& b) {
  uint64_t used = HeapInUse();
  uint64_t rss = ResidentBytes();
  Stats& st = ctx.server.stats;
  if (used > st.used_memory_peak) st.used_memory_peak = used;
  uint64_t dataset = ctx.keyspace().used_memory();
  b.Section("Memory");
  b.Field("used_memory", used);
  b.Field("used_memory_human", Human(used));
  b.Field("used_memory_rss", rss);
  b.Field("used_memory_rss_human", Human(rss));
  b.Field("used_memory_peak", st.used_memory_peak);
  b.Field("used_memory_peak_human", Human(st.used_memory_peak));
  b.Field("used_memory_dataset", dataset);
  b.FieldI("maxmemory", ctx.server.config.maxmemory);
  b.Field("maxmemory_human", Human(static_cast<uint64_t>(ctx.server.config.maxmemory)));
  b.Field("maxmemory_policy", ctx.server.config.maxmemory_policy);
  char ratio[32];
  std::snprintf(ratio, sizeof(ratio), "%.2f",
                used ? static_cast<double>(rss) / static_cast<double>(used) : 0.0);
  b.Field("mem_fragmentation_ratio", ratio);
  b.Field("mem_allocator", "libc");
}

void InfoPersistence(CommandContext&, InfoBuilder& b) {
  b.Section("Persistence");
  b.Field("loading", "0");
  b.Field("async_loading", "0");
  b.Field("rdb_changes_since_last_save", "0");
  b.Field("rdb_bgsave_in_progress", "0");
  b.Field("rdb_last_bgsave_status", "ok");
  b.Field("aof_enabled", "0");
  b.Field("aof_rewrite_in_progress", "0");
}

// Redis's "%.2f" of bytes per second / 1024.
std::string Kbps(int64_t bytes_per_second) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.2f", static_cast<double>(bytes_per_second) / 1024);
  return buf;
}

void InfoStats(CommandContext& ctx, InfoBuilder& b) {
  const Stats& st = ctx.server.stats;
  b.Section("Stats");
  b.Field("total_connections_received", st.total_connections_received);
  b.Field("total_commands_processed", st.total_commands_processed);
  const InstantaneousMetrics& inst = ctx.server.instantaneous;
  b.FieldI("instantaneous_ops_per_sec", inst.ops.PerSecond());
  b.Field("total_net_input_bytes", st.net_input_bytes);
  b.Field("total_net_output_bytes", st.net_output_bytes);
  // sessiond has no replication: the repl figures are 0.
  b.Field("total_net_repl_input_bytes", uint64_t{0});
  b.Field("total_net_repl_output_bytes", uint64_t{0});
  b.Field("instantaneous_input_kbps", Kbps(inst.net_input.PerSecond()));
  b.Field("instantaneous_output_kbps", Kbps(inst.net_output.PerSecond()));
  b.Field("instantaneous_input_repl_kbps", "0.00");
  b.Field("instantaneous_output_repl_kbps", "0.00");
  b.Field("rejected_connections", st.rejected_connections);
  b.Field("sync_full", uint64_t{0});
  b.Field("sync_partial_ok", uint64_t{0});
  b.Field("sync_partial_err", uint64_t{0});
  b.Field("expired_keys", ctx.keyspace().expired_keys());
  b.Field("evicted_keys", uint64_t{0});
  b.Field("evicted_clients", uint64_t{0});
  b.Field("keyspace_hits", st.keyspace_hits);
  b.Field("keyspace_misses", st.keyspace_misses);
  const PubSub& pubsub = ctx.server.pubsub;
  b.Field("pubsub_channels", pubsub.NumChannels(PubSub::Space::kChannel));
  b.Field("pubsub_patterns", pubsub.NumPatterns());
  b.Field("pubsubshard_channels", pubsub.NumChannels(PubSub::Space::kShard));
  // sessiond never forks (no persistence).
  b.Field("latest_fork_usec", uint64_t{0});
  b.Field("total_forks", uint64_t{0});
  // Errors in replies sessiond reads from a master or an AOF: it has
  // neither, so there are none.
  b.Field("unexpected_error_replies", uint64_t{0});
  b.Field("total_error_replies", st.total_error_replies);
}

void InfoReplication(CommandContext& ctx, InfoBuilder& b) {
  b.Section("Replication");
  b.Field("role", "master");
  b.Field("connected_slaves", "0");
  b.Field("master_failover_state", "no-failover");
  b.Field("master_replid", ctx.server.run_id);
  b.Field("master_repl_offset", "0");
}

void InfoCpu(CommandContext&, InfoBuilder& b) {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  char buf[32];
  b.Section("CPU");
  std::snprintf(buf, sizeof(buf), "%ld.%06ld", static_cast<long>(ru.ru_stime.tv_sec),
                static_cast<long>(ru.ru_stime.tv_usec));
  b.Field("used_cpu_sys", buf);
  std::snprintf(buf, sizeof(buf), "%ld.%06ld", static_cast<long>(ru.ru_utime.tv_sec),
                static_cast<long>(ru.ru_utime.tv_usec));
  b.Field("used_cpu_user", buf);
}

void InfoCluster(CommandContext& ctx, InfoBuilder& b) {
  b.Section("Cluster");
  b.Field("cluster_enabled", ctx.server.config.cluster_compat ? "1" : "0");
}

void InfoKeyspace(CommandContext& ctx, InfoBuilder& b) {
  b.Section("Keyspace");
  Keyspace& ks = ctx.keyspace();
  for (int db = 0; db < ks.databases(); ++db) {
    if (ks.Size(db) == 0) continue;
    b.Field("db" + std::to_string(db), "keys=" + std::to_string(ks.Size(db)) +
                                           ",expires=" + std::to_string(ks.Expires(db)) +
                                           ",avg_ttl=0");
  }
}

// sessiond loads no modules: the section is there, empty, as in a Redis
// without modules.
void InfoModules(CommandContext&, InfoBuilder& b) { b.Section("Modules"); }

// The commands with counters, by full name ("config|get").
std::vector<std::pair<std::string, const CommandStats*>> StatsByName(const ServerState& s) {
  std::vector<std::pair<std::string, const CommandStats*>> out;
  s.command_stats.ForEach([&](const CommandStats& cs) {
    out.emplace_back(FullName(*cs.spec, cs.parent), &cs);
  });
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

void InfoCommandstats(CommandContext& ctx, InfoBuilder& b) {
  b.Section("Commandstats");
  for (const auto& [name, cs] : StatsByName(ctx.server)) {
    if (cs->calls == 0 && cs->failed_calls == 0 && cs->rejected_calls == 0) continue;
    const uint64_t usec = cs->duration_ns / 1000;
    char per_call[64];
    std::snprintf(per_call, sizeof(per_call), "%.2f",
                  cs->calls == 0 ? 0.0 : static_cast<double>(usec) / static_cast<double>(cs->calls));
    b.Field("cmdstat_" + name, "calls=" + std::to_string(cs->calls) +
                                   ",usec=" + std::to_string(usec) + ",usec_per_call=" + per_call +
                                   ",rejected_calls=" + std::to_string(cs->rejected_calls) +
                                   ",failed_calls=" + std::to_string(cs->failed_calls));
  }
}

void InfoErrorstats(CommandContext& ctx, InfoBuilder& b) {
  b.Section("Errorstats");
  for (const auto& [code, count] : ctx.server.error_stats.by_code()) {
    b.Field("errorstat_" + code, "count=" + std::to_string(count));
  }
}

void InfoLatencystats(CommandContext& ctx, InfoBuilder& b) {
  b.Section("Latencystats");
  const Config& config = ctx.server.config;
  if (!config.latency_tracking) return;
  for (const auto& [name, cs] : StatsByName(ctx.server)) {
    if (cs->latency == nullptr) continue;
    std::string value;
    for (double p : config.latency_tracking_info_percentiles) {
      if (!value.empty()) value += ',';
      char usec[64];
      std::snprintf(usec, sizeof(usec), "%.3f",
                    static_cast<double>(cs->latency->ValueAtPercentile(p)) / 1000.0);
      value += 'p';
      value += PercentileName(p);
      value += '=';
      value += usec;
    }
    b.Field("latency_percentiles_usec_" + name, value);
  }
}

struct InfoSection {
  std::string_view name;
  void (*render)(CommandContext&, InfoBuilder&);
  bool in_default;  // shown by INFO without arguments and INFO default
};

// Redis 7.0's sections, in its order.
constexpr InfoSection kSections[] = {
    {"server", InfoServer, true},
    {"clients", InfoClients, true},
    {"memory", InfoMemory, true},
    {"persistence", InfoPersistence, true},
    {"stats", InfoStats, true},
    {"replication", InfoReplication, true},
    {"cpu", InfoCpu, true},
    {"modules", InfoModules, true},
    {"commandstats", InfoCommandstats, false},
    {"errorstats", InfoErrorstats, true},
    {"latencystats", InfoLatencystats, false},
    {"cluster", InfoCluster, true},
    {"keyspace", InfoKeyspace, true},
};

void CmdInfo(CommandContext& ctx) {
  // INFO [section ...]: no argument and "default" give the default
  // sections, "all" and "everything" every section; unknown names give
  // nothing, as in Redis.
  std::vector<bool> want(std::size(kSections), false);
  if (ctx.args.size() == 1) {
    for (size_t s = 0; s < std::size(kSections); ++s) want[s] = kSections[s].in_default;
  }
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    std::string_view a = ctx.args[i];
    const bool all = EqualsIgnoreCase(a, "all") || EqualsIgnoreCase(a, "everything");
    const bool by_default = EqualsIgnoreCase(a, "default");
    for (size_t s = 0; s < std::size(kSections); ++s) {
      if (all || (by_default && kSections[s].in_default) ||
          EqualsIgnoreCase(a, kSections[s].name)) {
        want[s] = true;
      }
    }
  }
  InfoBuilder b;
  for (size_t s = 0; s < std::size(kSections); ++s) {
    if (want[s]) kSections[s].render(ctx, b);
  }
  ctx.reply.Verbatim("txt", b.text());
}

void CmdTime(CommandContext& ctx) {
  int64_t us = ctx.server.clock.NowUs();
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(us / 1'000'000));
  ctx.reply.Bulk(std::to_string(us % 1'000'000));
}

void CmdShutdown(CommandContext& ctx) {
  // SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT], parsed as Redis 7.0 does.
  // sessiond keeps nothing on disk, so SAVE and NOSAVE both just stop, and a
  // shutdown is never pending (ABORT has nothing to abort).
  bool save = false, nosave = false, abort = false, other = false;
  for (size_t i = 1; i < ctx.args.size(); ++i) {
    std::string_view a = ctx.args[i];
    if (EqualsIgnoreCase(a, "nosave")) {
      nosave = true;
    } else if (EqualsIgnoreCase(a, "save")) {
      save = true;
    } else if (EqualsIgnoreCase(a, "now") || EqualsIgnoreCase(a, "force")) {
      other = true;
    } else if (EqualsIgnoreCase(a, "abort")) {
      abort = true;
    } else {
      ctx.reply.Error(kErrSyntax);
      return;
    }
  }
  if ((abort && (save || nosave || other)) || (save && nosave)) {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  if (abort) {
    ctx.reply.Error("ERR No shutdown in progress.");
    return;
  }
  // Like Redis, a successful SHUTDOWN sends no reply: the connection closes.
  ctx.client.close_after_reply = true;
  if (ctx.server.request_shutdown) {
    ctx.server.request_shutdown(nosave ? ShutdownMode::kNoSave
                                       : save ? ShutdownMode::kSave : ShutdownMode::kDefault);
  }
}

constexpr CommandSpec kServerCommands[] = {
    {"INFO", -1, kCmdLoading | kCmdStale, {}, CmdInfo, "server", "1.0.0",
     "Returns information and statistics about the server.", "O(1)", "@slow @dangerous"},
    {"SHUTDOWN", -1, kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale | kCmdNoMulti |
                         kCmdSentinel | kCmdAllowBusy,
     {}, CmdShutdown, "server", "1.0.0",
     "Synchronously saves the database(s) to disk and shuts down the Redis server.",
     "O(N) when saving, where N is the total number of keys in all databases when saving data, "
     "otherwise O(1)",
     "@admin @slow @dangerous"},
    {"TIME", 1, kCmdLoading | kCmdStale | kCmdFast, {}, CmdTime, "server", "2.6.0",
     "Returns the server time.", "O(1)", "@fast"},
};

}  // namespace

std::span<const CommandSpec> ServerCommands() { return kServerCommands; }

}  // namespace ss::cmd
