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

namespace ss::cmd {

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
  std::string last_command = "NULL";  // lower-case full name, CLIENT LIST cmd=

  // I/O figures, kept by the connection.
  size_t query_buffer = 0;          // qbuf
  size_t query_buffer_free = 0;     // qbuf-free
  size_t output_pending = 0;        // omem-ish: reply bytes not yet written

  // Set by a command: close the connection once this reply is written
  // (QUIT, protocol errors).
  bool close_after_reply = false;
};

}  // namespace ss::cmd
