// MULTI / EXEC / DISCARD / WATCH / UNWATCH through the real dispatcher,
// with exact reply bytes (Redis 7.0's, checked against redis-server 7.0.15).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cmd_harness.h"

using ss::test::CmdHarness;

namespace {

// A second client of the same server, for concurrent writers.
class OtherClient {
 public:
  explicit OtherClient(CmdHarness& h) : h_(h) {
    client_.id = h.state().next_client_id++;
    h.state().clients[client_.id] = &client_;
  }
  ~OtherClient() { Close(); }
  void Close() {
    if (open_) {
      h_.state().clients.erase(client_.id);
      h_.state().ClientClosed(client_);
      open_ = false;
    }
  }
  std::string Run(std::vector<std::string_view> args) {
    std::string out;
    ss::resp::ReplyWriter w(&out, client_.protocol);
    ss::cmd::Dispatch(ss::cmd::CommandTable::Get(), h_.state(), client_, w, args);
    return out;
  }
  ss::cmd::Client& client() { return client_; }

 private:
  CmdHarness& h_;
  ss::cmd::Client client_;
  bool open_ = true;
};

}  // namespace

TEST_CASE("MULTI queues, EXEC runs in order") {
  CmdHarness h;
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"SET", "a", "1"}) == "+QUEUED\r\n");
  CHECK(h.Run({"INCR", "a"}) == "+QUEUED\r\n");
  CHECK(h.Run({"GET", "a"}) == "+QUEUED\r\n");
  CHECK(h.Run({"INCR", "nope-not-int"}) == "+QUEUED\r\n");
  CHECK(h.client().multi_queue.size() == 4);
  CHECK(h.Run({"EXEC"}) == "*4\r\n+OK\r\n:2\r\n$1\r\n2\r\n:1\r\n");
  CHECK_FALSE(h.client().in_multi);
  CHECK(h.Run({"EXEC"}) == "-ERR EXEC without MULTI\r\n");
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"EXEC"}) == "*0\r\n");
}

TEST_CASE("queued arguments are copies") {
  CmdHarness h;
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  {
    std::string key = "key-in-a-buffer";
    std::string value = "value-in-a-buffer";
    CHECK(h.Run(std::vector<std::string_view>{"SET", key, value}) == "+QUEUED\r\n");
    key.assign(key.size(), 'x');
    value.assign(value.size(), 'y');
  }
  CHECK(h.Run({"EXEC"}) == "*1\r\n+OK\r\n");
  CHECK(h.Run({"GET", "key-in-a-buffer"}) == "$17\r\nvalue-in-a-buffer\r\n");
}

TEST_CASE("MULTI errors: nesting, DISCARD, WATCH inside MULTI") {
  CmdHarness h;
  CHECK(h.Run({"DISCARD"}) == "-ERR DISCARD without MULTI\r\n");
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"MULTI"}) == "-ERR MULTI calls can not be nested\r\n");
  CHECK(h.Run({"WATCH", "a"}) == "-ERR WATCH inside MULTI is not allowed\r\n");
  CHECK(h.Run({"SET", "a", "1"}) == "+QUEUED\r\n");
  // Handler errors do not flag the transaction (as in Redis 7.0).
  CHECK(h.Run({"EXEC"}) == "*1\r\n+OK\r\n");
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"SET", "a", "2"}) == "+QUEUED\r\n");
  CHECK(h.Run({"DISCARD"}) == "+OK\r\n");
  CHECK(h.Run({"GET", "a"}) == "$1\r\n1\r\n");
  CHECK(h.Run({"DISCARD", "x"}) == "-ERR wrong number of arguments for 'discard' command\r\n");
}

TEST_CASE("EXECABORT after a rejected command") {
  CmdHarness h;
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"FOO"}) == "-ERR unknown command 'FOO', with args beginning with: \r\n");
  CHECK(h.Run({"SET", "a", "b"}) == "+QUEUED\r\n");
  CHECK(h.Run({"EXEC"}) == "-EXECABORT Transaction discarded because of previous errors.\r\n");
  CHECK(h.Run({"GET", "a"}) == "$-1\r\n");

  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"GET"}) == "-ERR wrong number of arguments for 'get' command\r\n");
  CHECK(h.Run({"EXEC"}) == "-EXECABORT Transaction discarded because of previous errors.\r\n");

  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"CONFIG", "NOPE"}) == "-ERR unknown subcommand 'NOPE'. Try CONFIG HELP.\r\n");
  CHECK(h.Run({"EXEC"}) == "-EXECABORT Transaction discarded because of previous errors.\r\n");

  // A rejected EXEC aborts the transaction with its reason.
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"SET", "a", "1"}) == "+QUEUED\r\n");
  CHECK(h.Run({"EXEC", "x"}) ==
        "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' "
        "command\r\n");
  CHECK_FALSE(h.client().in_multi);
  CHECK(h.Run({"EXEC"}) == "-ERR EXEC without MULTI\r\n");

  // no-multi commands are refused inside MULTI.
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"SHUTDOWN"}) == "-ERR Command not allowed inside a transaction\r\n");
  CHECK(h.Run({"EXEC"}) == "-EXECABORT Transaction discarded because of previous errors.\r\n");
}

