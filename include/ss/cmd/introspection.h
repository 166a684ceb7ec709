// Text renderings shared by the introspection commands (CLIENT LIST/INFO,
// INFO clients).
#pragma once

#include <string>

#include "ss/cmd/client.h"
#include "ss/cmd/server_state.h"

namespace ss::cmd {

// One CLIENT LIST line (without the trailing newline), with Redis 7.2's
// fields in Redis's order.
std::string ClientInfoLine(const ServerState& server, const Client& client);

}  // namespace ss::cmd
