// Keyspace notifications (see ss/cmd/notify.h).
#include "ss/cmd/notify.h"

#include "ss/cmd/server_state.h"

namespace ss::cmd {

void NotifyKeyspaceEvent(ServerState& server, uint32_t type, std::string_view event,
                         std::string_view key, int db) {
  // Publishing arrives with pub/sub; until then no class is ever enabled.
  (void)server, (void)type, (void)event, (void)key, (void)db;
}

}  // namespace ss::cmd
