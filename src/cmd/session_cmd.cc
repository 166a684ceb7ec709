// The SESSION.* lifecycle commands (docs/sessions.md): argument parsing and
// replies over session::SessionStore, which does the work atomically. Every
// argument is checked before anything changes, so an error reply means
// nothing happened. Also the string view of session records for the string
// commands (CommandContext::StringValue / PlainString). Loop thread only.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "ss/cmd/args.h"
#include "ss/cmd/command.h"
#include "ss/cmd/errors.h"
#include "ss/cmd/session_args.h"
#include "ss/session/ids.h"
#include "ss/session/isotime.h"
#include "ss/session/pyjson.h"

namespace ss::cmd {

// --- the string face of session records -----------------------------------

std::string_view CommandContext::StringValue(const Entry* e) {
  if (e->type() != ValueType::kSession) return e->value();
  session::SessionFields f;
  scratch.clear();
  const std::string_view key = e->key();
  const std::string& prefix = server.sessions.prefix();
  if (!key.starts_with(prefix) || !session::DecodeRecord(e->value(), &f)) return e->value();
  session::RenderJson(key.substr(prefix.size()), f, &scratch);
  return scratch;
}

Entry* CommandContext::PlainString(Entry* e) {
  if (e->type() != ValueType::kSession) return e;
  std::string json(StringValue(e));
  std::string key(e->key());
  const uint16_t stamp = e->access_stamp();
  // Same key, same data in another form: it keeps its access clock.
  Entry* plain = server.keyspace.Set(client.db, key, json, kNoDeadline, /*keep_ttl=*/true);
  if (plain != nullptr) plain->set_access_stamp(stamp);
  return plain;
}

void CommandContext::SetDeadline(Entry* e, int64_t deadline_ms) {
  if (e->type() == ValueType::kSession && deadline_ms != kNoDeadline &&
      !server.keyspace.IsPast(deadline_ms)) {
    session::StoreExpires(e->mutable_value(), deadline_ms * 1000);
  }
  server.keyspace.SetDeadline(client.db, e, deadline_ms);
}

// --- shared argument checks -------------------------------------------------

namespace {

// Whether all 8 bytes of w are printable ASCII (0x21..0x7e): no high bit,
// none below 0x21 (the borrow test is exact once high bits are excluded),
// none equal to 0x7f (adding 1 sets its high bit).
bool PrintableAscii8(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  return ((w | (w + kOnes) | ((w - 0x21 * kOnes) & ~w)) & kHigh) == 0;
}

bool ValidUtf8NoSpace(std::string_view s) {
  size_t i = 0;
  // Ids are nearly always printable ASCII: 8 bytes per step while they are.
  for (uint64_t w; i + 8 <= s.size(); i += 8) {
    std::memcpy(&w, s.data() + i, 8);
    if (!PrintableAscii8(w)) break;
  }
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c <= 0x20 || c == 0x7f) return false;  // controls and space
      ++i;
      continue;
    }
    size_t n = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates, beyond U+10FFFF; C1 controls and the
    // Unicode spaces (NBSP, U+2000..U+200A, line/paragraph separators...).
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
    if ((cp >= 0x80 && cp <= 0xA0) || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
        cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000 ||
        cp == 0x85) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

}  // namespace

bool CheckSandbox(CommandContext& ctx, std::string_view sandbox) {
  bool ok = !sandbox.empty() && sandbox.size() <= session::kMaxSandboxLen;
  for (char c : sandbox) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == ':' || c == '-');
  }
  if (!ok) ctx.reply.Error("ERR invalid sandbox id: must match [A-Za-z0-9._:-]{1,128}");
  return ok;
}

bool CheckId(CommandContext& ctx, std::string_view id, std::string_view what) {
  if (!id.empty() && id.size() <= session::kMaxIdLen && ValidUtf8NoSpace(id)) return true;
  std::string msg = "ERR invalid ";
  msg.append(what).append(": 1 to 256 bytes of UTF-8 without whitespace or control characters");
  ctx.reply.Error(msg);
  return false;
}

bool CheckTarget(CommandContext& ctx) {
  return CheckSandbox(ctx, ctx.args[1]) && CheckId(ctx, ctx.args[2], "session id");
}

bool ParsePositive(CommandContext& ctx, std::string_view arg, std::string_view what,
                   int64_t* out) {
  int64_t v = 0;
  if (ParseInt64(arg, &v) && v > 0 && v <= INT32_MAX) {
    *out = v;
    return true;
  }
  std::string msg = "ERR ";
  msg.append(what).append(" must be a positive integer");
  ctx.reply.Error(msg);
  return false;
}

