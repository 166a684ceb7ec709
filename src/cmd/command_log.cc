// The command log: what happens after each executed command besides its
// reply. LogCommand() (see Execute() in ss/cmd/command.h) adds SLOWLOG
// entries and feeds MONITOR clients; this file also holds the SLOWLOG and
// MONITOR commands that read and join it. Follows Redis 7.0's slowlog.c and
// replicationFeedMonitors (replication.c).
#include <algorithm>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "ss/cmd/args.h"
#include "ss/cmd/command.h"
#include "ss/cmd/command_log.h"

namespace ss::cmd {
namespace {

// Redis's SLOWLOG_ENTRY_MAX_ARGC and SLOWLOG_ENTRY_MAX_STRING: an entry
// keeps at most 32 arguments (the last one then says how many more there
// were) and 128 bytes of each, so a huge command costs the log little.
constexpr size_t kSlowlogMaxArgs = 32;
constexpr size_t kSlowlogMaxString = 128;

SlowlogEntry MakeSlowlogEntry(CommandContext& ctx, std::span<const std::string_view> args,
                              int64_t duration_us) {
  SlowlogEntry e;
  e.id = ctx.server.command_log.next_slowlog_id++;
  e.unix_time_s = ctx.server.clock.NowUs() / 1'000'000;
  e.duration_us = duration_us;
  const size_t argc = args.size();
  const size_t kept = std::min(argc, kSlowlogMaxArgs);
  e.args.reserve(kept);
  for (size_t j = 0; j < kept; ++j) {
    if (kept != argc && j == kept - 1) {
      e.args.push_back("... (" + std::to_string(argc - kept + 1) + " more arguments)");
    } else if (args[j].size() > kSlowlogMaxString) {
      e.args.push_back(std::string(args[j].substr(0, kSlowlogMaxString)) + "... (" +
                       std::to_string(args[j].size() - kSlowlogMaxString) + " more bytes)");
    } else {
      e.args.emplace_back(args[j]);
    }
  }
  e.peer = ctx.client.PeerAddress();
  e.client_name = ctx.client.name;
  return e;
}

// Redis's redactClientCommandArgument: secrets never reach SLOWLOG or
// MONITOR. AUTH's arguments, HELLO's AUTH username and password, and the
// value of a sensitive CONFIG SET parameter (requirepass) read "(redacted)".
// Returns false (out untouched) when the command carries no secret.
bool RedactSecrets(std::string_view command, std::span<const std::string_view> args,
                   std::vector<std::string_view>* out) {
  constexpr std::string_view kRedacted = "(redacted)";
  if (command == "auth") {
    out->assign(args.begin(), args.end());
    for (size_t j = 1; j < out->size(); ++j) (*out)[j] = kRedacted;
    return true;
  }
  if (command == "hello") {
    for (size_t j = 2; j + 2 < args.size(); ++j) {
      if (EqualsIgnoreCase(args[j], "setname")) {
        ++j;
        continue;
      }
      if (!EqualsIgnoreCase(args[j], "auth")) continue;
      if (out->empty()) out->assign(args.begin(), args.end());
      (*out)[j + 1] = kRedacted;
      (*out)[j + 2] = kRedacted;
      j += 2;
    }
    return !out->empty();
  }
  if (command == "config|set") {
    for (size_t j = 2; j + 1 < args.size(); j += 2) {
      if (!EqualsIgnoreCase(args[j], "requirepass")) continue;
      if (out->empty()) out->assign(args.begin(), args.end());
      (*out)[j + 1] = kRedacted;
    }
    return !out->empty();
  }
  return false;
}

// Whether MaybeLogSlow will keep this command's arguments.
bool SlowEnough(const Config& config, const CommandSpec& spec, int64_t duration_us) {
  return (spec.flags & kCmdSkipSlowlog) == 0 && config.slowlog_log_slower_than >= 0 &&
         duration_us >= config.slowlog_log_slower_than;
}

// slowlogPushEntryIfNeeded.
void MaybeLogSlow(CommandContext& ctx, const CommandSpec& spec,
                  std::span<const std::string_view> args, int64_t duration_us) {
  const Config& config = ctx.server.config;
  if (spec.flags & kCmdSkipSlowlog) return;
  if (config.slowlog_log_slower_than < 0) return;
  auto& log = ctx.server.command_log.slowlog;
  if (duration_us >= config.slowlog_log_slower_than) {
    log.push_front(MakeSlowlogEntry(ctx, args, duration_us));
  }
  // Trimmed here, not in CONFIG SET, as Redis does: usually one pop, more
  // only right after the limit shrank.
  while (log.size() > static_cast<size_t>(config.slowlog_max_len)) log.pop_back();
}

// sdscatrepr: a quoted, escaped string.
void AppendRepr(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '\\':
      case '"':
        out.push_back('\\');
        out.push_back(c);
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      default:
        if (c >= 0x20 && c <= 0x7e) {  // isprint in the C locale
          out.push_back(c);
        } else {
          char hex[5];
          std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(c));
          out += hex;
        }
    }
  }
  out.push_back('"');
}

void FeedMonitors(CommandContext& ctx, const CommandSpec& spec,
                  std::span<const std::string_view> args) {
  auto& monitors = ctx.server.command_log.monitors;
  if (monitors.empty()) return;
  // Redis hides admin commands (CONFIG, MONITOR, ...) and skip_monitor ones.
  if (spec.flags & (kCmdAdmin | kCmdSkipMonitor)) return;
  std::string peer = ctx.client.unix_socket ? "unix:" + ctx.server.config.unixsocket
                                            : ctx.client.PeerAddress();
  // The database after the command ran, as call() reports it.
  std::string line = MonitorLine(ctx.server.clock.NowUs(), ctx.client.db, peer, args);
  for (Client* m : monitors) {
    if (m->channel != nullptr) m->channel->Deliver(line);
  }
}

