// Commands that move keys between databases: SWAPDB, MOVE and COPY, as
// Redis 7.0's db.c (same checks in the same order, same error texts). All of
// them go through the Keyspace, so the session index and the keyspace
// observers hear every entry that changes database. A session record moves
// and copies as a session record.
#include <string>

#include "ss/cmd/args.h"
#include "ss/cmd/command.h"
#include "ss/cmd/errors.h"

namespace ss::cmd {
namespace {

constexpr std::string_view kErrSameObject = "ERR source and destination objects are the same";

// Redis's getIntFromObjectOrReply with a NULL message.
bool ParseDbIndexArg(CommandContext& ctx, std::string_view arg, int* out) {
  int64_t n = 0;
  if (!ParseInt64(arg, &n)) {
    ctx.reply.Error(kErrNotInteger);
    return false;
  }
  if (n < INT32_MIN || n > INT32_MAX) {
    ctx.reply.Error("ERR value is out of range, value must between -2147483648 and 2147483647");
    return false;
  }
  *out = static_cast<int>(n);
  return true;
}

bool ValidDb(CommandContext& ctx, int db) { return db >= 0 && db < ctx.keyspace().databases(); }

// SWAPDB index1 index2. Every client stays on its database number and sees
// the other database's keys. Redis sends no keyspace event for it.
void CmdSwapDb(CommandContext& ctx) {
  if (ctx.server.config.cluster_compat) {
    ctx.reply.Error("ERR SWAPDB is not allowed in cluster mode");
    return;
  }
  // getIntFromObjectOrReply with a message: one text for "not a number"
  // and "outside int".
  int64_t a = 0, b = 0;
  if (!ParseInt64(ctx.args[1], &a) || a < INT32_MIN || a > INT32_MAX) {
    ctx.reply.Error("ERR invalid first DB index");
    return;
  }
  if (!ParseInt64(ctx.args[2], &b) || b < INT32_MIN || b > INT32_MAX) {
    ctx.reply.Error("ERR invalid second DB index");
    return;
  }
  if (!ValidDb(ctx, static_cast<int>(a)) || !ValidDb(ctx, static_cast<int>(b))) {
    ctx.reply.Error(kErrDbIndex);
    return;
  }
  ctx.keyspace().SwapDatabases(static_cast<int>(a), static_cast<int>(b));
  ctx.reply.Status("OK");
}

// MOVE key db: 1 if moved, 0 if key is missing or db already has it.
void CmdMove(CommandContext& ctx) {
  if (ctx.server.config.cluster_compat) {
    ctx.reply.Error("ERR MOVE is not allowed in cluster mode");
    return;
  }
  int dst = 0;
  if (!ParseDbIndexArg(ctx, ctx.args[2], &dst)) return;
  if (!ValidDb(ctx, dst)) {
    ctx.reply.Error(kErrDbIndex);
    return;
  }
  if (dst == ctx.db()) {
    ctx.reply.Error(kErrSameObject);
    return;
  }
  std::string_view key = ctx.args[1];
  // Redis's lookupKeyWrite of the source: an access (its clock moves with it).
  ctx.keyspace().Find(ctx.db(), key);
  if (!ctx.keyspace().Move(ctx.db(), key, dst)) {
    ctx.reply.Integer(0);
    return;
  }
  NotifyKeyspaceEvent(ctx.server, kNotifyGeneric, "move_from", key, ctx.db());
  NotifyKeyspaceEvent(ctx.server, kNotifyGeneric, "move_to", key, dst);
  ctx.reply.Integer(1);
}

// COPY source destination [DB destination-db] [REPLACE]
void CmdCopy(CommandContext& ctx) {
  int dst = ctx.db();
  bool replace = false;
  // Bounded by the argument count; later options override earlier ones.
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    const size_t additional = ctx.args.size() - j - 1;
    if (EqualsIgnoreCase(ctx.args[j], "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(ctx.args[j], "db") && additional >= 1) {
      if (!ParseDbIndexArg(ctx, ctx.args[j + 1], &dst)) return;
      if (!ValidDb(ctx, dst)) {
        ctx.reply.Error(kErrDbIndex);
        return;
      }
      ++j;
    } else {
      ctx.reply.Error(kErrSyntax);
      return;
    }
  }
  if (ctx.server.config.cluster_compat && (ctx.db() != 0 || dst != 0)) {
    ctx.reply.Error("ERR Copying to another database is not allowed in cluster mode");
    return;
  }
  std::string_view from = ctx.args[1], to = ctx.args[2];
  if (dst == ctx.db() && from == to) {
    ctx.reply.Error(kErrSameObject);
    return;
  }
  // Redis reads the source with lookupKeyRead (a keyspace hit or miss).
  if (ctx.LookupRead(from) == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  if (ctx.keyspace().Copy(ctx.db(), from, dst, to, replace) == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  NotifyKeyspaceEvent(ctx.server, kNotifyGeneric, "copy_to", to, dst);
  ctx.reply.Integer(1);
}

// Arity, flags, key positions and documentation as Redis 7.0.15's COMMAND
// INFO and COMMAND DOCS report them.
constexpr CommandSpec kDbCommands[] = {
    {"COPY", -3, kCmdWrite | kCmdDenyOom, {1, 2, 1, kKeyRO | kKeyAccess, kKeyOW | kKeyUpdate},
     CmdCopy, "generic", "6.2.0", "Copy a key",
     "O(N) worst case for collections, where N is the number of nested items. O(1) for string "
     "values.",
     "@keyspace @write @slow"},
    {"MOVE", 3, kCmdWrite | kCmdFast, {1, 1, 1, kKeyRW | kKeyAccess | kKeyUpdate},
     CmdMove, "generic", "1.0.0",
     "Move a key to another database", "O(1)", "@keyspace @write @fast"},
    {"SWAPDB", 3, kCmdWrite | kCmdFast, {0, 0, 0}, CmdSwapDb, "server", "4.0.0",
     "Swaps two Redis databases",
     "O(N) where N is the count of clients watching or blocking on keys from both databases.",
     "@keyspace @write @fast @dangerous"},
};

}  // namespace

std::span<const CommandSpec> DbCommands() { return kDbCommands; }

}  // namespace ss::cmd