void ReplyUnknownOption(CommandContext& ctx, std::string_view opt) {
  std::string msg = "ERR unknown option '";
  msg.append(opt).append("'");
  ctx.reply.Error(msg);
}

void ReplyMissingValue(CommandContext& ctx, std::string_view opt) {
  std::string msg = "ERR option '";
  msg.append(opt).append("' needs a value");
  ctx.reply.Error(msg);
}

namespace {

bool ParseFormat(CommandContext& ctx, std::string_view name, session::IdFormat* out) {
  if (auto f = session::ParseIdFormat(name)) {
    *out = *f;
    return true;
  }
  std::string msg = "ERR unknown id format '";
  msg.append(name).append(
      "' (generic, mcp, http, websocket, jwt, uuid, api_key, temp_token)");
  ctx.reply.Error(msg);
  return false;
}

// Normalises a JSON object argument (META) into Py format: *out views json
// itself when it already is (no copy), else *storage.
bool ParseMeta(CommandContext& ctx, std::string_view json, std::string* storage,
               std::string_view* out) {
  Status st = session::NormalizeObjectView(json, storage, out);
  if (!st) {
    ctx.reply.Error("ERR " + st.error().message);
    return false;
  }
  if (out->size() > static_cast<size_t>(ctx.server.config.session_max_meta)) {
    ctx.reply.Error("ERR custom metadata exceeds session-max-meta");
    return false;
  }
  return true;
}

// SESSION.ALLOCATE <sandbox> [USER u] [TTL s] [IDLE s] [ID id] [FORMAT f] [META json]
void CmdAllocate(CommandContext& ctx) {
  session::AllocateRequest req;
  req.sandbox = ctx.args[1];
  if (!CheckSandbox(ctx, req.sandbox)) return;
  req.ttl_s = ctx.server.config.session_ttl;
  std::string meta_storage;
  std::string_view meta = "{}";
  for (size_t i = 2; i < ctx.args.size(); i += 2) {
    const std::string_view opt = ctx.args[i];
    // Each option name is compared once: the match picks its branch.
    enum class Opt { kUser, kTtl, kIdle, kId, kFormat, kMeta } which;
    if (EqualsIgnoreCase(opt, "USER")) {
      which = Opt::kUser;
    } else if (EqualsIgnoreCase(opt, "TTL")) {
      which = Opt::kTtl;
    } else if (EqualsIgnoreCase(opt, "META")) {
      which = Opt::kMeta;
    } else if (EqualsIgnoreCase(opt, "IDLE")) {
      which = Opt::kIdle;
    } else if (EqualsIgnoreCase(opt, "ID")) {
      which = Opt::kId;
    } else if (EqualsIgnoreCase(opt, "FORMAT")) {
      which = Opt::kFormat;
    } else {
      return ReplyUnknownOption(ctx, opt);
    }
    if (i + 1 >= ctx.args.size()) return ReplyMissingValue(ctx, opt);
    const std::string_view val = ctx.args[i + 1];
    switch (which) {
      case Opt::kUser:
        if (!CheckId(ctx, val, "user id")) return;
        req.has_user = true;
        req.user = val;
        break;
      case Opt::kTtl:
        if (!ParsePositive(ctx, val, "TTL", &req.ttl_s)) return;
        break;
      case Opt::kIdle:
        if (!ParsePositive(ctx, val, "IDLE", &req.idle_s)) return;
        break;
      case Opt::kId:
        if (!CheckId(ctx, val, "session id")) return;
        req.has_id = true;
        req.id = val;
        break;
      case Opt::kFormat:
        if (!ParseFormat(ctx, val, &req.format)) return;
        break;
      case Opt::kMeta:
        if (!ParseMeta(ctx, val, &meta_storage, &meta)) return;
        break;
    }
  }
  req.metadata_py = meta;
  Result<std::string_view> id = Sessions(ctx).Allocate(ctx.db(), req);
  if (!id) {
    ctx.reply.Error("ERR " + id.error().message);
    return;
  }
  // A new key with a TTL, reported as SET ... EX would be (docs/sessions.md).
  // The key is spelled only when someone listens.
  if (ctx.NotifyWanted(kNotifyNew | kNotifyString | kNotifyGeneric)) {
    const std::string key = Sessions(ctx).KeyOf(id.value());
    ctx.Notify(kNotifyNew, "new", key);
    ctx.Notify(kNotifyString, "set", key);
    ctx.Notify(kNotifyGeneric, "expire", key);
  }
  ctx.reply.Bulk(id.value());
}

void CmdValidate(CommandContext& ctx) {
  if (!CheckTarget(ctx)) return;
  ctx.reply.Integer(Sessions(ctx).Validate(ctx.db(), ctx.args[1], ctx.args[2]) ? 1 : 0);
}

// SESSION.INFO <sandbox> <id> [JSON|MAP]
void CmdInfo(CommandContext& ctx) {
  if (!CheckTarget(ctx)) return;
  bool as_map = false;
  if (ctx.args.size() == 4) {
    if (EqualsIgnoreCase(ctx.args[3], "MAP")) {
      as_map = true;
    } else if (!EqualsIgnoreCase(ctx.args[3], "JSON")) {
      return ReplyUnknownOption(ctx, ctx.args[3]);
    }
  } else if (ctx.args.size() > 4) {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  session::Session s;
  if (!Sessions(ctx).Lookup(ctx.db(), ctx.args[1], ctx.args[2], &s)) {
    ctx.reply.Null();
    return;
  }
  std::string out;
  if (!as_map) {
    session::RenderJson(s.id, s.fields, &out);
    ctx.reply.Bulk(out);
    return;
  }
  const session::SessionFields& f = s.fields;
  auto stamp = [&](int64_t us) {
    out.clear();
    session::AppendIsoUtc(out, us);
    ctx.reply.Bulk(out);
  };
  ctx.reply.MapHeader(8);
  ctx.reply.Bulk("session_id");
  ctx.reply.Bulk(s.id);
  ctx.reply.Bulk("sandbox_id");
  ctx.reply.Bulk(f.sandbox);
  ctx.reply.Bulk("user_id");
  if (f.has_user) {
    ctx.reply.Bulk(f.user);
  } else {
    ctx.reply.Null();
  }
  ctx.reply.Bulk("created_at");
  stamp(f.created_us);
  ctx.reply.Bulk("expires_at");
  stamp(f.expires_us);
  ctx.reply.Bulk("status");
  ctx.reply.Bulk(f.status);
  ctx.reply.Bulk("last_accessed");
  stamp(f.last_accessed_us);
  ctx.reply.Bulk("custom_metadata");
  ctx.reply.Bulk(f.metadata_py);
}

// SESSION.UPDATE <sandbox> <id> <json-object> [REPLACE]
void CmdUpdate(CommandContext& ctx) {
  if (!CheckTarget(ctx)) return;
  bool replace = false;
  if (ctx.args.size() == 5) {
    if (!EqualsIgnoreCase(ctx.args[4], "REPLACE")) return ReplyUnknownOption(ctx, ctx.args[4]);
    replace = true;
  } else if (ctx.args.size() > 5) {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  Result<bool> r = Sessions(ctx).Update(ctx.db(), ctx.args[1], ctx.args[2], ctx.args[3], replace,
                                        static_cast<size_t>(ctx.server.config.session_max_meta));
  if (!r) {
    ctx.reply.Error("ERR " + r.error().message);
    return;
  }
  if (r.value() && ctx.NotifyWanted(kNotifyString)) {
    ctx.Notify(kNotifyString, "set", Sessions(ctx).KeyOf(ctx.args[2]));
  }
  ctx.reply.Integer(r.value() ? 1 : 0);
}

// SESSION.EXTEND <sandbox> <id> <seconds>
void CmdExtend(CommandContext& ctx) {
  if (!CheckTarget(ctx)) return;
  int64_t seconds = 0;
  if (!ParsePositive(ctx, ctx.args[3], "seconds", &seconds)) return;
  std::optional<int64_t> ttl_ms = Sessions(ctx).Extend(ctx.db(), ctx.args[1], ctx.args[2], seconds);
  if (!ttl_ms) {
    ctx.reply.Null();
    return;
  }
  if (ctx.NotifyWanted(kNotifyGeneric)) {
    ctx.Notify(kNotifyGeneric, "expire", Sessions(ctx).KeyOf(ctx.args[2]));
  }
  ctx.reply.Integer((*ttl_ms + 500) / 1000);  // rounded like TTL
}

void CmdDelete(CommandContext& ctx) {
  if (!CheckTarget(ctx)) return;
  const bool deleted = Sessions(ctx).Delete(ctx.db(), ctx.args[1], ctx.args[2]);
  if (deleted && ctx.NotifyWanted(kNotifyGeneric)) {
    ctx.Notify(kNotifyGeneric, "del", Sessions(ctx).KeyOf(ctx.args[2]));
  }
  ctx.reply.Integer(deleted ? 1 : 0);
}

// SESSION.LIST <sandbox> [USER u] [CURSOR c] [COUNT n]
void CmdList(CommandContext& ctx) {
  if (!CheckSandbox(ctx, ctx.args[1])) return;
  std::string_view user;
  bool has_user = false;
  uint64_t cursor = 0;
  int64_t count = 10;
  for (size_t i = 2; i < ctx.args.size(); i += 2) {
    const std::string_view opt = ctx.args[i];
    if (!EqualsIgnoreCase(opt, "USER") && !EqualsIgnoreCase(opt, "CURSOR") &&
        !EqualsIgnoreCase(opt, "COUNT")) {
      return ReplyUnknownOption(ctx, opt);
    }
    if (i + 1 >= ctx.args.size()) return ReplyMissingValue(ctx, opt);
    const std::string_view val = ctx.args[i + 1];
    if (EqualsIgnoreCase(opt, "USER")) {
      if (!CheckId(ctx, val, "user id")) return;
      user = val;
      has_user = true;
    } else if (EqualsIgnoreCase(opt, "CURSOR")) {
      // Like SCAN: an unsigned 64-bit decimal.
      uint64_t c = 0;
      bool ok = !val.empty() && val.size() <= 20;
      for (char ch : val) {
        ok = ok && ch >= '0' && ch <= '9';
        const uint64_t d = static_cast<uint64_t>(ch - '0');
        ok = ok && c <= (UINT64_MAX - d) / 10;
        if (ok) c = c * 10 + d;
      }
      if (!ok) {
        ctx.reply.Error("ERR invalid cursor");
        return;
      }
      cursor = c;
    } else if (!ParsePositive(ctx, val, "COUNT", &count)) {
      return;
    }
  }
  std::vector<std::string> ids;
  const uint64_t next = Sessions(ctx).List(ctx.db(), ctx.args[1], has_user ? &user : nullptr,
                                           cursor, static_cast<size_t>(count),
                                           [&](std::string_view id) { ids.emplace_back(id); });
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.ArrayHeader(ids.size());
  for (const std::string& id : ids) ctx.reply.Bulk(id);
}

// SESSION.REVOKE <sandbox> USER <user_id>
void CmdRevoke(CommandContext& ctx) {
  if (!CheckSandbox(ctx, ctx.args[1])) return;
  if (!EqualsIgnoreCase(ctx.args[2], "USER")) return ReplyUnknownOption(ctx, ctx.args[2]);
  if (!CheckId(ctx, ctx.args[3], "user id")) return;
  std::vector<std::string> keys;
  const size_t n = Sessions(ctx).Revoke(ctx.db(), ctx.args[1], ctx.args[3], &keys);
  for (const std::string& key : keys) ctx.Notify(kNotifyGeneric, "del", key);
  ctx.reply.Integer(static_cast<int64_t>(n));
}

// The optional [<sandbox>] of STATS and CLEANUP: *out points at args[1]
// or is nullptr for "all". False after an error reply.
bool OptionalSandbox(CommandContext& ctx, const std::string_view** out) {
  *out = nullptr;
  if (ctx.args.size() > 2) {
    ctx.reply.Error(kErrSyntax);
    return false;
  }
  if (ctx.args.size() == 2) {
    if (!CheckSandbox(ctx, ctx.args[1])) return false;
    *out = &ctx.args[1];
  }
  return true;
}

// SESSION.STATS [<sandbox>]
void CmdStats(CommandContext& ctx) {
  const std::string_view* sandbox = nullptr;
  if (!OptionalSandbox(ctx, &sandbox)) return;
  const session::SessionStore::Totals t = Sessions(ctx).StatsOf(ctx.db(), sandbox);
  const std::pair<std::string_view, uint64_t> fields[] = {
      {"active_sessions", t.active_sessions},  {"users", t.users},
      {"allocated", t.stats.allocated},        {"validated", t.stats.validated},
      {"validate_failed", t.stats.validate_failed}, {"updated", t.stats.updated},
      {"extended", t.stats.extended},          {"deleted", t.stats.deleted},
      {"revoked", t.stats.revoked},            {"expired", t.stats.expired},
      {"csrf_issued", t.stats.csrf_issued},    {"csrf_rejected", t.stats.csrf_rejected},
  };
  ctx.reply.MapHeader(std::size(fields));
  for (const auto& [name, value] : fields) {
    ctx.reply.Bulk(name);
    ctx.reply.Integer(static_cast<int64_t>(value));
  }
}

// SESSION.CLEANUP [<sandbox>]
void CmdCleanup(CommandContext& ctx) {
  const std::string_view* sandbox = nullptr;
  if (!OptionalSandbox(ctx, &sandbox)) return;
  ctx.reply.Integer(static_cast<int64_t>(Sessions(ctx).Cleanup(ctx.db(), sandbox)));
}

// SESSION.ID [FORMAT <format>]
void CmdId(CommandContext& ctx) {
  session::IdFormat format = session::IdFormat::kGeneric;
  if (ctx.args.size() >= 2) {
    if (!EqualsIgnoreCase(ctx.args[1], "FORMAT")) return ReplyUnknownOption(ctx, ctx.args[1]);
    if (ctx.args.size() == 2) return ReplyMissingValue(ctx, ctx.args[1]);
    if (ctx.args.size() > 3) {
      ctx.reply.Error(kErrSyntax);
      return;
    }
    if (!ParseFormat(ctx, ctx.args[2], &format)) return;
  }
  ctx.reply.Bulk(session::NewSessionId(format));
}

constexpr uint32_t kWrite = kCmdWrite | kCmdDenyOom;

constexpr CommandSpec kSessionCommands[] = {
    {"SESSION.ALLOCATE", -2, kWrite, {0, 0, 0}, CmdAllocate, "session", "0.1.0",
     "Create a session in a sandbox (or touch a live one given by ID) and return its id",
     "O(1)", "@write @session"},
    {"SESSION.VALIDATE", 3, kCmdWrite | kCmdFast, {0, 0, 0}, CmdValidate, "session", "0.1.0",
     "Check that a session is live in a sandbox and mark it accessed (sliding idle expiry)",
     "O(1)", "@write @session @fast"},
    {"SESSION.INFO", -3, kCmdReadOnly | kCmdFast, {0, 0, 0}, CmdInfo, "session", "0.1.0",
     "Return a session's record as JSON or as a map", "O(1)", "@read @session @fast"},
    {"SESSION.UPDATE", -4, kWrite, {0, 0, 0}, CmdUpdate, "session", "0.1.0",
     "Merge (or with REPLACE replace) a session's custom metadata", "O(N) in the metadata size",
     "@write @session"},
    {"SESSION.EXTEND", 4, kCmdWrite | kCmdFast, {0, 0, 0}, CmdExtend, "session", "0.1.0",
     "Move a session's expiry later by a number of seconds", "O(1)", "@write @session @fast"},
    {"SESSION.DELETE", 3, kCmdWrite | kCmdFast, {0, 0, 0}, CmdDelete, "session", "0.1.0",
     "Delete a session of a sandbox", "O(1)", "@write @session @fast"},
    {"SESSION.LIST", -2, kCmdReadOnly, {0, 0, 0}, CmdList, "session", "0.1.0",
     "Iterate the sessions of a sandbox, or of one user in it, with a cursor",
     "O(1) per call, O(N) for a full iteration", "@read @session"},
    {"SESSION.REVOKE", 4, kCmdWrite, {0, 0, 0}, CmdRevoke, "session", "0.1.0",
     "Delete every session of a user in a sandbox", "O(N) in the user's sessions",
     "@write @session"},
    {"SESSION.STATS", -1, kCmdReadOnly, {0, 0, 0}, CmdStats, "session", "0.1.0",
     "Session counters of one sandbox or of all", "O(1) for a sandbox, O(N) in sandboxes",
     "@read @session"},
    {"SESSION.CLEANUP", -1, kCmdWrite, {0, 0, 0}, CmdCleanup, "session", "0.1.0",
     "Purge sessions past their deadline now", "O(N) in the sandbox's sessions",
     "@write @session"},
    {"SESSION.ID", -1, kCmdReadOnly | kCmdFast, {0, 0, 0}, CmdId, "session", "0.1.0",
     "Generate a fresh session id without creating a session", "O(1)", "@read @session @fast"},
};

}  // namespace

std::span<const CommandSpec> SessionCommands() { return kSessionCommands; }

}  // namespace ss::cmd
