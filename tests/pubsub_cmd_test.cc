// Pub/Sub commands, keyspace notifications and the "expired" event at the
// deadline, through the real command table with several clients whose
// out-of-band deliveries are recorded by a fake ClientChannel.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "cmd_harness.h"
#include "ss/cmd/notify.h"

namespace ss::test {
namespace {

// Deliveries land in the same buffer the client's replies are written to,
// as net::Connection appends them to its reply queue: a publisher that is
// also a subscriber sees the message where Redis would put it.
class FakeChannel final : public cmd::ClientChannel {
 public:
  explicit FakeChannel(std::string* out) : out_(out) {}
  void Deliver(std::string_view bytes) override { out_->append(bytes); }
  void Kill() override {}

 private:
  std::string* out_;
};

struct Conn {
  cmd::Client client;
  std::string out;
  FakeChannel channel{&out};
};

class PubSubHarness {
 public:
  PubSubHarness() : state_(TestConfig(), clock_) {}
  ~PubSubHarness() {
    for (Conn& c : conns_) Close(c);
  }

  Conn& Connect(int protocol = 2) {
    Conn& c = conns_.emplace_back();
    c.client.id = state_.next_client_id++;
    c.client.protocol = protocol;
    c.client.channel = &c.channel;
    state_.clients[c.client.id] = &c.client;
    return c;
  }
  void Close(Conn& c) {
    if (state_.clients.erase(c.client.id) > 0) state_.ClientClosed(c.client);
  }
  // Runs a command for c; returns everything c received since the last call.
  std::string Run(Conn& c, std::initializer_list<std::string_view> args) {
    std::vector<std::string_view> v(args);
    resp::ReplyWriter writer(&c.out, c.client.protocol);
    cmd::Dispatch(cmd::CommandTable::Get(), state_, c.client, writer, v);
    return Take(c);
  }
  static std::string Take(Conn& c) { return std::exchange(c.out, {}); }
  void ExpireAll() {
    while (state_.keyspace.ExpireStep(1u << 20)) {
    }
  }
  ManualClock& clock() { return clock_; }
  cmd::ServerState& state() { return state_; }

