// FUNCTION FLUSH / LIST / HELP. sessiond runs no scripts, so there are
// never any function libraries: FLUSH has nothing to delete and LIST has
// nothing to list, but both parse their arguments as Redis 7.0's
// functions.c does, so client libraries that clean up between tests
// (FUNCTION FLUSH) work. LOAD, DELETE, DUMP, RESTORE, STATS, KILL and FCALL
// are absent.
#include <string>

#include "ss/cmd/args.h"
#include "ss/cmd/command.h"

namespace ss::cmd {
namespace {

// FUNCTION FLUSH [ASYNC|SYNC]
void CmdFunctionFlush(CommandContext& ctx) {
  if (ctx.args.size() == 3) {
    if (!EqualsIgnoreCase(ctx.args[2], "sync") && !EqualsIgnoreCase(ctx.args[2], "async")) {
      ctx.reply.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
      return;
    }
  } else if (ctx.args.size() > 3) {
    ctx.reply.Error("ERR unknown subcommand or wrong number of arguments for '" +
                    std::string(ctx.args[1].substr(0, 128)) + "'. Try FUNCTION HELP.");
    return;
  }
  ctx.reply.Status("OK");
}

// FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]: each option at most once.
void CmdFunctionList(CommandContext& ctx) {
  bool with_code = false, library_name = false;
  // Bounded by the argument count.
  for (size_t i = 2; i < ctx.args.size(); ++i) {
    std::string_view arg = ctx.args[i];
    if (!with_code && EqualsIgnoreCase(arg, "withcode")) {
      with_code = true;
      continue;
    }
    if (!library_name && EqualsIgnoreCase(arg, "libraryname")) {
      if (i >= ctx.args.size() - 1) {
        ctx.reply.Error("ERR library name argument was not given");
        return;
      }
      library_name = true;
      ++i;
      continue;
    }
    // Redis formats the argument with %s: it ends at a NUL byte.
    ctx.reply.Error("ERR Unknown argument " + std::string(arg.substr(0, arg.find('\0'))));
    return;
  }
  ctx.reply.ArrayHeader(0);
}

void CmdFunctionHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
      "    Return general information on all the libraries:",
      "    * Library name",
      "    * The engine used to run the Library",
      "    * Library description",
      "    * Functions list",
      "    * Library code (if WITHCODE is given)",
      "    It also possible to get only function that matches a pattern using LIBRARYNAME "
      "argument.",
      "FLUSH [ASYNC|SYNC]",
      "    Delete all the libraries.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the libraries.",
      "    * SYNC: Synchronously flush the libraries.",
      "HELP",
      "    Prints this help.",
  };
  ctx.ReplyHelp(kLines);
}

constexpr CommandSpec kFunctionSubcommands[] = {
    {"FLUSH", -2, kCmdWrite | kCmdNoScript, {}, CmdFunctionFlush, "scripting", "7.0.0",
     "Deleting all functions", "O(N) where N is the number of functions deleted",
     "@write @slow @scripting"},
    {"HELP", 2, kCmdLoading | kCmdStale, {}, CmdFunctionHelp, "scripting", "7.0.0",
     "Show helpful text about the different subcommands", "O(1)", "@slow @scripting"},
    {"LIST", -2, kCmdNoScript, {}, CmdFunctionList, "scripting", "7.0.0",
     "List information about all the functions", "O(N) where N is the number of functions",
     "@slow @scripting"},
};

constexpr CommandSpec kFunctionCommands[] = {
    {"FUNCTION", -2, 0, {}, nullptr, "scripting", "7.0.0", "A container for function commands",
     "Depends on subcommand.", "@slow", kFunctionSubcommands},
};

}  // namespace

std::span<const CommandSpec> FunctionCommands() { return kFunctionCommands; }

}  // namespace ss::cmd
