// The command table: one CommandSpec per command (name, Redis arity rule,
// flags, key positions, handler, documentation), assembled from the family
// files in src/cmd/. Dispatch() looks a request up, checks its arity (so
// handlers never do) and runs the handler, which writes exactly one reply.
//
// A handler reads its arguments through CommandContext::args (views into the
// connection's read buffer, valid only during the call: copy what you keep).
// Loop thread only.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ss/cmd/client.h"
#include "ss/cmd/notify.h"
#include "ss/cmd/server_state.h"
#include "ss/resp/writer.h"

namespace ss::cmd {

class CommandContext {
 public:
  CommandContext(ServerState& server, Client& client, resp::ReplyWriter& reply,
                 std::span<const std::string_view> args)
      : server(server), client(client), reply(reply), args(args) {}

  ServerState& server;
  Client& client;
  resp::ReplyWriter& reply;
  std::span<const std::string_view> args;

  Keyspace& keyspace() { return server.keyspace; }
  int db() const { return client.db; }
  int64_t NowMs() const { return server.clock.NowMs(); }
  // The live entry for key in the client's database, or nullptr, counting a
  // keyspace hit or miss for INFO as Redis's lookupKeyRead does (a key of
  // another type counts as a hit). kNoTouch: Redis's LOOKUP_NOTOUCH (TYPE,
  // TTL, EXISTS, OBJECT), the key's access clock is left alone.
  Entry* LookupRead(std::string_view key, Access access = Access::kTouch) {
    Entry* e = server.keyspace.Find(client.db, key, access);
    ++(e != nullptr ? server.stats.keyspace_hits : server.stats.keyspace_misses);
    return e;
  }
  // The string value of e as clients see it: a session record renders to
  // its JSON text (into scratch, valid until the next call). REQUIRES: e is
  // a string (kString or kSession).
  std::string_view StringValue(const Entry* e);
  // Makes e a plain string entry before a command edits its bytes (a session
  // record becomes its JSON text, keeping its deadline). Returns the entry's
  // possibly new address.
  Entry* PlainString(Entry* e);
  // Sets (kNoDeadline: clears) e's deadline as Keyspace::SetDeadline does,
  // keeping a session record's expires_at in step with its key's TTL.
  void SetDeadline(Entry* e, int64_t deadline_ms);
  std::string scratch;
  // A HELP reply: one status line per element, as Redis's addReplyHelp.
  void ReplyHelp(std::span<const std::string_view> lines) {
    reply.ArrayHeader(lines.size());
    for (std::string_view line : lines) reply.Status(line);
  }
  // The container of the running command when it is a subcommand
  // (CONFIG for CONFIG SET), else null: FullName(spec, parent) names it.
  const CommandSpec* parent = nullptr;
  // Redis's notifyKeyspaceEvent for a key of the client's database.
  void Notify(uint32_t type, std::string_view event, std::string_view key) {
    if ((server.config.notify_keyspace_events & type) == 0) return;
    NotifyKeyspaceEvent(server, type, event, key, client.db);
  }
  // Whether events of class `type` are published at all: lets a command
  // skip work done only for an event (an existence probe for "new").
  bool NotifyWanted(uint32_t type) const {
    const uint32_t flags = server.config.notify_keyspace_events;
    return (flags & type) != 0 && (flags & (kNotifyKeyspace | kNotifyKeyevent)) != 0;
  }
};

using Handler = void (*)(CommandContext&);
struct CommandSpec;

// Redis's command flags (the ones COMMAND INFO reports).
enum CommandFlag : uint32_t {
  kCmdWrite = 1u << 0,
  kCmdReadOnly = 1u << 1,
  kCmdDenyOom = 1u << 2,
  kCmdAdmin = 1u << 3,
  kCmdPubSub = 1u << 4,
  kCmdNoScript = 1u << 5,
  kCmdBlocking = 1u << 6,
  kCmdLoading = 1u << 7,
  kCmdStale = 1u << 8,
  kCmdSkipMonitor = 1u << 9,
  kCmdFast = 1u << 10,
  kCmdNoAuth = 1u << 11,
  kCmdMayReplicate = 1u << 12,
  kCmdSentinel = 1u << 13,
  kCmdNoMandatoryKeys = 1u << 14,
  kCmdNoMulti = 1u << 15,
  kCmdAllowBusy = 1u << 16,
  kCmdSkipSlowlog = 1u << 17,  // never in SLOWLOG (Redis: EXEC)
};

// Redis 7's key-spec flags (COMMAND INFO key specs, COMMAND GETKEYSANDFLAGS):
// how a command uses each key. Values from redis-server 7.0.15's own specs.
enum KeyFlag : uint32_t {
  kKeyRO = 1u << 0,              // read only
  kKeyRW = 1u << 1,              // read and modified
  kKeyOW = 1u << 2,              // overwritten without being read
  kKeyRM = 1u << 3,              // deleted
  kKeyAccess = 1u << 4,          // the value is returned or copied out
  kKeyUpdate = 1u << 5,          // the value is replaced or changed in place
  kKeyInsert = 1u << 6,          // the value is only added to (APPEND, SETNX)
  kKeyDelete = 1u << 7,          // the key may be removed
  kKeyNotKey = 1u << 8,          // a shard channel, not a key
  kKeyIncomplete = 1u << 9,
  kKeyVariableFlags = 1u << 10,  // the flags depend on the arguments
};

// Computes a command's key flags from its arguments, for a key spec marked
// kKeyVariableFlags (Redis's getkeys_proc; SET's depend on its GET option).
using KeyFlagsFn = uint32_t (*)(std::span<const std::string_view> argv);

// A command's key arguments: the legacy (first, last, step) positions as
// COMMAND INFO reports them (last -1 means "to the end"), and the Redis 7 key
// specs derived from them. Every key is in one index/range key spec with
// `flags`, except that a nonzero `last_flags` makes the key at `last` a
// second spec of its own (RENAME's source and destination differ).
struct KeyPositions {
  int first = 0;
  int last = 0;
  int step = 0;
  uint32_t flags = 0;
  uint32_t last_flags = 0;
  std::string_view notes = {};         // the first spec's notes, as Redis's
  KeyFlagsFn variable_flags = nullptr;  // REQUIRES: set iff flags has kKeyVariableFlags
};

// One Redis 7 key spec of the index/range kind (the only kind sessiond's
// commands need): keys from argument `index` to `lastkey` (relative to it;
// negative: counted from the end) every `keystep` arguments.
struct KeySpec {
  uint32_t flags;
  int index;
  int lastkey;
  int keystep;
  std::string_view notes;
};
// The key specs of a command (none, one or two), derived from its positions.
struct KeySpecs {
  KeySpec spec[2];
  int count = 0;
};
KeySpecs KeySpecsOf(const KeyPositions& keys);

// One key argument of a full command line: its position in argv and flags.
struct KeyRef {
  size_t pos;
  uint32_t flags;
};
// Redis's getKeysUsingKeySpecs for argv (argv[0] is the command name,
// argv[1] a subcommand's name if any): appends each key argument to *out.
// Keys past the end of argv are not there (the command itself reports the
// bad argument count). Bounded by argv's size.
void CommandKeys(const CommandSpec& spec, std::span<const std::string_view> argv,
                 std::vector<KeyRef>* out);
// Whether the command has key arguments at all (a shard channel is not one).
bool HasKeyArguments(const CommandSpec& spec);

struct CommandSpec {
  std::string_view name;       // upper case ("GET"; "GET" for CONFIG GET too)
  int arity;                   // N: exactly N args with the name; -N: at least N
  uint32_t flags;
  KeyPositions keys;
  Handler handler;             // nullptr for a container (CONFIG, CLIENT, ...)
  std::string_view group;      // Redis's doc group: "string", "generic", ...
  std::string_view since;      // Redis version that introduced it
  std::string_view summary;
  std::string_view complexity;
  std::string_view acl_categories;  // e.g. "@write @string @slow"
  std::span<const CommandSpec> subcommands = {};
};

// Each family file defines one of these (src/cmd/<family>.cc).
std::span<const CommandSpec> StringCommands();
std::span<const CommandSpec> KeyCommands();
std::span<const CommandSpec> ConnectionCommands();
std::span<const CommandSpec> ServerCommands();
std::span<const CommandSpec> ConfigCommands();
std::span<const CommandSpec> IntrospectionCommands();
std::span<const CommandSpec> SessionCommands();
std::span<const CommandSpec> CsrfCommands();
std::span<const CommandSpec> TransactionCommands();
std::span<const CommandSpec> AuthCommands();
std::span<const CommandSpec> PubSubCommands();
std::span<const CommandSpec> ClusterCommands();
std::span<const CommandSpec> ObjectCommands();
std::span<const CommandSpec> CommandLogCommands();
std::span<const CommandSpec> DbCommands();
std::span<const CommandSpec> FunctionCommands();

class CommandTable {
 public:
  // The one table of every command sessiond serves.
  static const CommandTable& Get();

