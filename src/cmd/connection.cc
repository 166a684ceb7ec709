// Connection commands: PING, ECHO, QUIT, SELECT, RESET, CLIENT.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string>

#include "ss/cmd/args.h"
#include "ss/cmd/command.h"
#include "ss/cmd/errors.h"
#include "ss/cmd/introspection.h"
#include "ss/cmd/watch.h"

namespace ss::cmd {
namespace {

void CmdPing(CommandContext& ctx) {
  if (ctx.args.size() > 2) {
    ctx.reply.Error("ERR wrong number of arguments for 'ping' command");
    return;
  }
  if (ctx.client.protocol == 2 && ctx.client.InSubscribeMode()) {
    // Redis 7.0: a RESP2 client in subscribe mode gets PING as a message-
    // like array, ["pong", argument or ""].
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk("pong");
    ctx.reply.Bulk(ctx.args.size() == 1 ? std::string_view() : ctx.args[1]);
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

// Redis 7.0's clearClientConnectionState: back to a fresh connection's
// state, except the library info and NO-EVICT (kept by Redis 7.0 too).
void CmdReset(CommandContext& ctx) {
  Client& c = ctx.client;
  // Every layer's per-client state (WATCH, pub/sub, MONITOR) goes as on
  // close; pub/sub unsubscribes without sending messages, as Redis does.
  ctx.server.ClientClosed(c);
  DiscardTransaction(ctx.server, c);
  c.db = 0;
  c.protocol = 2;
  ctx.reply.set_protocol(2);
  c.authenticated = ctx.server.config.requirepass.empty();
  c.name.clear();
  c.reply_mode = Client::ReplyMode::kOn;
  c.no_touch = false;  // Redis 7.2 clears it
  ctx.reply.Status("RESET");
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

// Redis's getClientType names: sessiond's clients are all "normal" or, while
// subscribed, "pubsub"; master/replica name types no client can have.
enum class ClientType { kNormal, kPubSub, kNone, kUnknown };
ClientType ClientTypeByName(std::string_view t) {
  if (EqualsIgnoreCase(t, "normal")) return ClientType::kNormal;
  if (EqualsIgnoreCase(t, "pubsub")) return ClientType::kPubSub;
  if (EqualsIgnoreCase(t, "master") || EqualsIgnoreCase(t, "replica") ||
      EqualsIgnoreCase(t, "slave")) {
    return ClientType::kNone;
  }
  return ClientType::kUnknown;
}
ClientType TypeOf(const Client& c) {
  return c.InSubscribeMode() ? ClientType::kPubSub : ClientType::kNormal;
}

void CmdClientList(CommandContext& ctx) {
  // CLIENT LIST [TYPE normal|master|replica|pubsub] | [ID id [id ...]]: the
  // two filters are alternatives, as in Redis 7.0.
  std::vector<uint64_t> ids;
  bool has_type = false;
  ClientType type = ClientType::kNormal;
  if (ctx.args.size() == 4 && EqualsIgnoreCase(ctx.args[2], "type")) {
    type = ClientTypeByName(ctx.args[3]);
    if (type == ClientType::kUnknown) {
      ctx.reply.Error("ERR Unknown client type '" + std::string(ctx.args[3]) + "'");
      return;
    }
    has_type = true;
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
  for (const auto& [id, client] : ctx.server.clients) {
    if (!ids.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) continue;
    if (has_type && TypeOf(*client) != type) continue;
    out += ClientInfoLine(ctx.server, *client);
    out += '\n';
  }
  ctx.reply.Verbatim("txt", out);
}

void CmdClientInfo(CommandContext& ctx) {
  ctx.reply.Verbatim("txt", ClientInfoLine(ctx.server, ctx.client) + "\n");
}

void CmdClientKill(CommandContext& ctx) {
  // CLIENT KILL addr:port (old form: may kill the caller, replies +OK) or
  // CLIENT KILL <filter> <value> ... (replies the number killed).
  std::string_view addr, laddr;
  bool has_addr = false, has_laddr = false, has_type = false;
  ClientType type = ClientType::kNormal;
  uint64_t id = 0;
  bool skipme = true;
  const bool old_form = ctx.args.size() == 3;
  if (old_form) {
    addr = ctx.args[2];
    has_addr = true;
    skipme = false;
  } else {
    // Bounded by the argument count; each pass consumes an option pair.
    for (size_t i = 2; i < ctx.args.size(); i += 2) {
      bool more = i + 1 < ctx.args.size();
      std::string_view opt = ctx.args[i];
      if (EqualsIgnoreCase(opt, "id") && more) {
        int64_t v = 0;
        if (!ParseInt64(ctx.args[i + 1], &v) || v < 1) {
          ctx.reply.Error("ERR client-id should be greater than 0");
          return;
        }
        id = static_cast<uint64_t>(v);
      } else if (EqualsIgnoreCase(opt, "type") && more) {
        type = ClientTypeByName(ctx.args[i + 1]);
        if (type == ClientType::kUnknown) {
          ctx.reply.Error("ERR Unknown client type '" + std::string(ctx.args[i + 1]) + "'");
          return;
        }
        has_type = true;
      } else if (EqualsIgnoreCase(opt, "addr") && more) {
        addr = ctx.args[i + 1];
        has_addr = true;
      } else if (EqualsIgnoreCase(opt, "laddr") && more) {
        laddr = ctx.args[i + 1];
        has_laddr = true;
      } else if (EqualsIgnoreCase(opt, "user") && more) {
        if (ctx.args[i + 1] != "default") {
          ctx.reply.Error("ERR No such user '" + std::string(ctx.args[i + 1]) + "'");
          return;
        }
      } else if (EqualsIgnoreCase(opt, "skipme") && more) {
        if (EqualsIgnoreCase(ctx.args[i + 1], "yes")) {
          skipme = true;
        } else if (EqualsIgnoreCase(ctx.args[i + 1], "no")) {
          skipme = false;
        } else {
          ctx.reply.Error(kErrSyntax);
          return;
        }
      } else {
        ctx.reply.Error(kErrSyntax);
        return;
      }
    }
  }
  // Collect first: killing another client never changes the registry now
  // (connections leave it as they close, later), but stay safe regardless.
  std::vector<Client*> victims;
  for (const auto& [cid, client] : ctx.server.clients) {
    if (has_addr && client->PeerAddress() != addr) continue;
    if (has_laddr && client->LocalAddress() != laddr) continue;
    if (has_type && TypeOf(*client) != type) continue;
    if (id != 0 && cid != id) continue;
    if (client == &ctx.client && skipme) continue;
    victims.push_back(client);
  }
  for (Client* v : victims) {
    if (v == &ctx.client) {
      ctx.client.close_after_reply = true;
    } else if (v->channel != nullptr) {
      v->channel->Kill();
    }
  }
  if (old_form) {
    if (victims.empty()) {
      ctx.reply.Error("ERR No such client");
    } else {
      ctx.reply.Status("OK");
    }
  } else {
    ctx.reply.Integer(static_cast<int64_t>(victims.size()));
  }
}

void CmdClientReply(CommandContext& ctx) {
  std::string_view mode = ctx.args[2];
  Client& c = ctx.client;
  if (EqualsIgnoreCase(mode, "on")) {
    c.reply_mode = Client::ReplyMode::kOn;
    ctx.reply.Status("OK");
  } else if (EqualsIgnoreCase(mode, "off")) {
    c.reply_mode = Client::ReplyMode::kOff;  // Dispatch drops this and later replies
  } else if (EqualsIgnoreCase(mode, "skip")) {
    if (c.reply_mode != Client::ReplyMode::kOff) c.reply_mode = Client::ReplyMode::kSkipNext;
  } else {
    ctx.reply.Error(kErrSyntax);
  }
}

void CmdClientPause(CommandContext& ctx) {
  if (ctx.args.size() > 4) {
    ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                    std::string(ctx.args[1].substr(0, 128)) + "'. Try CLIENT HELP.");
    return;
  }
  PauseMode mode = PauseMode::kAll;
  if (ctx.args.size() == 4) {
    if (EqualsIgnoreCase(ctx.args[3], "write")) {
      mode = PauseMode::kWrite;
    } else if (!EqualsIgnoreCase(ctx.args[3], "all")) {
      ctx.reply.Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
      return;
    }
  }
  int64_t timeout = 0;
  if (!ParseInt64(ctx.args[2], &timeout)) {
    ctx.reply.Error("ERR timeout is not an integer or out of range");
    return;
  }
  if (timeout < 0) {
    ctx.reply.Error("ERR timeout is negative");
    return;
  }
  int64_t now = ctx.NowMs();
  if (timeout > INT64_MAX - now) {
    ctx.reply.Error("ERR timeout is out of range");
    return;
  }
  // As Redis 7.0: a new CLIENT PAUSE replaces the previous one.
  ctx.server.pause_mode = mode;
  ctx.server.pause_end_ms = now + timeout;
  if (ctx.server.pause_changed) ctx.server.pause_changed();
  ctx.reply.Status("OK");
}

void CmdClientUnpause(CommandContext& ctx) {
  ctx.server.pause_mode = PauseMode::kNone;
  ctx.server.pause_end_ms = 0;
  if (ctx.server.pause_changed) ctx.server.pause_changed();
  ctx.reply.Status("OK");
}

// CLIENT NO-EVICT / NO-TOUCH on|off: the flag is kept and reported.
void SetOnOff(CommandContext& ctx, bool* flag) {
  if (EqualsIgnoreCase(ctx.args[2], "on")) {
    *flag = true;
  } else if (EqualsIgnoreCase(ctx.args[2], "off")) {
    *flag = false;
  } else {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  ctx.reply.Status("OK");
}
void CmdClientNoEvict(CommandContext& ctx) { SetOnOff(ctx, &ctx.client.no_evict); }
void CmdClientNoTouch(CommandContext& ctx) { SetOnOff(ctx, &ctx.client.no_touch); }

void CmdClientHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GETNAME",
      "    Return the name of the current connection.",
      "ID",
      "    Return the ID of the current connection.",
      "INFO",
      "    Return information about the current client connection.",
      "KILL <ip:port>",
      "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are:",
      "    * ADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made from the specified address",
      "    * LADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made to specified local address",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Kill connections by type.",
      "    * USER <username>",
      "      Kill connections authenticated by <username>.",
      "    * SKIPME (YES|NO)",
      "      Skip killing current connection (default: yes).",
      "LIST [options ...]",
      "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Return clients of specified type.",
      "UNPAUSE",
      "    Stop the current client pause, resuming traffic.",
      "PAUSE <timeout> [WRITE|ALL]",
      "    Suspend all, or just write, clients for <timeout> milliseconds.",
      "REPLY (ON|OFF|SKIP)",
      "    Control the replies sent to the current connection.",
      "SETNAME <name>",
      "    Assign the name <name> to the current connection.",
      "SETINFO <option> <value>",
      "    Set client meta attr. Options are:",
      "    * LIB-NAME: the client lib name.",
      "    * LIB-VER: the client lib version.",
      "NO-EVICT (ON|OFF)",
      "    Protect current client connection from eviction.",
      "NO-TOUCH (ON|OFF)",
      "    Will not touch LRU/LFU stats when this mode is on.",
      "HELP",
      "    Prints this help.",
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
    {"KILL", -3, kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientKill,
     "connection", "2.4.0", "Terminates open connections.",
     "O(N) where N is the number of client connections", "@admin @slow @dangerous @connection"},
    {"LIST", -2, kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientList,
     "connection", "2.4.0", "Lists open connections.",
     "O(N) where N is the number of client connections", "@admin @slow @dangerous @connection"},
    {"NO-EVICT", 3, kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientNoEvict,
     "connection", "7.0.0", "Sets the client eviction mode of the connection.", "O(1)",
     "@admin @slow @dangerous @connection"},
    {"NO-TOUCH", 3, kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientNoTouch, "connection",
     "7.2.0", "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.",
     "O(1)", "@slow @connection"},
    {"PAUSE", -3, kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientPause,
     "connection", "3.0.0", "Suspends commands processing.", "O(1)",
     "@admin @slow @dangerous @connection"},
    {"REPLY", 3, kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientReply, "connection",
     "3.2.0", "Instructs the server whether to reply to commands.", "O(1)",
     "@slow @connection"},
    {"SETINFO", 4, kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientSetInfo, "connection",
     "7.2.0", "Sets information specific to the client or connection.", "O(1)",
     "@slow @connection"},
    {"SETNAME", 3, kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientSetName, "connection",
     "2.6.9", "Sets the connection name.", "O(1)", "@slow @connection"},
    {"UNPAUSE", 2, kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale, {}, CmdClientUnpause,
     "connection", "6.2.0", "Resumes processing commands from paused clients.",
     "O(N) Where N is the number of paused clients", "@admin @slow @dangerous @connection"},
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
    {"RESET", 1,
     kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth | kCmdAllowBusy, {},
     CmdReset, "connection", "6.2.0", "Resets the connection.", "O(1)", "@fast @connection"},
    {"SELECT", 2, kCmdLoading | kCmdStale | kCmdFast, {}, CmdSelect, "connection", "1.0.0",
     "Changes the selected database.", "O(1)", "@fast @connection"},
};

}  // namespace

std::span<const CommandSpec> ConnectionCommands() { return kConnectionCommands; }

}  // namespace ss::cmd
