// HELLO, AUTH, RESET, CLIENT KILL / REPLY / PAUSE / UNPAUSE / NO-EVICT /
// NO-TOUCH and the dispatcher's NOAUTH and subscribe-mode checks, with exact
// reply bytes (Redis 7.0's, checked against redis-server 7.0.15).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cmd_harness.h"

using ss::test::CmdHarness;

namespace {

bool Contains(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

// A ClientChannel that records what the command layer asked of it.
class FakeChannel final : public ss::cmd::ClientChannel {
 public:
  void Deliver(std::string_view bytes) override { delivered.append(bytes); }
  void Kill() override { killed = true; }
  std::string delivered;
  bool killed = false;
};

class OtherClient {
 public:
  explicit OtherClient(CmdHarness& h, std::string addr) : h_(h) {
    client_.id = h.state().next_client_id++;
    client_.addr = std::move(addr);
    client_.laddr = "127.0.0.1:6379";
    client_.channel = &channel;
    h.state().clients[client_.id] = &client_;
  }
  ~OtherClient() {
    h_.state().clients.erase(client_.id);
    h_.state().ClientClosed(client_);
  }
  ss::cmd::Client& client() { return client_; }
  FakeChannel channel;

 private:
  CmdHarness& h_;
  ss::cmd::Client client_;
};

ss::Config WithPassword(std::string pass) {
  ss::Config c = ss::test::TestConfig();
  c.requirepass = std::move(pass);
  return c;
}

ss::cmd::DispatchResult DispatchOnly(CmdHarness& h, std::vector<std::string_view> args,
                                     std::string* out) {
  ss::resp::ReplyWriter w(out, h.client().protocol);
  return ss::cmd::Dispatch(ss::cmd::CommandTable::Get(), h.state(), h.client(), w, args);
}

}  // namespace

TEST_CASE("HELLO replies the server map in the requested protocol") {
  CmdHarness h;
  const std::string id = std::to_string(h.client().id);
  const std::string body =
      "$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:";
  const std::string tail = "\r\n$2\r\nid\r\n:" + id +
                           "\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
                           "$7\r\nmodules\r\n*0\r\n";
  CHECK(h.Run({"HELLO"}) == "*14\r\n" + body + "2" + tail);
  CHECK(h.Run({"HELLO", "3"}) == "%7\r\n" + body + "3" + tail);
  CHECK(h.client().protocol == 3);
  CHECK(h.Run({"GET", "missing"}) == "_\r\n");
  CHECK(h.Run({"HELLO"}) == "%7\r\n" + body + "3" + tail);
  CHECK(h.Run({"HELLO", "2"}) == "*14\r\n" + body + "2" + tail);
  CHECK(h.Run({"GET", "missing"}) == "$-1\r\n");
}

TEST_CASE("HELLO errors") {
  CmdHarness h;
  CHECK(h.Run({"HELLO", "4"}) == "-NOPROTO unsupported protocol version\r\n");
  CHECK(h.Run({"HELLO", "1"}) == "-NOPROTO unsupported protocol version\r\n");
  CHECK(h.Run({"HELLO", "abc"}) == "-ERR Protocol version is not an integer or out of range\r\n");
  CHECK(h.Run({"HELLO", "3", "FOO"}) == "-ERR Syntax error in HELLO option 'FOO'\r\n");
  CHECK(h.Run({"HELLO", "3", "SETNAME"}) == "-ERR Syntax error in HELLO option 'SETNAME'\r\n");
  CHECK(h.Run({"HELLO", "2", "AUTH", "default"}) == "-ERR Syntax error in HELLO option 'AUTH'\r\n");
  CHECK(h.Run({"HELLO", "3", "AUTH", "bob", "x"}) ==
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  CHECK(h.Run({"HELLO", "3", "SETNAME", "a b"}) ==
        "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
  CHECK(h.client().protocol == 2);  // nothing changed by a failed HELLO
  CHECK(h.Run({"HELLO", "2", "SETNAME", "web"}).starts_with("*14\r\n"));
  CHECK(h.client().name == "web");
  // Without a password any password of the default user is accepted.
  CHECK(h.Run({"HELLO", "3", "AUTH", "default", "anything"}).starts_with("%7\r\n"));
}

TEST_CASE("AUTH without requirepass") {
  CmdHarness h;
  CHECK(h.Run({"AUTH", "x"}) ==
        "-ERR AUTH <password> called without any password configured for the default user. "
        "Are you sure your configuration is correct?\r\n");
  CHECK(h.Run({"AUTH", "default", "x"}) == "+OK\r\n");
  CHECK(h.Run({"AUTH", "bob", "x"}) ==
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  CHECK(h.Run({"AUTH", "a", "b", "c"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"AUTH"}) == "-ERR wrong number of arguments for 'auth' command\r\n");
}

TEST_CASE("requirepass: NOAUTH until AUTH, after the unknown-command and arity checks") {
  CmdHarness h(WithPassword("s3cret"));
  h.client().authenticated = false;
  CHECK(h.Run({"GET", "a"}) == "-NOAUTH Authentication required.\r\n");
  CHECK(h.Run({"PING"}) == "-NOAUTH Authentication required.\r\n");
  CHECK(h.Run({"MULTI"}) == "-NOAUTH Authentication required.\r\n");
  CHECK(h.Run({"CLIENT", "ID"}) == "-NOAUTH Authentication required.\r\n");
  CHECK(h.Run({"FOO"}) == "-ERR unknown command 'FOO', with args beginning with: \r\n");
  CHECK(h.Run({"GET"}) == "-ERR wrong number of arguments for 'get' command\r\n");
  CHECK(h.Run({"HELLO", "3"}) ==
        "-NOAUTH HELLO must be called with the client already authenticated, otherwise the "
        "HELLO AUTH <user> <pass> option can be used to authenticate the client and select the "
        "RESP protocol version at the same time\r\n");
  CHECK(h.Run({"AUTH", "wrong"}) ==
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  CHECK(h.Run({"AUTH", "s3cre"}) ==
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  CHECK(h.Run({"AUTH", "s3cret", "x"}) ==
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  CHECK(h.Run({"AUTH", "s3cret"}) == "+OK\r\n");
  CHECK(h.Run({"GET", "a"}) == "$-1\r\n");

  // RESET makes the client unauthenticated again.
  CHECK(h.Run({"RESET"}) == "+RESET\r\n");
  CHECK(h.Run({"GET", "a"}) == "-NOAUTH Authentication required.\r\n");
  CHECK(h.Run({"HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "n1"}).starts_with("%7\r\n"));
  CHECK(h.client().name == "n1");
  CHECK(h.Run({"GET", "a"}) == "_\r\n");

  // CONFIG SET requirepass "" lifts the requirement for everyone.
  CHECK(h.Run({"CONFIG", "GET", "requirepass"}) ==
        "%1\r\n$11\r\nrequirepass\r\n$6\r\ns3cret\r\n");  // RESP3 since HELLO 3
  CHECK(h.Run({"RESET"}) == "+RESET\r\n");
  CHECK(h.Run({"GET", "a"}) == "-NOAUTH Authentication required.\r\n");
  CHECK(h.Run({"AUTH", "s3cret"}) == "+OK\r\n");
  CHECK(h.Run({"CONFIG", "SET", "requirepass", ""}) == "+OK\r\n");
  CHECK(h.Run({"RESET"}) == "+RESET\r\n");
  CHECK(h.Run({"GET", "a"}) == "$-1\r\n");
}

TEST_CASE("RESET") {
  CmdHarness h;
  CHECK(h.Run({"HELLO", "3", "SETNAME", "n"}).starts_with("%7"));
  CHECK(h.Run({"SELECT", "4"}) == "+OK\r\n");
  CHECK(h.Run({"WATCH", "k"}) == "+OK\r\n");
  CHECK(h.Run({"CLIENT", "NO-TOUCH", "on"}) == "+OK\r\n");
  CHECK(h.Run({"CLIENT", "NO-EVICT", "on"}) == "+OK\r\n");
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"SET", "k", "v"}) == "+QUEUED\r\n");
  CHECK(h.Run({"RESET"}) == "+RESET\r\n");
  CHECK(h.client().protocol == 2);
  CHECK(h.client().db == 0);
  CHECK(h.client().name.empty());
  CHECK_FALSE(h.client().in_multi);
  CHECK(h.client().multi_queue.empty());
  CHECK(h.client().watched_keys == 0);
  CHECK_FALSE(h.client().no_touch);
  CHECK(h.client().no_evict);  // Redis 7.0 keeps NO-EVICT
  CHECK(h.Run({"SELECT", "4"}) == "+OK\r\n");
  CHECK(h.Run({"GET", "k"}) == "$-1\r\n");  // the queued SET never ran
  CHECK(h.Run({"RESET", "x"}) == "-ERR wrong number of arguments for 'reset' command\r\n");
  // CLIENT REPLY OFF is undone, and RESET's own reply is sent.
  CHECK(h.Run({"CLIENT", "REPLY", "OFF"}).empty());
  CHECK(h.Run({"RESET"}) == "+RESET\r\n");
  CHECK(h.Run({"PING"}) == "+PONG\r\n");
}

TEST_CASE("CLIENT REPLY ON / OFF / SKIP") {
  CmdHarness h;
  CHECK(h.Run({"CLIENT", "REPLY"}) ==
        "-ERR wrong number of arguments for 'client|reply' command\r\n");
  CHECK(h.Run({"CLIENT", "REPLY", "FOO"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"CLIENT", "REPLY", "OFF"}).empty());
  CHECK(h.Run({"PING"}).empty());
  CHECK(h.Run({"SET", "a", "1"}).empty());
  CHECK(h.Run({"FOO"}).empty());  // errors too
  CHECK(h.Run({"CLIENT", "REPLY", "SKIP"}).empty());
  CHECK(h.Run({"CLIENT", "REPLY", "ON"}) == "+OK\r\n");
  CHECK(h.Run({"GET", "a"}) == "$1\r\n1\r\n");  // OFF still ran the SET
  CHECK(h.Run({"CLIENT", "REPLY", "SKIP"}).empty());
  CHECK(h.Run({"PING"}).empty());
  CHECK(h.Run({"PING"}) == "+PONG\r\n");
  CHECK(h.Run({"CLIENT", "REPLY", "SKIP"}).empty());
  CHECK(h.Run({"CLIENT", "REPLY", "ON"}) == "+OK\r\n");
  CHECK(h.Run({"PING"}) == "+PONG\r\n");
}

TEST_CASE("CLIENT KILL") {
  CmdHarness h;
  h.client().addr = "127.0.0.1:5000";
  h.client().laddr = "127.0.0.1:6379";
  OtherClient a(h, "127.0.0.1:5001");
  OtherClient b(h, "127.0.0.1:5002");
  CHECK(h.Run({"CLIENT", "KILL"}) == "-ERR wrong number of arguments for 'client|kill' command\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "1.2.3.4:5"}) == "-ERR No such client\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "ID"}) == "-ERR No such client\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "ID", "abc"}) == "-ERR client-id should be greater than 0\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "ID", "0"}) == "-ERR client-id should be greater than 0\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "ID", "99999"}) == ":0\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "FOO", "bar"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "ID", "5", "ID"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "TYPE", "foo"}) == "-ERR Unknown client type 'foo'\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "USER", "bob"}) == "-ERR No such user 'bob'\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "SKIPME", "maybe"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"CLIENT", "KILL", "TYPE", "master"}) == ":0\r\n");
  CHECK_FALSE(a.channel.killed);
  CHECK_FALSE(b.channel.killed);

  CHECK(h.Run({"CLIENT", "KILL", "127.0.0.1:5001"}) == "+OK\r\n");
  CHECK(a.channel.killed);
  CHECK_FALSE(b.channel.killed);
  a.channel.killed = false;
  CHECK(h.Run({"CLIENT", "KILL", "ID", std::to_string(b.client().id)}) == ":1\r\n");
  CHECK(b.channel.killed);
  b.channel.killed = false;
  // LADDR matches all three; SKIPME (default yes) spares the caller.
  CHECK(h.Run({"CLIENT", "KILL", "LADDR", "127.0.0.1:6379"}) == ":2\r\n");
  CHECK(a.channel.killed);
  CHECK(b.channel.killed);
  CHECK_FALSE(h.client().close_after_reply);
  CHECK(h.Run({"CLIENT", "KILL", "USER", "default", "ADDR", "127.0.0.1:5000", "SKIPME", "yes"}) ==
        ":0\r\n");
  b.client().pubsub_channels = 1;
  b.channel.killed = false;
  a.channel.killed = false;
  CHECK(h.Run({"CLIENT", "KILL", "TYPE", "pubsub"}) == ":1\r\n");
  CHECK(b.channel.killed);
  CHECK_FALSE(a.channel.killed);
  // The old form may kill the caller: closed after this reply.
  CHECK(h.Run({"CLIENT", "KILL", "127.0.0.1:5000"}) == "+OK\r\n");
  CHECK(h.client().close_after_reply);
}