 private:
  ManualClock clock_;
  cmd::ServerState state_;
  std::deque<Conn> conns_;
};

std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}

// A subscribe-style confirmation or message: header then bulks, with an
// optional trailing integer.
std::string Msg(char header, std::initializer_list<std::string_view> bulks, int64_t count = -1) {
  std::string out;
  out.push_back(header);
  out += std::to_string(bulks.size() + (count >= 0 ? 1 : 0)) + "\r\n";
  for (std::string_view b : bulks) out += Bulk(b);
  if (count >= 0) out += ":" + std::to_string(count) + "\r\n";
  return out;
}

TEST_CASE("SUBSCRIBE / PUBLISH / UNSUBSCRIBE in RESP2") {
  PubSubHarness h;
  Conn& sub = h.Connect();
  Conn& pub = h.Connect();
  CHECK(h.Run(sub, {"SUBSCRIBE", "a", "b", "a"}) ==
        "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"
        "*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n"
        "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n");
  CHECK(sub.client.pubsub_channels == 2);
  CHECK(sub.client.InSubscribeMode());
  CHECK(h.Run(pub, {"PUBLISH", "a", "hello"}) == ":1\r\n");
  CHECK(PubSubHarness::Take(sub) == "*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$5\r\nhello\r\n");
  CHECK(h.Run(pub, {"PUBLISH", "nobody", "x"}) == ":0\r\n");
  CHECK(PubSubHarness::Take(sub).empty());
  // Unsubscribing from one not held still confirms, with the count.
  CHECK(h.Run(sub, {"UNSUBSCRIBE", "zz"}) == Msg('*', {"unsubscribe", "zz"}, 2));
  // No arguments: every channel, in subscription order.
  CHECK(h.Run(sub, {"UNSUBSCRIBE"}) ==
        Msg('*', {"unsubscribe", "a"}, 1) + Msg('*', {"unsubscribe", "b"}, 0));
  CHECK_FALSE(sub.client.InSubscribeMode());
  // Nothing left: one confirmation with a nil channel and count 0.
  CHECK(h.Run(sub, {"UNSUBSCRIBE"}) == "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
  CHECK(h.Run(sub, {"PUNSUBSCRIBE"}) == "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n");
  CHECK(h.Run(pub, {"PUBLISH", "a", "hello"}) == ":0\r\n");
}

TEST_CASE("PSUBSCRIBE: pmessage, counts shared with channels, glob rules") {
  PubSubHarness h;
  Conn& sub = h.Connect();
  Conn& pub = h.Connect();
  CHECK(h.Run(sub, {"SUBSCRIBE", "news.art"}) == Msg('*', {"subscribe", "news.art"}, 1));
  CHECK(h.Run(sub, {"PSUBSCRIBE", "news.*", "n?ws.[a-c]rt"}) ==
        Msg('*', {"psubscribe", "news.*"}, 2) + Msg('*', {"psubscribe", "n?ws.[a-c]rt"}, 3));
  CHECK(sub.client.pubsub_patterns == 2);
  // One delivery per matching subscription: the channel, then each pattern.
  CHECK(h.Run(pub, {"PUBLISH", "news.art", "m"}) == ":3\r\n");
  // The channel's subscribers first; patterns in no fixed order (Redis
  // walks a hash table too).
  const std::string got = PubSubHarness::Take(sub);
  const std::string message = Msg('*', {"message", "news.art", "m"});
  const std::string p1 = Msg('*', {"pmessage", "news.*", "news.art", "m"});
  const std::string p2 = Msg('*', {"pmessage", "n?ws.[a-c]rt", "news.art", "m"});
  CHECK((got == message + p1 + p2 || got == message + p2 + p1));
  CHECK(h.Run(pub, {"PUBLISH", "news.tech", "t"}) == ":1\r\n");
  CHECK(PubSubHarness::Take(sub) == Msg('*', {"pmessage", "news.*", "news.tech", "t"}));
  // Patterns are case-sensitive.
  CHECK(h.Run(pub, {"PUBLISH", "NEWS.x", "t"}) == ":0\r\n");
  CHECK(h.Run(pub, {"PUBSUB", "NUMPAT"}) == ":2\r\n");
  CHECK(h.Run(sub, {"PUNSUBSCRIBE"}) == Msg('*', {"punsubscribe", "news.*"}, 2) +
                                            Msg('*', {"punsubscribe", "n?ws.[a-c]rt"}, 1));
  CHECK(h.Run(pub, {"PUBSUB", "NUMPAT"}) == ":0\r\n");
}

TEST_CASE("RESP3: confirmations and messages are pushes") {
  PubSubHarness h;
  Conn& sub = h.Connect(3);
  Conn& pub = h.Connect(2);
  CHECK(h.Run(sub, {"SUBSCRIBE", "c"}) == ">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n");
  CHECK(h.Run(sub, {"PSUBSCRIBE", "c*"}) == ">3\r\n$10\r\npsubscribe\r\n$2\r\nc*\r\n:2\r\n");
  CHECK(h.Run(pub, {"PUBLISH", "c", "v"}) == ":2\r\n");
  CHECK(PubSubHarness::Take(sub) == ">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nv\r\n"
                                    ">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$1\r\nc\r\n$1\r\nv\r\n");
  // A RESP3 client may run any command while subscribed; publishing to
  // itself, the push comes before PUBLISH's own reply, as in Redis.
  CHECK(h.Run(sub, {"PUBLISH", "c", "self"}) ==
        ">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$4\r\nself\r\n"
        ">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$1\r\nc\r\n$4\r\nself\r\n:2\r\n");
  CHECK(h.Run(sub, {"UNSUBSCRIBE"}) == ">3\r\n$11\r\nunsubscribe\r\n$1\r\nc\r\n:1\r\n");
  CHECK(h.Run(sub, {"PUNSUBSCRIBE"}) == ">3\r\n$12\r\npunsubscribe\r\n$2\r\nc*\r\n:0\r\n");
  CHECK(h.Run(sub, {"UNSUBSCRIBE"}) == ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
}

TEST_CASE("PUBSUB CHANNELS / NUMSUB / NUMPAT / HELP") {
  PubSubHarness h;
  Conn& a = h.Connect();
  Conn& b = h.Connect();
  Conn& q = h.Connect();
  h.Run(a, {"SUBSCRIBE", "x1", "y"});
  h.Run(b, {"SUBSCRIBE", "x1"});
  h.Run(b, {"PSUBSCRIBE", "x*"});
  CHECK(h.Run(q, {"PUBSUB", "NUMSUB", "x1", "y", "none"}) ==
        "*6\r\n$2\r\nx1\r\n:2\r\n$1\r\ny\r\n:1\r\n$4\r\nnone\r\n:0\r\n");
  CHECK(h.Run(q, {"PUBSUB", "NUMSUB"}) == "*0\r\n");
  CHECK(h.Run(q, {"PUBSUB", "CHANNELS", "x*"}) == "*1\r\n$2\r\nx1\r\n");
  const std::string all = h.Run(q, {"PUBSUB", "CHANNELS"});
  CHECK((all == "*2\r\n$2\r\nx1\r\n$1\r\ny\r\n" || all == "*2\r\n$1\r\ny\r\n$2\r\nx1\r\n"));
  CHECK(h.Run(q, {"PUBSUB", "NUMPAT"}) == ":1\r\n");
  CHECK(h.Run(q, {"PUBSUB", "CHANNELS", "a", "b"}) ==
        "-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB "
        "HELP.\r\n");
  CHECK(h.Run(q, {"PUBSUB", "NUMPAT", "x"}) ==
        "-ERR wrong number of arguments for 'pubsub|numpat' command\r\n");
  CHECK(h.Run(q, {"PUBSUB", "nope"}) == "-ERR unknown subcommand 'nope'. Try PUBSUB HELP.\r\n");
  CHECK(h.Run(q, {"PUBSUB"}) == "-ERR wrong number of arguments for 'pubsub' command\r\n");
  const std::string help = h.Run(q, {"PUBSUB", "HELP"});
  CHECK(help.starts_with("*14\r\n+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"));
  CHECK(help.ends_with("+HELP\r\n+    Prints this help.\r\n"));
  // A closed client leaves no trace.
  h.Close(b);
  CHECK(h.Run(q, {"PUBSUB", "NUMSUB", "x1"}) == "*2\r\n$2\r\nx1\r\n:1\r\n");
  CHECK(h.Run(q, {"PUBSUB", "NUMPAT"}) == ":0\r\n");
  CHECK(h.Run(q, {"PUBLISH", "x1", "m"}) == ":1\r\n");
}

TEST_CASE("shard channels: a separate namespace, no patterns") {
  PubSubHarness h;
  Conn& sub = h.Connect();
  Conn& pub = h.Connect();
  CHECK(h.Run(sub, {"SUBSCRIBE", "s"}) == Msg('*', {"subscribe", "s"}, 1));
  CHECK(h.Run(sub, {"PSUBSCRIBE", "*"}) == Msg('*', {"psubscribe", "*"}, 2));
  // The shard count is its own.
  CHECK(h.Run(sub, {"SSUBSCRIBE", "s", "t"}) ==
        Msg('*', {"ssubscribe", "s"}, 1) + Msg('*', {"ssubscribe", "t"}, 2));
  CHECK(sub.client.pubsub_shard_channels == 2);
  CHECK(h.Run(pub, {"SPUBLISH", "s", "m"}) == ":1\r\n");
  CHECK(PubSubHarness::Take(sub) == Msg('*', {"smessage", "s", "m"}));
  CHECK(h.Run(pub, {"PUBLISH", "t", "m"}) == ":1\r\n");  // only the pattern
  CHECK(PubSubHarness::Take(sub) == Msg('*', {"pmessage", "*", "t", "m"}));
  CHECK(h.Run(pub, {"PUBSUB", "SHARDNUMSUB", "s", "u"}) ==
        "*4\r\n$1\r\ns\r\n:1\r\n$1\r\nu\r\n:0\r\n");
  CHECK(h.Run(pub, {"PUBSUB", "SHARDCHANNELS", "t"}) == "*1\r\n$1\r\nt\r\n");
  CHECK(h.Run(sub, {"SUNSUBSCRIBE"}) ==
        Msg('*', {"sunsubscribe", "s"}, 1) + Msg('*', {"sunsubscribe", "t"}, 0));
  CHECK(h.Run(sub, {"SUNSUBSCRIBE"}) == "*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n");
  CHECK(sub.client.InSubscribeMode());  // still on s and *
}

TEST_CASE("PubSub::UnsubscribeAll drops everything without a reply (RESET)") {
  PubSubHarness h;
  Conn& sub = h.Connect();
  Conn& pub = h.Connect();
  h.Run(sub, {"SUBSCRIBE", "a", "b"});
  h.Run(sub, {"PSUBSCRIBE", "p*"});
  h.Run(sub, {"SSUBSCRIBE", "s"});
  h.state().pubsub.UnsubscribeAll(sub.client);
  CHECK(PubSubHarness::Take(sub).empty());
  CHECK_FALSE(sub.client.InSubscribeMode());
  CHECK(h.Run(pub, {"PUBLISH", "a", "m"}) == ":0\r\n");
  CHECK(h.Run(pub, {"PUBLISH", "pq", "m"}) == ":0\r\n");
  CHECK(h.Run(pub, {"SPUBLISH", "s", "m"}) == ":0\r\n");
  CHECK(h.Run(pub, {"PUBSUB", "CHANNELS"}) == "*0\r\n");
  CHECK(h.Run(sub, {"UNSUBSCRIBE"}) == "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
}

// ---- notify-keyspace-events ---------------------------------------------

TEST_CASE("notify-keyspace-events: Redis's letters both ways") {
  using cmd::KeyspaceEventsFlagsToString;
  using cmd::KeyspaceEventsStringToFlags;
  // Pairs checked against redis-server 7.0.15 (CONFIG SET then GET).
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"A", "A"},       {"KA", "AK"},    {"Ex", "xE"},       {"KEA", "AKE"},
      {"Agn", "A"},     {"g$lshzxetmdn", "Am"}, {"n", "n"},  {"d", "d"},
      {"m", "m"},       {"KEm", "KEm"},  {"AKEmn", "AKEm"},  {"", ""},
      {"Kz", "zK"},     {"g$lshzxet", "g$lshzxet"},          {"g$lshzxetd", "A"},
      {"dn", "dn"},     {"xed", "xed"},  {"tn", "tn"},
  };
  for (const auto& [in, out] : cases) {
    CAPTURE(in);
    const int64_t flags = KeyspaceEventsStringToFlags(in);
    REQUIRE(flags >= 0);
    CHECK(KeyspaceEventsFlagsToString(static_cast<uint32_t>(flags)) == out);
  }
  CHECK(KeyspaceEventsStringToFlags("KQ") == -1);
  CHECK(KeyspaceEventsStringToFlags(std::string_view("K\0", 2)) == -1);

  CmdHarness h;
  CHECK(h.Run({"CONFIG", "GET", "notify-keyspace-events"}) ==
        "*2\r\n$22\r\nnotify-keyspace-events\r\n$0\r\n\r\n");
  CHECK(h.Run({"CONFIG", "SET", "notify-keyspace-events", "Kz"}) == "+OK\r\n");
  CHECK(h.Run({"CONFIG", "GET", "notify-keyspace-events"}) ==
        "*2\r\n$22\r\nnotify-keyspace-events\r\n$2\r\nzK\r\n");
  CHECK(h.Run({"CONFIG", "SET", "notify-keyspace-events", "Q"}) ==
        "-ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - "
        "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.\r\n");
  CHECK(h.Run({"CONFIG", "GET", "notify-keyspace-events"}) ==
        "*2\r\n$22\r\nnotify-keyspace-events\r\n$2\r\nzK\r\n");
}

// The (channel, message) pairs of the pmessages in bytes, in order.
std::vector<std::pair<std::string, std::string>> Events(const std::string& bytes) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  auto line = [&]() {
    size_t end = bytes.find("\r\n", pos);
    std::string l = bytes.substr(pos, end - pos);
    pos = end + 2;
    return l;
  };
  auto bulk = [&]() {
    const size_t n = std::stoul(line().substr(1));
    std::string b = bytes.substr(pos, n);
    pos += n + 2;
    return b;
  };
  while (pos < bytes.size()) {
    REQUIRE(line() == "*4");
    REQUIRE(bulk() == "pmessage");
    bulk();  // the pattern
    std::string channel = bulk();
    out.emplace_back(channel, bulk());
  }
  return out;
}

// Every event as "keyspace-event" strings: for each event both channels
// fire (K then E), so the pair collapses to "<event> <key>".
std::vector<std::string> Collapse(const std::vector<std::pair<std::string, std::string>>& evs) {
  std::vector<std::string> out;
  for (size_t i = 0; i + 1 < evs.size(); i += 2) {
    const auto& [ks_chan, event] = evs[i];
    const auto& [ke_chan, key] = evs[i + 1];
    REQUIRE(ks_chan == "__keyspace@0__:" + key);
    REQUIRE(ke_chan == "__keyevent@0__:" + event);
    out.push_back(event + " " + key);
  }
  REQUIRE(evs.size() % 2 == 0);
  return out;
}

TEST_CASE("keyspace events of every write command, as redis-server 7.0 publishes them") {
  PubSubHarness h;
  h.clock().SetMs(1'700'000'000'000);
  Conn& sub = h.Connect();
  Conn& c = h.Connect();
  CHECK(h.Run(c, {"CONFIG", "SET", "notify-keyspace-events", "KEAn"}) == "+OK\r\n");
  h.Run(sub, {"PSUBSCRIBE", "__key*__:*"});
  struct Step {
    std::vector<std::string_view> cmd;
    std::vector<std::string> events;
  };
  // Recorded from redis-server 7.0.15 with notify-keyspace-events KEAn.
  const std::vector<Step> script = {
      {{"SET", "a", "1"}, {"new a", "set a"}},
      {{"SET", "a", "2", "PXAT", "1"}, {"set a", "expire a", "expired a"}},
      {{"GET", "a"}, {}},
      {{"SET", "b", "1", "EX", "100"}, {"new b", "set b", "expire b"}},
      {{"SET", "b", "2", "KEEPTTL"}, {"set b"}},
      {{"SET", "b", "3", "GET"}, {"set b"}},
      {{"SET", "c", "1", "XX"}, {}},
      {{"SETNX", "b", "x"}, {}},
      {{"SETEX", "s", "10", "v"}, {"new s", "set s", "expire s"}},
      {{"PSETEX", "s", "100000", "v"}, {"set s", "expire s"}},
      {{"GETSET", "b", "9"}, {"set b"}},
      {{"MSET", "m1", "1", "m2", "2"}, {"new m1", "set m1", "new m2", "set m2"}},
      {{"MSETNX", "m1", "1", "m3", "3"}, {}},
      {{"MSETNX", "m4", "1", "m5", "2"}, {"new m4", "set m4", "new m5", "set m5"}},
      {{"INCR", "i"}, {"new i", "incrby i"}},
      {{"DECR", "i"}, {"incrby i"}},
      {{"INCRBY", "i", "5"}, {"incrby i"}},
      {{"DECRBY", "i", "2"}, {"incrby i"}},
      {{"INCRBYFLOAT", "f", "1.5"}, {"new f", "incrbyfloat f"}},
      {{"APPEND", "ap", "x"}, {"new ap", "append ap"}},
      {{"APPEND", "ap", ""}, {"append ap"}},
      {{"SETRANGE", "sr", "0", ""}, {}},
      {{"SETRANGE", "ap", "0", ""}, {}},
      {{"SETRANGE", "ap", "1", "yy"}, {"setrange ap"}},
      {{"SETRANGE", "sr2", "2", "z"}, {"new sr2", "setrange sr2"}},
      {{"GETEX", "ap", "EX", "100"}, {"expire ap"}},
      {{"GETEX", "ap", "PERSIST"}, {"persist ap"}},
      {{"GETEX", "ap", "PERSIST"}, {}},
      {{"GETEX", "ap", "PXAT", "1"}, {"del ap"}},
      {{"GETDEL", "b"}, {"del b"}},
      {{"GETDEL", "nokey"}, {}},
      {{"EXPIRE", "m1", "100"}, {"expire m1"}},
      {{"PEXPIRE", "m1", "100", "NX"}, {}},
      {{"PERSIST", "m1"}, {"persist m1"}},
      {{"PERSIST", "m1"}, {}},
      {{"EXPIRE", "m1", "-1"}, {"del m1"}},
      {{"PEXPIREAT", "m2", "1"}, {"del m2"}},
      {{"RENAME", "m3", "r1"}, {}},
      {{"SET", "r2", "x"}, {"new r2", "set r2"}},
      {{"RENAME", "r2", "r2"}, {}},
      {{"RENAMENX", "r2", "m4"}, {}},
      {{"RENAMENX", "r2", "r3"}, {"new r3", "rename_from r2", "rename_to r3"}},
      {{"RENAME", "r3", "m4"}, {"new m4", "rename_from r3", "rename_to m4"}},
      {{"DEL", "m4", "nokey", "s"}, {"del m4", "del s"}},
      {{"UNLINK", "i"}, {"del i"}},
      {{"TOUCH", "f"}, {}},
      {{"FLUSHDB"}, {}},
  };
  for (const Step& step : script) {
    CAPTURE(step.cmd[0]);
    std::vector<std::string_view> args(step.cmd);
    resp::ReplyWriter writer(&c.out, 2);
    cmd::Dispatch(cmd::CommandTable::Get(), h.state(), c.client, writer, args);
    PubSubHarness::Take(c);
    CHECK(Collapse(Events(PubSubHarness::Take(sub))) == step.events);
  }
}

TEST_CASE("only the configured classes and channels are published") {
  PubSubHarness h;
  Conn& sub = h.Connect();
  Conn& c = h.Connect();
  h.Run(sub, {"PSUBSCRIBE", "__key*__:*"});
  h.Run(c, {"SET", "k", "v"});
  CHECK(PubSubHarness::Take(sub).empty());  // default: none
  h.Run(c, {"CONFIG", "SET", "notify-keyspace-events", "E$"});
  h.Run(c, {"SET", "k", "v"});
  h.Run(c, {"DEL", "k"});  // g is off
  CHECK(Events(PubSubHarness::Take(sub)) ==
        std::vector<std::pair<std::string, std::string>>{{"__keyevent@0__:set", "k"}});
  h.Run(c, {"CONFIG", "SET", "notify-keyspace-events", "Kg"});
  h.Run(c, {"SELECT", "3"});
  h.Run(c, {"SET", "k", "v"});
  h.Run(c, {"DEL", "k"});
  CHECK(Events(PubSubHarness::Take(sub)) ==
        std::vector<std::pair<std::string, std::string>>{{"__keyspace@3__:k", "del"}});
  // Classes without K or E publish nothing.
  h.Run(c, {"CONFIG", "SET", "notify-keyspace-events", "A"});
  h.Run(c, {"SET", "k", "v"});
  CHECK(PubSubHarness::Take(sub).empty());
}

TEST_CASE("expired is published when the deadline passes, on the wheel or on lookup") {
  PubSubHarness h;
  Conn& sub = h.Connect(3);
  Conn& c = h.Connect();
  h.Run(c, {"CONFIG", "SET", "notify-keyspace-events", "Ex"});
  CHECK(h.Run(sub, {"SUBSCRIBE", "__keyevent@0__:expired"}) ==
        ">3\r\n$9\r\nsubscribe\r\n$22\r\n__keyevent@0__:expired\r\n:1\r\n");
  h.Run(c, {"SET", "k1", "v", "PX", "100"});
  h.Run(c, {"SET", "k2", "v", "PX", "200"});
  h.Run(c, {"SET", "k3", "v", "PX", "300"});
  CHECK(PubSubHarness::Take(sub).empty());  // x only: no set/expire events
  h.clock().AdvanceMs(100);  // the deadline itself: still live
  h.ExpireAll();
  CHECK(PubSubHarness::Take(sub).empty());
  h.clock().AdvanceMs(1);
  h.ExpireAll();
  CHECK(PubSubHarness::Take(sub) ==
        ">3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:expired\r\n$2\r\nk1\r\n");
  // Found past its deadline before the wheel reached it: published then.
  h.clock().AdvanceMs(150);
  CHECK(h.Run(c, {"GET", "k2"}) == "$-1\r\n");
  CHECK(PubSubHarness::Take(sub) ==
        ">3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:expired\r\n$2\r\nk2\r\n");
  h.ExpireAll();
  CHECK(PubSubHarness::Take(sub).empty());  // k3 is due at +300, now +251
  h.clock().AdvanceMs(50);
  h.ExpireAll();
  CHECK(PubSubHarness::Take(sub) ==
        ">3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:expired\r\n$2\r\nk3\r\n");
  h.ExpireAll();
  CHECK(PubSubHarness::Take(sub).empty());  // once only
}

TEST_CASE("SESSION.* events") {
  PubSubHarness h;
  h.clock().SetMs(1'700'000'000'000);
  Conn& sub = h.Connect();
  Conn& c = h.Connect();
  h.Run(c, {"CONFIG", "SET", "notify-keyspace-events", "KEA"});
  h.Run(sub, {"PSUBSCRIBE", "__key*__:*"});
  const std::string id_reply = h.Run(c, {"SESSION.ALLOCATE", "sb", "USER", "u1"});
  REQUIRE(id_reply.starts_with("$"));
  const std::string id = id_reply.substr(id_reply.find("\r\n") + 2,
                                         id_reply.size() - id_reply.find("\r\n") - 4);
  const std::string key = "session:" + id;
  CHECK(Collapse(Events(PubSubHarness::Take(sub))) ==
        std::vector<std::string>{"set " + key, "expire " + key});
  CHECK(h.Run(c, {"SESSION.UPDATE", "sb", id, "{\"a\":1}"}) == ":1\r\n");
  CHECK(Collapse(Events(PubSubHarness::Take(sub))) == std::vector<std::string>{"set " + key});
  CHECK(h.Run(c, {"SESSION.EXTEND", "sb", id, "100"}).starts_with(":"));
  CHECK(Collapse(Events(PubSubHarness::Take(sub))) == std::vector<std::string>{"expire " + key});
  CHECK(h.Run(c, {"SESSION.VALIDATE", "sb", id}) == ":1\r\n");
  PubSubHarness::Take(sub);
  CHECK(h.Run(c, {"SESSION.DELETE", "sb", id}) == ":1\r\n");
  CHECK(Collapse(Events(PubSubHarness::Take(sub))) == std::vector<std::string>{"del " + key});
  CHECK(h.Run(c, {"SESSION.DELETE", "sb", id}) == ":0\r\n");
  CHECK(PubSubHarness::Take(sub).empty());
  const std::string r1 = h.Run(c, {"SESSION.ALLOCATE", "sb", "USER", "u2", "ID", "id-one"});
  const std::string r2 = h.Run(c, {"SESSION.ALLOCATE", "sb", "USER", "u2", "ID", "id-two"});
  CHECK(r1 == "$6\r\nid-one\r\n");
  CHECK(r2 == "$6\r\nid-two\r\n");
  PubSubHarness::Take(sub);
  CHECK(h.Run(c, {"SESSION.REVOKE", "sb", "USER", "u2"}) == ":2\r\n");
  std::vector<std::string> revoked = Collapse(Events(PubSubHarness::Take(sub)));
  std::sort(revoked.begin(), revoked.end());
  CHECK(revoked == std::vector<std::string>{"del session:id-one", "del session:id-two"});
}

}  // namespace
}  // namespace ss::test
