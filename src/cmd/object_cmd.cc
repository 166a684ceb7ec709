// OBJECT (ENCODING, FREQ, REFCOUNT, HELP) and MEMORY (USAGE, HELP): what
// Redis 7.0's object.c answers about a key, for the value sessiond stores.
//
// OBJECT ENCODING reports what Redis would choose for the same bytes
// written by SET: "int" for a canonical 64-bit integer, "embstr" up to 44
// bytes, else "raw". sessiond keeps every string as plain bytes and does
// not remember how a value was made, so a value Redis would hold as raw
// after APPEND or SETRANGE (e.g. APPEND k 5 on a missing key) is reported by
// its bytes. A session record (a binary record rendered as JSON) is "raw".
//
// OBJECT IDLETIME is absent: it needs a per-key access clock, and the
// 16-byte entry header (store/entry.h) has no spare bits for one (links 8,
// deadline 6, type 1, key length 1); growing every key for it is not worth
// it. OBJECT FREQ answers as Redis does under the only eviction policy
// sessiond has, noeviction: with its LFU error.
#include <string>

#include "ss/cmd/args.h"
#include "ss/cmd/command.h"
#include "ss/cmd/errors.h"
#include "ss/store/entry.h"

namespace ss::cmd {
namespace {

// Redis's OBJ_SHARED_INTEGERS: values 0..9999 stored as integers are one
// shared object whose refcount is OBJ_SHARED_REFCOUNT (INT_MAX).
constexpr int64_t kSharedIntegers = 10000;
constexpr int64_t kSharedRefcount = 2147483647;
// Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT.
constexpr size_t kEmbstrLimit = 44;
// One EntryTable slot per key (store/table.h).
constexpr size_t kTableSlotBytes = 8;

enum class Encoding { kInt, kEmbstr, kRaw };

// What tryObjectEncoding would make of value stored by SET.
Encoding EncodingOf(const Entry* e, int64_t* int_value) {
  if (e->type() == ValueType::kSession) return Encoding::kRaw;
  std::string_view v = e->value();
  if (v.size() <= 20 && ParseInt64(v, int_value)) return Encoding::kInt;
  return v.size() <= kEmbstrLimit ? Encoding::kEmbstr : Encoding::kRaw;
}

void CmdObjectEncoding(CommandContext& ctx) {
  const Entry* e = ctx.LookupRead(ctx.args[2]);
  if (e == nullptr) {
    ctx.reply.Null();
    return;
  }
  int64_t n = 0;
  switch (EncodingOf(e, &n)) {
    case Encoding::kInt:
      ctx.reply.Bulk("int");
      return;
    case Encoding::kEmbstr:
      ctx.reply.Bulk("embstr");
      return;
    case Encoding::kRaw:
      ctx.reply.Bulk("raw");
      return;
  }
}

void CmdObjectRefcount(CommandContext& ctx) {
  const Entry* e = ctx.LookupRead(ctx.args[2]);
  if (e == nullptr) {
    ctx.reply.Null();
    return;
  }
  int64_t n = 0;
  bool shared = EncodingOf(e, &n) == Encoding::kInt && n >= 0 && n < kSharedIntegers;
  ctx.reply.Integer(shared ? kSharedRefcount : 1);
}

void CmdObjectFreq(CommandContext& ctx) {
  // Redis looks the key up first: a missing key is a null even without LFU.
  if (ctx.LookupRead(ctx.args[2]) == nullptr) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Error(
      "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
      "that when switching between policies at runtime LRU and LFU data will take some time to "
      "adjust.");
}

void CmdObjectHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Prints this help.",
  };
  ctx.ReplyHelp(kLines);
}

// MEMORY USAGE key [SAMPLES n]: the bytes the allocator reserved for the
// entry's block (header, lengths, key and value: Entry::AllocatedBytes) plus
// its 8-byte table slot. SAMPLES is parsed as Redis does but changes
// nothing: a string has no nested values to sample. Like Redis (which reads
// the dict directly) it counts no keyspace hit or miss.
void CmdMemoryUsage(CommandContext& ctx) {
  // Bounded by the argument count.
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    if (EqualsIgnoreCase(ctx.args[j], "samples") && j + 1 < ctx.args.size()) {
      int64_t samples = 0;
      if (!ParseInt64(ctx.args[j + 1], &samples)) {
        ctx.reply.Error(kErrNotInteger);
        return;
      }
      if (samples < 0) {
        ctx.reply.Error(kErrSyntax);
        return;
      }
      ++j;
    } else {
      ctx.reply.Error(kErrSyntax);
      return;
    }
  }
  const Entry* e = ctx.keyspace().Peek(ctx.db(), ctx.args[2]);
  if (e == nullptr) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Integer(static_cast<int64_t>(e->AllocatedBytes() + kTableSlotBytes));
}

void CmdMemoryHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "USAGE <key> [SAMPLES <count>]",
      "    Return memory in bytes used by <key> and its value. Nested values are",
      "    sampled up to <count> times (default: 5, 0 means sample all).",
      "HELP",
      "    Prints this help.",
  };
  ctx.ReplyHelp(kLines);
}

constexpr CommandSpec kObjectSubcommands[] = {
    {"ENCODING", 3, kCmdReadOnly, {2, 2, 1, kKeyRO}, CmdObjectEncoding, "generic", "2.2.3",
     "Inspect the internal encoding of a Redis object", "O(1)", "@keyspace @read @slow"},
    {"FREQ", 3, kCmdReadOnly, {2, 2, 1, kKeyRO}, CmdObjectFreq, "generic", "4.0.0",
     "Get the logarithmic access frequency counter of a Redis object", "O(1)",
     "@keyspace @read @slow"},
    {"HELP", 2, kCmdLoading | kCmdStale, {}, CmdObjectHelp, "generic", "6.2.0",
     "Show helpful text about the different subcommands", "O(1)", "@keyspace @slow"},
    {"REFCOUNT", 3, kCmdReadOnly, {2, 2, 1, kKeyRO}, CmdObjectRefcount, "generic", "2.2.3",
     "Get the number of references to the value of the key", "O(1)", "@keyspace @read @slow"},
};

constexpr CommandSpec kMemorySubcommands[] = {
    {"HELP", 2, kCmdLoading | kCmdStale, {}, CmdMemoryHelp, "server", "4.0.0",
     "Show helpful text about the different subcommands", "O(1)", "@slow"},
    {"USAGE", -3, kCmdReadOnly, {2, 2, 1, kKeyRO}, CmdMemoryUsage, "server", "4.0.0",
     "Estimate the memory usage of a key", "O(N) where N is the number of samples.",
     "@read @slow"},
};

constexpr CommandSpec kObjectCommands[] = {
    {"MEMORY", -2, 0, {}, nullptr, "server", "4.0.0",
     "A container for memory diagnostics commands", "Depends on subcommand.", "@slow",
     kMemorySubcommands},
    {"OBJECT", -2, 0, {}, nullptr, "generic", "2.2.3",
     "A container for object introspection commands", "Depends on subcommand.", "@slow",
     kObjectSubcommands},
};

}  // namespace

std::span<const CommandSpec> ObjectCommands() { return kObjectCommands; }

}  // namespace ss::cmd