  // The top-level command called `name` (any case), or nullptr.
  const CommandSpec* Find(std::string_view name) const;
  // A container's subcommand called `name` (any case), or nullptr.
  static const CommandSpec* FindSub(const CommandSpec& parent, std::string_view name);
  const std::vector<const CommandSpec*>& all() const { return all_; }

  explicit CommandTable(std::initializer_list<std::span<const CommandSpec>> families);

 private:
  // FNV-1a of the upper-case name: names are short, and a multiply per
  // byte beats a general hash's setup on them.
  static uint32_t HashName(std::string_view upper);

  std::vector<const CommandSpec*> all_;  // sorted by name (COMMAND LIST)
  // Open addressing over all_ (linear probing, at most 1/4 full), so Find
  // is one hash and usually one name compare per request.
  std::vector<const CommandSpec*> slots_;
};

// "get", "config|get": Redis's full lower-case name.
std::string FullName(const CommandSpec& spec, const CommandSpec* parent);

// Runs a command already looked up and arity-checked: its handler, then
// LogCommand, then the counters. Dispatch and EXEC run every command
// through here.
void Execute(CommandContext& ctx, const CommandSpec& spec);
// After each executed command: SLOWLOG and MONITOR (src/cmd/command_log.cc).
// duration_us: the handler's run time on the monotonic clock.
void LogCommand(CommandContext& ctx, const CommandSpec& spec, int64_t duration_us);

enum class DispatchResult {
  kDone,       // the request ran (or was refused) and its reply is written
  kPostponed,  // CLIENT PAUSE holds it: nothing ran, nothing was written;
               // the connection must offer the same request again later
};

// Runs one request (args[0] is the command name) and writes its reply, with
// Redis 7.0's processCommand checks in its order: unknown command or
// subcommand, arity, NOAUTH, no-multi, OOM, RESP2 subscribe mode, CLIENT
// PAUSE, then MULTI queuing or execution. CLIENT REPLY OFF/SKIP drops the
// bytes written. REQUIRES: !args.empty().
DispatchResult Dispatch(const CommandTable& table, ServerState& server, Client& client,
                        resp::ReplyWriter& reply, std::span<const std::string_view> args);

}  // namespace ss::cmd
