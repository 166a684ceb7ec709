// Cluster compatibility (--cluster-compat): what the rest of the command
// layer needs to know about it. See src/cmd/cluster.cc.
#pragma once

#include <cstdint>
#include <string_view>

namespace ss::cmd {

class ServerState;

// Redis's mode name for HELLO's `mode` and INFO's `redis_mode`: "cluster"
// with --cluster-compat, else "standalone".
std::string_view RedisMode(const ServerState& server);

// Redis's keyHashSlot: CRC16 (XMODEM) of the key, or of its hash tag (the
// bytes between the first '{' and the next '}', if not empty), mod 16384.
uint16_t KeyHashSlot(std::string_view key);

}  // namespace ss::cmd
