// The generic key commands (Redis's "generic" group: DEL, EXPIRE, TTL,
// RENAME, KEYS, SCAN, ...) plus DBSIZE, FLUSHDB and FLUSHALL, which Redis
// files under "server" but which only touch the keyspace.
//
// Reply types, error texts and the order in which errors are detected follow
// Redis 7.0.15 (db.c, expire.c), checked against the real server. Reads that
// Redis does through lookupKeyRead (EXISTS, TOUCH, TYPE, TTL and friends,
// SCAN's TYPE filter) count keyspace hits and misses; writes do not.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ss/cmd/args.h"
#include "ss/cmd/command.h"
#include "ss/cmd/errors.h"
#include "ss/cmd/glob.h"
#include "ss/store/entry.h"
#include "ss/store/keyspace.h"

namespace ss::cmd {
namespace {

// Redis's getObjectTypeName for a live entry; "none" for a missing key.
std::string_view TypeName(const Entry* e) {
  if (e == nullptr) return "none";
  switch (e->type()) {
    case ValueType::kString:
    case ValueType::kSession:  // a session record is its JSON string to clients
      return "string";
  }
  return "none";
}

// The running command's lower-case name, as Redis's %s of cmd->fullname.
std::string LowerName(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Redis formats option names with %s, so a NUL byte ends them there.
std::string_view UntilNul(std::string_view s) { return s.substr(0, s.find('\0')); }

// ---- DEL, UNLINK, EXISTS, TOUCH, TYPE ---------------------------------------

// DEL and UNLINK free a string in O(1), so sessiond has no lazy-free thread
// and UNLINK is DEL with a different name.
void CmdDel(CommandContext& ctx) {
  int64_t deleted = 0;
  for (std::string_view key : ctx.args.subspan(1)) {
    if (ctx.keyspace().Delete(ctx.db(), key)) {
      ++deleted;
      ctx.Notify(kNotifyGeneric, "del", key);
    }
  }
  ctx.reply.Integer(deleted);
}

// EXISTS counts a key once per mention ("EXISTS k k" is 2).
void CmdExists(CommandContext& ctx) {
  int64_t found = 0;
  for (std::string_view key : ctx.args.subspan(1)) {
    if (ctx.LookupRead(key, Access::kNoTouch) != nullptr) ++found;
  }
  ctx.reply.Integer(found);
}

// TOUCH refreshes each existing key's access clock, even for a CLIENT
// NO-TOUCH client (Redis 7.2), and counts the keys that exist.
void CmdTouch(CommandContext& ctx) {
  int64_t found = 0;
  for (std::string_view key : ctx.args.subspan(1)) {
    if (Entry* e = ctx.LookupRead(key, Access::kNoTouch); e != nullptr) {
      ctx.keyspace().Touch(e);
      ++found;
    }
  }
  ctx.reply.Integer(found);
}

void CmdType(CommandContext& ctx) {
  ctx.reply.Status(TypeName(ctx.LookupRead(ctx.args[1], Access::kNoTouch)));
}

// ---- EXPIRE family ----------------------------------------------------------

enum ExpireFlag : unsigned {
  kExpireNx = 1u << 0,
  kExpireXx = 1u << 1,
  kExpireGt = 1u << 2,
  kExpireLt = 1u << 3,
};

// Redis's parseExtendedExpireArgumentsOrReply: options come before the
// time argument is even parsed, so "EXPIRE k abc FOO" reports FOO.
bool ParseExpireFlags(CommandContext& ctx, unsigned* flags) {
  // Bounded by the argument count.
  for (std::string_view opt : ctx.args.subspan(3)) {
    if (EqualsIgnoreCase(opt, "nx")) {
      *flags |= kExpireNx;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      *flags |= kExpireXx;
    } else if (EqualsIgnoreCase(opt, "gt")) {
      *flags |= kExpireGt;
    } else if (EqualsIgnoreCase(opt, "lt")) {
      *flags |= kExpireLt;
    } else {
      ctx.reply.Error("ERR Unsupported option " + std::string(UntilNul(opt)));
      return false;
    }
  }
  if ((*flags & kExpireNx) && (*flags & (kExpireXx | kExpireGt | kExpireLt))) {
    ctx.reply.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return false;
  }
  if ((*flags & kExpireGt) && (*flags & kExpireLt)) {
    ctx.reply.Error("ERR GT and LT options at the same time are not compatible");
    return false;
  }
  return true;
}

// Whether NX/XX/GT/LT let a new deadline replace `current` (kNoDeadline =
// no TTL, which GT and LT treat as infinite).
bool ExpireFlagsAllow(unsigned flags, int64_t current, int64_t when) {
  const bool has_ttl = current != kNoDeadline;
  if ((flags & kExpireNx) && has_ttl) return false;
  if ((flags & kExpireXx) && !has_ttl) return false;
  if ((flags & kExpireGt) && (!has_ttl || when <= current)) return false;
  if ((flags & kExpireLt) && has_ttl && when >= current) return false;
  return true;
}

// expireGenericCommand: `when` is relative to base_ms (now for EXPIRE and
// PEXPIRE, 0 for the *AT forms), in seconds when `seconds`.
void ExpireGeneric(CommandContext& ctx, int64_t base_ms, bool seconds) {
  unsigned flags = 0;
  if (!ParseExpireFlags(ctx, &flags)) return;
  int64_t when = 0;
  if (!ParseInt64(ctx.args[2], &when)) {
    ctx.reply.Error(kErrNotInteger);
    return;
  }
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  const std::string invalid =
      "ERR invalid expire time in '" + LowerName(ctx.args[0]) + "' command";
  if (seconds) {
    if (when > kMax / 1000 || when < kMin / 1000) {
      ctx.reply.Error(invalid);
      return;
    }
    when *= 1000;
  }
  if (when > kMax - base_ms) {
    ctx.reply.Error(invalid);
    return;
  }
  when += base_ms;

  Keyspace& ks = ctx.keyspace();
  Entry* e = ks.Find(ctx.db(), ctx.args[1]);
  if (e == nullptr || !ExpireFlagsAllow(flags, e->deadline_ms(), when)) {
    ctx.reply.Integer(0);
    return;
  }
  // Redis's checkAlreadyExpired uses <=: a deadline of exactly now deletes
  // at once, although a stored deadline of now would still read as live.
  if (when <= ctx.NowMs()) {
    ks.Delete(ctx.db(), ctx.args[1]);
    // Redis publishes "del" before its reply but "expire" after it; a RESP3
    // client subscribed to its own keys sees the same order here.
    ctx.Notify(kNotifyGeneric, "del", ctx.args[1]);
    ctx.reply.Integer(1);
  } else {
    ctx.SetDeadline(e, when);
    ctx.reply.Integer(1);
    ctx.Notify(kNotifyGeneric, "expire", ctx.args[1]);
  }
}

void CmdExpire(CommandContext& ctx) { ExpireGeneric(ctx, ctx.NowMs(), true); }
void CmdPExpire(CommandContext& ctx) { ExpireGeneric(ctx, ctx.NowMs(), false); }
void CmdExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, 0, true); }
void CmdPExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, 0, false); }

