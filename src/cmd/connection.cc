// Connection commands: PING, ECHO, QUIT, SELECT, CLIENT.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string>

#include "ss/cmd/args.h"
#include "ss/cmd/command.h"
#include "ss/cmd/errors.h"
#include "ss/cmd/introspection.h"

namespace ss::cmd {
namespace {

void CmdPing(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    ctx.reply.Error("ERR wrong number of arguments for 'ping' command");
    return;
  }
  if (ctx.args.size() == 1) {
    ctx.reply.Status("PONG");
  } else {
    ctx.reply.Bulk(ctx.args[1]);
  }
}

void CmdEcho(CommandContext& ctx) { ctx.reply.Bulk(ctx.args[1]); }

void CmdQuit(CommandContext& ctx) {
  ctx.reply.Status("OK");
  ctx.client.close_after_reply = true;
}

void CmdSelect(CommandContext& ctx) {
  int64_t id = 0;
  // Redis reads the index with getIntFromObjectOrReply: a non-number gets
  // the integer error, a number outside int its own range text, and an int
  // outside 0..N-1 the DB index error.
  if (!ParseInt64(ctx.args[1], &id)) {
    ctx.reply.Error(kErrNotInteger);
    return;
  }
  if (id < INT32_MIN || id > INT32_MAX) {
    ctx.reply.Error("ERR value is out of range, value must between -2147483648 and 2147483647");
    return;
  }
  if (ctx.server.config.cluster_compat && id != 0) {
    ctx.reply.Error("ERR SELECT is not allowed in cluster mode");
    return;
  }
  if (id < 0 || id >= ctx.keyspace().databases()) {
    ctx.reply.Error(kErrDbIndex);
    return;
  }
  ctx.client.db = static_cast<int>(id);
  ctx.reply.Status("OK");
}

// Redis allows client names and library info of printable ASCII without
// spaces: '!' .. '~'.
bool ValidClientText(std::string_view s) {
  for (char c : s) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

void CmdClientId(CommandContext& ctx) { ctx.reply.Integer(static_cast<int64_t>(ctx.client.id)); }

void CmdClientSetName(CommandContext& ctx) {
  if (!ValidClientText(ctx.args[2])) {
    ctx.reply.Error("ERR Client names cannot contain spaces, newlines or special characters.");
    return;
  }
  ctx.client.name = std::string(ctx.args[2]);
  ctx.reply.Status("OK");
}

void CmdClientGetName(CommandContext& ctx) {
  if (ctx.client.name.empty()) {
    ctx.reply.Null();
  } else {
    ctx.reply.Bulk(ctx.client.name);
  }
}

void CmdClientSetInfo(CommandContext& ctx) {
  // Redis 7.2's CLIENT SETINFO (redis-py 5+, ioredis and node-redis send it).
  std::string_view attr = ctx.args[2];
  std::string_view value = ctx.args[3];
  std::string* field = nullptr;
  std::string_view label;
  if (EqualsIgnoreCase(attr, "lib-name")) {
    field = &ctx.client.lib_name;
    label = "lib-name";
  } else if (EqualsIgnoreCase(attr, "lib-ver")) {
    field = &ctx.client.lib_ver;
    label = "lib-ver";
  } else {
    ctx.reply.Error("ERR Unrecognized option '" + std::string(attr) + "'");
    return;
  }
  if (!ValidClientText(value)) {
    ctx.reply.Error("ERR " + std::string(label) +
                    " cannot contain spaces, newlines or special characters.");
    return;
  }
  *field = std::string(value);
  ctx.reply.Status("OK");
}

void CmdClientList(CommandContext& ctx) {
  // CLIENT LIST [TYPE normal|master|replica|pubsub] | [ID id [id ...]]: the
  // two filters are alternatives, as in Redis 7.0.
  std::vector<uint64_t> ids;
  bool only_none = false;  // TYPE master/replica/pubsub: sessiond has none of those
  if (ctx.args.size() == 4 && EqualsIgnoreCase(ctx.args[2], "type")) {
    std::string_view t = ctx.args[3];
    if (EqualsIgnoreCase(t, "master") || EqualsIgnoreCase(t, "replica") ||
        EqualsIgnoreCase(t, "slave") || EqualsIgnoreCase(t, "pubsub")) {
      only_none = true;
    } else if (!EqualsIgnoreCase(t, "normal")) {
      ctx.reply.Error("ERR Unknown client type '" + std::string(t) + "'");
      return;
    }
  } else if (ctx.args.size() >= 4 && EqualsIgnoreCase(ctx.args[2], "id")) {
    for (size_t i = 3; i < ctx.args.size(); ++i) {
      int64_t id = 0;
      if (!ParseInt64(ctx.args[i], &id) || id < 1) {
        ctx.reply.Error("ERR Invalid client ID");
        return;
      }
      ids.push_back(static_cast<uint64_t>(id));
    }
  } else if (ctx.args.size() != 2) {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  std::string out;
  if (!only_none) {
    for (const auto& [id, client] : ctx.server.clients) {
      if (!ids.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) continue;
      out += ClientInfoLine(ctx.server, *client);
      out += '\n';
    }
  }
  ctx.reply.Verbatim("txt", out);
}

void CmdClientInfo(CommandContext& ctx) {
  ctx.reply.Verbatim("txt", ClientInfoLine(ctx.server, ctx.client) + "\n");
}

void CmdClientHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GETNAME",
      "    Return the name of the current connection.",
      "ID",
      "    Return the ID of the current connection.",
      "INFO",
      "    Return information about the current client connection.",
      "LIST [options ...]",
      "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Return clients of specified type.",
      "SETNAME <name>",
      "    Assign the name <name> to the current connection.",
      "SETINFO <option> <value>",
      "    Set client meta attr. Options are:",
      "    * LIB-NAME: the client lib name.",
      "    * LIB-VER: the client lib version.",
      "HELP",
      "    Print this help.",
  };
  ctx.ReplyHelp(kLines);
}

constexpr CommandSpec kClientSubcommands[] = {
    {"GETNAME", 2, kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientGetName, "connection",
     "2.6.9", "Returns the name of the connection.", "O(1)", "@slow @connection"},
    {"HELP", 2, kCmdLoading | kCmdStale, {}, CmdClientHelp, "connection", "5.0.0",
     "Returns helpful text about the different subcommands.", "O(1)", "@slow @connection"},
    {"ID", 2, kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientId, "connection", "5.0.0",
     "Returns the unique client ID of the connection.", "O(1)", "@slow @connection"},
    {"INFO", 2, kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientInfo, "connection", "6.2.0",
     "Returns information about the connection.", "O(1)", "@slow @connection"},
    {"LIST", -2, kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientList,
     "connection", "2.4.0", "Lists open connections.",
     "O(N) where N is the number of client connections", "@admin @slow @dangerous @connection"},
    {"SETINFO", 4, kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientSetInfo, "connection",
     "7.2.0", "Sets information specific to the client or connection.", "O(1)",
     "@slow @connection"},
    {"SETNAME", 3, kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientSetName, "connection",
     "2.6.9", "Sets the connection name.", "O(1)", "@slow @connection"},
};

constexpr CommandSpec kConnectionCommands[] = {
    {"CLIENT", -2, kCmdSentinel, {}, nullptr, "connection", "2.4.0",
     "A container for client connection commands.", "Depends on subcommand.", "@slow",
     kClientSubcommands},
    {"ECHO", 2, kCmdLoading | kCmdStale | kCmdFast, {}, CmdEcho, "connection", "1.0.0",
     "Returns the given string.", "O(1)", "@fast @connection"},
    {"PING", -1, kCmdFast | kCmdSentinel, {}, CmdPing, "connection", "1.0.0",
     "Returns the server's liveliness response.", "O(1)", "@fast @connection"},
    {"QUIT", -1, kCmdAllowBusy | kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth,
     {}, CmdQuit, "connection", "1.0.0", "Closes the connection.", "O(1)",
     "@fast @connection"},
    {"SELECT", 2, kCmdLoading | kCmdStale | kCmdFast, {}, CmdSelect, "connection", "1.0.0",
     "Changes the selected database.", "O(1)", "@fast @connection"},
};

}  // namespace

std::span<const CommandSpec> ConnectionCommands() { return kConnectionCommands; }

}  // namespace ss::cmd
