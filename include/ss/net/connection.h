// Connection: one client socket. Reads into the server's shared buffer (or
// its own when a request is split across reads), parses every complete
// request, runs it through the command table and queues the reply; after
// the whole read is processed the replies leave in one write (uv_try_write,
// then uv_write for what the socket did not take).
//
// Reply order is the ReplyQueue's: a reply slot not yet filled (a command
// waiting on something) holds back the replies after it, and while one is
// open the connection executes nothing more, so commands also take effect in
// order.
//
// Owns its libuv handle, buffers and cmd::Client; is deleted only in the
// handle's close callback. Loop thread only.
#pragma once

#include <uv.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "ss/cmd/client.h"
#include "ss/resp/parser.h"
#include "ss/resp/reply_queue.h"
#include "ss/resp/writer.h"

namespace ss::net {

class Server;

class Connection final : public cmd::ClientChannel {
 public:
  // Takes over the listener's pending connection; returns it (already
  // closing if it was refused for maxclients), or nullptr if accept failed.
  // REQUIRES: listener has a pending connection.
  static Connection* Accept(Server& server, uv_stream_t* listener, bool unix_socket);

  // Starts closing; the object is freed in the close callback.
  void Close();
  // Runs the request CLIENT PAUSE held (and what followed it), if any; it
  // is held again if the pause still applies to it.
  void ResumePostponed();
  cmd::Client& client() { return client_; }

  // cmd::ClientChannel.
  void Deliver(std::string_view bytes) override;
  void Kill() override;
  // Writes what Deliver queued outside a request (Server::OnPrepare, once
  // per loop turn).
  void FlushDelivered();

 private:
  Connection(Server& server, bool unix_socket);
  ~Connection() override;

  static void OnAlloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void OnWrite(uv_write_t* req, int status);
  static void OnClose(uv_handle_t* h);

  // Parses and runs every complete request in data; returns bytes consumed.
  size_t Process(const char* data, size_t len);
  void HandleRead(const char* data, size_t len, bool in_shared);
  void Flush();
  // Puts this connection on the server's flush queue, once.
  void QueueFlush();
  void RejectAndClose(std::string_view error);
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&handle_); }
  void UpdateClientFigures();
  // Redis's limits for a client that must still AUTH (multibulk count 10,
  // bulk 16384), else the configured ones.
  void ApplyParserLimits();
  // The peer's (or, with local, our own) address, asked of the kernel.
  std::string Describe(bool local);

  Server& server_;
  union {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } handle_{};
  bool unix_socket_;
  cmd::Client client_;
  resp::RequestParser parser_;
  // The bytes of an incomplete request (and anything after it), [0, len_).
  std::unique_ptr<char[]> rbuf_;
  size_t rcap_ = 0;
  size_t rlen_ = 0;
  resp::ReplyQueue out_;
  resp::ReplyWriter writer_;
  uv_write_t write_req_{};
  std::vector<std::string> inflight_;  // buffers of the write in flight
  std::vector<uv_buf_t> iov_;
  bool writing_ = false;
  bool closing_ = false;
  bool registered_ = false;
  bool processing_ = false;  // inside HandleRead: its Flush() will follow
  bool flush_queued_ = false;  // in the server's list for FlushDelivered
};

}  // namespace ss::net
