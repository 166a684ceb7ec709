// AUTH and HELLO (Redis 7.0's acl.c authCommand / networking.c helloCommand)
// for the one user sessiond has, "default", whose password is
// config.requirepass (empty: no password, every client authenticated).
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <string>

#include "ss/cmd/args.h"
#include "ss/cmd/cluster.h"
#include "ss/cmd/command.h"
#include "ss/cmd/errors.h"

namespace ss::cmd {
namespace {

constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";

// Whether user/password authenticate as the default user. The password is
// compared in constant time over SHA-256 digests, so neither its bytes nor
// its length leak through timing.
bool Authenticates(const ServerState& server, std::string_view user, std::string_view password) {
  if (user != "default") return false;  // Redis user names are case-sensitive
  const std::string& want = server.config.requirepass;
  if (want.empty()) return true;  // nopass: any password is accepted
  unsigned char a[SHA256_DIGEST_LENGTH];
  unsigned char b[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(password.data()), password.size(), a);
  SHA256(reinterpret_cast<const unsigned char*>(want.data()), want.size(), b);
  return CRYPTO_memcmp(a, b, sizeof a) == 0;
}

void CmdAuth(CommandContext& ctx) {
  if (ctx.args.size() > 3) {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  std::string_view user = "default";
  std::string_view password;
  if (ctx.args.size() == 2) {
    if (ctx.server.config.requirepass.empty()) {
      ctx.reply.Error(
          "ERR AUTH <password> called without any password configured for the default user. "
          "Are you sure your configuration is correct?");
      return;
    }
    password = ctx.args[1];
  } else {
    user = ctx.args[1];
    password = ctx.args[2];
  }
  if (!Authenticates(ctx.server, user, password)) {
    ctx.reply.Error(kWrongPass);
    return;
  }
  ctx.client.authenticated = true;
  ctx.reply.Status("OK");
}

void CmdHello(CommandContext& ctx) {
  int64_t version = 0;
  size_t next = 1;
  if (ctx.args.size() >= 2) {
    if (!ParseInt64(ctx.args[1], &version)) {
      ctx.reply.Error("ERR Protocol version is not an integer or out of range");
      return;
    }
    next = 2;
    if (version < 2 || version > 3) {
      ctx.reply.Error("NOPROTO unsupported protocol version");
      return;
    }
  }
  std::string_view user, password, name;
  bool has_auth = false, has_name = false;
  // Bounded by the argument count; each pass consumes one option.
  for (size_t j = next; j < ctx.args.size(); ++j) {
    size_t more = ctx.args.size() - 1 - j;
    std::string_view opt = ctx.args[j];
    if (EqualsIgnoreCase(opt, "AUTH") && more >= 2) {
      user = ctx.args[j + 1];
      password = ctx.args[j + 2];
      has_auth = true;
      j += 2;
    } else if (EqualsIgnoreCase(opt, "SETNAME") && more >= 1) {
      name = ctx.args[j + 1];
      has_name = true;
      ++j;
    } else {
      ctx.reply.Error("ERR Syntax error in HELLO option '" + std::string(opt) + "'");
      return;
    }
  }
  if (has_auth) {
    if (!Authenticates(ctx.server, user, password)) {
      ctx.reply.Error(kWrongPass);
      return;
    }
    ctx.client.authenticated = true;
  }
  if (!ctx.server.config.requirepass.empty() && !ctx.client.authenticated) {
    ctx.reply.Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
        "HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
        "the RESP protocol version at the same time");
    return;
  }
  if (has_name) {
    for (char c : name) {
      if (c < '!' || c > '~') {
        ctx.reply.Error("ERR Client names cannot contain spaces, newlines or special characters.");
        return;
      }
    }
    ctx.client.name = std::string(name);
  }
  if (version != 0) {
    ctx.client.protocol = static_cast<int>(version);
    ctx.reply.set_protocol(ctx.client.protocol);  // this reply is already in it
  }
  ctx.reply.MapHeader(7);
  ctx.reply.Bulk("server");
  ctx.reply.Bulk("redis");
  ctx.reply.Bulk("version");
  ctx.reply.Bulk(kRedisCompatVersion);
  ctx.reply.Bulk("proto");
  ctx.reply.Integer(ctx.client.protocol);
  ctx.reply.Bulk("id");
  ctx.reply.Integer(static_cast<int64_t>(ctx.client.id));
  ctx.reply.Bulk("mode");
  ctx.reply.Bulk(RedisMode(ctx.server));
  ctx.reply.Bulk("role");
  ctx.reply.Bulk("master");
  ctx.reply.Bulk("modules");
  ctx.reply.ArrayHeader(0);
}

constexpr uint32_t kAuthFlags = kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth |
                                kCmdSentinel | kCmdAllowBusy;

constexpr CommandSpec kAuthCommands[] = {
    {"AUTH", -2, kAuthFlags, {}, CmdAuth, "connection", "1.0.0",
     "Authenticates the connection.", "O(N) where N is the number of passwords defined for the user",
     "@fast @connection"},
    {"HELLO", -1, kAuthFlags, {}, CmdHello, "connection", "6.0.0", "Handshakes with the Redis server.",
     "O(1)", "@fast @connection"},
};

}  // namespace

std::span<const CommandSpec> AuthCommands() { return kAuthCommands; }

}  // namespace ss::cmd
