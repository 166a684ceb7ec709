// CONFIG GET / SET / RESETSTAT / HELP over a table of the settings sessiond
// has. Values are validated as Redis validates them and applied to the live
// Config in ServerState, which the server reads at the moment of use.
#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "ss/cmd/args.h"
#include "ss/cmd/command.h"
#include "ss/cmd/errors.h"
#include "ss/cmd/glob.h"
#include "ss/log.h"

namespace ss::cmd {
namespace {

// Redis's memtoull: a number with an optional unit (b, k, kb, m, mb, g, gb;
// k = 1000, kb = 1024).
bool ParseMemory(std::string_view s, int64_t* out) {
  size_t digits = 0;
  while (digits < s.size() && (s[digits] == '-' || (s[digits] >= '0' && s[digits] <= '9'))) {
    ++digits;
  }
  std::string_view unit = s.substr(digits);
  int64_t mul = 1;
  if (unit.empty() || EqualsIgnoreCase(unit, "b")) {
    mul = 1;
  } else if (EqualsIgnoreCase(unit, "k")) {
    mul = 1000;
  } else if (EqualsIgnoreCase(unit, "kb")) {
    mul = 1024;
  } else if (EqualsIgnoreCase(unit, "m")) {
    mul = 1000 * 1000;
  } else if (EqualsIgnoreCase(unit, "mb")) {
    mul = 1024 * 1024;
  } else if (EqualsIgnoreCase(unit, "g")) {
    mul = 1000LL * 1000 * 1000;
  } else if (EqualsIgnoreCase(unit, "gb")) {
    mul = 1024LL * 1024 * 1024;
  } else {
    return false;
  }
  int64_t v = 0;
  if (!ParseInt64(s.substr(0, digits), &v) || v < 0) return false;
  if (v > INT64_MAX / mul) return false;
  *out = v * mul;
  return true;
}

// latency-tracking-info-percentiles: numbers in [0, 100] separated by single
// spaces (Redis splits the value on each space); "" is none.
std::string ParsePercentiles(std::string_view v, std::vector<double>* out) {
  if (v.empty()) return "";
  size_t start = 0;
  // Bounded by v's length: each round consumes one space-separated field.
  while (true) {
    const size_t space = v.find(' ', start);
    const std::string_view field =
        v.substr(start, space == std::string_view::npos ? std::string_view::npos : space - start);
    long double p = 0;
    if (!ParseLongDouble(field, &p)) return "Invalid latency-tracking-info-percentiles parameters";
    if (p > 100.0L || p < 0.0L) {
      return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
    }
    out->push_back(static_cast<double>(p));
    if (space == std::string_view::npos) return "";
    start = space + 1;
  }
}

struct Param {
  std::string_view name;
  bool mutable_at_runtime;
  std::string (*get)(const Config&);
  // Validates value and, if apply, stores it. Returns "" or the error detail.
  std::string (*set)(Config&, std::string_view value, bool apply);
};

std::string Bounded(std::string_view v, int64_t lo, int64_t hi, bool memory, int64_t* out) {
  int64_t n = 0;
  bool ok = memory ? ParseMemory(v, &n) : ParseInt64(v, &n);
  if (!ok) return memory ? "argument must be a memory value" : "argument couldn't be parsed into an integer";
  if (n < lo || n > hi) {
    return "argument must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
           " inclusive";
  }
  *out = n;
  return "";
}

const Param kParams[] = {
    {"bind", false, [](const Config& c) { return c.bind; }, nullptr},
    {"port", false, [](const Config& c) { return std::to_string(c.port); }, nullptr},
    {"unixsocket", false, [](const Config& c) { return c.unixsocket; }, nullptr},
    {"databases", false, [](const Config& c) { return std::to_string(c.databases); }, nullptr},
    {"tcp-backlog", false, [](const Config& c) { return std::to_string(c.tcp_backlog); }, nullptr},
    {"maxclients", true, [](const Config& c) { return std::to_string(c.maxclients); },
     [](Config& c, std::string_view v, bool apply) {
       int64_t n = 0;
       std::string err = Bounded(v, 1, INT32_MAX, false, &n);
       if (err.empty() && apply) c.maxclients = static_cast<int>(n);
       return err;
     }},
    {"proto-max-bulk-len", true,
     [](const Config& c) { return std::to_string(c.proto_max_bulk_len); },
     [](Config& c, std::string_view v, bool apply) {
       // Entries keep value lengths in 32 bits (store/entry.h).
       int64_t n = 0;
       std::string err = Bounded(v, 1024 * 1024, 4294967295LL, true, &n);
       if (err.empty() && apply) c.proto_max_bulk_len = n;
       return err;
     }},
    {"client-query-buffer-limit", true,
     [](const Config& c) { return std::to_string(c.client_query_buffer_limit); },
     [](Config& c, std::string_view v, bool apply) {
       int64_t n = 0;
       std::string err = Bounded(v, 1024 * 1024, INT64_MAX, true, &n);
       if (err.empty() && apply) c.client_query_buffer_limit = n;
       return err;
     }},
    {"requirepass", true, [](const Config& c) { return c.requirepass; },
     [](Config& c, std::string_view v, bool apply) -> std::string {
       // As Redis: clients already connected keep their state; "" lifts
       // the requirement for everyone at once (Dispatch reads it live).
       if (apply) c.requirepass = std::string(v);
       return "";
     }},
    {"loglevel", true, [](const Config& c) { return c.loglevel; },
     [](Config& c, std::string_view v, bool apply) -> std::string {
       LogLevel level;
       if (!ParseLogLevel(v, &level)) return "argument(s) must be one of the following: debug, verbose, notice, warning, nothing";
       if (apply) {
         c.loglevel = std::string(LogLevelName(level));
         SetLogLevel(level);
       }
       return "";
     }},
    {"save", true, [](const Config& c) { return c.save; },
     [](Config& c, std::string_view v, bool apply) -> std::string {
       // "" or pairs of "<seconds> <changes>": accepted for compatibility;
       // sessiond keeps no snapshots, so nothing is ever saved.
       std::vector<std::string_view> parts;
       size_t i = 0;
       while (i < v.size()) {
         size_t j = v.find(' ', i);
         if (j == std::string_view::npos) j = v.size();
         if (j > i) parts.push_back(v.substr(i, j - i));
         i = j + 1;
       }
       if (parts.size() % 2 != 0) return "Invalid save parameters";
       for (std::string_view p : parts) {
         int64_t n = 0;
         if (!ParseInt64(p, &n) || n < 0) return "Invalid save parameters";
       }
       if (apply) c.save = std::string(v);
       return "";
     }},
    {"appendonly", true, [](const Config& c) { return c.appendonly; },
     [](Config& c, std::string_view v, bool apply) -> std::string {
       if (EqualsIgnoreCase(v, "no")) {
         if (apply) c.appendonly = "no";
         return "";
       }
       if (EqualsIgnoreCase(v, "yes")) return "sessiond has no append-only file (no persistence)";
       return "argument must be 'yes' or 'no'";
     }},
    {"notify-keyspace-events", true,
     [](const Config& c) { return KeyspaceEventsFlagsToString(c.notify_keyspace_events); },
     [](Config& c, std::string_view v, bool apply) -> std::string {
       const int64_t flags = KeyspaceEventsStringToFlags(v);
       if (flags < 0) return std::string(kErrInvalidEventClass);
       if (apply) c.notify_keyspace_events = static_cast<uint32_t>(flags);
       return "";
     }},
    {"maxmemory", true, [](const Config& c) { return std::to_string(c.maxmemory); },
     [](Config& c, std::string_view v, bool apply) {
       int64_t n = 0;
       std::string err = Bounded(v, 0, INT64_MAX, true, &n);
       if (err.empty() && apply) c.maxmemory = n;
       return err;
     }},
    {"cluster-enabled", false, [](const Config& c) { return std::string(c.cluster_compat ? "yes" : "no"); },
     nullptr},
    {"slowlog-log-slower-than", true,
     [](const Config& c) { return std::to_string(c.slowlog_log_slower_than); },
     [](Config& c, std::string_view v, bool apply) {
       // Redis's bounds: -1 (disabled) .. LLONG_MAX.
       int64_t n = 0;
       std::string err = Bounded(v, -1, INT64_MAX, false, &n);
       if (err.empty() && apply) c.slowlog_log_slower_than = n;
       return err;
     }},
    {"slowlog-max-len", true, [](const Config& c) { return std::to_string(c.slowlog_max_len); },
     [](Config& c, std::string_view v, bool apply) {
       // Redis's bounds: 0 .. LONG_MAX.
       int64_t n = 0;
       std::string err = Bounded(v, 0, INT64_MAX, false, &n);
       if (err.empty() && apply) c.slowlog_max_len = n;
       return err;
     }},
    {"latency-tracking", true,
     [](const Config& c) { return std::string(c.latency_tracking ? "yes" : "no"); },
     [](Config& c, std::string_view v, bool apply) -> std::string {
       if (!EqualsIgnoreCase(v, "yes") && !EqualsIgnoreCase(v, "no")) {
         return "argument must be 'yes' or 'no'";
       }
       if (apply) c.latency_tracking = EqualsIgnoreCase(v, "yes");
       return "";
     }},
    {"latency-tracking-info-percentiles", true,
     [](const Config& c) {
       std::string out;
       for (double p : c.latency_tracking_info_percentiles) {
         if (!out.empty()) out += ' ';
         out += PercentileName(p);
       }
       return out;
     },
     [](Config& c, std::string_view v, bool apply) -> std::string {
       std::vector<double> values;
       std::string err = ParsePercentiles(v, &values);
       if (err.empty() && apply) c.latency_tracking_info_percentiles = std::move(values);
       return err;
     }},
    {"maxmemory-policy", true, [](const Config& c) { return c.maxmemory_policy; },
     [](Config& c, std::string_view v, bool apply) -> std::string {
       if (!EqualsIgnoreCase(v, "noeviction")) {
         return "sessiond evicts nothing: only 'noeviction' is supported";
       }
       if (apply) c.maxmemory_policy = "noeviction";
       return "";
     }},
};

const Param* FindParam(std::string_view name) {
  for (const Param& p : kParams) {
    if (EqualsIgnoreCase(p.name, name)) return &p;
  }
  return nullptr;
}

void CmdConfigGet(CommandContext& ctx) {
  std::vector<const Param*> hits;
  for (const Param& p : kParams) {
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      if (GlobMatch(ctx.args[i], p.name, true)) {
        hits.push_back(&p);
        break;
      }
    }
  }
  ctx.reply.MapHeader(hits.size());
  for (const Param* p : hits) {
    ctx.reply.Bulk(p->name);
    ctx.reply.Bulk(p->get(ctx.server.config));
  }
}

void CmdConfigSet(CommandContext& ctx) {
  if ((ctx.args.size() - 2) % 2 != 0) {
    ctx.reply.Error("ERR wrong number of arguments for 'config|set' command");
    return;
  }
  // Validate everything first: CONFIG SET applies all pairs or none.
  std::vector<const Param*> params;
  for (size_t i = 2; i < ctx.args.size(); i += 2) {
    const Param* p = FindParam(ctx.args[i]);
    if (p == nullptr) {
      ctx.reply.Error("ERR Unknown option or number of arguments for CONFIG SET - '" +
                      std::string(ctx.args[i]) + "'");
      return;
    }
    std::string prefix =
        "ERR CONFIG SET failed (possibly related to argument '" + std::string(ctx.args[i]) + "') - ";
    for (const Param* seen : params) {
      if (seen == p) {
        ctx.reply.Error(prefix + "duplicate parameter");
        return;
      }
    }
    if (!p->mutable_at_runtime) {
      ctx.reply.Error(prefix + "can't set immutable config");
      return;
    }
    std::string err = p->set(ctx.server.config, ctx.args[i + 1], false);
    if (!err.empty()) {
      ctx.reply.Error(prefix + err);
      return;
    }
    params.push_back(p);
  }
  for (size_t i = 0; i < params.size(); ++i) {
    params[i]->set(ctx.server.config, ctx.args[2 + 2 * i + 1], true);
  }
  ctx.reply.Status("OK");
}

void CmdConfigResetStat(CommandContext& ctx) {
  ctx.server.stats = Stats{};
  ctx.server.error_mark = 0;
  ctx.server.command_stats.Reset();
  ctx.server.error_stats.Reset();
  ctx.server.instantaneous.Reset();
  ctx.keyspace().ResetStats();
  ctx.reply.Status("OK");
}

void CmdConfigHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET <pattern>",
      "    Return parameters matching the glob-like <pattern> and their values.",
      "SET <directive> <value>",
      "    Set the configuration <directive> to <value>.",
      "RESETSTAT",
      "    Reset statistics reported by the INFO command.",
      "HELP",
      "    Print this help.",
  };
  ctx.ReplyHelp(kLines);
}

constexpr CommandSpec kConfigSubcommands[] = {
    {"GET", -3, kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdConfigGet, "server",
     "2.0.0", "Returns the effective values of configuration parameters.",
     "O(N) when N is the number of configuration parameters provided",
     "@admin @slow @dangerous"},
    {"HELP", 2, kCmdLoading | kCmdStale, {}, CmdConfigHelp, "server", "5.0.0",
     "Returns helpful text about the different subcommands.", "O(1)", "@slow"},
    {"RESETSTAT", 2, kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdConfigResetStat,
     "server", "2.0.0", "Resets the server's statistics.", "O(1)", "@admin @slow @dangerous"},
    {"SET", -4, kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdConfigSet, "server",
     "2.0.0", "Sets configuration parameters in-flight.",
     "O(N) when N is the number of configuration parameters provided",
     "@admin @slow @dangerous"},
};

constexpr CommandSpec kConfigCommands[] = {
    {"CONFIG", -2, 0, {}, nullptr, "server", "2.0.0",
     "A container for server configuration commands.", "Depends on subcommand.", "@slow",
     kConfigSubcommands},
};

}  // namespace

std::span<const CommandSpec> ConfigCommands() { return kConfigCommands; }

}  // namespace ss::cmd
