// Server: the one libuv loop. Listens on TCP (and optionally a unix socket),
// accepts connections, drives active expiry with a timer armed for the
// keyspace's next deadline, runs a 100 ms housekeeping timer, and stops
// cleanly on SIGINT/SIGTERM or SHUTDOWN.
//
// Owns the loop, its handles and every Connection (each freed in its libuv
// close callback). Borrows the ServerState and the command table for its
// lifetime. Loop thread only.
#pragma once

#include <uv.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "ss/cmd/command.h"
#include "ss/status.h"

namespace ss::net {

class Connection;

class Server {
 public:
  Server(cmd::ServerState& state, const cmd::CommandTable& table);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens on the configured address(es). Fails with the
  // system's message (address in use, permission, ...).
  Status Listen();
  // Runs until shutdown; returns the process exit code.
  int Run();
  // Stops after the current batch of replies is written.
  void RequestShutdown(cmd::ShutdownMode mode);

  // The TCP port actually bound (differs from the config when it was 0).
  int bound_port() const { return bound_port_; }

  // Internal to net/: used by Connection.
  uv_loop_t* loop() { return &loop_; }
  cmd::ServerState& state() { return state_; }
  const cmd::CommandTable& table() const { return table_; }
  // A loop-wide read buffer lent to connections that have no partial
  // request; reads land here and only leftovers are copied.
  char* shared_read_buffer() { return shared_rbuf_.get(); }
  static constexpr size_t kSharedReadBufferSize = 64 * 1024;
  void OnConnectionClosed(Connection* c);
  // c has delivered bytes to write; OnPrepare flushes it before the loop
  // next waits for I/O.
  void QueueFlush(Connection* c) { flush_queue_.push_back(c); }
  // Re-arms the expiry timer if the keyspace now has earlier work.
  void ArmExpiryTimer();
  // CLIENT PAUSE / UNPAUSE changed ServerState's pause: (re)arms the pause
  // timer, whose callback ends an expired pause and resumes the connections
  // holding a postponed request (always from the loop, never re-entrantly).
  void ArmPauseTimer();

 private:
  static void OnNewConnection(uv_stream_t* listener, int status);
  static void OnSignal(uv_signal_t* handle, int signum);
  static void OnExpiryTimer(uv_timer_t* t);
  static void OnExpiryIdle(uv_idle_t* i);
  // One budgeted slice of active expiry; keeps slicing from the idle handle
  // while due work remains.
  void ExpireSlice();
  static void OnCronTimer(uv_timer_t* t);
  static void OnPauseTimer(uv_timer_t* t);
  static void OnPrepare(uv_prepare_t* p);
  static void OnCheck(uv_check_t* c);
  // Writes every connection on the flush queue.
  void FlushQueued();
  void Accept(uv_stream_t* listener, bool unix_socket);
  void BeginShutdown();

  cmd::ServerState& state_;
  const cmd::CommandTable& table_;
  uv_loop_t loop_{};
  uv_tcp_t tcp_{};
  uv_pipe_t pipe_{};
  bool has_tcp_ = false;
  bool has_pipe_ = false;
  uv_signal_t sigint_{};
  uv_signal_t sigterm_{};
  uv_timer_t expiry_timer_{};
  // Active while expiry has a backlog: an active idle handle makes the loop
  // poll without blocking, so clients are served between slices. (A timer
  // re-armed with timeout 0 from its own callback would run again in the same
  // pass on libuv < 1.48 and starve clients.)
  uv_idle_t expiry_idle_{};
  bool expiry_backlog_ = false;
  uv_timer_t cron_timer_{};
  uv_timer_t pause_timer_{};
  uv_prepare_t prepare_{};
  uv_check_t check_{};
  int64_t expiry_armed_ms_ = -1;  // wall-clock ms the expiry timer fires at
  std::unique_ptr<char[]> shared_rbuf_;
  std::vector<Connection*> connections_;
  std::vector<Connection*> flush_queue_;  // borrowed; a closed one is removed
  std::vector<Connection*> flushing_;  // FlushQueued's working list
  bool shutting_down_ = false;
  int bound_port_ = 0;
};

}  // namespace ss::net