TEST_CASE("WATCH: another client's write aborts EXEC with a null array") {
  CmdHarness h;
  OtherClient other(h);
  CHECK(h.Run({"SET", "k", "1"}) == "+OK\r\n");
  CHECK(h.Run({"WATCH", "k", "k", "other"}) == "+OK\r\n");
  CHECK(h.client().watched_keys == 2);
  CHECK(other.Run({"INCR", "k"}) == ":2\r\n");
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"SET", "k", "mine"}) == "+QUEUED\r\n");
  CHECK(h.Run({"EXEC"}) == "*-1\r\n");
  CHECK(h.Run({"GET", "k"}) == "$1\r\n2\r\n");
  CHECK(h.client().watched_keys == 0);  // EXEC unwatches

  // Unchanged: EXEC runs, and its own writes do not abort it.
  CHECK(h.Run({"WATCH", "k"}) == "+OK\r\n");
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"SET", "k", "mine"}) == "+QUEUED\r\n");
  CHECK(h.Run({"EXEC"}) == "*1\r\n+OK\r\n");

  // The watcher's own write before MULTI counts too (as in Redis).
  CHECK(h.Run({"WATCH", "k"}) == "+OK\r\n");
  CHECK(h.Run({"DEL", "k"}) == ":1\r\n");
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"EXEC"}) == "*-1\r\n");

  // RESP3: the aborted EXEC is a null.
  h.client().protocol = 3;
  CHECK(h.Run({"WATCH", "k"}) == "+OK\r\n");
  CHECK(other.Run({"SET", "k", "x"}) == "+OK\r\n");
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"EXEC"}) == "_\r\n");
}

TEST_CASE("WATCH: keys of another database, UNWATCH, DISCARD") {
  CmdHarness h;
  OtherClient other(h);
  CHECK(h.Run({"WATCH", "k"}) == "+OK\r\n");
  CHECK(other.Run({"SELECT", "1"}) == "+OK\r\n");
  CHECK(other.Run({"SET", "k", "db1"}) == "+OK\r\n");  // another db's k
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"EXEC"}) == "*0\r\n");

  CHECK(h.Run({"WATCH", "k"}) == "+OK\r\n");
  CHECK(other.Run({"SELECT", "0"}) == "+OK\r\n");
  CHECK(other.Run({"SET", "k", "db0"}) == "+OK\r\n");
  CHECK(h.Run({"UNWATCH"}) == "+OK\r\n");
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"EXEC"}) == "*0\r\n");

  CHECK(h.Run({"WATCH", "k"}) == "+OK\r\n");
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"DISCARD"}) == "+OK\r\n");
  CHECK(other.Run({"SET", "k", "again"}) == "+OK\r\n");
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"EXEC"}) == "*0\r\n");  // DISCARD unwatched
}

TEST_CASE("WATCH and expiry") {
  CmdHarness h;
  SUBCASE("the key expires and is reclaimed") {
    CHECK(h.Run({"SET", "k", "v", "PX", "100"}) == "+OK\r\n");
    CHECK(h.Run({"WATCH", "k"}) == "+OK\r\n");
    h.clock().AdvanceMs(101);
    h.ExpireAll();
    CHECK(h.Run({"MULTI"}) == "+OK\r\n");
    CHECK(h.Run({"EXEC"}) == "*-1\r\n");
  }
  SUBCASE("the key is past its deadline at EXEC, not yet reclaimed") {
    CHECK(h.Run({"SET", "k", "v", "PX", "100"}) == "+OK\r\n");
    CHECK(h.Run({"WATCH", "k"}) == "+OK\r\n");
    CHECK(h.Run({"MULTI"}) == "+OK\r\n");
    h.clock().AdvanceMs(101);
    CHECK(h.Run({"EXEC"}) == "*-1\r\n");
  }
  SUBCASE("the key is still live at EXEC") {
    CHECK(h.Run({"SET", "k", "v", "PX", "100"}) == "+OK\r\n");
    CHECK(h.Run({"WATCH", "k"}) == "+OK\r\n");
    h.clock().AdvanceMs(100);  // live at its deadline
    CHECK(h.Run({"MULTI"}) == "+OK\r\n");
    CHECK(h.Run({"EXEC"}) == "*0\r\n");
  }
  SUBCASE("already expired at WATCH: its reclaiming is no change") {
    CHECK(h.Run({"SET", "k", "v", "PX", "100"}) == "+OK\r\n");
    h.clock().AdvanceMs(101);
    CHECK(h.Run({"WATCH", "k"}) == "+OK\r\n");
    h.ExpireAll();
    CHECK(h.Run({"MULTI"}) == "+OK\r\n");
    CHECK(h.Run({"EXEC"}) == "*0\r\n");
  }
  SUBCASE("an absent key that gets created") {
    CHECK(h.Run({"WATCH", "k"}) == "+OK\r\n");
    CHECK(h.Run({"SET", "k", "v"}) == "+OK\r\n");
    CHECK(h.Run({"MULTI"}) == "+OK\r\n");
    CHECK(h.Run({"EXEC"}) == "*-1\r\n");
  }
}

