// WatchRegistry: the keys each client WATCHes, and which clients watch each
// key, kept exact by hearing every keyspace change (KeyspaceObserver). A
// change to a watched key sets Client::watch_dirty on its watchers, so their
// EXEC replies a null array (Redis 7.0's CLIENT_DIRTY_CAS).
//
// Redis 7.0 details kept here: a key that was absent or already expired at
// WATCH and is still absent after a change does not dirty (its deletion is
// "logically no change"); a flush dirties the watchers of keys that were
// live; EXEC also aborts if a key live at WATCH is now past its deadline
// even though nothing reclaimed it yet (AnyWatchedKeyExpired).
//
// Owned by ServerState (created by the first WATCH, which registers it as a
// keyspace observer and a client-closed hook). Borrows Client pointers from
// WATCH until UnwatchAll (EXEC, DISCARD, UNWATCH, RESET, close).
// Loop thread only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ss/cmd/client.h"
#include "ss/cmd/server_state.h"
#include "ss/store/keyspace.h"

namespace ss::cmd {

class WatchRegistry final : public KeyspaceObserver {
 public:
  explicit WatchRegistry(ServerState& server) : server_(server) {}

  // The server's registry, created and registered on first use.
  static WatchRegistry& Of(ServerState& server);

  // WATCH key in db for c (a key already watched in that db is ignored).
  void Watch(Client& c, int db, std::string_view key);
  // Forgets every key c watches; does not clear c.watch_dirty.
  void UnwatchAll(Client& c);
  // Redis 7.0's isWatchedKeyExpired: a key live at WATCH time is now past
  // its deadline (not yet reclaimed, so no change was reported).
  bool AnyWatchedKeyExpired(const Client& c) const;

  void OnKeyWritten(int db, std::string_view key) override;
  void OnKeyExpired(int db, std::string_view key) override;
  void OnDatabaseChanged(int db) override;

 private:
  struct Watched {
    int db;
    std::string key;
    bool live_at_watch;  // the key held a live value when WATCHed
  };
  // Key of by_key_: the db number's 4 bytes then the key's bytes.
  static std::string SlotName(int db, std::string_view key);
  // Marks c's transaction dirty unless the change to (db, key) is a key
  // that was absent at WATCH staying absent.
  void Touch(Client& c, int db, std::string_view key, bool expired);

  ServerState& server_;
  struct ClientWatches {
    Client* client;
    std::vector<Watched> keys;
  };
  std::unordered_map<uint64_t, ClientWatches> by_client_;
  std::unordered_map<std::string, std::vector<Client*>> by_key_;
};

// Redis's discardTransaction: leaves MULTI, drops the queue and both dirty
// flags, and unwatches every key (EXEC, DISCARD, RESET, an aborted EXEC).
void DiscardTransaction(ServerState& server, Client& c);

}  // namespace ss::cmd
