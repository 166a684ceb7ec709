// Introspection: COMMAND (COUNT, DOCS, INFO, LIST, HELP) rendered from the
// one command table, and the CLIENT LIST line format.
#include "ss/cmd/introspection.h"

#include <string>
#include <vector>

#include "ss/cmd/args.h"
#include "ss/cmd/command.h"
#include "ss/cmd/errors.h"
#include "ss/cmd/glob.h"

namespace ss::cmd {

std::string ClientInfoLine(const ServerState& server, const Client& c) {
  int64_t now = server.clock.NowMs();
  std::string s;
  s.reserve(384);
  auto field = [&s](std::string_view name, std::string_view value) {
    if (!s.empty()) s += ' ';
    s += name;
    s += '=';
    s += value;
  };
  auto num = [&field](std::string_view name, int64_t v) { field(name, std::to_string(v)); };
  num("id", static_cast<int64_t>(c.id));
  field("addr", c.PeerAddress());
  field("laddr", c.LocalAddress());
  num("fd", c.fd);
  field("name", c.name);
  num("age", (now - c.created_ms) / 1000);
  num("idle", (now - c.last_interaction_ms) / 1000);
  field("flags", c.FlagLetters());
  num("db", c.db);
  num("sub", static_cast<int64_t>(c.pubsub_channels));
  num("psub", static_cast<int64_t>(c.pubsub_patterns));
  num("ssub", 0);
  num("multi", c.in_multi ? static_cast<int64_t>(c.multi_queue.size()) : -1);
  num("qbuf", static_cast<int64_t>(c.query_buffer));
  num("qbuf-free", static_cast<int64_t>(c.query_buffer_free));
  num("argv-mem", 0);
  num("multi-mem", 0);
  num("rbs", static_cast<int64_t>(c.query_buffer + c.query_buffer_free));
  num("rbp", static_cast<int64_t>(c.query_buffer));
  num("obl", 0);
  num("oll", 0);
  num("omem", static_cast<int64_t>(c.output_pending));
  num("tot-mem", static_cast<int64_t>(c.query_buffer + c.query_buffer_free + c.output_pending));
  field("events", "r");
  field("cmd", c.last_spec != nullptr ? FullName(*c.last_spec, c.last_parent) : "NULL");
  field("user", "default");
  num("redir", -1);
  num("resp", c.protocol);
  field("lib-name", c.lib_name);
  field("lib-ver", c.lib_ver);
  return s;
}

namespace {

struct FlagName {
  uint32_t flag;
  std::string_view name;
};

// COMMAND INFO's flag names, in Redis's order (server.c addReplyCommandFlags).
constexpr FlagName kFlagNames[] = {
    {kCmdWrite, "write"},          {kCmdReadOnly, "readonly"},
    {kCmdDenyOom, "denyoom"},      {kCmdAdmin, "admin"},
    {kCmdPubSub, "pubsub"},        {kCmdNoScript, "noscript"},
    {kCmdBlocking, "blocking"},    {kCmdLoading, "loading"},
    {kCmdStale, "stale"},          {kCmdSkipMonitor, "skip_monitor"},
    {kCmdSkipSlowlog, "skip_slowlog"},
    {kCmdFast, "fast"},            {kCmdNoAuth, "no_auth"},
    {kCmdMayReplicate, "may_replicate"}, {kCmdNoMandatoryKeys, "no_mandatory_keys"},
    {kCmdNoMulti, "no_multi"},     {kCmdAllowBusy, "allow_busy"},
};

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(' ', i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Key-spec flag names in Redis's order (server.c addReplyFlagsForKeyArgs).
constexpr FlagName kKeyFlagNames[] = {
    {kKeyRO, "RO"},
    {kKeyRW, "RW"},
    {kKeyOW, "OW"},
    {kKeyRM, "RM"},
    {kKeyAccess, "access"},
    {kKeyUpdate, "update"},
    {kKeyInsert, "insert"},
    {kKeyDelete, "delete"},
    {kKeyNotKey, "not_key"},
    {kKeyIncomplete, "incomplete"},
    {kKeyVariableFlags, "variable_flags"},
};

void ReplyKeyFlags(resp::ReplyWriter& r, uint32_t flags) {
  size_t n = 0;
  for (const FlagName& f : kKeyFlagNames) n += (flags & f.flag) ? 1 : 0;
  r.SetHeader(n);
  for (const FlagName& f : kKeyFlagNames) {
    if (flags & f.flag) r.Status(f.name);
  }
}

void ReplyKeySpecs(resp::ReplyWriter& r, const CommandSpec& spec) {
  const KeySpecs specs = KeySpecsOf(spec.keys);
  r.ArrayHeader(static_cast<size_t>(specs.count));
  for (int i = 0; i < specs.count; ++i) {
    const KeySpec& ks = specs.spec[i];
    r.MapHeader(ks.notes.empty() ? 3 : 4);
    if (!ks.notes.empty()) {
      r.Bulk("notes");
      r.Bulk(ks.notes);
    }
    r.Bulk("flags");
    ReplyKeyFlags(r, ks.flags);
    r.Bulk("begin_search");
    r.MapHeader(2);
    r.Bulk("type");
    r.Bulk("index");
    r.Bulk("spec");
    r.MapHeader(1);
    r.Bulk("index");
    r.Integer(ks.index);
    r.Bulk("find_keys");
    r.MapHeader(2);
    r.Bulk("type");
    r.Bulk("range");
    r.Bulk("spec");
    r.MapHeader(3);
    r.Bulk("lastkey");
    r.Integer(ks.lastkey);
    r.Bulk("keystep");
    r.Integer(ks.keystep);
    r.Bulk("limit");
    r.Integer(0);
  }
}

void ReplyCommandInfo(resp::ReplyWriter& r, const CommandSpec& spec, const CommandSpec* parent) {
  r.ArrayHeader(10);
  r.Bulk(FullName(spec, parent));
  r.Integer(spec.arity);
  size_t nflags = 0;
  for (const FlagName& f : kFlagNames) nflags += (spec.flags & f.flag) ? 1 : 0;
  r.SetHeader(nflags);
  for (const FlagName& f : kFlagNames) {
    if (spec.flags & f.flag) r.Status(f.name);
  }
  r.Integer(spec.keys.first);
  r.Integer(spec.keys.last);
  r.Integer(spec.keys.step);
  std::vector<std::string_view> cats = Words(spec.acl_categories);
  r.SetHeader(cats.size());
  for (std::string_view c : cats) r.Status(c);
  r.SetHeader(0);  // tips
  ReplyKeySpecs(r, spec);
  r.ArrayHeader(spec.subcommands.size());
  for (const CommandSpec& sub : spec.subcommands) ReplyCommandInfo(r, sub, &spec);
}

void ReplyCommandDocs(resp::ReplyWriter& r, const CommandSpec& spec) {
  bool subs = !spec.subcommands.empty();
  r.MapHeader(subs ? 5 : 4);
  r.Bulk("summary");
  r.Bulk(spec.summary);
  r.Bulk("since");
  r.Bulk(spec.since);
  r.Bulk("group");
  r.Bulk(spec.group);
  r.Bulk("complexity");
  r.Bulk(spec.complexity);
  if (subs) {
    r.Bulk("subcommands");
    r.MapHeader(spec.subcommands.size());
    for (const CommandSpec& sub : spec.subcommands) {
      r.Bulk(FullName(sub, &spec));
      ReplyCommandDocs(r, sub);
    }
  }
}

// Resolves "get" or "config|get" to its spec (and parent).
const CommandSpec* Resolve(std::string_view name, const CommandSpec** parent) {
  *parent = nullptr;
  size_t bar = name.find('|');
  if (bar == std::string_view::npos) return CommandTable::Get().Find(name);
  const CommandSpec* p = CommandTable::Get().Find(name.substr(0, bar));
  if (p == nullptr) return nullptr;
  *parent = p;
  return CommandTable::FindSub(*p, name.substr(bar + 1));
}

void CmdCommand(CommandContext& ctx) {
  const auto& all = CommandTable::Get().all();
  ctx.reply.ArrayHeader(all.size());
  for (const CommandSpec* spec : all) ReplyCommandInfo(ctx.reply, *spec, nullptr);
}

void CmdCommandCount(CommandContext& ctx) {
  ctx.reply.Integer(static_cast<int64_t>(CommandTable::Get().all().size()));
}

void CmdCommandInfo(CommandContext& ctx) {
  if (ctx.args.size() == 2) {
    CmdCommand(ctx);
    return;
  }
  ctx.reply.ArrayHeader(ctx.args.size() - 2);
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    const CommandSpec* parent = nullptr;
    const CommandSpec* spec = Resolve(ctx.args[i], &parent);
    if (spec == nullptr) {
      ctx.reply.Null();
    } else {
      ReplyCommandInfo(ctx.reply, *spec, parent);
    }
  }
}

void CmdCommandDocs(CommandContext& ctx) {
  std::vector<std::pair<std::string, const CommandSpec*>> found;
  if (ctx.args.size() == 2) {
    for (const CommandSpec* spec : CommandTable::Get().all()) {
      found.emplace_back(FullName(*spec, nullptr), spec);
    }
  } else {
    for (size_t i = 2; i < ctx.args.size(); ++i) {
      const CommandSpec* parent = nullptr;
      const CommandSpec* spec = Resolve(ctx.args[i], &parent);
      if (spec != nullptr) found.emplace_back(FullName(*spec, parent), spec);
    }
  }
  ctx.reply.MapHeader(found.size());
  for (const auto& [name, spec] : found) {
    ctx.reply.Bulk(name);
    ReplyCommandDocs(ctx.reply, *spec);
  }
}

void CmdCommandList(CommandContext& ctx) {
  // COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]
  enum class Filter { kNone, kModule, kAclCat, kPattern } filter = Filter::kNone;
  std::string_view arg;
  if (ctx.args.size() != 2) {
    if (ctx.args.size() != 5 || !EqualsIgnoreCase(ctx.args[2], "filterby")) {
      ctx.reply.Error(kErrSyntax);
      return;
    }
    arg = ctx.args[4];
    if (EqualsIgnoreCase(ctx.args[3], "module")) {
      filter = Filter::kModule;
    } else if (EqualsIgnoreCase(ctx.args[3], "aclcat")) {
      filter = Filter::kAclCat;
    } else if (EqualsIgnoreCase(ctx.args[3], "pattern")) {
      filter = Filter::kPattern;
    } else {
      ctx.reply.Error(kErrSyntax);
      return;
    }
  }
  std::vector<std::string> names;
  auto consider = [&](const CommandSpec& spec, const CommandSpec* parent) {
    std::string name = FullName(spec, parent);
    switch (filter) {
      case Filter::kNone:
        break;
      case Filter::kModule:
        return;  // sessiond loads no modules
      case Filter::kAclCat: {
        bool hit = false;
        for (std::string_view c : Words(spec.acl_categories)) {
          if (c.size() > 1 && EqualsIgnoreCase(c.substr(1), arg)) hit = true;
        }
        if (!hit) return;
        break;
      }
      case Filter::kPattern:
        if (!GlobMatch(arg, name, true)) return;
        break;
    }
    names.push_back(std::move(name));
  };
  for (const CommandSpec* spec : CommandTable::Get().all()) {
    consider(*spec, nullptr);
    for (const CommandSpec& sub : spec->subcommands) consider(sub, spec);
  }
  ctx.reply.ArrayHeader(names.size());
  for (const std::string& n : names) ctx.reply.Bulk(n);
}

// COMMAND GETKEYS / GETKEYSANDFLAGS <command> [arg ...]: the key arguments
// of a full command line (with their key-spec flags), with Redis's
// getKeysSubcommandImpl checks in its order.
void GetKeys(CommandContext& ctx, bool with_flags) {
  std::span<const std::string_view> argv = ctx.args.subspan(2);
  const CommandSpec* spec = CommandTable::Get().Find(argv[0]);
  if (spec != nullptr && !spec->subcommands.empty() && argv.size() >= 2) {
    spec = CommandTable::FindSub(*spec, argv[1]);
  }
  if (spec == nullptr) {
    ctx.reply.Error("ERR Invalid command specified");
    return;
  }
  if (!HasKeyArguments(*spec)) {
    ctx.reply.Error("ERR The command has no key arguments");
    return;
  }
  const auto argc = static_cast<int64_t>(argv.size());
  if ((spec->arity > 0 && spec->arity != argc) || argc < -spec->arity) {
    ctx.reply.Error("ERR Invalid number of arguments specified for command");
    return;
  }
  std::vector<KeyRef> keys;
  CommandKeys(*spec, argv, &keys);
  if (keys.empty()) {
    if (spec->flags & kCmdNoMandatoryKeys) {
      ctx.reply.ArrayHeader(0);
    } else {
      ctx.reply.Error("ERR Invalid arguments specified for command");
    }
    return;
  }
  ctx.reply.ArrayHeader(keys.size());
  for (const KeyRef& k : keys) {
    if (with_flags) {
      ctx.reply.ArrayHeader(2);
      ctx.reply.Bulk(argv[k.pos]);
      ReplyKeyFlags(ctx.reply, k.flags);
    } else {
      ctx.reply.Bulk(argv[k.pos]);
    }
  }
}

void CmdCommandGetKeys(CommandContext& ctx) { GetKeys(ctx, false); }
void CmdCommandGetKeysAndFlags(CommandContext& ctx) { GetKeys(ctx, true); }

void CmdCommandHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "(no subcommand)",
      "    Return details about all commands.",
      "COUNT",
      "    Return the total number of commands in this server.",
      "LIST",
      "    Return a list of all commands in this server.",
      "INFO [<command-name> ...]",
      "    Return details about multiple commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "DOCS [<command-name> ...]",
      "    Return documentation details about multiple commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "GETKEYS <full-command>",
      "    Return the keys from a full Redis command.",
      "GETKEYSANDFLAGS <full-command>",
      "    Return the keys and the access flags from a full Redis command.",
      "HELP",
      "    Print this help.",
  };
  ctx.ReplyHelp(kLines);
}

