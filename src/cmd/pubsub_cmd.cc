// The Pub/Sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE,
// PUBLISH, the shard family SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH, and the
// PUBSUB container, over the registry in ServerState::pubsub.
//
// Confirmations are written as Redis 7.0's pubsub.c writes them: one
// 3-element array (RESP2) or push (RESP3) per channel, carrying the count of
// subscriptions the client still holds; they are the command's whole reply.
#include <string>
#include <vector>

#include "ss/cmd/command.h"
#include "ss/cmd/glob.h"

namespace ss::cmd {
namespace {

using Space = PubSub::Space;

// One subscribe/unsubscribe confirmation; channel nullptr: the "nothing to
// unsubscribe from" form with a null channel.
void Confirm(CommandContext& ctx, std::string_view kind, const std::string_view* channel,
             Space space) {
  ctx.reply.PushHeader(3);
  ctx.reply.Bulk(kind);
  if (channel != nullptr) {
    ctx.reply.Bulk(*channel);
  } else {
    ctx.reply.Null();
  }
  ctx.reply.Integer(static_cast<int64_t>(PubSub::Count(ctx.client, space)));
}

void SubscribeGeneric(CommandContext& ctx, Space space, std::string_view kind) {
  for (size_t j = 1; j < ctx.args.size(); ++j) {
    ctx.server.pubsub.Subscribe(ctx.client, ctx.args[j], space);
    Confirm(ctx, kind, &ctx.args[j], space);
  }
}

void UnsubscribeGeneric(CommandContext& ctx, Space space, std::string_view kind) {
  PubSub& pubsub = ctx.server.pubsub;
  if (ctx.args.size() > 1) {
    for (size_t j = 1; j < ctx.args.size(); ++j) {
      pubsub.Unsubscribe(ctx.client, ctx.args[j], space);
      Confirm(ctx, kind, &ctx.args[j], space);
    }
    return;
  }
  const std::vector<std::string> all = pubsub.ChannelsOf(ctx.client, space);
  if (all.empty()) Confirm(ctx, kind, nullptr, space);
  for (const std::string& channel : all) {
    pubsub.Unsubscribe(ctx.client, channel, space);
    const std::string_view view = channel;
    Confirm(ctx, kind, &view, space);
  }
}

void CmdSubscribe(CommandContext& ctx) { SubscribeGeneric(ctx, Space::kChannel, "subscribe"); }
void CmdUnsubscribe(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, Space::kChannel, "unsubscribe");
}
void CmdSSubscribe(CommandContext& ctx) { SubscribeGeneric(ctx, Space::kShard, "ssubscribe"); }
void CmdSUnsubscribe(CommandContext& ctx) {
  UnsubscribeGeneric(ctx, Space::kShard, "sunsubscribe");
}

void CmdPSubscribe(CommandContext& ctx) {
  for (size_t j = 1; j < ctx.args.size(); ++j) {
    ctx.server.pubsub.SubscribePattern(ctx.client, ctx.args[j]);
    Confirm(ctx, "psubscribe", &ctx.args[j], Space::kChannel);
  }
}

void CmdPUnsubscribe(CommandContext& ctx) {
  PubSub& pubsub = ctx.server.pubsub;
  if (ctx.args.size() > 1) {
    for (size_t j = 1; j < ctx.args.size(); ++j) {
      pubsub.UnsubscribePattern(ctx.client, ctx.args[j]);
      Confirm(ctx, "punsubscribe", &ctx.args[j], Space::kChannel);
    }
    return;
  }
  const std::vector<std::string> all = pubsub.PatternsOf(ctx.client);
  if (all.empty()) Confirm(ctx, "punsubscribe", nullptr, Space::kChannel);
  for (const std::string& pattern : all) {
    pubsub.UnsubscribePattern(ctx.client, pattern);
    const std::string_view view = pattern;
    Confirm(ctx, "punsubscribe", &view, Space::kChannel);
  }
}

void CmdPublish(CommandContext& ctx) {
  ctx.reply.Integer(
      static_cast<int64_t>(ctx.server.pubsub.Publish(ctx.args[1], ctx.args[2], Space::kChannel)));
}

void CmdSPublish(CommandContext& ctx) {
  ctx.reply.Integer(
      static_cast<int64_t>(ctx.server.pubsub.Publish(ctx.args[1], ctx.args[2], Space::kShard)));
}

// Redis's addReplySubcommandSyntaxError, for the PUBSUB subcommands whose
// arity rule (-2) admits argument counts they do not take.
void SubcommandSyntaxError(CommandContext& ctx) {
  ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                  std::string(ctx.args[1].substr(0, 128)) + "'. Try PUBSUB HELP.");
}

void ChannelList(CommandContext& ctx, Space space) {
  if (ctx.args.size() > 3) {
    SubcommandSyntaxError(ctx);
    return;
  }
  std::vector<std::string_view> hits;
  ctx.server.pubsub.ForEachChannel(space, [&](std::string_view channel) {
    if (ctx.args.size() == 2 || GlobMatch(ctx.args[2], channel)) hits.push_back(channel);
  });
  ctx.reply.ArrayHeader(hits.size());
  for (std::string_view channel : hits) ctx.reply.Bulk(channel);
}

void NumSub(CommandContext& ctx, Space space) {
  ctx.reply.ArrayHeader((ctx.args.size() - 2) * 2);
  for (size_t j = 2; j < ctx.args.size(); ++j) {
    ctx.reply.Bulk(ctx.args[j]);
    ctx.reply.Integer(static_cast<int64_t>(ctx.server.pubsub.NumSubscribers(ctx.args[j], space)));
  }
}