TEST_CASE("CLIENT PAUSE / UNPAUSE") {
  CmdHarness h;
  CHECK(h.Run({"CLIENT", "PAUSE"}) ==
        "-ERR wrong number of arguments for 'client|pause' command\r\n");
  CHECK(h.Run({"CLIENT", "PAUSE", "abc"}) == "-ERR timeout is not an integer or out of range\r\n");
  CHECK(h.Run({"CLIENT", "PAUSE", "-1"}) == "-ERR timeout is negative\r\n");
  CHECK(h.Run({"CLIENT", "PAUSE", "10", "FOO"}) == "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n");
  CHECK(h.Run({"CLIENT", "PAUSE", "10", "WRITE", "x"}) ==
        "-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n");
  CHECK(h.Run({"CLIENT", "UNPAUSE", "x"}) ==
        "-ERR wrong number of arguments for 'client|unpause' command\r\n");
  int changed = 0;
  h.state().pause_changed = [&changed] { ++changed; };

  CHECK(h.Run({"CLIENT", "PAUSE", "1000", "WRITE"}) == "+OK\r\n");
  CHECK(changed == 1);
  std::string out;
  CHECK(DispatchOnly(h, {"SET", "k", "v"}, &out) == ss::cmd::DispatchResult::kPostponed);
  CHECK(out.empty());
  CHECK(DispatchOnly(h, {"GET", "k"}, &out) == ss::cmd::DispatchResult::kDone);
  CHECK(out == "$-1\r\n");
  out.clear();
  // Errors found before the pause check are still replied at once.
  CHECK(DispatchOnly(h, {"SET", "k"}, &out) == ss::cmd::DispatchResult::kDone);
  out.clear();
  CHECK(h.Run({"CLIENT", "UNPAUSE"}) == "+OK\r\n");
  CHECK(changed == 2);
  CHECK(DispatchOnly(h, {"SET", "k", "v"}, &out) == ss::cmd::DispatchResult::kDone);
  CHECK(out == "+OK\r\n");
  out.clear();

  CHECK(h.Run({"CLIENT", "PAUSE", "500"}) == "+OK\r\n");  // ALL
  CHECK(DispatchOnly(h, {"GET", "k"}, &out) == ss::cmd::DispatchResult::kPostponed);
  CHECK(DispatchOnly(h, {"PING"}, &out) == ss::cmd::DispatchResult::kPostponed);
  h.clock().AdvanceMs(499);
  CHECK(DispatchOnly(h, {"PING"}, &out) == ss::cmd::DispatchResult::kPostponed);
  h.clock().AdvanceMs(1);  // the pause ends at its deadline
  CHECK(DispatchOnly(h, {"PING"}, &out) == ss::cmd::DispatchResult::kDone);
  CHECK(out == "+PONG\r\n");
  h.state().pause_changed = nullptr;
}

