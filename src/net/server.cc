#include "ss/net/server.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "ss/log.h"
#include "ss/net/connection.h"
#include "ss_version.h"

namespace ss::net {
namespace {

// Wheel work units per expiry slice: roughly 0.1-0.3 ms of reclaiming, so a
// client's request waits at most that long behind expiry even when a million
// keys fall due in one second (measured: PING p99 1.0 ms during such a burst
// with 512; 2048 gave 1.6-3.3 ms). Slices repeat from an idle handle while
// work is due, with client I/O polled between them.
constexpr size_t kExpiryBudget = 512;
// Emptied slab pages given back to the kernel per slice: 30-50 us of madvise
// each, so a slice stays within the bound above (all at once, the last
// slices of a million-key burst took up to 21 ms).
constexpr size_t kReleasePagesPerSlice = 4;
// Resize work per housekeeping tick (100 ms) on top of what operations do.
constexpr size_t kRehashClustersPerCron = 256;
// Access-clock aging (Keyspace::AgeStep) runs on the same tick: a full pass
// over every table each 18,000 ticks (30 min), half the hour the clock's
// fine stamps allow, so a late or slow loop still keeps them in range.
constexpr size_t kAgingStepsPerPass = 18'000;

// Redis's adjustOpenFilesLimit: every client needs a descriptor, plus a few
// for listeners, the loop and logging. Raises the soft (and, as root, the
// hard) limit; if the system will not give enough, maxclients shrinks to fit.
constexpr int kReservedFds = 32;

void AdjustOpenFilesLimit(Config& cfg) {
  rlim_t want = static_cast<rlim_t>(cfg.maxclients) + kReservedFds;
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= want) return;
  rlimit raised = lim;
  raised.rlim_cur = want;
  if (raised.rlim_max < want) raised.rlim_max = want;
  if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
    raised.rlim_cur = lim.rlim_max;
    raised.rlim_max = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) != 0) raised.rlim_cur = lim.rlim_cur;
  }
  if (raised.rlim_cur >= want) return;
  int fit = static_cast<int>(raised.rlim_cur) - kReservedFds;
  if (fit < 1) fit = 1;
  Log(LogLevel::kWarning, "You requested maxclients of " + std::to_string(cfg.maxclients) +
                              " requiring at least " + std::to_string(want) +
                              " max file descriptors, but the limit is " +
                              std::to_string(raised.rlim_cur) + ": maxclients has been reduced to " +
                              std::to_string(fit));
  cfg.maxclients = fit;
}

Error UvError(std::string what, int code) {
  return Error{ErrorCode::kSystem, what + ": " + uv_strerror(code)};
}

}  // namespace

Server::Server(cmd::ServerState& state, const cmd::CommandTable& table)
    : state_(state), table_(table),
      shared_rbuf_(std::make_unique<char[]>(kSharedReadBufferSize)) {
  uv_loop_init(&loop_);
  loop_.data = this;
  state_.request_shutdown = [this](cmd::ShutdownMode mode) { RequestShutdown(mode); };
  uv_timer_init(&loop_, &pause_timer_);
  pause_timer_.data = this;
  state_.pause_changed = [this] { ArmPauseTimer(); };
}

Server::~Server() {
  state_.request_shutdown = nullptr;
  state_.pause_changed = nullptr;
  // After a normal shutdown nothing is open; after a failed Listen() the
  // listener's handle is. Close what remains so the loop can be closed
  // without leaking its internals.
  uv_walk(
      &loop_,
      [](uv_handle_t* h, void*) {
        if (!uv_is_closing(h)) uv_close(h, nullptr);
      },
      nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  uv_loop_close(&loop_);
}

Status Server::Listen() {
  AdjustOpenFilesLimit(state_.config);
  const Config& cfg = state_.config;
  if (cfg.port != 0 || cfg.unixsocket.empty()) {
    sockaddr_storage addr{};
    int rc = uv_ip4_addr(cfg.bind.c_str(), cfg.port, reinterpret_cast<sockaddr_in*>(&addr));
    if (rc != 0) {
      rc = uv_ip6_addr(cfg.bind.c_str(), cfg.port, reinterpret_cast<sockaddr_in6*>(&addr));
    }
    if (rc != 0) return UvError("invalid bind address '" + cfg.bind + "'", rc);
    uv_tcp_init(&loop_, &tcp_);
    tcp_.data = this;
    has_tcp_ = true;
    rc = uv_tcp_bind(&tcp_, reinterpret_cast<sockaddr*>(&addr), 0);
    if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(&tcp_), cfg.tcp_backlog, OnNewConnection);
    if (rc != 0) {
      return UvError("Could not create server TCP listening socket " + cfg.bind + ":" +
                         std::to_string(cfg.port),
                     rc);
    }
    sockaddr_storage bound{};
    int len = sizeof(bound);
    uv_tcp_getsockname(&tcp_, reinterpret_cast<sockaddr*>(&bound), &len);
    bound_port_ = bound.ss_family == AF_INET6
                      ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                      : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    state_.config.port = bound_port_;
  }
  if (!cfg.unixsocket.empty()) {
    unlink(cfg.unixsocket.c_str());  // a stale socket file from an old run, as Redis does
    uv_pipe_init(&loop_, &pipe_, 0);
    pipe_.data = this;
    has_pipe_ = true;
    int rc = uv_pipe_bind(&pipe_, cfg.unixsocket.c_str());
    if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(&pipe_), cfg.tcp_backlog, OnNewConnection);
    if (rc != 0) return UvError("Failed opening Unix socket " + cfg.unixsocket, rc);
  }
  return OkStatus();
}