// ttlGenericCommand: -2 missing, -1 no deadline, else the remaining (or,
// with absolute, the deadline) in ms, or in seconds rounded to nearest.
void TtlGeneric(CommandContext& ctx, bool millis, bool absolute) {
  const Entry* e = ctx.LookupRead(ctx.args[1], Access::kNoTouch);
  if (e == nullptr) {
    ctx.reply.Integer(-2);
    return;
  }
  if (!e->has_deadline()) {
    ctx.reply.Integer(-1);
    return;
  }
  int64_t ttl = absolute ? e->deadline_ms() : e->deadline_ms() - ctx.NowMs();
  if (ttl < 0) ttl = 0;
  // Redis's (ttl+500)/1000, written so PEXPIREAT near INT64_MAX cannot
  // overflow (Redis's real replies there are the exact rounded values).
  ctx.reply.Integer(millis ? ttl : ttl / 1000 + (ttl % 1000 >= 500 ? 1 : 0));
}

void CmdTtl(CommandContext& ctx) { TtlGeneric(ctx, false, false); }
void CmdPTtl(CommandContext& ctx) { TtlGeneric(ctx, true, false); }
void CmdExpireTime(CommandContext& ctx) { TtlGeneric(ctx, false, true); }
void CmdPExpireTime(CommandContext& ctx) { TtlGeneric(ctx, true, true); }

