// Client: the per-connection state that commands see and change (selected
// database, protocol version, name, ...). Owned by its connection in net/,
// which also keeps the I/O figures here current for CLIENT LIST and INFO.
// ServerState::clients borrows a pointer for as long as the connection lives.
// Loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ss::cmd {

struct CommandSpec;

// What the command layer can do to a connection other than the one whose
// command is running: deliver bytes out of band (pub/sub messages, keyspace
// events, MONITOR lines), or close it (CLIENT KILL). Implemented by
// net::Connection, which outlives every pointer to it held in ServerState.
class ClientChannel {
 public:
  virtual ~ClientChannel() = default;
  // Appends already-encoded RESP bytes to the client's replies (after any
  // reply already queued) and arranges for them to be written soon.
  virtual void Deliver(std::string_view bytes) = 0;
  // Closes the connection once what is queued has been written; safe to
  // call on the client whose command is running.
  virtual void Kill() = 0;
};

struct Client {
  uint64_t id = 0;
  int db = 0;
  int protocol = 2;                 // 2 or 3 (HELLO)
  std::string name;                 // CLIENT SETNAME
  std::string lib_name, lib_ver;    // CLIENT SETINFO
  // Peer "ip:port" ("/path:0" for unix) and local address. Left empty by a
  // connection, which sets `describe` instead: asking the kernel costs two
  // syscalls per connection and most clients are never listed.
  std::string addr;
  std::string laddr;
  std::function<std::string(bool local)> describe;
  std::string PeerAddress() const { return addr.empty() && describe ? describe(false) : addr; }
  std::string LocalAddress() const { return laddr.empty() && describe ? describe(true) : laddr; }
  int fd = -1;
  bool unix_socket = false;
  int64_t created_ms = 0;
  int64_t last_interaction_ms = 0;
  // The last command run (CLIENT LIST cmd=): kept as table pointers, so
  // the name is spelled only when a listing asks (LastCommandName).
  const CommandSpec* last_spec = nullptr;
  const CommandSpec* last_parent = nullptr;

  // I/O figures, kept by the connection.
  size_t query_buffer = 0;          // qbuf
  size_t query_buffer_free = 0;     // qbuf-free
  size_t output_pending = 0;        // omem-ish: reply bytes not yet written

  // Set by a command: close the connection once this reply is written
  // (QUIT, protocol errors).
  bool close_after_reply = false;

  // AUTH: false until the client authenticates when a password is required
  // (set by the connection at accept from config.requirepass; RESET clears
  // it again). Only consulted while a password is configured.
  bool authenticated = true;

  // MULTI: commands queued since MULTI, with copies of their arguments (the
  // request views die after each call). multi_error: a command was rejected
  // while queuing (EXEC then replies EXECABORT). watch_dirty: a WATCHed key
  // changed (EXEC then replies a null array); kept by the WATCH registry.
  struct QueuedCommand {
    const CommandSpec* spec;
    const CommandSpec* parent;  // the container for a subcommand, else nullptr
    std::vector<std::string> args;
  };
  bool in_multi = false;
  bool multi_error = false;
  bool watch_dirty = false;
  std::vector<QueuedCommand> multi_queue;
  size_t watched_keys = 0;          // kept by the WATCH registry

  // CLIENT REPLY: kOn, kOff, kSkipNext (set by SKIP: the next command's reply
  // is dropped), kSkip (dropping the current command's reply).
  enum class ReplyMode { kOn, kOff, kSkipNext, kSkip };
  ReplyMode reply_mode = ReplyMode::kOn;
  // CLIENT NO-EVICT / NO-TOUCH: kept and reported (flags e / T); sessiond
  // has no eviction and no LRU clock, so they change nothing else.
  bool no_evict = false;
  bool no_touch = false;
  // Set by the connection while CLIENT PAUSE holds this client's next
  // command (flag b in CLIENT LIST, as Redis's postponed clients).
  bool postponed = false;
  // Pub/Sub: channels, patterns and shard channels (SSUBSCRIBE) this client
  // is subscribed to (kept by cmd::PubSub; any of them nonzero puts a RESP2
  // client in subscribe mode, see InSubscribeMode).
  size_t pubsub_channels = 0;
  size_t pubsub_patterns = 0;
  size_t pubsub_shard_channels = 0;
  bool InSubscribeMode() const {
    return pubsub_channels + pubsub_patterns + pubsub_shard_channels > 0;
  }

  // Redis's CLIENT LIST flag letters, in Redis's order ("N" for none).
  std::string FlagLetters() const {
    std::string f;
    if (InSubscribeMode()) f += 'P';
    if (in_multi) f += 'x';
    if (postponed) f += 'b';
    if (watch_dirty) f += 'd';
    if (close_after_reply) f += 'c';
    if (unix_socket) f += 'U';
    if (no_evict) f += 'e';
    if (no_touch) f += 'T';
    if (f.empty()) f.push_back('N');
    return f;
  }

  // The connection behind this client (nullptr in unit tests that have none).
  ClientChannel* channel = nullptr;
};

}  // namespace ss::cmd
