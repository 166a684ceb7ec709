#include "ss/cmd/watch.h"

#include <algorithm>
#include <cstring>

namespace ss::cmd {

WatchRegistry& WatchRegistry::Of(ServerState& server) {
  if (server.watches == nullptr) {
    server.watches = std::make_shared<WatchRegistry>(server);
    WatchRegistry* registry = server.watches.get();
    server.keyspace_observers.Add(registry);
    server.on_client_closed.push_back([registry](Client& c) {
      registry->UnwatchAll(c);
      c.watch_dirty = false;
    });
  }
  return *server.watches;
}

std::string WatchRegistry::SlotName(int db, std::string_view key) {
  std::string name(sizeof(db) + key.size(), '\0');
  std::memcpy(name.data(), &db, sizeof(db));
  std::memcpy(name.data() + sizeof(db), key.data(), key.size());
  return name;
}

void WatchRegistry::Watch(Client& c, int db, std::string_view key) {
  ClientWatches& entry = by_client_[c.id];
  entry.client = &c;
  std::vector<Watched>& mine = entry.keys;
  for (const Watched& w : mine) {
    if (w.db == db && w.key == key) return;
  }
  mine.push_back(Watched{db, std::string(key), server_.keyspace.Peek(db, key) != nullptr});
  by_key_[SlotName(db, key)].push_back(&c);
  c.watched_keys = mine.size();
}

void WatchRegistry::UnwatchAll(Client& c) {
  auto it = by_client_.find(c.id);
  if (it == by_client_.end()) return;
  // Bounded by the keys this client watches.
  for (const Watched& w : it->second.keys) {
    auto slot = by_key_.find(SlotName(w.db, w.key));
    if (slot == by_key_.end()) continue;
    std::vector<Client*>& watchers = slot->second;
    watchers.erase(std::remove(watchers.begin(), watchers.end(), &c), watchers.end());
    if (watchers.empty()) by_key_.erase(slot);
  }
  by_client_.erase(it);
  c.watched_keys = 0;
}

bool WatchRegistry::AnyWatchedKeyExpired(const Client& c) const {
  auto it = by_client_.find(c.id);
  if (it == by_client_.end()) return false;
  // A key live at WATCH that is now invisible without any reported change
  // can only have passed its deadline (a delete would have dirtied c).
  for (const Watched& w : it->second.keys) {
    if (w.live_at_watch && server_.keyspace.Peek(w.db, w.key) == nullptr) return true;
  }
  return false;
}

void WatchRegistry::Touch(Client& c, int db, std::string_view key, bool expired) {
  auto it = by_client_.find(c.id);
  if (it == by_client_.end()) return;
  for (const Watched& w : it->second.keys) {
    if (w.db != db || w.key != key) continue;
    // Redis 7.0: a key already absent (or expired) at WATCH whose removal
    // is now reported, or that is still absent, is logically unchanged.
    if (!w.live_at_watch && (expired || server_.keyspace.Peek(db, key) == nullptr)) return;
    c.watch_dirty = true;
    return;
  }
}

void WatchRegistry::OnKeyWritten(int db, std::string_view key) {
  if (by_key_.empty()) return;
  auto slot = by_key_.find(SlotName(db, key));
  if (slot == by_key_.end()) return;
  for (Client* c : slot->second) Touch(*c, db, key, false);
}

void WatchRegistry::OnKeyExpired(int db, std::string_view key) {
  if (by_key_.empty()) return;
  auto slot = by_key_.find(SlotName(db, key));
  if (slot == by_key_.end()) return;
  for (Client* c : slot->second) Touch(*c, db, key, true);
}

void WatchRegistry::OnDatabaseChanged(int db) {
  if (by_key_.empty()) return;
  // Redis's touchAllWatchedKeysInDb: every watcher of a key that was live
  // (and so is gone now) or that exists after the change (SWAPDB brought
  // it) is dirtied. Bounded by the number of watched keys.
  for (auto& entry : by_client_) {
    ClientWatches& watches = entry.second;
    for (const Watched& w : watches.keys) {
      if (w.db == db && (w.live_at_watch || server_.keyspace.Peek(db, w.key) != nullptr)) {
        watches.client->watch_dirty = true;
        break;
      }
    }
  }
}

}  // namespace ss::cmd