void CmdPubSubChannels(CommandContext& ctx) { ChannelList(ctx, Space::kChannel); }
void CmdPubSubShardChannels(CommandContext& ctx) { ChannelList(ctx, Space::kShard); }
void CmdPubSubNumSub(CommandContext& ctx) { NumSub(ctx, Space::kChannel); }
void CmdPubSubShardNumSub(CommandContext& ctx) { NumSub(ctx, Space::kShard); }
void CmdPubSubNumPat(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(ctx.server.pubsub.NumPatterns()));
}

void CmdPubSubHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: "
      "'*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
      "HELP",
      "    Prints this help.",
  };
  ctx.ReplyHelp(kLines);
}

constexpr uint32_t kSubscribeFlags = kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale;
constexpr uint32_t kIntrospectFlags = kCmdPubSub | kCmdLoading | kCmdStale;

// Arity, flags, key positions and documentation as Redis 7.0.15 reports them
// (COMMAND INFO / COMMAND DOCS).
constexpr CommandSpec kPubSubSubcommands[] = {
    {"CHANNELS", -2, kIntrospectFlags, {}, CmdPubSubChannels, "pubsub", "2.8.0",
     "List active channels",
     "O(N) where N is the number of active channels, and assuming constant time pattern "
     "matching (relatively short channels and patterns)",
     "@pubsub @slow"},
    {"HELP", 2, kCmdLoading | kCmdStale, {}, CmdPubSubHelp, "pubsub", "6.2.0",
     "Show helpful text about the different subcommands", "O(1)", "@slow"},
    {"NUMPAT", 2, kIntrospectFlags, {}, CmdPubSubNumPat, "pubsub", "2.8.0",
     "Get the count of unique patterns pattern subscriptions", "O(1)", "@pubsub @slow"},
    {"NUMSUB", -2, kIntrospectFlags, {}, CmdPubSubNumSub, "pubsub", "2.8.0",
     "Get the count of subscribers for channels",
     "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
     "@pubsub @slow"},
    {"SHARDCHANNELS", -2, kIntrospectFlags, {}, CmdPubSubShardChannels, "pubsub", "7.0.0",
     "List active shard channels",
     "O(N) where N is the number of active shard channels, and assuming constant time "
     "pattern matching (relatively short shard channels).",
     "@pubsub @slow"},
    {"SHARDNUMSUB", -2, kIntrospectFlags, {}, CmdPubSubShardNumSub, "pubsub", "7.0.0",
     "Get the count of subscribers for shard channels",
     "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
     "@pubsub @slow"},
};

constexpr CommandSpec kPubSubCommands[] = {
    {"SUBSCRIBE", -2, kSubscribeFlags, {}, CmdSubscribe, "pubsub", "2.0.0",
     "Listen for messages published to the given channels",
     "O(N) where N is the number of channels to subscribe to.", "@pubsub @slow"},
    {"UNSUBSCRIBE", -1, kSubscribeFlags, {}, CmdUnsubscribe, "pubsub", "2.0.0",
     "Stop listening for messages posted to the given channels",
     "O(N) where N is the number of clients already subscribed to a channel.",
     "@pubsub @slow"},
    {"PSUBSCRIBE", -2, kSubscribeFlags, {}, CmdPSubscribe, "pubsub", "2.0.0",
     "Listen for messages published to channels matching the given patterns",
     "O(N) where N is the number of patterns the client is already subscribed to.",
     "@pubsub @slow"},
    {"PUNSUBSCRIBE", -1, kSubscribeFlags, {}, CmdPUnsubscribe, "pubsub", "2.0.0",
     "Stop listening for messages posted to channels matching the given patterns",
     "O(N+M) where N is the number of patterns the client is already subscribed and M is the "
     "number of total patterns subscribed in the system (by any client).",
     "@pubsub @slow"},
    {"PUBLISH", 3, kCmdPubSub | kCmdLoading | kCmdStale | kCmdFast, {}, CmdPublish, "pubsub",
     "2.0.0", "Post a message to a channel",
     "O(N+M) where N is the number of clients subscribed to the receiving channel and M is "
     "the total number of subscribed patterns (by any client).",
     "@pubsub @fast"},
    {"SSUBSCRIBE", -2, kSubscribeFlags, {1, -1, 1, kKeyNotKey}, CmdSSubscribe, "pubsub", "7.0.0",
     "Listen for messages published to the given shard channels",
     "O(N) where N is the number of shard channels to subscribe to.", "@pubsub @slow"},
    {"SUNSUBSCRIBE", -1, kSubscribeFlags, {1, -1, 1, kKeyNotKey},
     CmdSUnsubscribe, "pubsub", "7.0.0",
     "Stop listening for messages posted to the given shard channels",
     "O(N) where N is the number of clients already subscribed to a shard channel.",
     "@pubsub @slow"},
    {"SPUBLISH", 3, kCmdPubSub | kCmdLoading | kCmdStale | kCmdFast, {1, 1, 1, kKeyNotKey},
     CmdSPublish,
     "pubsub", "7.0.0", "Post a message to a shard channel",
     "O(N) where N is the number of clients subscribed to the receiving shard channel.",
     "@pubsub @fast"},
    {"PUBSUB", -2, 0, {}, nullptr, "pubsub", "2.8.0", "A container for Pub/Sub commands",
     "Depends on subcommand.", "@slow", kPubSubSubcommands},
};

}  // namespace

std::span<const CommandSpec> PubSubCommands() { return kPubSubCommands; }

}  // namespace ss::cmd
