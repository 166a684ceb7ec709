// Argument checks shared by the SESSION.* command files. Each returns false
// after writing the -ERR reply, so a handler just returns.
#pragma once

#include <cstdint>
#include <string_view>

#include "ss/cmd/command.h"
#include "ss/session/session_store.h"

namespace ss::cmd {

// [A-Za-z0-9._:-]{1,128}.
bool CheckSandbox(CommandContext& ctx, std::string_view sandbox);
// A session id or user id: 1..256 bytes of valid UTF-8 without whitespace
// or control characters. what: "session id" or "user id".
bool CheckId(CommandContext& ctx, std::string_view id, std::string_view what);
// The <sandbox> <session_id> pair at args[1], args[2] of most SESSION.*
// commands.
bool CheckTarget(CommandContext& ctx);
// A positive integer (1..2^31-1) for option `what` (TTL, IDLE, COUNT...).
bool ParsePositive(CommandContext& ctx, std::string_view arg, std::string_view what,
                   int64_t* out);
// "ERR unknown option '<opt>'" / "ERR option '<opt>' needs a value".
void ReplyUnknownOption(CommandContext& ctx, std::string_view opt);
void ReplyMissingValue(CommandContext& ctx, std::string_view opt);
// The session store of the server.
inline session::SessionStore& Sessions(CommandContext& ctx) { return ctx.server.sessions; }

}  // namespace ss::cmd