int Server::Run() {
  uv_signal_init(&loop_, &sigint_);
  uv_signal_init(&loop_, &sigterm_);
  sigint_.data = sigterm_.data = this;
  uv_signal_start(&sigint_, OnSignal, SIGINT);
  uv_signal_start(&sigterm_, OnSignal, SIGTERM);
  signal(SIGPIPE, SIG_IGN);

  uv_timer_init(&loop_, &expiry_timer_);
  expiry_timer_.data = this;
  uv_idle_init(&loop_, &expiry_idle_);
  expiry_idle_.data = this;
  uv_timer_init(&loop_, &cron_timer_);
  cron_timer_.data = this;
  uv_timer_start(&cron_timer_, OnCronTimer, 100, 100);
  uv_prepare_init(&loop_, &prepare_);
  prepare_.data = this;
  uv_prepare_start(&prepare_, OnPrepare);
  uv_check_init(&loop_, &check_);
  check_.data = this;
  uv_check_start(&check_, OnCheck);

  std::string where;
  if (has_tcp_) where += " tcp " + state_.config.bind + ":" + std::to_string(bound_port_);
  if (has_pipe_) where += " unix " + state_.config.unixsocket;
  Log(LogLevel::kNotice, "sessiond " SS_VERSION " (Redis 7.0 protocol), pid " +
                             std::to_string(getpid()) + ", ready to accept connections:" + where);
  uv_run(&loop_, UV_RUN_DEFAULT);
  Log(LogLevel::kWarning, "sessiond is now ready to exit, bye bye...");
  return 0;
}

void Server::RequestShutdown(cmd::ShutdownMode mode) {
  if (shutting_down_) return;
  shutting_down_ = true;
  Log(LogLevel::kWarning, mode == cmd::ShutdownMode::kNoSave
                              ? "User requested shutdown (NOSAVE)..."
                              : "User requested shutdown...");
  // The loop leaves the current batch of callbacks first; OnPrepare then
  // closes everything.
}

void Server::BeginShutdown() {
  if (has_tcp_ && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&tcp_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), nullptr);
  }
  if (has_pipe_ && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&pipe_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&pipe_), nullptr);
    unlink(state_.config.unixsocket.c_str());
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&sigint_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sigterm_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&expiry_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&expiry_idle_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&cron_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&pause_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&prepare_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&check_), nullptr);
  // Copy: Close() does not remove from connections_ (OnClose does), but be
  // safe against any change while iterating.
  std::vector<Connection*> all = connections_;
  for (Connection* c : all) c->Close();
}

void Server::ArmPauseTimer() {
  if (shutting_down_ || uv_is_closing(reinterpret_cast<uv_handle_t*>(&pause_timer_))) return;
  int64_t delay = 0;
  if (state_.pause_mode != cmd::PauseMode::kNone) {
    delay = std::max<int64_t>(0, state_.pause_end_ms - state_.clock.NowMs());
  }
  uv_timer_start(&pause_timer_, OnPauseTimer, static_cast<uint64_t>(delay), 0);
}

void Server::OnPauseTimer(uv_timer_t* t) {
  auto* self = static_cast<Server*>(t->data);
  cmd::ServerState& st = self->state_;
  if (st.pause_mode != cmd::PauseMode::kNone) {
    if (st.clock.NowMs() < st.pause_end_ms) {
      self->ArmPauseTimer();  // fired early (clock granularity): wait the rest
      return;
    } else {
      st.pause_mode = cmd::PauseMode::kNone;
    }
  }
  // Copy: a resumed request may close its connection (QUIT); the close
  // callback, which edits connections_, runs later, but stay safe.
  std::vector<Connection*> all = self->connections_;
  for (Connection* c : all) c->ResumePostponed();
}

void Server::OnConnectionClosed(Connection* c) {
  std::erase(flush_queue_, c);
  auto it = std::find(connections_.begin(), connections_.end(), c);
  if (it != connections_.end()) {
    *it = connections_.back();
    connections_.pop_back();
  }
}

