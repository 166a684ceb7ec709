// Cluster compatibility (--cluster-compat): what the rest of the command
// layer needs to know about it. See src/cmd/cluster.cc.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace ss::cmd {

class ServerState;
class Client;
struct CommandSpec;

inline constexpr std::string_view kErrCrossSlot =
    "CROSSSLOT Keys in request don't hash to the same slot";

// Redis's mode name for HELLO's `mode` and INFO's `redis_mode`: "cluster"
// with --cluster-compat, else "standalone".
std::string_view RedisMode(const ServerState& server);

// Redis's keyHashSlot: CRC16 (XMODEM) of the key, or of its hash tag (the
// bytes between the first '{' and the next '}', if not empty), mod 16384.
uint16_t KeyHashSlot(std::string_view key);

// Redis's getNodeByQuery for a node that owns every slot: whether all the key
// arguments of the request `args` (spec, already arity-checked) hash to one
// slot. For EXEC inside MULTI the keys are those of every queued command,
// as Redis checks a transaction as a whole. A request without keys passes.
// Loop thread only (reuses one scratch buffer).
bool KeysInOneSlot(const Client& client, const CommandSpec& spec,
                   std::span<const std::string_view> args);

}  // namespace ss::cmd
