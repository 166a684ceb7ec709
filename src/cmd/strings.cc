// The string command family (Redis 7.0 t_string.c semantics): GET/SET and
// their variants, counters, APPEND and the range commands.
//
// Ordering of checks mirrors Redis exactly (argument parse errors, then the
// key's type, then expire values...), because clients and tests see which
// error wins. Loop thread only.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "ss/cmd/args.h"
#include "ss/cmd/command.h"
#include "ss/cmd/errors.h"

namespace ss::cmd {
namespace {

// Redis texts used only by this family (not in errors.h).
constexpr std::string_view kErrDecrementOverflow = "ERR decrement would overflow";

// Redis's MAX_LONG_DOUBLE_CHARS: INCRBYFLOAT formats into a buffer this big.
// The largest finite long double printed with %.17Lf needs ~4950 bytes.
constexpr size_t kMaxLongDoubleChars = 5 * 1024;

// The option bits of SET and GETEX (Redis's OBJ_* flags).
enum ExtendedFlag : uint32_t {
  kOptNx = 1u << 0,
  kOptXx = 1u << 1,
  kOptGet = 1u << 2,
  kOptKeepTtl = 1u << 3,
  kOptPersist = 1u << 4,
  kOptEx = 1u << 5,
  kOptPx = 1u << 6,
  kOptExAt = 1u << 7,
  kOptPxAt = 1u << 8,
};
constexpr uint32_t kOptAnyExpire = kOptEx | kOptPx | kOptExAt | kOptPxAt;

enum class OptionSet { kSet, kGetEx };

struct ExtendedOptions {
  uint32_t flags = 0;
  std::string_view expire;  // the EX/PX/EXAT/PXAT argument when one is set
};

// A session record is a string to clients (its JSON text, see
// CommandContext::StringValue), so only other types are the wrong type.
bool IsWrongType(const Entry* e) {
  return e != nullptr && e->type() != ValueType::kString && e->type() != ValueType::kSession;
}

// Redis's getGenericCommand: replies with the value of args[1] (or null).
// False, after a WRONGTYPE reply, if the key holds another type.
bool ReplyValue(CommandContext& ctx) {
  const Entry* e = ctx.LookupRead(ctx.args[1]);
  if (e == nullptr) {
    ctx.reply.Null();
    return true;
  }
  if (IsWrongType(e)) {
    ctx.reply.Error(kErrWrongType);
    return false;
  }
  ctx.reply.Bulk(ctx.StringValue(e));
  return true;
}

void ReplyInvalidExpire(CommandContext& ctx, std::string_view command) {
  std::string msg = "ERR invalid expire time in '";
  msg.append(command).append("' command");
  ctx.reply.Error(msg);
}

// Redis's checkStringLength: would a value of size + append bytes exceed
// proto-max-bulk-len? Replies and returns false if so. sessiond also caps at
// the entry's 32-bit length field, whatever the configured limit.
bool CheckStringLength(CommandContext& ctx, uint64_t size, uint64_t append) {
  const uint64_t total = size + append;
  const auto limit = static_cast<uint64_t>(
      std::max<int64_t>(0, ctx.server.config.proto_max_bulk_len));
  if (total < size || total > limit || total > kMaxValueLen) {
    ctx.reply.Error(kErrStringTooLong);
    return false;
  }
  return true;
}

// Parses the options of SET (from args[3]) or GETEX (from args[2]) the way
// Redis 7.0's parseExtendedStringArgumentsOrReply does: any order, repeats of
// the same option allowed, conflicting ones a syntax error. Returns false on
// a syntax error (nothing replied yet). The expire value itself is checked
// later, by ExpireDeadline, so a syntax error anywhere wins over it.
bool ParseExtendedOptions(std::span<const std::string_view> args, OptionSet which,
                          ExtendedOptions* out) {
  const bool is_set = which == OptionSet::kSet;
  uint32_t& flags = out->flags;
  for (size_t j = is_set ? 3 : 2; j < args.size(); ++j) {
    // Redis compares C strings, so an option is read only up to a NUL byte.
    std::string_view opt = args[j].substr(0, args[j].find('\0'));
    const bool has_next = j + 1 < args.size();
    auto expire_ok = [&](uint32_t self) {
      return !(flags & (kOptKeepTtl | kOptPersist)) && !(flags & (kOptAnyExpire & ~self)) &&
             has_next;
    };
    uint32_t expire_flag = 0;
    if (EqualsIgnoreCase(opt, "NX") && is_set && !(flags & kOptXx)) {
      flags |= kOptNx;
    } else if (EqualsIgnoreCase(opt, "XX") && is_set && !(flags & kOptNx)) {
      flags |= kOptXx;
    } else if (EqualsIgnoreCase(opt, "GET") && is_set) {
      flags |= kOptGet;
    } else if (EqualsIgnoreCase(opt, "KEEPTTL") && is_set && !(flags & kOptAnyExpire)) {
      flags |= kOptKeepTtl;
    } else if (EqualsIgnoreCase(opt, "PERSIST") && !is_set && !(flags & kOptAnyExpire)) {
      flags |= kOptPersist;
    } else if (EqualsIgnoreCase(opt, "EX") && expire_ok(kOptEx)) {
      expire_flag = kOptEx;
    } else if (EqualsIgnoreCase(opt, "PX") && expire_ok(kOptPx)) {
      expire_flag = kOptPx;
    } else if (EqualsIgnoreCase(opt, "EXAT") && expire_ok(kOptExAt)) {
      expire_flag = kOptExAt;
    } else if (EqualsIgnoreCase(opt, "PXAT") && expire_ok(kOptPxAt)) {
      expire_flag = kOptPxAt;
    } else {
      return false;
    }
    if (expire_flag != 0) {
      flags |= expire_flag;
      out->expire = args[++j];
    }
  }
  return true;
}

// Redis 7.0's getExpireMillisecondsOrReply: turns the EX/PX/EXAT/PXAT value
// into an absolute unix-ms deadline, rejecting non-positive values and any
// overflow of the unit conversion or of now + ttl. Replies on error.
bool ExpireDeadline(CommandContext& ctx, std::string_view arg, uint32_t flags,
                    std::string_view command, int64_t* deadline) {
  int64_t ms = 0;
  if (!ParseInt64(arg, &ms)) {
    ctx.reply.Error(kErrNotInteger);
    return false;
  }
  const bool seconds = (flags & (kOptEx | kOptExAt)) != 0;
  if (ms <= 0 || (seconds && ms > INT64_MAX / 1000)) {
    ReplyInvalidExpire(ctx, command);
    return false;
  }
  if (seconds) ms *= 1000;
  if ((flags & (kOptEx | kOptPx)) && __builtin_add_overflow(ms, ctx.NowMs(), &ms)) {
    ReplyInvalidExpire(ctx, command);
    return false;
  }
  *deadline = ms;
  return true;
}

// How a conditional set reports success and abort: SET answers +OK / null,
// SETNX answers 1 / 0.
enum class SetReply { kOkOrNull, kOneOrZero };

// Redis's setGenericCommand for SET, SETNX, SETEX and PSETEX.
void SetGeneric(CommandContext& ctx, const ExtendedOptions& opts, std::string_view value,
                std::string_view command, SetReply style) {
  const std::string_view key = ctx.args[1];
  int64_t deadline = kNoDeadline;
  if ((opts.flags & kOptAnyExpire) &&
      !ExpireDeadline(ctx, opts.expire, opts.flags, command, &deadline)) {
    return;
  }
  const bool get = (opts.flags & kOptGet) != 0;
  // With GET the old value is the whole reply, even when NX/XX aborts.
  if (get && !ReplyValue(ctx)) return;

  // Whether the key existed matters only to NX/XX and the "new" event; a
  // key past its deadline is expired by Set as this lookup would.
  const bool found = ((opts.flags & (kOptNx | kOptXx)) != 0 || ctx.NotifyWanted(kNotifyNew)) &&
                     ctx.keyspace().Find(ctx.db(), key) != nullptr;
  if (((opts.flags & kOptNx) && found) || ((opts.flags & kOptXx) && !found)) {
    if (get) return;
    if (style == SetReply::kOneOrZero) {
      ctx.reply.Integer(0);
    } else {
      ctx.reply.Null();
    }
    return;
  }
  // A deadline already past makes Set drop the key: Redis stores it and
  // lets it expire on first access, which clients cannot tell apart.
  const bool stored =
      ctx.keyspace().Set(ctx.db(), key, value, deadline, (opts.flags & kOptKeepTtl) != 0) !=
      nullptr;
  // Redis's events: new (dbAdd), set, expire; a key stored already past its
  // deadline then expires, which Redis reports as soon as it notices.
  if (!found) ctx.Notify(kNotifyNew, "new", key);
  ctx.Notify(kNotifyString, "set", key);
  if (deadline != kNoDeadline) ctx.Notify(kNotifyGeneric, "expire", key);
  if (!stored) ctx.Notify(kNotifyExpired, "expired", key);
  if (get) return;
  if (style == SetReply::kOneOrZero) {
    ctx.reply.Integer(1);
  } else {
    ctx.reply.Status("OK");
  }
}

// Replaces e's value in place, keeping its deadline (Redis's
// dbReplaceValue). Returns the entry's possibly new address.
Entry* ReplaceValue(CommandContext& ctx, Entry* e, std::string_view value) {
  e = ctx.keyspace().ResizeValue(ctx.db(), e, value.size());
  if (!value.empty()) std::memcpy(e->mutable_value(), value.data(), value.size());
  e->set_type(ValueType::kString);
  ctx.keyspace().ValueWritten(ctx.db(), e);
  return e;
}

void CmdGet(CommandContext& ctx) { ReplyValue(ctx); }

void CmdSet(CommandContext& ctx) {
  ExtendedOptions opts;
  if (!ParseExtendedOptions(ctx.args, OptionSet::kSet, &opts)) {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  SetGeneric(ctx, opts, ctx.args[2], "set", SetReply::kOkOrNull);
}

void CmdSetNx(CommandContext& ctx) {
  SetGeneric(ctx, {kOptNx, {}}, ctx.args[2], "setnx", SetReply::kOneOrZero);
}

void CmdSetEx(CommandContext& ctx) {
  SetGeneric(ctx, {kOptEx, ctx.args[2]}, ctx.args[3], "setex", SetReply::kOkOrNull);
}

void CmdPSetEx(CommandContext& ctx) {
  SetGeneric(ctx, {kOptPx, ctx.args[2]}, ctx.args[3], "psetex", SetReply::kOkOrNull);
}

void CmdGetEx(CommandContext& ctx) {
  ExtendedOptions opts;
  if (!ParseExtendedOptions(ctx.args, OptionSet::kGetEx, &opts)) {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  Entry* e = ctx.LookupRead(ctx.args[1]);
  if (e == nullptr) {
    ctx.reply.Null();
    return;
  }
  if (IsWrongType(e)) {
    ctx.reply.Error(kErrWrongType);
    return;
  }
  int64_t deadline = kNoDeadline;
  if ((opts.flags & kOptAnyExpire) &&
      !ExpireDeadline(ctx, opts.expire, opts.flags, "getex", &deadline)) {
    return;
  }
  // Reply first: the key may be deleted below.
  ctx.reply.Bulk(ctx.StringValue(e));
  // Redis's checkAlreadyExpired deletes at deadline <= now (not only < now)
  // for absolute times; relative ones always land in the future.
  if ((opts.flags & (kOptExAt | kOptPxAt)) && deadline <= ctx.NowMs()) {
    ctx.keyspace().Delete(ctx.db(), ctx.args[1]);
    ctx.Notify(kNotifyGeneric, "del", ctx.args[1]);
  } else if (opts.flags & kOptAnyExpire) {
    ctx.SetDeadline(e, deadline);
    ctx.Notify(kNotifyGeneric, "expire", ctx.args[1]);
  } else if ((opts.flags & kOptPersist) && e->has_deadline()) {
    ctx.SetDeadline(e, kNoDeadline);
    ctx.Notify(kNotifyGeneric, "persist", ctx.args[1]);
  }
}

void CmdGetDel(CommandContext& ctx) {
  const Entry* e = ctx.LookupRead(ctx.args[1]);
  if (e == nullptr) {
    ctx.reply.Null();
    return;
  }
  if (IsWrongType(e)) {
    ctx.reply.Error(kErrWrongType);
    return;
  }
  ctx.reply.Bulk(ctx.StringValue(e));
  ctx.keyspace().Delete(ctx.db(), ctx.args[1]);
  ctx.Notify(kNotifyGeneric, "del", ctx.args[1]);
}

void CmdGetSet(CommandContext& ctx) {
  const bool notify_new = ctx.NotifyWanted(kNotifyNew);
  const bool found = notify_new && ctx.keyspace().Peek(ctx.db(), ctx.args[1]) != nullptr;
  if (!ReplyValue(ctx)) return;
  // Like SET without KEEPTTL, GETSET drops any deadline.
  ctx.keyspace().Set(ctx.db(), ctx.args[1], ctx.args[2]);
  if (notify_new && !found) ctx.Notify(kNotifyNew, "new", ctx.args[1]);
  ctx.Notify(kNotifyString, "set", ctx.args[1]);
}

void CmdMGet(CommandContext& ctx) {
  ctx.reply.ArrayHeader(ctx.args.size() - 1);
  for (size_t j = 1; j < ctx.args.size(); ++j) {
    const Entry* e = ctx.LookupRead(ctx.args[j]);
    // MGET never errors: a key of another type reads as missing.
    if (e == nullptr || IsWrongType(e)) {
      ctx.reply.Null();
    } else {
      ctx.reply.Bulk(ctx.StringValue(e));
    }
  }
}

// MSET and MSETNX. The arity rule (-3) cannot express "pairs", so the odd
// count is checked here with Redis's arity error text.
void MSetGeneric(CommandContext& ctx, bool nx, std::string_view command) {
  if (ctx.args.size() % 2 == 0) {
    std::string msg = "ERR wrong number of arguments for '";
    msg.append(command).append("' command");
    ctx.reply.Error(msg);
    return;
  }
  if (nx) {
    for (size_t j = 1; j < ctx.args.size(); j += 2) {
      if (ctx.keyspace().Find(ctx.db(), ctx.args[j]) != nullptr) {
        ctx.reply.Integer(0);
        return;
      }
    }
  }
  const bool notify_new = ctx.NotifyWanted(kNotifyNew);
  for (size_t j = 1; j < ctx.args.size(); j += 2) {
    // The existence probe only when someone listens for "new".
    const bool found = notify_new && ctx.keyspace().Find(ctx.db(), ctx.args[j]) != nullptr;
    ctx.keyspace().Set(ctx.db(), ctx.args[j], ctx.args[j + 1]);
    if (notify_new && !found) ctx.Notify(kNotifyNew, "new", ctx.args[j]);
    ctx.Notify(kNotifyString, "set", ctx.args[j]);
  }
  if (nx) {
    ctx.reply.Integer(1);
  } else {
    ctx.reply.Status("OK");
  }
}

void CmdMSet(CommandContext& ctx) { MSetGeneric(ctx, false, "mset"); }
void CmdMSetNx(CommandContext& ctx) { MSetGeneric(ctx, true, "msetnx"); }

// Redis's incrDecrCommand: adds incr to the integer at args[1] (missing
// counts as 0), keeping the key's deadline.
void IncrDecr(CommandContext& ctx, int64_t incr) {
  const std::string_view key = ctx.args[1];
  Entry* e = ctx.keyspace().Find(ctx.db(), key);
  if (IsWrongType(e)) {
    ctx.reply.Error(kErrWrongType);
    return;
  }
  int64_t value = 0;
  if (e != nullptr && !ParseInt64(ctx.StringValue(e), &value)) {
    ctx.reply.Error(kErrNotInteger);
    return;
  }
  if ((incr < 0 && value < 0 && incr < INT64_MIN - value) ||
      (incr > 0 && value > 0 && incr > INT64_MAX - value)) {
    ctx.reply.Error(kErrOverflow);
    return;
  }
  value += incr;
  char buf[24];  // 20 digits and a sign
  const auto res = std::to_chars(buf, buf + sizeof(buf), value);
  const std::string_view text(buf, static_cast<size_t>(res.ptr - buf));
  if (e != nullptr) {
    ReplaceValue(ctx, e, text);
  } else {
    ctx.keyspace().Set(ctx.db(), key, text);
    ctx.Notify(kNotifyNew, "new", key);
  }
  // INCR, DECR, INCRBY and DECRBY all report "incrby", as Redis does.
  ctx.Notify(kNotifyString, "incrby", key);
  ctx.reply.Integer(value);
}

// Parses args[2] as an increment, replying on error.
bool ParseIncrement(CommandContext& ctx, int64_t* incr) {
  if (ParseInt64(ctx.args[2], incr)) return true;
  ctx.reply.Error(kErrNotInteger);
  return false;
}

void CmdIncr(CommandContext& ctx) { IncrDecr(ctx, 1); }
void CmdDecr(CommandContext& ctx) { IncrDecr(ctx, -1); }

void CmdIncrBy(CommandContext& ctx) {
  int64_t incr = 0;
  if (ParseIncrement(ctx, &incr)) IncrDecr(ctx, incr);
}

void CmdDecrBy(CommandContext& ctx) {
  int64_t incr = 0;
  if (!ParseIncrement(ctx, &incr)) return;
  // -INT64_MIN is not representable; Redis rejects it before the lookup.
  if (incr == INT64_MIN) {
    ctx.reply.Error(kErrDecrementOverflow);
    return;
  }
  IncrDecr(ctx, -incr);
}

// Redis's ld2string in LD_STR_HUMAN mode: fixed-point with 17 decimals, then
// trailing zeros (and a bare '.') stripped, and "-0" turned into "0", so
// 10.5 + 0.1 reads "10.6" rather than "10.59999999999999964".
// REQUIRES: value is finite.
std::string_view FormatLongDouble(long double value, char (&buf)[kMaxLongDoubleChars]) {
  const int n = std::snprintf(buf, sizeof(buf), "%.17Lf", value);
  // Unreachable for finite values (see kMaxLongDoubleChars); Redis then
  // stores an empty string, and so do we.
  if (n < 0 || static_cast<size_t>(n) + 1 > sizeof(buf)) return {};
  size_t len = static_cast<size_t>(n);
  if (std::memchr(buf, '.', len) != nullptr) {
    while (buf[len - 1] == '0') --len;
    if (buf[len - 1] == '.') --len;
  }
  if (len == 2 && buf[0] == '-' && buf[1] == '0') {
    buf[0] = '0';
    len = 1;
  }
  return {buf, len};
}

void CmdIncrByFloat(CommandContext& ctx) {
  const std::string_view key = ctx.args[1];
  Entry* e = ctx.keyspace().Find(ctx.db(), key);
  if (IsWrongType(e)) {
    ctx.reply.Error(kErrWrongType);
    return;
  }
  long double value = 0;
  long double incr = 0;
  if ((e != nullptr && !ParseLongDouble(ctx.StringValue(e), &value)) ||
      !ParseLongDouble(ctx.args[2], &incr)) {
    ctx.reply.Error(kErrNotFloat);
    return;
  }
  value += incr;
  if (std::isnan(value) || std::isinf(value)) {
    ctx.reply.Error(kErrIncrNanInf);
    return;
  }
  char buf[kMaxLongDoubleChars];
  const std::string_view text = FormatLongDouble(value, buf);
  if (e != nullptr) {
    ReplaceValue(ctx, e, text);
  } else {
    ctx.keyspace().Set(ctx.db(), key, text);
    ctx.Notify(kNotifyNew, "new", key);
  }
  ctx.Notify(kNotifyString, "incrbyfloat", key);
  ctx.reply.Bulk(text);
}

void CmdAppend(CommandContext& ctx) {
  const std::string_view key = ctx.args[1];
  const std::string_view tail = ctx.args[2];
  Entry* e = ctx.keyspace().Find(ctx.db(), key);
  if (e == nullptr) {
    // Unlike SETRANGE, APPEND creates the key even for an empty value.
    ctx.keyspace().Set(ctx.db(), key, tail);
    ctx.Notify(kNotifyNew, "new", key);
    ctx.Notify(kNotifyString, "append", key);
    ctx.reply.Integer(static_cast<int64_t>(tail.size()));
    return;
  }
  if (IsWrongType(e)) {
    ctx.reply.Error(kErrWrongType);
    return;
  }
  if (tail.empty()) {
    // Nothing to append: the value (a session record too) stays as it is,
    // but Redis still reports the append.
    ctx.Notify(kNotifyString, "append", key);
    ctx.reply.Integer(static_cast<int64_t>(ctx.StringValue(e).size()));
    return;
  }
  e = ctx.PlainString(e);
  const size_t old_len = e->value_size();
  if (!CheckStringLength(ctx, old_len, tail.size())) return;
  // ResizeValue keeps the deadline and grows with slack, so a run of
  // APPENDs costs amortised O(1) per byte.
  e = ctx.keyspace().ResizeValue(ctx.db(), e, old_len + tail.size());
  if (!tail.empty()) std::memcpy(e->mutable_value() + old_len, tail.data(), tail.size());
  ctx.keyspace().ValueWritten(ctx.db(), e);
  ctx.Notify(kNotifyString, "append", key);
  ctx.reply.Integer(static_cast<int64_t>(e->value_size()));
}

void CmdStrLen(CommandContext& ctx) {
  const Entry* e = ctx.LookupRead(ctx.args[1]);
  if (e == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  if (IsWrongType(e)) {
    ctx.reply.Error(kErrWrongType);
    return;
  }
  ctx.reply.Integer(static_cast<int64_t>(ctx.StringValue(e).size()));
}

void CmdGetRange(CommandContext& ctx) {
  int64_t start = 0;
  int64_t end = 0;
  if (!ParseInt64(ctx.args[2], &start) || !ParseInt64(ctx.args[3], &end)) {
    ctx.reply.Error(kErrNotInteger);
    return;
  }
  const Entry* e = ctx.LookupRead(ctx.args[1]);
  if (e == nullptr) {
    ctx.reply.Bulk("");
    return;
  }
  if (IsWrongType(e)) {
    ctx.reply.Error(kErrWrongType);
    return;
  }
  const std::string_view value = ctx.StringValue(e);
  const auto len = static_cast<int64_t>(value.size());
  // Redis 7.0's clamping, quirks included: GETRANGE k 0 -100 on "Hello"
  // answers "H" because a too-negative end clamps to 0, not to "empty".
  if (start < 0 && end < 0 && start > end) {
    ctx.reply.Bulk("");
    return;
  }
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) {
    ctx.reply.Bulk("");
    return;
  }
  ctx.reply.Bulk(value.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1)));
}

void CmdSetRange(CommandContext& ctx) {
  const std::string_view key = ctx.args[1];
  const std::string_view patch = ctx.args[3];
  int64_t offset = 0;
  if (!ParseInt64(ctx.args[2], &offset)) {
    ctx.reply.Error(kErrNotInteger);
    return;
  }
  if (offset < 0) {
    ctx.reply.Error(kErrOffsetRange);
    return;
  }
  const auto off = static_cast<uint64_t>(offset);
  Entry* e = ctx.keyspace().Find(ctx.db(), key);
  if (e == nullptr) {
    // Setting nothing on a missing key creates nothing.
    if (patch.empty()) {
      ctx.reply.Integer(0);
      return;
    }
    if (!CheckStringLength(ctx, off, patch.size())) return;
    // Zero padding before the patch, as Redis's sdsgrowzero.
    std::string value(off, '\0');
    value.append(patch);
    ctx.keyspace().Set(ctx.db(), key, value);
    ctx.Notify(kNotifyNew, "new", key);
    ctx.Notify(kNotifyString, "setrange", key);
    ctx.reply.Integer(static_cast<int64_t>(value.size()));
    return;
  }
  if (IsWrongType(e)) {
    ctx.reply.Error(kErrWrongType);
    return;
  }
  if (patch.empty()) {
    // Nothing to write: the value (a session record too) stays as it is.
    ctx.reply.Integer(static_cast<int64_t>(ctx.StringValue(e).size()));
    return;
  }
  e = ctx.PlainString(e);
  const size_t old_len = e->value_size();
  if (!CheckStringLength(ctx, off, patch.size())) return;
  const size_t end = off + patch.size();
  // ResizeValue also when the length stays: it tells the session index that
  // the bytes are about to change (ValueWritten below, once they have).
  e = ctx.keyspace().ResizeValue(ctx.db(), e, std::max<size_t>(end, old_len));
  // New bytes are uninitialised; only the gap before the patch needs zeros.
  if (off > old_len) std::memset(e->mutable_value() + old_len, 0, off - old_len);
  std::memcpy(e->mutable_value() + off, patch.data(), patch.size());
  ctx.keyspace().ValueWritten(ctx.db(), e);
  ctx.Notify(kNotifyString, "setrange", key);
  ctx.reply.Integer(static_cast<int64_t>(e->value_size()));
}

// SET's key flags depend on its GET option, as Redis's setGetKeys: with GET
// the old value is read too (RW access update), else it is overwritten (OW
// update). Redis compares C strings, so "GET" followed by a NUL matches too.
uint32_t SetKeyFlags(std::span<const std::string_view> argv) {
  // Bounded by the argument count.
  for (size_t i = 3; i < argv.size(); ++i) {
    std::string_view a = argv[i];
    if (a.size() >= 3 && EqualsIgnoreCase(a.substr(0, 3), "get") &&
        (a.size() == 3 || a[3] == '\0')) {
      return kKeyRW | kKeyAccess | kKeyUpdate;
    }
  }
  return kKeyOW | kKeyUpdate;
}

// Arity, flags, key positions, key specs and documentation as Redis 7.0.15
// reports them (COMMAND INFO / COMMAND DOCS).
constexpr CommandSpec kStringCommands[] = {
    {"GET", 2, kCmdReadOnly | kCmdFast, {1, 1, 1, kKeyRO | kKeyAccess}, CmdGet, "string", "1.0.0",
     "Get the value of a key", "O(1)", "@read @string @fast"},
    {"SET", -3, kCmdWrite | kCmdDenyOom,
     {1, 1, 1, kKeyRW | kKeyAccess | kKeyUpdate | kKeyVariableFlags, 0,
      "RW and ACCESS due to the optional `GET` argument", SetKeyFlags},
     CmdSet, "string", "1.0.0",
     "Set the string value of a key", "O(1)", "@write @string @slow"},
    {"SETEX", 4, kCmdWrite | kCmdDenyOom, {1, 1, 1, kKeyOW | kKeyUpdate},
     CmdSetEx, "string", "2.0.0",
     "Set the value and expiration of a key", "O(1)", "@write @string @slow"},
    {"PSETEX", 4, kCmdWrite | kCmdDenyOom, {1, 1, 1, kKeyOW | kKeyUpdate},
     CmdPSetEx, "string", "2.6.0",
     "Set the value and expiration in milliseconds of a key", "O(1)", "@write @string @slow"},
    {"SETNX", 3, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1, kKeyOW | kKeyInsert},
     CmdSetNx, "string", "1.0.0",
     "Set the value of a key, only if the key does not exist", "O(1)",
     "@write @string @fast"},
    {"GETEX", -2, kCmdWrite | kCmdFast,
     {1, 1, 1, kKeyRW | kKeyAccess | kKeyUpdate, 0, "RW and UPDATE because it changes the TTL"},
     CmdGetEx, "string", "6.2.0",
     "Get the value of a key and optionally set its expiration", "O(1)",
     "@write @string @fast"},
    {"GETDEL", 2, kCmdWrite | kCmdFast, {1, 1, 1, kKeyRW | kKeyAccess | kKeyDelete},
     CmdGetDel, "string", "6.2.0",
     "Get the value of a key and delete the key", "O(1)", "@write @string @fast"},
    {"GETSET", 3, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1, kKeyRW | kKeyAccess | kKeyUpdate},
     CmdGetSet, "string", "1.0.0",
     "Set the string value of a key and return its old value", "O(1)",
     "@write @string @fast"},
    {"MGET", -2, kCmdReadOnly | kCmdFast, {1, -1, 1, kKeyRO | kKeyAccess},
     CmdMGet, "string", "1.0.0",
     "Get the values of all the given keys",
     "O(N) where N is the number of keys to retrieve.", "@read @string @fast"},
    {"MSET", -3, kCmdWrite | kCmdDenyOom, {1, -1, 2, kKeyOW | kKeyUpdate},
     CmdMSet, "string", "1.0.1",
     "Set multiple keys to multiple values", "O(N) where N is the number of keys to set.",
     "@write @string @slow"},
    {"MSETNX", -3, kCmdWrite | kCmdDenyOom, {1, -1, 2, kKeyOW | kKeyInsert},
     CmdMSetNx, "string", "1.0.1",
     "Set multiple keys to multiple values, only if none of the keys exist",
     "O(N) where N is the number of keys to set.", "@write @string @slow"},
    {"INCR", 2, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1, kKeyRW | kKeyAccess | kKeyUpdate},
     CmdIncr, "string", "1.0.0",
     "Increment the integer value of a key by one", "O(1)", "@write @string @fast"},
    {"INCRBY", 3, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1, kKeyRW | kKeyAccess | kKeyUpdate},
     CmdIncrBy, "string", "1.0.0",
     "Increment the integer value of a key by the given amount", "O(1)",
     "@write @string @fast"},
    {"DECR", 2, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1, kKeyRW | kKeyAccess | kKeyUpdate},
     CmdDecr, "string", "1.0.0",
     "Decrement the integer value of a key by one", "O(1)", "@write @string @fast"},
    {"DECRBY", 3, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1, kKeyRW | kKeyAccess | kKeyUpdate},
     CmdDecrBy, "string", "1.0.0",
     "Decrement the integer value of a key by the given number", "O(1)",
     "@write @string @fast"},
    {"INCRBYFLOAT", 3, kCmdWrite | kCmdDenyOom | kCmdFast,
     {1, 1, 1, kKeyRW | kKeyAccess | kKeyUpdate},
     CmdIncrByFloat, "string",
     "2.6.0", "Increment the float value of a key by the given amount", "O(1)",
     "@write @string @fast"},
    {"APPEND", 3, kCmdWrite | kCmdDenyOom | kCmdFast, {1, 1, 1, kKeyRW | kKeyInsert},
     CmdAppend, "string", "2.0.0",
     "Append a value to a key",
     "O(1). The amortized time complexity is O(1) assuming the appended value is small and "
     "the already present value is of any size, since the dynamic string library used by "
     "Redis will double the free space available on every reallocation.",
     "@write @string @fast"},
    {"STRLEN", 2, kCmdReadOnly | kCmdFast, {1, 1, 1, kKeyRO}, CmdStrLen, "string", "2.2.0",
     "Get the length of the value stored in a key", "O(1)", "@read @string @fast"},
    {"GETRANGE", 4, kCmdReadOnly, {1, 1, 1, kKeyRO | kKeyAccess}, CmdGetRange, "string", "2.4.0",
     "Get a substring of the string stored at a key",
     "O(N) where N is the length of the returned string. The complexity is ultimately "
     "determined by the returned length, but because creating a substring from an existing "
     "string is very cheap, it can be considered O(1) for small strings.",
     "@read @string @slow"},
    {"SETRANGE", 4, kCmdWrite | kCmdDenyOom, {1, 1, 1, kKeyRW | kKeyUpdate},
     CmdSetRange, "string", "2.2.0",
     "Overwrite part of a string at key starting at the specified offset",
     "O(1), not counting the time taken to copy the new string in place. Usually, this "
     "string is very small so the amortized complexity is O(1). Otherwise, complexity is "
     "O(M) with M being the length of the value argument.",
     "@write @string @slow"},
};

}  // namespace

std::span<const CommandSpec> StringCommands() { return kStringCommands; }

}  // namespace ss::cmd