TEST_CASE("CLIENT NO-EVICT / NO-TOUCH and CLIENT INFO flags") {
  CmdHarness h;
  CHECK(h.Run({"CLIENT", "NO-EVICT", "maybe"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"CLIENT", "NO-TOUCH", "maybe"}) == "-ERR syntax error\r\n");
  CHECK(Contains(h.Run({"CLIENT", "INFO"}), " flags=N "));
  CHECK(h.Run({"CLIENT", "NO-EVICT", "on"}) == "+OK\r\n");
  CHECK(Contains(h.Run({"CLIENT", "INFO"}), " flags=e "));
  CHECK(h.Run({"CLIENT", "NO-TOUCH", "ON"}) == "+OK\r\n");
  CHECK(Contains(h.Run({"CLIENT", "INFO"}), " flags=eT "));
  CHECK(h.Run({"CLIENT", "NO-EVICT", "off"}) == "+OK\r\n");
  CHECK(h.Run({"CLIENT", "NO-TOUCH", "off"}) == "+OK\r\n");
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"CLIENT", "INFO"}) == "+QUEUED\r\n");
  CHECK(h.Run({"DISCARD"}) == "+OK\r\n");
  h.client().pubsub_channels = 2;
  h.client().pubsub_patterns = 1;
  h.client().protocol = 3;  // RESP3: no subscribe-mode restriction
  std::string info = h.Run({"CLIENT", "INFO"});
  CHECK(Contains(info, " flags=P "));
  CHECK(Contains(info, " sub=2 psub=1 "));
  CHECK(Contains(info, " resp=3"));
  CHECK(Contains(info, " user=default "));
}