void CmdPersist(CommandContext& ctx) {
  Entry* e = ctx.keyspace().Find(ctx.db(), ctx.args[1]);
  if (e == nullptr || !e->has_deadline()) {
    ctx.reply.Integer(0);
    return;
  }
  ctx.SetDeadline(e, kNoDeadline);
  ctx.Notify(kNotifyGeneric, "persist", ctx.args[1]);
  ctx.reply.Integer(1);
}

// ---- RENAME, RENAMENX -------------------------------------------------------

// renameGenericCommand: a missing source is an error even when both names
// are equal; equal names are otherwise a no-op that keeps the TTL.
void RenameGeneric(CommandContext& ctx, bool nx) {
  std::string_view from = ctx.args[1];
  std::string_view to = ctx.args[2];
  Keyspace& ks = ctx.keyspace();
  if (ks.Find(ctx.db(), from) == nullptr) {
    ctx.reply.Error(kErrNoSuchKey);
    return;
  }
  if (from == to) {
    if (nx) {
      ctx.reply.Integer(0);
    } else {
      ctx.reply.Status("OK");
    }
    return;
  }
  // Looked up for RENAME too: an expired target reports "expired" first,
  // as Redis's lookupKeyWrite does.
  if (ks.Find(ctx.db(), to) != nullptr && nx) {
    ctx.reply.Integer(0);
    return;
  }
  // Find(from) above may be invalidated by Find(to), but `from` is still
  // live: nothing between the two calls can expire it (same clock instant).
  // A session record keeps its id only under its own key: renamed, it
  // becomes the JSON text it reads as.
  ctx.PlainString(ks.Find(ctx.db(), from));
  ks.Rename(ctx.db(), from, to);
  // Redis deletes any old target and dbAdds the moved value: always "new".
  ctx.Notify(kNotifyNew, "new", to);
  ctx.Notify(kNotifyGeneric, "rename_from", from);
  ctx.Notify(kNotifyGeneric, "rename_to", to);
  if (nx) {
    ctx.reply.Integer(1);
  } else {
    ctx.reply.Status("OK");
  }
}

void CmdRename(CommandContext& ctx) { RenameGeneric(ctx, false); }
void CmdRenameNx(CommandContext& ctx) { RenameGeneric(ctx, true); }

// ---- KEYS, SCAN, RANDOMKEY, DBSIZE ------------------------------------------

// KEYS walks the whole database in one call (Redis's documented O(N));
// expired entries not yet reclaimed are skipped, not deleted.
void CmdKeys(CommandContext& ctx) {
  std::string_view pattern = ctx.args[1];
  const bool all = pattern == "*";
  Keyspace& ks = ctx.keyspace();
  // Views into entries stay valid: nothing changes the database until the
  // reply is written.
  std::vector<std::string_view> keys;
  ks.ForEach(ctx.db(), [&](const Entry* e) {
    if (ks.IsPast(e->deadline_ms())) return;
    if (all || GlobMatch(pattern, e->key())) keys.push_back(e->key());
  });
  ctx.reply.ArrayHeader(keys.size());
  for (std::string_view k : keys) ctx.reply.Bulk(k);
}

