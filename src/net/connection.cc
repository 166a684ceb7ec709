#include "ss/net/connection.h"

#include <cstring>
#include <string>

#include "ss/cmd/command.h"
#include "ss/log.h"
#include "ss/net/server.h"

namespace ss::net {
namespace {

// Room offered to libuv for each read into a connection's own buffer.
constexpr size_t kReadChunk = 16 * 1024;
// Redis's limits for a client that has not authenticated while a password
// is required (networking.c processMultibulkBuffer): it may not make the
// server hold large requests before proving who it is.
constexpr int64_t kUnauthMaxMultibulk = 10;
constexpr int64_t kUnauthMaxBulk = 16384;
// An own buffer up to this size is kept when it empties (no churn for
// clients whose requests often straddle reads); larger ones are freed.
constexpr size_t kKeepBuffer = 16 * 1024;

std::string AddressOf(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = {0};
  int port = 0;
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    uv_ip4_name(a, host, sizeof(host));
    port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    uv_ip6_name(a, host, sizeof(host));
    port = ntohs(a->sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}

}  // namespace

Connection::Connection(Server& server, bool unix_socket)
    : server_(server), unix_socket_(unix_socket), writer_(nullptr) {
  cmd::ServerState& st = server_.state();
  client_.authenticated = st.config.requirepass.empty();
  ApplyParserLimits();
  client_.id = st.next_client_id++;
  client_.unix_socket = unix_socket;
  client_.created_ms = st.clock.NowMs();
  client_.last_interaction_ms = client_.created_ms;
  client_.channel = this;
  writer_.set_error_listener(&st.error_stats);
}

Connection::~Connection() = default;

Connection* Connection::Accept(Server& server, uv_stream_t* listener, bool unix_socket) {
  auto* c = new Connection(server, unix_socket);
  if (unix_socket) {
    uv_pipe_init(server.loop(), &c->handle_.pipe, 0);
  } else {
    uv_tcp_init(server.loop(), &c->handle_.tcp);
  }
  c->stream()->data = c;
  if (uv_accept(listener, c->stream()) != 0) {
    c->closing_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(c->stream()), OnClose);
    return nullptr;
  }
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(c->stream()), &fd) == 0) c->client_.fd = fd;
  if (!unix_socket) uv_tcp_nodelay(&c->handle_.tcp, 1);
  c->client_.describe = [c](bool local) { return c->Describe(local); };
  cmd::ServerState& st = server.state();
  ++st.stats.total_connections_received;
  if (static_cast<int64_t>(st.clients.size()) >= st.config.maxclients) {
    ++st.stats.rejected_connections;
    c->RejectAndClose("ERR max number of clients reached");
    return c;  // still tracked by the server until its close callback
  }
  st.clients[c->client_.id] = &c->client_;
  c->registered_ = true;
  uv_read_start(c->stream(), OnAlloc, OnRead);
  return c;
}

std::string Connection::Describe(bool local) {
  if (unix_socket_) {
    char path[1024];
    size_t len = sizeof(path);
    if (uv_pipe_getsockname(&handle_.pipe, path, &len) != 0) return "";
    return std::string(path, len) + ":0";
  }
  sockaddr_storage addr{};
  int len = sizeof(addr);
  int rc = local ? uv_tcp_getsockname(&handle_.tcp, reinterpret_cast<sockaddr*>(&addr), &len)
                 : uv_tcp_getpeername(&handle_.tcp, reinterpret_cast<sockaddr*>(&addr), &len);
  return rc == 0 ? AddressOf(addr) : "";
}

void Connection::ApplyParserLimits() {
  const cmd::ServerState& st = server_.state();
  resp::ParserLimits limits;
  limits.max_bulk_len = st.config.proto_max_bulk_len;
  if (!st.config.requirepass.empty() && !client_.authenticated) {
    limits.max_multibulk_len = kUnauthMaxMultibulk;
    limits.max_unauth_bulk_len = kUnauthMaxBulk;
  }
  parser_.set_limits(limits);
}

void Connection::ResumePostponed() {
  if (!client_.postponed || closing_) return;
  client_.postponed = false;
  if (rlen_ > 0) {
    HandleRead(rbuf_.get(), rlen_, false);
  }
}

