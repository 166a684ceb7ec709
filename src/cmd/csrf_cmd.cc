// SESSION.CSRF.* and SESSION.TOKEN.*: tokens bound to a live session of a
// sandbox (docs/sessions.md). The token formats are chuk-sessions' (csrf.h)
// or an AEAD seal (seal.h); the secret is --csrf-secret. A session that is
// gone, or belongs to another sandbox, makes every token of it invalid.
// Loop thread only.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

#include "ss/cmd/args.h"
#include "ss/cmd/command.h"
#include "ss/cmd/errors.h"
#include "ss/cmd/session_args.h"
#include "ss/session/csrf.h"
#include "ss/session/pyjson.h"
#include "ss/session/seal.h"

namespace ss::cmd {
namespace {

constexpr int64_t kDefaultMaxAge = 3600;

int64_t NowSeconds(CommandContext& ctx) { return ctx.NowMs() / 1000; }

// Parses an optional trailing "<name> <value>" at args[from..], nothing
// after it. *value stays empty when it is absent. False after an error reply.
bool OptionalPair(CommandContext& ctx, size_t from, std::string_view name,
                  std::string_view* value) {
  *value = {};
  if (ctx.args.size() == from) return true;
  if (!EqualsIgnoreCase(ctx.args[from], name)) {
    ReplyUnknownOption(ctx, ctx.args[from]);
    return false;
  }
  if (ctx.args.size() == from + 1) {
    ReplyMissingValue(ctx, ctx.args[from]);
    return false;
  }
  if (ctx.args.size() > from + 2) {
    ctx.reply.Error(kErrSyntax);
    return false;
  }
  *value = ctx.args[from + 1];
  return true;
}

// Parses an optional "DATA <json>" at args[from..]: the JSON re-serialised
// compact with sorted keys (empty for none, or when chuk would write none).
bool ParseData(CommandContext& ctx, size_t from, std::string* data) {
  data->clear();
  std::string_view json;
  if (!OptionalPair(ctx, from, "DATA", &json)) return false;
  if (ctx.args.size() == from) return true;
  bool empty = false;
  Status st = session::CompactSorted(json, data, &empty);
  if (!st) {
    ctx.reply.Error("ERR " + st.error().message);
    return false;
  }
  // chuk-sessions writes no data part when `user_data` is falsy in Python:
  // {}, [], "", 0, 0.0, false, null.
  static constexpr std::string_view kFalsy[] = {"{}", "[]", "\"\"", "0", "0.0", "-0.0",
                                                "false", "null"};
  if (empty || std::find(std::begin(kFalsy), std::end(kFalsy), *data) != std::end(kFalsy)) {
    data->clear();
  }
  return true;
}

// Parses an optional "MAXAGE <seconds>" at args[from..].
bool ParseMaxAge(CommandContext& ctx, size_t from, int64_t* max_age) {
  *max_age = kDefaultMaxAge;
  std::string_view text;
  if (!OptionalPair(ctx, from, "MAXAGE", &text)) return false;
  return ctx.args.size() == from || ParsePositive(ctx, text, "MAXAGE", max_age);
}

bool Live(CommandContext& ctx) {
  session::Session s;
  return Sessions(ctx).Lookup(ctx.db(), ctx.args[1], ctx.args[2], &s);
}

// SESSION.CSRF.ISSUE <sandbox> <id> [DATA <json>]
void CmdIssue(CommandContext& ctx) {
  if (!CheckTarget(ctx)) return;
  std::string data;
  if (!ParseData(ctx, 3, &data)) return;
  if (!Live(ctx)) {
    ctx.reply.Null();
    return;
  }
  ++Sessions(ctx).Counters(ctx.db(), ctx.args[1]).csrf_issued;
  ctx.reply.Bulk(session::IssueCsrfToken(ctx.server.csrf_secret, ctx.args[2], NowSeconds(ctx), data));
}

// SESSION.CSRF.VERIFY <sandbox> <id> <token> [MAXAGE <s>]
void CmdVerify(CommandContext& ctx) {
  if (!CheckTarget(ctx)) return;
  int64_t max_age = 0;
  if (!ParseMaxAge(ctx, 4, &max_age)) return;
  const bool ok = Live(ctx) && session::VerifyCsrfToken(ctx.server.csrf_secret, ctx.args[2],
                                                        ctx.args[3], NowSeconds(ctx), max_age);
  if (session::SandboxStats* st = Sessions(ctx).FindCounters(ctx.db(), ctx.args[1]); !ok && st) {
    ++st->csrf_rejected;
  }
  ctx.reply.Integer(ok ? 1 : 0);
}

// SESSION.CSRF.PAIR <sandbox> <id> -> [cookie-token, form-token]
void CmdPair(CommandContext& ctx) {
  if (!CheckTarget(ctx)) return;
  if (!Live(ctx)) {
    ctx.reply.NullArray();
    return;
  }
  ++Sessions(ctx).Counters(ctx.db(), ctx.args[1]).csrf_issued;
  session::CsrfPair pair = session::IssueCsrfPair(ctx.server.csrf_secret, ctx.args[2], NowSeconds(ctx));
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(pair.cookie);
  ctx.reply.Bulk(pair.form);
}

// SESSION.CSRF.CHECKPAIR <sandbox> <id> <cookie-token> <form-token> [MAXAGE <s>]
void CmdCheckPair(CommandContext& ctx) {
  if (!CheckTarget(ctx)) return;
  int64_t max_age = 0;
  if (!ParseMaxAge(ctx, 5, &max_age)) return;
  const bool ok = Live(ctx) && session::CheckCsrfPair(ctx.server.csrf_secret, ctx.args[2],
                                                      ctx.args[3], ctx.args[4], NowSeconds(ctx),
                                                      max_age);
  if (session::SandboxStats* st = Sessions(ctx).FindCounters(ctx.db(), ctx.args[1]); !ok && st) {
    ++st->csrf_rejected;
  }
  ctx.reply.Integer(ok ? 1 : 0);
}

// SESSION.TOKEN.SEAL <sandbox> <id> [DATA <json>]
void CmdSeal(CommandContext& ctx) {
  if (!CheckTarget(ctx)) return;
  std::string data;
  if (!ParseData(ctx, 3, &data)) return;
  if (!Live(ctx)) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Bulk(session::SealToken(ctx.server.seal_key, ctx.args[2], NowSeconds(ctx),
                                    data.empty() ? std::string_view("{}") : data));
}

// SESSION.TOKEN.OPEN <sandbox> <id> <token> [MAXAGE <s>] -> the sealed data
void CmdOpen(CommandContext& ctx) {
  if (!CheckTarget(ctx)) return;
  int64_t max_age = 0;
  if (!ParseMaxAge(ctx, 4, &max_age)) return;
  std::optional<session::OpenedToken> t;
  if (Live(ctx)) {
    t = session::OpenToken(ctx.server.seal_key, ctx.args[2], ctx.args[3], NowSeconds(ctx), max_age);
  }
  if (!t) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Bulk(t->data);
}

constexpr CommandSpec kCsrfCommands[] = {
    {"SESSION.CSRF.ISSUE", -3, kCmdWrite | kCmdFast, {0, 0, 0}, CmdIssue, "session", "0.1.0",
     "Issue an HMAC CSRF token bound to a live session (chuk-sessions' format)", "O(1)",
     "@write @session @fast"},
    {"SESSION.CSRF.VERIFY", -4, kCmdWrite | kCmdFast, {0, 0, 0}, CmdVerify, "session", "0.1.0",
     "Check an HMAC CSRF token against a live session and a maximum age", "O(1)",
     "@write @session @fast"},
    {"SESSION.CSRF.PAIR", 3, kCmdWrite | kCmdFast, {0, 0, 0}, CmdPair, "session", "0.1.0",
     "Issue a double-submit cookie token and form token for a live session", "O(1)",
     "@write @session @fast"},
    {"SESSION.CSRF.CHECKPAIR", -5, kCmdWrite | kCmdFast, {0, 0, 0}, CmdCheckPair, "session",
     "0.1.0", "Check a double-submit cookie/form token pair against a live session", "O(1)",
     "@write @session @fast"},
    {"SESSION.TOKEN.SEAL", -3, kCmdReadOnly | kCmdFast, {0, 0, 0}, CmdSeal, "session", "0.1.0",
     "Encrypt data into a stateless token bound to a live session (AEAD)", "O(N) in the data",
     "@read @session @fast"},
    {"SESSION.TOKEN.OPEN", -4, kCmdReadOnly | kCmdFast, {0, 0, 0}, CmdOpen, "session", "0.1.0",
     "Decrypt and authenticate a sealed token of a live session", "O(N) in the token",
     "@read @session @fast"},
};

}  // namespace

std::span<const CommandSpec> CsrfCommands() { return kCsrfCommands; }

}  // namespace ss::cmd
