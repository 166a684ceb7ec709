#include <algorithm>
#include <cctype>
#include <chrono>
#include <string>

#include "ss/cmd/args.h"
#include "ss/cmd/cluster.h"
#include "ss/cmd/command.h"
#include "ss/cmd/watch.h"

namespace ss::cmd {

CommandTable::CommandTable(std::initializer_list<std::span<const CommandSpec>> families) {
  for (const auto& family : families) {
    for (const CommandSpec& spec : family) all_.push_back(&spec);
  }
  std::sort(all_.begin(), all_.end(),
            [](const CommandSpec* a, const CommandSpec* b) { return a->name < b->name; });
  size_t size = 64;
  while (size < all_.size() * 4) size *= 2;
  slots_.assign(size, nullptr);
  // Bounded: the table is at most a quarter full, so a free slot is near.
  for (const CommandSpec* spec : all_) {
    size_t i = HashName(spec->name) & (size - 1);
    while (slots_[i] != nullptr) i = (i + 1) & (size - 1);
    slots_[i] = spec;
  }
}

uint32_t CommandTable::HashName(std::string_view upper) {
  uint32_t h = 2166136261u;
  for (const char c : upper) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
  return h;
}

const CommandTable& CommandTable::Get() {
  static const CommandTable table{StringCommands(),  KeyCommands(),    ConnectionCommands(),
                                  ServerCommands(),  ConfigCommands(), IntrospectionCommands(),
                                 SessionCommands(), CsrfCommands(),     TransactionCommands(),
                                 AuthCommands(),      PubSubCommands(),
                                  ClusterCommands(),   ObjectCommands(),    CommandLogCommands(),
                                  DbCommands(),        FunctionCommands()};
  return table;
}

namespace {

// Upper-cases a command name into buf; false if it cannot be a command name
// (too long for any command: the longest Redis name is under 32 bytes).
bool UpperName(std::string_view name, char (&buf)[32], std::string_view* out) {
  if (name.size() >= sizeof(buf)) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    buf[i] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  *out = std::string_view(buf, name.size());
  return true;
}

}  // namespace

const CommandSpec* CommandTable::Find(std::string_view name) const {
  char buf[32];
  std::string_view upper;
  if (!UpperName(name, buf, &upper)) return nullptr;
  const size_t mask = slots_.size() - 1;
  // Bounded: the table always has free slots, and a probe stops at one.
  for (size_t i = HashName(upper) & mask;; i = (i + 1) & mask) {
    const CommandSpec* spec = slots_[i];
    if (spec == nullptr) return nullptr;
    if (spec->name == upper) return spec;
  }
}

const CommandSpec* CommandTable::FindSub(const CommandSpec& parent, std::string_view name) {
  // Containers have a handful of subcommands: a linear scan is the fastest.
  for (const CommandSpec& sub : parent.subcommands) {
    if (EqualsIgnoreCase(sub.name, name)) return &sub;
  }
  return nullptr;
}

std::string FullName(const CommandSpec& spec, const CommandSpec* parent) {
  std::string out;
  if (parent != nullptr) {
    out.append(parent->name);
    out.push_back('|');
  }
  out.append(spec.name);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

KeySpecs KeySpecsOf(const KeyPositions& keys) {
  KeySpecs out;
  if (keys.first <= 0) return out;
  // A range's lastkey is relative to its first key, or negative from the end.
  auto relative = [&](int last) { return last < 0 ? last : last - keys.first; };
  if (keys.last_flags == 0) {
    out.spec[0] = {keys.flags, keys.first, relative(keys.last), keys.step, keys.notes};
    out.count = 1;
  } else {
    // REQUIRES (checked by the table test): last is a fixed position.
    out.spec[0] = {keys.flags, keys.first, relative(keys.last - keys.step), keys.step,
                   keys.notes};
    out.spec[1] = {keys.last_flags, keys.last, 0, 1, {}};
    out.count = 2;
  }
  return out;
}

bool HasKeyArguments(const CommandSpec& spec) {
  KeySpecs specs = KeySpecsOf(spec.keys);
  for (int i = 0; i < specs.count; ++i) {
    if ((specs.spec[i].flags & kKeyNotKey) == 0) return true;
  }
  return false;
}

void CommandKeys(const CommandSpec& spec, std::span<const std::string_view> argv,
                 std::vector<KeyRef>* out) {
  const KeySpecs specs = KeySpecsOf(spec.keys);
  const auto argc = static_cast<int64_t>(argv.size());
  // SET's flags depend on its options (Redis's setGetKeys).
  const uint32_t variable =
      spec.keys.variable_flags != nullptr ? spec.keys.variable_flags(argv) : 0;
  for (int s = 0; s < specs.count; ++s) {
    const KeySpec& ks = specs.spec[s];
    const int64_t first = ks.index;
    const int64_t last = ks.lastkey >= 0 ? first + ks.lastkey : argc + ks.lastkey;
    // getKeysUsingKeySpecs: positions outside argv are skipped, leaving the
    // command to report its bad arguments. Bounded by argc.
    for (int64_t i = first; i <= last; i += ks.keystep) {
      if (i >= argc || i < first) continue;
      out->push_back({static_cast<size_t>(i), variable != 0 ? variable : ks.flags});
    }
  }
}

namespace {

bool ArityOk(int arity, size_t argc) {
  return arity > 0 ? argc == static_cast<size_t>(arity) : argc >= static_cast<size_t>(-arity);
}

// Redis's rejectCommandFormat: the error text may not contain newlines.
void RejectFormat(resp::ReplyWriter& reply, const std::string& text) { reply.Error(text); }

void UnknownCommand(resp::ReplyWriter& reply, std::span<const std::string_view> args) {
  // Mirrors processCommand: "unknown command '%.128s', with args beginning
  // with: " then "'%.*s' " per argument until the list reaches 128 bytes.
  // Redis formats with printf, so an argument also ends at its first NUL.
  auto c_string = [](std::string_view s) { return s.substr(0, s.find('\0')); };
  std::string list;
  for (size_t i = 1; i < args.size() && list.size() < 128; ++i) {
    size_t room = 128 - list.size();
    list.push_back('\'');
    list.append(c_string(args[i]).substr(0, room));
    list.append("' ");
  }
  std::string msg = "ERR unknown command '";
  msg.append(c_string(args[0]).substr(0, 128));
  msg.append("', with args beginning with: ");
  msg.append(list);
  RejectFormat(reply, msg);
}

}  // namespace

namespace {

// Redis's rejectCommand: a refused call of a known command.
void CountRejected(ServerState& server, const CommandSpec& spec, const CommandSpec* parent) {
  ++server.command_stats.For(spec, parent).rejected_calls;
}

// Redis 7.0's processCommand without the CLIENT REPLY handling.
DispatchResult DispatchOne(const CommandTable& table, ServerState& server, Client& client,
                           resp::ReplyWriter& reply, std::span<const std::string_view> args) {
  const CommandSpec* spec = table.Find(args[0]);
  const CommandSpec* parent = nullptr;
  const bool exec_in_multi = client.in_multi && spec != nullptr && spec->name == "EXEC";
  // Set once the command (or subcommand) is known: from then on a refusal
  // counts as a rejected call of it (an unknown subcommand counts for none).
  bool resolved = false;
  // Redis's rejectCommand / rejectCommandFormat: the error flags an open
  // transaction, and a rejected EXEC aborts it with the reason. `text` is
  // the error without its "ERR " code when `format` (Redis formats those).
  auto reject = [&](std::string_view text, bool format) {
    if (resolved) CountRejected(server, *spec, parent);
    if (client.in_multi) client.multi_error = true;
    if (exec_in_multi) {
      DiscardTransaction(server, client);
      std::string msg = "EXECABORT Transaction discarded because of: ";
      msg.append(text);
      reply.Error(msg);
    } else if (format) {
      RejectFormat(reply, "ERR " + std::string(text));
    } else {
      reply.Error(text);
    }
    server.error_mark = server.stats.total_error_replies;
  };
  if (spec != nullptr && !spec->subcommands.empty() && args.size() >= 2) {
    const CommandSpec* sub = CommandTable::FindSub(*spec, args[1]);
    if (sub == nullptr) {
      reject("unknown subcommand '" + std::string(args[1].substr(0, 128)) + "'. Try " +
                 std::string(spec->name) + " HELP.",
             true);
      return DispatchResult::kDone;
    }
    parent = spec;
    spec = sub;
  }
  if (spec == nullptr) {
    UnknownCommand(reply, args);
    server.error_mark = server.stats.total_error_replies;
    if (client.in_multi) client.multi_error = true;
    return DispatchResult::kDone;
  }
  client.last_spec = spec;
  client.last_parent = parent;
  resolved = true;
  if (!ArityOk(spec->arity, args.size()) || spec->handler == nullptr) {
    reject("wrong number of arguments for '" + FullName(*spec, parent) + "' command", true);
    return DispatchResult::kDone;
  }
  if (!server.config.requirepass.empty() && !client.authenticated &&
      (spec->flags & kCmdNoAuth) == 0) {
    reject("NOAUTH Authentication required.", false);
    return DispatchResult::kDone;
  }
  if (client.in_multi && (spec->flags & kCmdNoMulti) != 0) {
    reject("Command not allowed inside a transaction", true);
    return DispatchResult::kDone;
  }
  // A Redis cluster node checks that the keys are its own here
  // (processCommand's getNodeByQuery): the one node owns every slot, so the
  // only refusal is keys in different slots. A refused EXEC discards its
  // transaction and answers CROSSSLOT itself, not EXECABORT.
  if (server.config.cluster_compat && (spec->keys.first > 0 || exec_in_multi) &&
      !KeysInOneSlot(client, *spec, args)) {
    CountRejected(server, *spec, parent);
    if (exec_in_multi) {
      DiscardTransaction(server, client);
    } else if (client.in_multi) {
      client.multi_error = true;
    }
    reply.Error(kErrCrossSlot);
    server.error_mark = server.stats.total_error_replies;
    return DispatchResult::kDone;
  }
  // The flags that matter for OOM and PAUSE: EXEC has those of its queue.
  uint32_t flags = spec->flags;
  if (exec_in_multi) {
    for (const Client::QueuedCommand& q : client.multi_queue) flags |= q.spec->flags;
  }
  // maxmemory with the only policy sessiond has, noeviction: commands that
  // may grow memory are refused above the limit (Redis's shared.oomerr; in
  // an aborted EXEC its trailing CRLF becomes two spaces, as in Redis).
  if (server.config.maxmemory > 0 && (flags & kCmdDenyOom) &&
      server.keyspace.used_memory() > static_cast<size_t>(server.config.maxmemory)) {
    reject(exec_in_multi ? "OOM command not allowed when used memory > 'maxmemory'.  "
                         : "OOM command not allowed when used memory > 'maxmemory'.",
           false);
    return DispatchResult::kDone;
  }
  if (client.protocol == 2 && client.InSubscribeMode()) {
    static constexpr std::string_view kAllowed[] = {
        "PING", "SUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "SUNSUBSCRIBE",
        "PSUBSCRIBE", "PUNSUBSCRIBE", "QUIT", "RESET"};
    const std::string_view top = parent != nullptr ? parent->name : spec->name;
    if (std::find(std::begin(kAllowed), std::end(kAllowed), top) == std::end(kAllowed)) {
      reject("Can't execute '" + FullName(*spec, parent) +
                 "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed "
                 "in this context",
             true);
      return DispatchResult::kDone;
    }
  }
  if (server.pause_mode != PauseMode::kNone && server.clock.NowMs() < server.pause_end_ms &&
      (server.pause_mode == PauseMode::kAll || (flags & (kCmdWrite | kCmdMayReplicate)) != 0)) {
    return DispatchResult::kPostponed;
  }
  if (client.in_multi && spec->name != "EXEC" && spec->name != "DISCARD" &&
      spec->name != "MULTI" && spec->name != "WATCH" && spec->name != "QUIT" &&
      spec->name != "RESET") {
    Client::QueuedCommand q{spec, parent, std::vector<std::string>(args.begin(), args.end())};
    client.multi_queue.push_back(std::move(q));
    reply.Status("QUEUED");
    return DispatchResult::kDone;
  }
  CommandContext ctx(server, client, reply, args);
  ctx.parent = parent;
  Execute(ctx, *spec);
  return DispatchResult::kDone;
}

}  // namespace

DispatchResult Dispatch(const CommandTable& table, ServerState& server, Client& client,
                        resp::ReplyWriter& reply, std::span<const std::string_view> args) {
  std::string* out = reply.output();
  const size_t mark = out->size();
  DispatchResult result = DispatchOne(table, server, client, reply, args);
  if (result == DispatchResult::kPostponed) return result;
  // CLIENT REPLY: the mode after the command decides (CLIENT REPLY ON's own
  // +OK is sent; OFF and SKIP write nothing themselves). SKIP drops the
  // reply of the command after it.
  using Mode = Client::ReplyMode;
  if (client.reply_mode == Mode::kOff || client.reply_mode == Mode::kSkip) out->resize(mark);
  if (client.reply_mode == Mode::kSkip) {
    client.reply_mode = Mode::kOn;
  } else if (client.reply_mode == Mode::kSkipNext) {
    client.reply_mode = Mode::kSkip;
  }
  return result;
}

void Execute(CommandContext& ctx, const CommandSpec& spec) {
  ServerState& server = ctx.server;
  // Errors written from here on are this command's; EXEC's queued commands
  // move the mark themselves, so EXEC fails only by its own errors.
  server.error_mark = server.stats.total_error_replies;
  auto t0 = std::chrono::steady_clock::now();
  // CLIENT NO-TOUCH: the command's lookups leave access clocks alone
  // (Redis 7.2's lookupKey; TOUCH touches explicitly). Restored after, so
  // EXEC run by such a client stays off for each queued command.
  Keyspace& ks = ctx.server.keyspace;
  const bool touch_was = ks.touch_on_find();
  if (ctx.client.no_touch) ks.set_touch_on_find(false);
  spec.handler(ctx);
  ks.set_touch_on_find(touch_was);
  const int64_t duration_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::steady_clock::now() - t0)
                                  .count();
  LogCommand(ctx, spec, duration_ns / 1000);
  ++server.stats.total_commands_processed;
  // Redis's call(): calls, time, the latency histogram, failed_calls.
  CommandStats& cs = server.command_stats.For(spec, ctx.parent);
  ++cs.calls;
  cs.duration_ns += static_cast<uint64_t>(duration_ns);
  if (server.config.latency_tracking) {
    if (cs.latency == nullptr) cs.latency = std::make_unique<LatencyHistogram>();
    cs.latency->Record(duration_ns);
  }
  if (server.stats.total_error_replies > server.error_mark) ++cs.failed_calls;
  server.error_mark = server.stats.total_error_replies;
}

}  // namespace ss::cmd