void Connection::Deliver(std::string_view bytes) {
  if (closing_) return;
  out_.tail().append(bytes);
  // Outside this client's own request (a PUBLISH by another client, an
  // expired event from the timing wheel) the bytes are written once per
  // loop turn, not per message: a million expired events cost a write per
  // turn, not a syscall each.
  if (!processing_) QueueFlush();
}

void Connection::QueueFlush() {
  if (flush_queued_) return;
  flush_queued_ = true;
  server_.QueueFlush(this);
}

void Connection::FlushDelivered() {
  flush_queued_ = false;
  Flush();
  UpdateClientFigures();
}

void Connection::Kill() {
  if (closing_) return;
  client_.close_after_reply = true;
  if (!processing_) Flush();
}

void Connection::RejectAndClose(std::string_view error) {
  // Written as it is, not through writer_: Redis writes this refusal straight
  // to the socket, and it is not counted among the error replies.
  out_.tail().append("-").append(error).append("\r\n");
  client_.close_after_reply = true;
  Flush();
}

void Connection::Close() {
  if (closing_) return;
  closing_ = true;
  if (registered_) {
    server_.state().clients.erase(client_.id);
    server_.state().ClientClosed(client_);
    registered_ = false;
  }
  uv_read_stop(stream());
  uv_close(reinterpret_cast<uv_handle_t*>(stream()), OnClose);
}

void Connection::OnClose(uv_handle_t* h) {
  auto* c = static_cast<Connection*>(h->data);
  c->server_.OnConnectionClosed(c);
  delete c;
}

void Connection::OnAlloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(h->data);
  if (c->rlen_ == 0) {
    buf->base = c->server_.shared_read_buffer();
    buf->len = Server::kSharedReadBufferSize;
    return;
  }
  // A request is split across reads: continue it in the own buffer, which
  // grows with what has actually arrived (doubling), never with what a bulk
  // header claims, so a client announcing 400 MB and sending 1 KB costs
  // about 17 KB.
  if (c->rcap_ - c->rlen_ < kReadChunk) {
    size_t cap = std::max(c->rcap_ * 2, c->rlen_ + kReadChunk);
    auto bigger = std::make_unique<char[]>(cap);
    std::memcpy(bigger.get(), c->rbuf_.get(), c->rlen_);
    c->rbuf_ = std::move(bigger);
    c->rcap_ = cap;
  }
  buf->base = c->rbuf_.get() + c->rlen_;
  buf->len = c->rcap_ - c->rlen_;
}

void Connection::OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(s->data);
  if (nread < 0) {
    c->Close();
    return;
  }
  if (nread == 0 || c->closing_) return;
  size_t n = static_cast<size_t>(nread);
  c->server_.state().stats.net_input_bytes += n;
  // One clock read per read, not per command (Clock::CoarseNowMs).
  c->server_.state().clock.Refresh();
  if (buf->base == c->server_.shared_read_buffer()) {
    c->HandleRead(buf->base, n, true);
  } else {
    c->rlen_ += n;
    c->HandleRead(c->rbuf_.get(), c->rlen_, false);
  }
}

void Connection::HandleRead(const char* data, size_t len, bool in_shared) {
  // OnRead has just refreshed the coarse clock: no second clock read.
  client_.last_interaction_ms = server_.state().clock.CoarseNowMs();
  processing_ = true;
  size_t used = Process(data, len);
  processing_ = false;
  size_t left = len - used;
  if (client_.close_after_reply) left = 0;  // nothing after QUIT / an error runs
  if (in_shared) {
    if (left > 0) {
      if (rcap_ < left + kReadChunk) {
        rcap_ = left + kReadChunk;
        rbuf_ = std::make_unique<char[]>(rcap_);
      }
      std::memcpy(rbuf_.get(), data + used, left);
    }
  } else if (left > 0 && used > 0) {
    std::memmove(rbuf_.get(), rbuf_.get() + used, left);
  }
  rlen_ = left;
  if (rlen_ == 0 && rcap_ > kKeepBuffer) {
    rbuf_.reset();
    rcap_ = 0;
  }
  if (static_cast<int64_t>(rlen_) > server_.state().config.client_query_buffer_limit) {
    Log(LogLevel::kWarning, "Closing client that reached max query buffer length: id=" +
                                std::to_string(client_.id) + " addr=" + client_.PeerAddress());
    Close();
    return;
  }
  // As Redis's beforeSleep: replies leave once every connection that was
  // readable this loop turn has run (Server::OnCheck, right after the
  // turn's reads), not one by one as each is read. The clients then
  // receive their replies in one burst, and a client that sleeps between
  // replies is woken once per burst instead of once per connection: each
  // wakeup costs the writer a cross-CPU interrupt.
  QueueFlush();
  UpdateClientFigures();
}