// ---- SLOWLOG ---------------------------------------------------------------

void CmdSlowlogGet(CommandContext& ctx) {
  const auto& log = ctx.server.command_log.slowlog;
  int64_t count = 10;
  if (ctx.args.size() > 3) {
    ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                    std::string(ctx.args[1].substr(0, 128)) + "'. Try SLOWLOG HELP.");
    return;
  }
  if (ctx.args.size() == 3 && (!ParseInt64(ctx.args[2], &count) || count < -1)) {
    ctx.reply.Error("ERR count should be greater than or equal to -1");
    return;
  }
  size_t n = count == -1 ? log.size() : std::min(log.size(), static_cast<size_t>(count));
  ctx.reply.ArrayHeader(n);
  for (size_t i = 0; i < n; ++i) {
    const SlowlogEntry& e = log[i];
    ctx.reply.ArrayHeader(6);
    ctx.reply.Integer(e.id);
    ctx.reply.Integer(e.unix_time_s);
    ctx.reply.Integer(e.duration_us);
    ctx.reply.ArrayHeader(e.args.size());
    for (const std::string& a : e.args) ctx.reply.Bulk(a);
    ctx.reply.Bulk(e.peer);
    ctx.reply.Bulk(e.client_name);
  }
}

void CmdSlowlogLen(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.command_log.slowlog.size()));
}

void CmdSlowlogReset(CommandContext& ctx) {
  ctx.server.command_log.slowlog.clear();
  ctx.reply.Status("OK");
}

void CmdSlowlogHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET [<count>]",
      "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
      "    Entries are made of:",
      "    id, timestamp, time in microseconds, arguments array, client IP and port,",
      "    client name",
      "LEN",
      "    Return the length of the slowlog.",
      "RESET",
      "    Reset the slowlog.",
      "HELP",
      "    Prints this help.",
  };
  ctx.ReplyHelp(kLines);
}

// ---- MONITOR ----------------------------------------------------------------

// The client receives every later command as a status line. A client that
// is already a monitor gets no reply at all, as in Redis.
void CmdMonitor(CommandContext& ctx) {
  // Run from EXEC (the client is still in MULTI then): Redis refuses it
  // there, as the client expects one reply per command.
  if (ctx.client.in_multi) {
    ctx.reply.Error("ERR MONITOR isn't allowed for DENY BLOCKING client");
    return;
  }
  auto& monitors = ctx.server.command_log.monitors;
  if (std::find(monitors.begin(), monitors.end(), &ctx.client) != monitors.end()) return;
  monitors.push_back(&ctx.client);
  ctx.reply.Status("OK");
}

constexpr CommandSpec kSlowlogSubcommands[] = {
    {"GET", -2, kCmdAdmin | kCmdLoading | kCmdStale, {}, CmdSlowlogGet, "server", "2.2.12",
     "Get the slow log's entries", "O(N) where N is the number of entries returned",
     "@admin @slow @dangerous"},
    {"HELP", 2, kCmdLoading | kCmdStale, {}, CmdSlowlogHelp, "server", "6.2.0",
     "Show helpful text about the different subcommands", "O(1)", "@slow"},
    {"LEN", 2, kCmdAdmin | kCmdLoading | kCmdStale, {}, CmdSlowlogLen, "server", "2.2.12",
     "Get the slow log's length", "O(1)", "@admin @slow @dangerous"},
    {"RESET", 2, kCmdAdmin | kCmdLoading | kCmdStale, {}, CmdSlowlogReset, "server", "2.2.12",
     "Clear all entries from the slow log",
     "O(N) where N is the number of entries in the slowlog", "@admin @slow @dangerous"},
};

constexpr CommandSpec kCommandLogCommands[] = {
    {"MONITOR", 1, kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdMonitor, "server",
     "1.0.0", "Listen for all requests received by the server in real time",
     // Redis documents no complexity for MONITOR; the table requires one.
     "O(1)",
     "@admin @slow @dangerous"},
    {"SLOWLOG", -2, 0, {}, nullptr, "server", "2.2.12", "A container for slow log commands",
     "Depends on subcommand.", "@slow", kSlowlogSubcommands},
};

}  // namespace

std::string MonitorLine(int64_t unix_us, int db, std::string_view peer,
                        std::span<const std::string_view> args) {
  char head[64];
  std::snprintf(head, sizeof head, "+%lld.%06lld [%d ", static_cast<long long>(unix_us / 1'000'000),
                static_cast<long long>(unix_us % 1'000'000), db);
  std::string line = head;
  line += peer;
  line += "] ";
  for (size_t j = 0; j < args.size(); ++j) {
    AppendRepr(line, args[j]);
    if (j + 1 != args.size()) line.push_back(' ');
  }
  line += "\r\n";
  return line;
}

void LogCommand(CommandContext& ctx, const CommandSpec& spec, int64_t duration_us) {
  std::span<const std::string_view> args = ctx.args;
  std::vector<std::string_view> redacted;
  // The name is spelled (and secrets looked for) only when a log will keep
  // the arguments.
  if ((SlowEnough(ctx.server.config, spec, duration_us) ||
       !ctx.server.command_log.monitors.empty()) &&
      RedactSecrets(FullName(spec, ctx.parent), args, &redacted)) {
    args = redacted;
  }
  MaybeLogSlow(ctx, spec, args, duration_us);
  FeedMonitors(ctx, spec, args);
}

std::span<const CommandSpec> CommandLogCommands() { return kCommandLogCommands; }

}  // namespace ss::cmd