constexpr CommandSpec kCommandSubcommands[] = {
    {"COUNT", 2, kCmdLoading | kCmdStale, {}, CmdCommandCount, "server", "2.8.13",
     "Returns a count of commands.", "O(1)", "@slow @connection"},
    {"DOCS", -2, kCmdLoading | kCmdStale, {}, CmdCommandDocs, "server", "7.0.0",
     "Returns documentary information about one, multiple or all commands.",
     "O(N) where N is the number of commands to look up", "@slow @connection"},
    {"GETKEYS", -4, kCmdLoading | kCmdStale, {}, CmdCommandGetKeys, "server", "2.8.13",
     "Extract keys given a full Redis command",
     "O(N) where N is the number of arguments to the command", "@slow @connection"},
    {"GETKEYSANDFLAGS", -4, kCmdLoading | kCmdStale, {}, CmdCommandGetKeysAndFlags, "server",
     "7.0.0", "Extract keys and access flags given a full Redis command",
     "O(N) where N is the number of arguments to the command", "@slow @connection"},
    {"HELP", 2, kCmdLoading | kCmdStale, {}, CmdCommandHelp, "server", "5.0.0",
     "Returns helpful text about the different subcommands.", "O(1)", "@slow @connection"},
    {"INFO", -2, kCmdLoading | kCmdStale, {}, CmdCommandInfo, "server", "2.8.13",
     "Returns information about one, multiple or all commands.",
     "O(N) where N is the number of commands to look up", "@slow @connection"},
    {"LIST", -2, kCmdLoading | kCmdStale, {}, CmdCommandList, "server", "7.0.0",
     "Returns a list of command names.", "O(N) where N is the total number of Redis commands",
     "@slow @connection"},
};

constexpr CommandSpec kIntrospectionCommands[] = {
    {"COMMAND", -1, kCmdLoading | kCmdStale, {}, CmdCommand, "server", "2.8.13",
     "Returns detailed information about all commands.",
     "O(N) where N is the total number of Redis commands", "@slow @connection",
     kCommandSubcommands},
};

}  // namespace

std::span<const CommandSpec> IntrospectionCommands() { return kIntrospectionCommands; }

}  // namespace ss::cmd
