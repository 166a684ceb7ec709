// The command log: what happens after each executed command besides its
// reply (SLOWLOG entries, MONITOR lines). See Execute() in ss/cmd/command.h.
#include "ss/cmd/command.h"

namespace ss::cmd {

void LogCommand(CommandContext& ctx, const CommandSpec& spec, int64_t duration_us) {
  (void)ctx, (void)spec, (void)duration_us;
}

}  // namespace ss::cmd