TEST_CASE("RESP2 subscribe mode allows only the subscribe commands, PING, QUIT, RESET") {
  CmdHarness h;
  h.client().pubsub_channels = 1;
  CHECK(h.Run({"GET", "a"}) ==
        "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
        "are allowed in this context\r\n");
  CHECK(h.Run({"CLIENT", "GETNAME"}) ==
        "-ERR Can't execute 'client|getname': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / "
        "QUIT / RESET are allowed in this context\r\n");
  CHECK(h.Run({"PING"}) == "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  CHECK(h.Run({"PING", "x"}) == "*2\r\n$4\r\npong\r\n$1\r\nx\r\n");
  CHECK(h.Run({"FOO"}) == "-ERR unknown command 'FOO', with args beginning with: \r\n");
  h.client().protocol = 3;
  CHECK(h.Run({"GET", "a"}) == "_\r\n");
  CHECK(h.Run({"PING"}) == "+PONG\r\n");
}

TEST_CASE("CLIENT HELP lists the new subcommands") {
  CmdHarness h;
  std::string help = h.Run({"CLIENT", "HELP"});
  for (const char* s : {"+KILL <ip:port>\r\n", "+REPLY (ON|OFF|SKIP)\r\n",
                        "+PAUSE <timeout> [WRITE|ALL]\r\n", "+UNPAUSE\r\n",
                        "+NO-EVICT (ON|OFF)\r\n", "+NO-TOUCH (ON|OFF)\r\n"}) {
    CHECK(Contains(help, s));
  }
}
