// Keyspace notifications (see ss/cmd/notify.h), as Redis 7.0's notify.c.
#include "ss/cmd/notify.h"

#include "ss/cmd/server_state.h"

namespace ss::cmd {

int64_t KeyspaceEventsStringToFlags(std::string_view classes) {
  uint32_t flags = 0;
  for (char c : classes) {
    switch (c) {
      case 'A': flags |= kNotifyAll; break;
      case 'g': flags |= kNotifyGeneric; break;
      case '$': flags |= kNotifyString; break;
      case 'l': flags |= kNotifyList; break;
      case 's': flags |= kNotifySet; break;
      case 'h': flags |= kNotifyHash; break;
      case 'z': flags |= kNotifyZset; break;
      case 'x': flags |= kNotifyExpired; break;
      case 'e': flags |= kNotifyEvicted; break;
      case 'K': flags |= kNotifyKeyspace; break;
      case 'E': flags |= kNotifyKeyevent; break;
      case 't': flags |= kNotifyStream; break;
      case 'm': flags |= kNotifyKeyMiss; break;
      case 'd': flags |= kNotifyModule; break;
      case 'n': flags |= kNotifyNew; break;
      default: return -1;  // Redis reads a C string: a NUL byte is rejected too
    }
  }
  return flags;
}

std::string KeyspaceEventsFlagsToString(uint32_t flags) {
  std::string out;
  if ((flags & kNotifyAll) == kNotifyAll) {
    // Redis 7.0 prints "A" alone here, so "n" is not shown next to it.
    out.push_back('A');
  } else {
    static constexpr struct {
      uint32_t flag;
      char letter;
    } kLetters[] = {{kNotifyGeneric, 'g'}, {kNotifyString, '$'}, {kNotifyList, 'l'},
                    {kNotifySet, 's'},     {kNotifyHash, 'h'},   {kNotifyZset, 'z'},
                    {kNotifyExpired, 'x'}, {kNotifyEvicted, 'e'}, {kNotifyStream, 't'},
                    {kNotifyModule, 'd'},  {kNotifyNew, 'n'}};
    for (const auto& l : kLetters) {
      if (flags & l.flag) out.push_back(l.letter);
    }
  }
  if (flags & kNotifyKeyspace) out.push_back('K');
  if (flags & kNotifyKeyevent) out.push_back('E');
  if (flags & kNotifyKeyMiss) out.push_back('m');
  return out;
}

void NotifyKeyspaceEvent(ServerState& server, uint32_t type, std::string_view event,
                         std::string_view key, int db) {
  const uint32_t flags = server.config.notify_keyspace_events;
  if (!(flags & type)) return;
  std::string channel;
  const std::string db_text = std::to_string(db);
  if (flags & kNotifyKeyspace) {
    channel.append("__keyspace@").append(db_text).append("__:").append(key);
    server.pubsub.Publish(channel, event, PubSub::Space::kChannel);
  }
  if (flags & kNotifyKeyevent) {
    channel.clear();
    channel.append("__keyevent@").append(db_text).append("__:").append(event);
    server.pubsub.Publish(channel, key, PubSub::Space::kChannel);
  }
}

void ExpiredEventPublisher::OnKeyExpired(int db, std::string_view key) {
  NotifyKeyspaceEvent(server_, kNotifyExpired, "expired", key, db);
}

}  // namespace ss::cmd