size_t Connection::Process(const char* data, size_t len) {
  cmd::ServerState& st = server_.state();
  const cmd::CommandTable& table = server_.table();
  size_t pos = 0;
  client_.postponed = false;  // set again below if the pause still holds it
  // Bounded by the bytes of this read: each round consumes a request or stops.
  while (pos < len && !closing_ && !client_.close_after_reply && out_.pending_slots() == 0) {
    size_t used = 0;
    ApplyParserLimits();  // AUTH or CONFIG SET requirepass may have changed them
    resp::ParseStatus status = parser_.Parse(std::string_view(data + pos, len - pos), &used);
    if (status == resp::ParseStatus::kNeedMore) break;
    writer_.set_output(&out_.tail());
    writer_.set_protocol(client_.protocol);
    if (status == resp::ParseStatus::kError) {
      std::string msg = "ERR ";
      msg.append(parser_.error());
      writer_.Error(msg);
      Log(LogLevel::kVerbose, "Protocol error from client id=" + std::to_string(client_.id) +
                                  ": " + std::string(parser_.error()));
      client_.close_after_reply = true;
      return len;
    }
    const auto& args = parser_.args();
    if (args.empty()) {  // empty inline line, *0, *-1: no reply
      pos += used;
      continue;
    }
    if (cmd::Dispatch(table, st, client_, writer_, args) == cmd::DispatchResult::kPostponed) {
      // CLIENT PAUSE: keep the request unconsumed (it is parsed again when
      // the server resumes this connection) and run nothing after it.
      client_.postponed = true;
      break;
    }
    pos += used;
  }
  return pos;
}

void Connection::UpdateClientFigures() {
  client_.query_buffer = rlen_;
  client_.query_buffer_free = rcap_ - rlen_;
  size_t inflight = 0;
  for (const std::string& s : inflight_) inflight += s.size();
  client_.output_pending = out_.buffered_bytes() + inflight;
}

void Connection::Flush() {
  if (writing_ || closing_) return;
  for (std::string& s : inflight_) out_.Recycle(std::move(s));
  inflight_.clear();
  size_t total = out_.TakeReady(&inflight_);
  if (total == 0) {
    if (client_.close_after_reply && out_.pending_slots() == 0) Close();
    return;
  }
  iov_.clear();
  for (std::string& s : inflight_) iov_.push_back(uv_buf_init(s.data(), static_cast<unsigned>(s.size())));
  int r = uv_try_write(stream(), iov_.data(), static_cast<unsigned>(iov_.size()));
  if (r < 0 && r != UV_EAGAIN) {
    Close();
    return;
  }
  size_t written = r > 0 ? static_cast<size_t>(r) : 0;
  server_.state().stats.net_output_bytes += written;
  if (written == total) {
    for (std::string& s : inflight_) out_.Recycle(std::move(s));
    inflight_.clear();
    if (client_.close_after_reply && out_.pending_slots() == 0) Close();
    return;
  }
  // The socket took part of it: hand the rest to libuv, which keeps the
  // buffer list; inflight_ keeps the bytes alive until OnWrite.
  size_t skip = written;
  size_t first = 0;
  while (skip >= iov_[first].len) {
    skip -= iov_[first].len;
    ++first;
  }
  iov_[first].base += skip;
  iov_[first].len -= static_cast<unsigned>(skip);
  write_req_.data = this;
  writing_ = true;
  int w = uv_write(&write_req_, stream(), iov_.data() + first,
                   static_cast<unsigned>(iov_.size() - first), OnWrite);
  if (w != 0) {
    writing_ = false;
    Close();
  }
  server_.state().stats.net_output_bytes += total - written;
}

void Connection::OnWrite(uv_write_t* req, int status) {
  auto* c = static_cast<Connection*>(req->data);
  c->writing_ = false;
  if (status < 0 || c->closing_) {
    c->Close();
    return;
  }
  c->Flush();
}

}  // namespace ss::net
