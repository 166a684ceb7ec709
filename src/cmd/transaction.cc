// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis 7.0's multi.c).
// Dispatch queues commands while the client is in MULTI (and flags the
// transaction when it rejects one); EXEC here runs the queue through
// Execute(), so every queued command is logged and counted like any other.
#include <string>
#include <vector>

#include "ss/cmd/command.h"
#include "ss/cmd/watch.h"

namespace ss::cmd {

void DiscardTransaction(ServerState& server, Client& c) {
  c.multi_queue.clear();
  c.in_multi = false;
  c.multi_error = false;
  c.watch_dirty = false;
  if (server.watches != nullptr) server.watches->UnwatchAll(c);
}

namespace {

void CmdMulti(CommandContext& ctx) {
  if (ctx.client.in_multi) {
    ctx.reply.Error("ERR MULTI calls can not be nested");
    return;
  }
  ctx.client.in_multi = true;
  ctx.reply.Status("OK");
}

void CmdDiscard(CommandContext& ctx) {
  if (!ctx.client.in_multi) {
    ctx.reply.Error("ERR DISCARD without MULTI");
    return;
  }
  DiscardTransaction(ctx.server, ctx.client);
  ctx.reply.Status("OK");
}

void CmdExec(CommandContext& ctx) {
  Client& c = ctx.client;
  if (!c.in_multi) {
    ctx.reply.Error("ERR EXEC without MULTI");
    return;
  }
  if (ctx.server.watches != nullptr && ctx.server.watches->AnyWatchedKeyExpired(c)) {
    c.watch_dirty = true;
  }
  if (c.multi_error || c.watch_dirty) {
    if (c.multi_error) {
      ctx.reply.Error("EXECABORT Transaction discarded because of previous errors.");
    } else {
      ctx.reply.NullArray();
    }
    DiscardTransaction(ctx.server, c);
    return;
  }
  // Unwatch before running, as Redis does: the transaction's own writes
  // must not dirty anything, and nothing is watched after EXEC.
  if (ctx.server.watches != nullptr) ctx.server.watches->UnwatchAll(c);
  ctx.reply.ArrayHeader(c.multi_queue.size());
  // Bounded by the queue, which no queued command can change (MULTI, EXEC,
  // DISCARD, WATCH and RESET are never queued). The client stays in MULTI
  // while they run, as in Redis (CLIENT INFO shows flags=x multi=N).
  std::vector<std::string_view> views;
  for (size_t i = 0; i < c.multi_queue.size(); ++i) {
    const Client::QueuedCommand& q = c.multi_queue[i];
    views.assign(q.args.begin(), q.args.end());
    CommandContext sub(ctx.server, c, ctx.reply, views);
    sub.parent = q.parent;
    Execute(sub, *q.spec);
  }
  c.multi_queue.clear();
  c.in_multi = false;
  c.multi_error = false;
  c.watch_dirty = false;
}

void CmdWatch(CommandContext& ctx) {
  if (ctx.client.in_multi) {
    ctx.reply.Error("ERR WATCH inside MULTI is not allowed");
    return;
  }
  WatchRegistry& registry = WatchRegistry::Of(ctx.server);
  for (size_t i = 1; i < ctx.args.size(); ++i) registry.Watch(ctx.client, ctx.db(), ctx.args[i]);
  ctx.reply.Status("OK");
}

void CmdUnwatch(CommandContext& ctx) {
  if (ctx.server.watches != nullptr) ctx.server.watches->UnwatchAll(ctx.client);
  ctx.client.watch_dirty = false;
  ctx.reply.Status("OK");
}

constexpr uint32_t kTxFlags = kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdAllowBusy;

constexpr CommandSpec kTransactionCommands[] = {
    {"DISCARD", 1, kTxFlags, {}, CmdDiscard, "transactions", "2.0.0",
     "Discards a transaction.", "O(N), when N is the number of queued commands",
     "@fast @transaction"},
    {"EXEC", 1, kCmdNoScript | kCmdLoading | kCmdStale | kCmdSkipSlowlog, {},
     CmdExec, "transactions", "1.2.0",
     "Executes all commands in a transaction.", "Depends on commands in the transaction",
     "@slow @transaction"},
    {"MULTI", 1, kTxFlags, {}, CmdMulti, "transactions", "1.2.0", "Starts a transaction.",
     "O(1)", "@fast @transaction"},
    {"UNWATCH", 1, kTxFlags, {}, CmdUnwatch, "transactions", "2.2.0",
     "Forgets about watched keys of a transaction.", "O(1)", "@fast @transaction"},
    {"WATCH", -2, kTxFlags, {1, -1, 1, kKeyRO}, CmdWatch, "transactions", "2.2.0",
     "Monitors changes to keys to determine the execution of a transaction.",
     "O(1) for every key.", "@fast @transaction"},
};

}  // namespace

std::span<const CommandSpec> TransactionCommands() { return kTransactionCommands; }

}  // namespace ss::cmd