bool IsCSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Redis's parseScanCursorOrReply, i.e. strtoul(s, &end, 10) with no leading
// space and nothing after the digits: a '+' or '-' sign is accepted ("-1" is
// 2^64-1), leading zeros too, and the empty string is cursor 0. Like C, the
// text ends at a NUL byte.
bool ParseScanCursor(std::string_view s, uint64_t* out) {
  s = UntilNul(s);
  if (!s.empty() && IsCSpace(s[0])) return false;
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    negative = s[i] == '-';
    ++i;
  }
  if (i == s.size()) return s.empty();  // "" is 0; a lone sign is not a number
  uint64_t v = 0;
  // Bounded by the argument length.
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    const auto digit = static_cast<uint64_t>(s[i] - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - digit) / 10) return false;  // ERANGE
    v = v * 10 + digit;
  }
  *out = negative ? uint64_t{0} - v : v;
  return true;
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. The cursor is a
// position in hash space (see EntryTable::Scan), so a scan survives table
// resizes; 0 starts and ends it. A later repeat of an option wins.
void CmdScan(CommandContext& ctx) {
  uint64_t cursor = 0;
  if (!ParseScanCursor(ctx.args[1], &cursor)) {
    ctx.reply.Error(kErrInvalidCursor);
    return;
  }
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;
  std::string_view type;
  bool use_type = false;
  // Bounded: each pass consumes two arguments or returns.
  for (size_t i = 2; i < ctx.args.size(); i += 2) {
    std::string_view opt = ctx.args[i];
    const bool has_value = i + 1 < ctx.args.size();
    if (has_value && EqualsIgnoreCase(opt, "count")) {
      if (!ParseInt64(ctx.args[i + 1], &count)) {
        ctx.reply.Error(kErrNotInteger);
        return;
      }
      if (count < 1) {
        ctx.reply.Error(kErrSyntax);
        return;
      }
    } else if (has_value && EqualsIgnoreCase(opt, "match")) {
      pattern = ctx.args[i + 1];
      use_pattern = pattern != "*";
    } else if (has_value && EqualsIgnoreCase(opt, "type")) {
      type = ctx.args[i + 1];
      use_type = true;
    } else {
      ctx.reply.Error(kErrSyntax);
      return;
    }
  }

  // Like Redis's scanGenericCommand, keep walking until `count` keys were
  // collected (before filtering) or the cursor wraps, but look at no more
  // than 10 * count slots in all: a sparse table cannot make one call scan
  // the whole hash space, and a small one still finishes in a single call.
  const auto wanted = static_cast<uint64_t>(count);
  uint64_t budget = wanted > std::numeric_limits<uint64_t>::max() / 10
                        ? std::numeric_limits<uint64_t>::max()
                        : wanted * 10;
  std::vector<const Entry*> candidates;
  uint64_t next = cursor;
  // Bounded: every pass spends at least one slot of the budget.
  do {
    const uint64_t step = std::min<uint64_t>(wanted - candidates.size(), budget);
    next = ctx.keyspace().Scan(ctx.db(), next, static_cast<size_t>(step),
                               [&](const Entry* e) { candidates.push_back(e); });
    budget -= step;
  } while (next != 0 && candidates.size() < wanted && budget > 0);

  // Redis's TYPE filter does a counted lookupKeyRead per key that passed
  // MATCH, so each of those is a keyspace hit (all candidates are live).
  // The entries stay valid: nothing changes the database until the reply
  // is written.
  std::vector<std::string_view> keys;
  for (const Entry* e : candidates) {
    if (use_pattern && !GlobMatch(pattern, e->key())) continue;
    if (use_type) {
      ++ctx.server.stats.keyspace_hits;
      if (!EqualsIgnoreCase(UntilNul(type), TypeName(e))) continue;
    }
    keys.push_back(e->key());
  }
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.ArrayHeader(keys.size());
  for (std::string_view k : keys) ctx.reply.Bulk(k);
}

void CmdRandomKey(CommandContext& ctx) {
  const Entry* e = ctx.keyspace().Random(ctx.db());
  if (e == nullptr) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(e->key());
  }
}