void Server::OnNewConnection(uv_stream_t* listener, int status) {
  auto* self = static_cast<Server*>(listener->data);
  if (status < 0) {
    Log(LogLevel::kWarning, std::string("Accepting client connection: ") + uv_strerror(status));
    return;
  }
  self->Accept(listener, listener == reinterpret_cast<uv_stream_t*>(&self->pipe_));
}

void Server::Accept(uv_stream_t* listener, bool unix_socket) {
  if (shutting_down_) return;
  Connection* c = Connection::Accept(*this, listener, unix_socket);
  if (c != nullptr) connections_.push_back(c);
}

void Server::OnSignal(uv_signal_t* handle, int signum) {
  auto* self = static_cast<Server*>(handle->data);
  Log(LogLevel::kWarning, std::string("Received ") + (signum == SIGINT ? "SIGINT" : "SIGTERM") +
                              " scheduling shutdown...");
  // Delivered as a loop event: the next turn's OnPrepare closes everything.
  self->RequestShutdown(cmd::ShutdownMode::kDefault);
}

void Server::ArmExpiryTimer() {
  if (expiry_backlog_) return;  // the idle handle is already slicing
  if (state_.keyspace.HasMemoryToRelease()) {
    // Entries freed this turn (DEL, FLUSHALL, an expiry slice) emptied slab
    // pages: release them in slices, as expiry, with client I/O between.
    uv_idle_start(&expiry_idle_, OnExpiryIdle);
    expiry_backlog_ = true;
    return;
  }
  int64_t next = state_.keyspace.NextExpiryWorkMs();
  if (next < 0) {
    if (expiry_armed_ms_ >= 0) {
      uv_timer_stop(&expiry_timer_);
      expiry_armed_ms_ = -1;
    }
    return;
  }
  if (expiry_armed_ms_ >= 0 && expiry_armed_ms_ <= next) return;
  int64_t now = state_.clock.NowMs();
  int64_t delay = std::max<int64_t>(0, next - now);
  uv_timer_start(&expiry_timer_, OnExpiryTimer, static_cast<uint64_t>(delay), 0);
  expiry_armed_ms_ = next;
}

void Server::OnExpiryTimer(uv_timer_t* t) {
  auto* self = static_cast<Server*>(t->data);
  self->expiry_armed_ms_ = -1;
  self->ExpireSlice();
}

void Server::OnExpiryIdle(uv_idle_t* i) { static_cast<Server*>(i->data)->ExpireSlice(); }

void Server::ExpireSlice() {
  bool more = state_.keyspace.ExpireStep(kExpiryBudget);
  more = state_.keyspace.ReleaseMemoryStep(kReleasePagesPerSlice) || more;
  if (more && !expiry_backlog_) {
    uv_idle_start(&expiry_idle_, OnExpiryIdle);
  } else if (!more && expiry_backlog_) {
    uv_idle_stop(&expiry_idle_);
  }
  expiry_backlog_ = more;
}

void Server::OnCronTimer(uv_timer_t* t) {
  auto* self = static_cast<Server*>(t->data);
  // Keeps the coarse clock (Clock::CoarseNowMs) current while no input
  // arrives, for the aging pass and OBJECT IDLETIME alike.
  self->state_.clock.Refresh();
  self->state_.keyspace.RehashStep(kRehashClustersPerCron);
  self->state_.keyspace.AgeStep(kAgingStepsPerPass);
  self->state_.SampleInstantaneous(static_cast<int64_t>(uv_now(&self->loop_)));
}

void Server::OnPrepare(uv_prepare_t* p) {
  auto* self = static_cast<Server*>(p->data);
  if (self->shutting_down_) {
    self->BeginShutdown();
    return;
  }
  // Runs after the turn's timers and idle slices (an expiry slice, say, may
  // have delivered keyspace events) and before the loop waits for I/O.
  self->FlushQueued();
  self->ArmExpiryTimer();
}

void Server::OnCheck(uv_check_t* c) {
  // Runs right after the turn's I/O callbacks: the replies to everything
  // read this turn leave now (Redis's beforeSleep order), before the next
  // turn's timers and expiry slices could delay them.
  static_cast<Server*>(c->data)->FlushQueued();
}

void Server::FlushQueued() {
  // Every queued connection is alive: a closed one leaves the queue in its
  // close callback (OnConnectionClosed), and a flush here that closes one
  // only starts the close. Swapped out so the loop walks a list nothing
  // appends to (both keep their capacity: no allocation per turn).
  flushing_.swap(flush_queue_);
  for (Connection* c : flushing_) c->FlushDelivered();
  flushing_.clear();
}

}  // namespace ss::net