TEST_CASE("WATCH and FLUSHDB / FLUSHALL") {
  CmdHarness h;
  OtherClient other(h);
  SUBCASE("a watched key that existed is flushed") {
    CHECK(h.Run({"SET", "k", "v"}) == "+OK\r\n");
    CHECK(h.Run({"WATCH", "k"}) == "+OK\r\n");
    CHECK(other.Run({"FLUSHALL"}) == "+OK\r\n");
    CHECK(h.Run({"MULTI"}) == "+OK\r\n");
    CHECK(h.Run({"EXEC"}) == "*-1\r\n");
  }
  SUBCASE("a watched key that did not exist: no change") {
    CHECK(h.Run({"SET", "other", "v"}) == "+OK\r\n");
    CHECK(h.Run({"WATCH", "k"}) == "+OK\r\n");
    CHECK(other.Run({"FLUSHDB"}) == "+OK\r\n");
    CHECK(h.Run({"MULTI"}) == "+OK\r\n");
    CHECK(h.Run({"EXEC"}) == "*0\r\n");
  }
  SUBCASE("another database is flushed") {
    CHECK(h.Run({"SET", "k", "v"}) == "+OK\r\n");
    CHECK(h.Run({"WATCH", "k"}) == "+OK\r\n");
    CHECK(other.Run({"SELECT", "3"}) == "+OK\r\n");
    CHECK(other.Run({"FLUSHDB"}) == "+OK\r\n");
    CHECK(h.Run({"MULTI"}) == "+OK\r\n");
    CHECK(h.Run({"EXEC"}) == "*0\r\n");
  }
}

TEST_CASE("a closed client's watches are dropped") {
  CmdHarness h;
  {
    OtherClient other(h);
    CHECK(other.Run({"WATCH", "k", "j"}) == "+OK\r\n");
    other.Close();
  }
  // The registry would touch a dangling client here if it kept it.
  CHECK(h.Run({"SET", "k", "v"}) == "+OK\r\n");
  CHECK(h.Run({"FLUSHALL"}) == "+OK\r\n");
}

TEST_CASE("EXEC runs queued commands through Execute (counted)") {
  CmdHarness h;
  uint64_t before = h.state().stats.total_commands_processed;
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"PING"}) == "+QUEUED\r\n");
  CHECK(h.Run({"CLIENT", "ID"}) == "+QUEUED\r\n");
  CHECK(h.Run({"EXEC"}) ==
        "*2\r\n+PONG\r\n:" + std::to_string(h.client().id) + "\r\n");
  // MULTI, PING, CLIENT ID and EXEC: queuing itself runs nothing.
  CHECK(h.state().stats.total_commands_processed == before + 4);
}

TEST_CASE("CLIENT INFO inside EXEC shows the transaction") {
  CmdHarness h;
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"CLIENT", "INFO"}) == "+QUEUED\r\n");
  std::string info = h.Run({"EXEC"});
  CHECK(info.find(" flags=x ") != std::string::npos);
  CHECK(info.find(" multi=1 ") != std::string::npos);
  CHECK(info.find(" cmd=exec ") != std::string::npos);
  std::string after = h.Run({"CLIENT", "INFO"});
  CHECK(after.find(" flags=N ") != std::string::npos);
  CHECK(after.find(" multi=-1 ") != std::string::npos);
}

TEST_CASE("every error reply counts in total_error_replies, inside EXEC and EXECABORT too") {
  // The same script gives 3 and then 5 on redis-server 7.0.15.
  CmdHarness h;
  auto errors = [&h] {
    const std::string info = h.Run({"INFO", "stats"});
    const size_t at = info.find("total_error_replies:");
    REQUIRE(at != std::string::npos);
    return std::stoi(info.substr(at + 20));
  };
  h.Run({"SET", "n", "x"});
  CHECK(h.Run({"INCR", "n"}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(errors() == 1);
  h.Run({"MULTI"});
  h.Run({"INCR", "n"});
  h.Run({"INCR", "n"});
  CHECK(h.Run({"EXEC"}) ==
        "*2\r\n-ERR value is not an integer or out of range\r\n"
        "-ERR value is not an integer or out of range\r\n");
  CHECK(errors() == 3);
  h.Run({"MULTI"});
  h.Run({"SET", "a"});
  CHECK(h.Run({"EXEC"}) == "-EXECABORT Transaction discarded because of previous errors.\r\n");
  CHECK(errors() == 5);
}