void CmdDbSize(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.keyspace().Size(ctx.db())));
}

// ---- FLUSHDB, FLUSHALL ------------------------------------------------------

// getFlushCommandFlags: at most one argument, ASYNC or SYNC. Freeing strings
// is cheap, so both flush synchronously.
bool ParseFlushMode(CommandContext& ctx) {
  if (ctx.args.size() == 1) return true;
  if (ctx.args.size() == 2 &&
      (EqualsIgnoreCase(ctx.args[1], "sync") || EqualsIgnoreCase(ctx.args[1], "async"))) {
    return true;
  }
  ctx.reply.Error(kErrSyntax);
  return false;
}

void CmdFlushDb(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  ctx.keyspace().Flush(ctx.db());
  ctx.reply.Status("OK");
}

void CmdFlushAll(CommandContext& ctx) {
  if (!ParseFlushMode(ctx)) return;
  ctx.keyspace().FlushAll();
  ctx.reply.Status("OK");
}

// ---- The table --------------------------------------------------------------

// Arity, flags, key positions and documentation as Redis 7.0.15's COMMAND
// INFO and COMMAND DOCS report them.
constexpr CommandSpec kKeyCommands[] = {
    {"DEL", -2, kCmdWrite, {1, -1, 1, kKeyRM | kKeyDelete},
     CmdDel, "generic", "1.0.0", "Delete a key",
     "O(N) where N is the number of keys that will be removed. When a key to remove holds a "
     "value other than a string, the individual complexity for this key is O(M) where M is the "
     "number of elements in the list, set, sorted set or hash. Removing a single key that holds "
     "a string value is O(1).",
     "@keyspace @write @slow"},
    {"UNLINK", -2, kCmdWrite | kCmdFast, {1, -1, 1, kKeyRM | kKeyDelete},
     CmdDel, "generic", "4.0.0",
     "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non "
     "blocking.",
     "O(1) for each key removed regardless of its size. Then the command does O(N) work in a "
     "different thread in order to reclaim memory, where N is the number of allocations the "
     "deleted objects where composed of.",
     "@keyspace @write @fast"},
    {"EXISTS", -2, kCmdReadOnly | kCmdFast, {1, -1, 1, kKeyRO}, CmdExists, "generic", "1.0.0",
     "Determine if a key exists", "O(N) where N is the number of keys to check.",
     "@keyspace @read @fast"},
    {"TOUCH", -2, kCmdReadOnly | kCmdFast, {1, -1, 1, kKeyRO}, CmdTouch, "generic", "3.2.1",
     "Alters the last access time of a key(s). Returns the number of existing keys specified.",
     "O(N) where N is the number of keys that will be touched.", "@keyspace @read @fast"},
    {"TYPE", 2, kCmdReadOnly | kCmdFast, {1, 1, 1, kKeyRO}, CmdType, "generic", "1.0.0",
     "Determine the type stored at key", "O(1)", "@keyspace @read @fast"},
    {"EXPIRE", -3, kCmdWrite | kCmdFast, {1, 1, 1, kKeyRW | kKeyUpdate},
     CmdExpire, "generic", "1.0.0",
     "Set a key's time to live in seconds", "O(1)", "@keyspace @write @fast"},
    {"PEXPIRE", -3, kCmdWrite | kCmdFast, {1, 1, 1, kKeyRW | kKeyUpdate},
     CmdPExpire, "generic", "2.6.0",
     "Set a key's time to live in milliseconds", "O(1)", "@keyspace @write @fast"},
    {"EXPIREAT", -3, kCmdWrite | kCmdFast, {1, 1, 1, kKeyRW | kKeyUpdate},
     CmdExpireAt, "generic", "1.2.0",
     "Set the expiration for a key as a UNIX timestamp", "O(1)", "@keyspace @write @fast"},
    {"PEXPIREAT", -3, kCmdWrite | kCmdFast, {1, 1, 1, kKeyRW | kKeyUpdate},
     CmdPExpireAt, "generic", "2.6.0",
     "Set the expiration for a key as a UNIX timestamp specified in milliseconds", "O(1)",
     "@keyspace @write @fast"},
    {"TTL", 2, kCmdReadOnly | kCmdFast, {1, 1, 1, kKeyRO | kKeyAccess}, CmdTtl, "generic", "1.0.0",
     "Get the time to live for a key in seconds", "O(1)", "@keyspace @read @fast"},
    {"PTTL", 2, kCmdReadOnly | kCmdFast, {1, 1, 1, kKeyRO | kKeyAccess},
     CmdPTtl, "generic", "2.6.0",
     "Get the time to live for a key in milliseconds", "O(1)", "@keyspace @read @fast"},
    {"EXPIRETIME", 2, kCmdReadOnly | kCmdFast, {1, 1, 1, kKeyRO | kKeyAccess},
     CmdExpireTime, "generic", "7.0.0",
     "Get the expiration Unix timestamp for a key", "O(1)", "@keyspace @read @fast"},
    {"PEXPIRETIME", 2, kCmdReadOnly | kCmdFast, {1, 1, 1, kKeyRO | kKeyAccess},
     CmdPExpireTime, "generic", "7.0.0",
     "Get the expiration Unix timestamp for a key in milliseconds", "O(1)",
     "@keyspace @read @fast"},
    {"PERSIST", 2, kCmdWrite | kCmdFast, {1, 1, 1, kKeyRW | kKeyUpdate},
     CmdPersist, "generic", "2.2.0",
     "Remove the expiration from a key", "O(1)", "@keyspace @write @fast"},
    {"KEYS", 2, kCmdReadOnly, {0, 0, 0}, CmdKeys, "generic", "1.0.0",
     "Find all keys matching the given pattern",
     "O(N) with N being the number of keys in the database, under the assumption that the key "
     "names in the database and the given pattern have limited length.",
     "@keyspace @read @slow @dangerous"},
    {"SCAN", -2, kCmdReadOnly, {0, 0, 0}, CmdScan, "generic", "2.8.0",
     "Incrementally iterate the keys space",
     "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
     "the cursor to return back to 0. N is the number of elements inside the collection.",
     "@keyspace @read @slow"},
    {"RANDOMKEY", 1, kCmdReadOnly, {0, 0, 0}, CmdRandomKey, "generic", "1.0.0",
     "Return a random key from the keyspace", "O(1)", "@keyspace @read @slow"},
    {"RENAME", 3, kCmdWrite, {1, 2, 1, kKeyRW | kKeyAccess | kKeyDelete, kKeyOW | kKeyUpdate},
     CmdRename, "generic", "1.0.0", "Rename a key", "O(1)",
     "@keyspace @write @slow"},
    {"RENAMENX", 3, kCmdWrite | kCmdFast,
     {1, 2, 1, kKeyRW | kKeyAccess | kKeyDelete, kKeyOW | kKeyInsert},
     CmdRenameNx, "generic", "1.0.0",
     "Rename a key, only if the new key does not exist", "O(1)", "@keyspace @write @fast"},
    {"DBSIZE", 1, kCmdReadOnly | kCmdFast, {0, 0, 0}, CmdDbSize, "server", "1.0.0",
     "Return the number of keys in the selected database", "O(1)", "@keyspace @read @fast"},
    {"FLUSHDB", -1, kCmdWrite, {0, 0, 0}, CmdFlushDb, "server", "1.0.0",
     "Remove all keys from the current database",
     "O(N) where N is the number of keys in the selected database",
     "@keyspace @write @slow @dangerous"},
    {"FLUSHALL", -1, kCmdWrite, {0, 0, 0}, CmdFlushAll, "server", "1.0.0",
     "Remove all keys from all databases",
     "O(N) where N is the total number of keys in all databases",
     "@keyspace @write @slow @dangerous"},
};

}  // namespace

std::span<const CommandSpec> KeyCommands() { return kKeyCommands; }

}  // namespace ss::cmd
