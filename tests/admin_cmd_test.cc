// Unit tests of the admin commands: CLUSTER (cluster-compat), OBJECT,
// MEMORY USAGE, SLOWLOG, MONITOR, SWAPDB/MOVE/COPY, FUNCTION, COMMAND
// GETKEYS. Exact reply bytes wherever the reply is deterministic.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cmd_harness.h"
#include "session_cmd_util.h"
#include "ss/cmd/cluster.h"

using ss::test::CmdHarness;
using ss::test::session_cmd::Parse;
using ss::test::session_cmd::Resp;

namespace {

ss::Config ClusterConfig() {
  ss::Config c = ss::test::TestConfig();
  c.cluster_compat = true;
  return c;
}

std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
std::string Int(int64_t n) { return ":" + std::to_string(n) + "\r\n"; }

// Records what the server delivers out of band to a client (MONITOR lines).
class FakeChannel : public ss::cmd::ClientChannel {
 public:
  void Deliver(std::string_view bytes) override { delivered += bytes; }
  void Kill() override {}
  std::string delivered;
};

}  // namespace

// ---- CLUSTER ----------------------------------------------------------------

TEST_CASE("CLUSTER without --cluster-compat answers as a non-cluster Redis") {
  CmdHarness h;
  const std::string disabled = "-ERR This instance has cluster support disabled\r\n";
  for (auto args : std::vector<std::vector<std::string_view>>{
           {"CLUSTER", "INFO"}, {"CLUSTER", "SLOTS"}, {"CLUSTER", "SHARDS"},
           {"CLUSTER", "NODES"}, {"CLUSTER", "MYID"}, {"CLUSTER", "KEYSLOT", "k"},
           {"CLUSTER", "HELP"}, {"READONLY"}, {"READWRITE"}}) {
    CHECK(h.Run(args) == disabled);
  }
  CHECK(h.Run({"CLUSTER", "FOO"}) == "-ERR unknown subcommand 'FOO'. Try CLUSTER HELP.\r\n");
  CHECK(h.Run({"CLUSTER"}) == "-ERR wrong number of arguments for 'cluster' command\r\n");
  CHECK(h.Run({"CLUSTER", "INFO", "x"}) ==
        "-ERR wrong number of arguments for 'cluster|info' command\r\n");
  const std::string info = h.Run({"INFO", "cluster"});
  CHECK(info.find("# Cluster\r\ncluster_enabled:0\r\n") != std::string::npos);
  CHECK(h.Run({"INFO", "server"}).find("redis_mode:standalone\r\n") != std::string::npos);
  CHECK(ss::cmd::RedisMode(h.state()) == "standalone");
  CHECK(h.Run({"SELECT", "1"}) == "+OK\r\n");
  CHECK(h.Run({"CONFIG", "GET", "cluster-enabled"}) ==
        "*2\r\n$15\r\ncluster-enabled\r\n$2\r\nno\r\n");
}

TEST_CASE("KeyHashSlot is Redis's CRC16 with hash tags") {
  using ss::cmd::KeyHashSlot;
  CHECK(KeyHashSlot("123456789") == (0x31C3 & 16383));  // CRC16/XMODEM check value
  CHECK(KeyHashSlot("foo") == 12182);                    // cluster-spec examples
  CHECK(KeyHashSlot("foo{bar}") == 5061);
  CHECK(KeyHashSlot("{bar}") == KeyHashSlot("bar"));
  CHECK(KeyHashSlot("a{x}") == 16287);                   // redis-server 7.0
  CHECK(KeyHashSlot("{user1000}.following") == KeyHashSlot("{user1000}.followers"));
  CHECK(KeyHashSlot("foo{}{bar}") == KeyHashSlot(std::string_view("foo{}{bar}")));
  CHECK(KeyHashSlot("foo{}{bar}") != KeyHashSlot("bar"));  // empty tag: whole key
  CHECK(KeyHashSlot("foo{{bar}}zap") == KeyHashSlot("{bar"));
  CHECK(KeyHashSlot("foo{bar}{zap}") == KeyHashSlot("bar"));
  CHECK(KeyHashSlot("") == 0);
}

TEST_CASE("--cluster-compat: one node owning all 16384 slots at the local address") {
  CmdHarness h(ClusterConfig());
  h.client().laddr = "127.0.0.1:7001";
  const std::string myid_reply = h.Run({"CLUSTER", "MYID"});
  REQUIRE(myid_reply.size() == 5 + 40 + 2);  // $40\r\n<id>\r\n
  const std::string id = myid_reply.substr(5, 40);
  CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(h.Run({"CLUSTER", "MYID"}) == myid_reply);  // stable

  CHECK(h.Run({"CLUSTER", "KEYSLOT", "foo{bar}"}) == ":5061\r\n");
  CHECK(h.Run({"CLUSTER", "SLOTS"}) == "*1\r\n*3\r\n:0\r\n:16383\r\n*4\r\n$9\r\n127.0.0.1\r\n"
                                       ":7001\r\n" + Bulk(id) + "*0\r\n");
  CHECK(h.Run({"CLUSTER", "SHARDS"}) ==
        "*1\r\n*4\r\n$5\r\nslots\r\n*2\r\n:0\r\n:16383\r\n$5\r\nnodes\r\n*1\r\n*14\r\n"
        "$2\r\nid\r\n" + Bulk(id) + "$4\r\nport\r\n:7001\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n"
        "$8\r\nendpoint\r\n$9\r\n127.0.0.1\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
        "$18\r\nreplication-offset\r\n:0\r\n$6\r\nhealth\r\n$6\r\nonline\r\n");
  CHECK(h.Run({"CLUSTER", "NODES"}) ==
        Bulk(id + " 127.0.0.1:7001@17001 myself,master - 0 0 0 connected 0-16383\n"));
  const std::string info = h.Run({"CLUSTER", "INFO"});
  CHECK(info.find("cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\n")
        != std::string::npos);
  CHECK(info.find("cluster_known_nodes:1\r\ncluster_size:1\r\n") != std::string::npos);
  CHECK(h.Run({"READONLY"}) == "+OK\r\n");
  CHECK(h.Run({"READWRITE"}) == "+OK\r\n");

  // RESP3: CLUSTER SLOTS' extra-endpoints map and NODES/INFO as verbatim.
  h.client().protocol = 3;
  CHECK(h.Run({"CLUSTER", "SLOTS"}).ends_with("%0\r\n"));
  const std::string nodes_line =
      id + " 127.0.0.1:7001@17001 myself,master - 0 0 0 connected 0-16383\n";
  CHECK(h.Run({"CLUSTER", "NODES"}) ==
        "=" + std::to_string(4 + nodes_line.size()) + "\r\ntxt:" + nodes_line + "\r\n");
  h.client().protocol = 2;

  // Without a TCP local address (unix socket): the configured address.
  h.client().laddr = "/tmp/s.sock:0";
  h.client().unix_socket = true;
  CHECK(h.Run({"CLUSTER", "SLOTS"}).find("$9\r\n127.0.0.1\r\n:6379\r\n") != std::string::npos);

  CHECK(h.Run({"INFO", "cluster"}).find("# Cluster\r\ncluster_enabled:1\r\n") != std::string::npos);
  CHECK(h.Run({"INFO", "server"}).find("redis_mode:cluster\r\n") != std::string::npos);
  CHECK(ss::cmd::RedisMode(h.state()) == "cluster");
  CHECK(h.Run({"CONFIG", "GET", "cluster-enabled"}) ==
        "*2\r\n$15\r\ncluster-enabled\r\n$3\r\nyes\r\n");
}

TEST_CASE("--cluster-compat: only database 0, as Redis Cluster") {
  CmdHarness h(ClusterConfig());
  CHECK(h.Run({"SELECT", "1"}) == "-ERR SELECT is not allowed in cluster mode\r\n");
  CHECK(h.Run({"SELECT", "x"}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(h.Run({"SELECT", "0"}) == "+OK\r\n");
  CHECK(h.Run({"SWAPDB", "0", "1"}) == "-ERR SWAPDB is not allowed in cluster mode\r\n");
  CHECK(h.Run({"MOVE", "k", "1"}) == "-ERR MOVE is not allowed in cluster mode\r\n");
  h.Run({"SET", "{k}1", "v"});
  CHECK(h.Run({"COPY", "{k}1", "{k}2", "DB", "1"}) ==
        "-ERR Copying to another database is not allowed in cluster mode\r\n");
  CHECK(h.Run({"COPY", "{k}1", "{k}2"}) == ":1\r\n");
  // Keys of two slots: refused before COPY runs (see cluster_cmd_test.cc).
  CHECK(h.Run({"COPY", "{k}1", "k2"}) ==
        "-CROSSSLOT Keys in request don't hash to the same slot\r\n");
}

// ---- OBJECT, MEMORY ---------------------------------------------------------

TEST_CASE("OBJECT ENCODING / REFCOUNT / FREQ / HELP") {
  CmdHarness h;
  const std::string s44(44, 'x'), s45(45, 'x');
  h.Run({"SET", "i", "-123"});
  h.Run({"SET", "shared", "9999"});
  h.Run({"SET", "notshared", "10000"});
  h.Run({"SET", "lead0", "0123"});
  h.Run({"SET", "big", "123456789012345678901"});
  h.Run({"SET", "e", s44});
  h.Run({"SET", "r", s45});
  CHECK(h.Run({"OBJECT", "ENCODING", "i"}) == Bulk("int"));
  CHECK(h.Run({"object", "encoding", "lead0"}) == Bulk("embstr"));
  CHECK(h.Run({"OBJECT", "ENCODING", "big"}) == Bulk("embstr"));
  CHECK(h.Run({"OBJECT", "ENCODING", "e"}) == Bulk("embstr"));
  CHECK(h.Run({"OBJECT", "ENCODING", "r"}) == Bulk("raw"));
  CHECK(h.Run({"OBJECT", "ENCODING", "nokey"}) == "$-1\r\n");
  CHECK(h.Run({"OBJECT", "REFCOUNT", "shared"}) == ":2147483647\r\n");
  CHECK(h.Run({"OBJECT", "REFCOUNT", "notshared"}) == ":1\r\n");
  CHECK(h.Run({"OBJECT", "REFCOUNT", "i"}) == ":1\r\n");
  CHECK(h.Run({"OBJECT", "REFCOUNT", "e"}) == ":1\r\n");
  CHECK(h.Run({"OBJECT", "REFCOUNT", "nokey"}) == "$-1\r\n");
  CHECK(h.Run({"OBJECT", "FREQ", "nokey"}) == "$-1\r\n");
  CHECK(h.Run({"OBJECT", "FREQ", "e"}) ==
        "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
        "note that when switching between policies at runtime LRU and LFU data will take some "
        "time to adjust.\r\n");
  CHECK(h.Run({"OBJECT", "ENCODING"}) ==
        "-ERR wrong number of arguments for 'object|encoding' command\r\n");
  const std::string help = h.Run({"OBJECT", "HELP"});
  CHECK(help.starts_with("*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"));
  CHECK(help.find("+IDLETIME <key>\r\n+    Return the idle time of the <key>, that is the "
                  "approximated number of\r\n+    seconds elapsed since the last access to the "
                  "key.\r\n+REFCOUNT <key>\r\n") != std::string::npos);
  // OBJECT counts keyspace hits and misses like Redis's lookupKeyRead.
  const auto hits = h.state().stats.keyspace_hits;
  h.Run({"OBJECT", "ENCODING", "e"});
  CHECK(h.state().stats.keyspace_hits == hits + 1);

  // A session record reports raw.
  const std::string id = ss::test::session_cmd::Alloc(h, {"demo"});
  CHECK(h.Run({"OBJECT", "ENCODING", "session:" + id}) == Bulk("raw"));
}

TEST_CASE("OBJECT IDLETIME: replies, and which commands touch the key") {
  CmdHarness h;
  h.Run({"SET", "k", "v"});
  CHECK(h.Run({"OBJECT", "IDLETIME", "k"}) == ":0\r\n");
  CHECK(h.Run({"OBJECT", "IDLETIME", "nokey"}) == "$-1\r\n");
  CHECK(h.Run({"OBJECT", "IDLETIME"}) ==
        "-ERR wrong number of arguments for 'object|idletime' command\r\n");
  h.clock().AdvanceMs(2'500);
  CHECK(h.Run({"OBJECT", "IDLETIME", "k"}) == ":2\r\n");
  h.client().protocol = 3;
  CHECK(h.Run({"OBJECT", "IDLETIME", "nokey"}) == "_\r\n");
  CHECK(h.Run({"OBJECT", "IDLETIME", "k"}) == ":2\r\n");
  h.client().protocol = 2;
  // Redis's LOOKUP_NOTOUCH readers, and commands that do not look keys up.
  for (std::vector<std::string_view> args :
       {std::vector<std::string_view>{"TYPE", "k"}, {"TTL", "k"}, {"PTTL", "k"},
        {"EXPIRETIME", "k"}, {"PEXPIRETIME", "k"}, {"EXISTS", "k"}, {"OBJECT", "ENCODING", "k"},
        {"OBJECT", "FREQ", "k"}, {"OBJECT", "REFCOUNT", "k"}, {"MEMORY", "USAGE", "k"},
        {"SCAN", "0"}, {"KEYS", "*"}, {"RANDOMKEY"}, {"DBSIZE"}}) {
    CAPTURE(args[0]);
    h.Run(args);
    CHECK(h.Run({"OBJECT", "IDLETIME", "k"}) == ":2\r\n");
  }
  // Reads and writes through the normal lookup touch it.
  for (std::vector<std::string_view> args :
       {std::vector<std::string_view>{"GET", "k"}, {"MGET", "k"}, {"STRLEN", "k"},
        {"GETRANGE", "k", "0", "0"}, {"TOUCH", "k"}, {"APPEND", "k", "x"}, {"SET", "k", "v", "NX"},
        {"EXPIRE", "k", "100"}, {"PERSIST", "k"}, {"SETRANGE", "k", "0", "w"}, {"GETEX", "k"},
        {"SET", "k", "v"}}) {
    CAPTURE(args[0]);
    h.clock().AdvanceMs(3'000);
    CHECK(h.Run({"OBJECT", "IDLETIME", "k"}) != ":0\r\n");
    h.Run(args);
    CHECK(h.Run({"OBJECT", "IDLETIME", "k"}) == ":0\r\n");
  }
}

TEST_CASE("OBJECT IDLETIME across RENAME, COPY, MOVE and CLIENT NO-TOUCH") {
  CmdHarness h;
  h.Run({"SET", "a", "v"});
  h.Run({"SET", "b", "v"});
  h.clock().AdvanceMs(5'000);
  // As in Redis: RENAME's lookup of the source is an access...
  CHECK(h.Run({"RENAME", "a", "a2"}) == "+OK\r\n");
  CHECK(h.Run({"OBJECT", "IDLETIME", "a2"}) == ":0\r\n");
  // ...and COPY makes a new key (and reads the source).
  h.clock().AdvanceMs(5'000);
  CHECK(h.Run({"COPY", "a2", "a3"}) == ":1\r\n");
  CHECK(h.Run({"OBJECT", "IDLETIME", "a3"}) == ":0\r\n");
  CHECK(h.Run({"MOVE", "a3", "1"}) == ":1\r\n");

  // CLIENT NO-TOUCH (Redis 7.2): reads leave the clock alone, RENAME and
  // MOVE carry it over, TOUCH still touches, writes make a fresh value.
  CHECK(h.Run({"CLIENT", "NO-TOUCH", "on"}) == "+OK\r\n");
  CHECK(h.Run({"OBJECT", "IDLETIME", "b"}) == ":10\r\n");
  h.Run({"GET", "b"});
  h.Run({"MGET", "b", "a2"});
  CHECK(h.Run({"OBJECT", "IDLETIME", "b"}) == ":10\r\n");
  CHECK(h.Run({"RENAME", "b", "b2"}) == "+OK\r\n");
  CHECK(h.Run({"OBJECT", "IDLETIME", "b2"}) == ":10\r\n");
  CHECK(h.Run({"MOVE", "b2", "2"}) == ":1\r\n");
  CHECK(h.Run({"SELECT", "2"}) == "+OK\r\n");
  CHECK(h.Run({"OBJECT", "IDLETIME", "b2"}) == ":10\r\n");
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  h.Run({"GET", "b2"});
  h.Run({"GET", "b2"});
  CHECK(h.Run({"EXEC"}) == "*2\r\n$1\r\nv\r\n$1\r\nv\r\n");
  CHECK(h.Run({"OBJECT", "IDLETIME", "b2"}) == ":10\r\n");
  CHECK(h.Run({"TOUCH", "b2", "nokey"}) == ":1\r\n");
  CHECK(h.Run({"OBJECT", "IDLETIME", "b2"}) == ":0\r\n");
  h.clock().AdvanceMs(4'000);
  CHECK(h.Run({"SET", "b2", "w"}) == "+OK\r\n");
  CHECK(h.Run({"OBJECT", "IDLETIME", "b2"}) == ":0\r\n");
  CHECK(h.Run({"SELECT", "0"}) == "+OK\r\n");
  CHECK(h.Run({"OBJECT", "IDLETIME", "a2"}) == ":4\r\n");
  // Off again (and RESET clears it): reads touch.
  CHECK(h.Run({"RESET"}) == "+RESET\r\n");
  h.Run({"GET", "a2"});
  CHECK(h.Run({"OBJECT", "IDLETIME", "a2"}) == ":0\r\n");
  CHECK(h.state().keyspace.touch_on_find());
}

TEST_CASE("OBJECT IDLETIME of a session: SESSION.* reads and writes touch it") {
  CmdHarness h;
  const std::string id = ss::test::session_cmd::Alloc(h, {"demo"});
  const std::string key = "session:" + id;
  CHECK(h.Run({"OBJECT", "IDLETIME", key}) == ":0\r\n");
  h.clock().AdvanceMs(6'000);
  h.Run({"SESSION.LIST", "demo"});
  CHECK(h.Run({"OBJECT", "IDLETIME", key}) == ":6\r\n");
  h.Run({"SESSION.INFO", "demo", id});
  CHECK(h.Run({"OBJECT", "IDLETIME", key}) == ":0\r\n");
  h.clock().AdvanceMs(6'000);
  CHECK(h.Run({"CLIENT", "NO-TOUCH", "on"}) == "+OK\r\n");
  h.Run({"SESSION.INFO", "demo", id});
  CHECK(h.Run({"OBJECT", "IDLETIME", key}) == ":6\r\n");
  CHECK(h.Run({"CLIENT", "NO-TOUCH", "off"}) == "+OK\r\n");
  CHECK(h.Run({"SESSION.VALIDATE", "demo", id}) == ":1\r\n");
  CHECK(h.Run({"OBJECT", "IDLETIME", key}) == ":0\r\n");
}

TEST_CASE("MEMORY USAGE: the entry's block plus its 8-byte table slot") {
  CmdHarness h;
  h.Run({"SET", "k", std::string(100, 'v')});
  const ss::Entry* e = h.state().keyspace.Peek(0, "k");
  REQUIRE(e != nullptr);
  const std::string want = Int(static_cast<int64_t>(e->AllocatedBytes() + 8));
  CHECK(e->AllocatedBytes() >= 16 + 1 + 1 + 1 + 100);
  CHECK(h.Run({"MEMORY", "USAGE", "k"}) == want);
  CHECK(h.Run({"MEMORY", "USAGE", "k", "SAMPLES", "0"}) == want);
  CHECK(h.Run({"MEMORY", "usage", "k", "samples", "5", "SAMPLES", "1"}) == want);
  CHECK(h.Run({"MEMORY", "USAGE", "nokey"}) == "$-1\r\n");
  CHECK(h.Run({"MEMORY", "USAGE", "k", "SAMPLES"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"MEMORY", "USAGE", "k", "SAMPLES", "x"}) ==
        "-ERR value is not an integer or out of range\r\n");
  CHECK(h.Run({"MEMORY", "USAGE", "k", "SAMPLES", "-1"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"MEMORY", "USAGE", "k", "FOO", "1"}) == "-ERR syntax error\r\n");
  // Options are checked before the key is looked up.
  CHECK(h.Run({"MEMORY", "USAGE", "nokey", "SAMPLES", "x"}) ==
        "-ERR value is not an integer or out of range\r\n");
  CHECK(h.Run({"MEMORY", "HELP"}).starts_with("*10\r\n+MEMORY <subcommand>"));
  CHECK(h.Run({"MEMORY", "PURGE"}) == "-ERR unknown subcommand 'PURGE'. Try MEMORY HELP.\r\n");
}

// ---- SLOWLOG ----------------------------------------------------------------

TEST_CASE("SLOWLOG: entries, truncation, limits, reset, errors") {
  CmdHarness h;
  h.client().addr = "127.0.0.1:5555";
  h.client().name = "worker";
  CHECK(h.Run({"SLOWLOG", "LEN"}) == ":0\r\n");
  CHECK(h.Run({"CONFIG", "GET", "slowlog-*"}) ==
        "*4\r\n$23\r\nslowlog-log-slower-than\r\n$5\r\n10000\r\n"
        "$15\r\nslowlog-max-len\r\n$3\r\n128\r\n");
  CHECK(h.Run({"CONFIG", "SET", "slowlog-log-slower-than", "0"}) == "+OK\r\n");
  // The CONFIG SET itself ran with the new threshold and is logged.
  CHECK(h.Run({"SLOWLOG", "LEN"}) == ":1\r\n");
  CHECK(h.Run({"SLOWLOG", "RESET"}) == "+OK\r\n");
  // RESET is logged after it cleared the log.
  CHECK(h.Run({"SLOWLOG", "LEN"}) == ":1\r\n");

  h.clock().SetMs(1'700'000'123'456);
  h.Run({"SET", "k", std::string(130, 'a')});
  std::vector<std::string> many_args(40, "x");
  std::vector<std::string_view> many{"DEL"};
  for (const auto& a : many_args) many.push_back(a);
  h.Run(many);
  Resp got = Parse(h.Run({"SLOWLOG", "GET", "2"}));
  REQUIRE(got.type == '*');
  REQUIRE(got.items.size() == 2);
  const Resp& del = got.items[0];
  const Resp& set = got.items[1];
  REQUIRE(del.items.size() == 6);
  CHECK(del.items[0].num == set.items[0].num + 1);  // ids increase
  CHECK(set.items[1].num == 1'700'000'123);          // unix seconds
  CHECK(set.items[2].num >= 0);
  REQUIRE(set.items[3].items.size() == 3);
  CHECK(set.items[3].items[0].str == "SET");
  CHECK(set.items[3].items[2].str == std::string(128, 'a') + "... (2 more bytes)");
  CHECK(set.items[4].str == "127.0.0.1:5555");
  CHECK(set.items[5].str == "worker");
  REQUIRE(del.items[3].items.size() == 32);
  CHECK(del.items[3].items[30].str == "x");
  CHECK(del.items[3].items[31].str == "... (10 more arguments)");

  // Default count 10, -1 = all; the GET itself is logged after replying.
  CHECK(Parse(h.Run({"SLOWLOG", "GET"})).items.size() == 5);
  CHECK(Parse(h.Run({"SLOWLOG", "GET", "-1"})).items.size() == 6);
  CHECK(Parse(h.Run({"SLOWLOG", "GET", "0"})).items.empty());
  CHECK(h.Run({"SLOWLOG", "GET", "-2"}) == "-ERR count should be greater than or equal to -1\r\n");
  CHECK(h.Run({"SLOWLOG", "GET", "x"}) == "-ERR count should be greater than or equal to -1\r\n");
  CHECK(h.Run({"SLOWLOG", "get", "1", "2"}) ==
        "-ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP.\r\n");
  CHECK(h.Run({"SLOWLOG", "LEN", "x"}) ==
        "-ERR wrong number of arguments for 'slowlog|len' command\r\n");
  CHECK(h.Run({"SLOWLOG", "HELP"}).starts_with("*12\r\n+SLOWLOG <subcommand>"));

  // max-len trims the oldest entries; -1 disables logging.
  CHECK(h.Run({"CONFIG", "SET", "slowlog-max-len", "3"}) == "+OK\r\n");
  CHECK(h.Run({"SLOWLOG", "LEN"}) == ":3\r\n");
  CHECK(h.Run({"CONFIG", "SET", "slowlog-log-slower-than", "-1"}) == "+OK\r\n");
  h.Run({"SLOWLOG", "RESET"});
  h.Run({"SET", "a", "b"});
  CHECK(h.Run({"SLOWLOG", "LEN"}) == ":0\r\n");
  CHECK(h.Run({"CONFIG", "SET", "slowlog-log-slower-than", "-2"}) ==
        "-ERR CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') - "
        "argument must be between -1 and 9223372036854775807 inclusive\r\n");
  // A huge threshold logs nothing.
  CHECK(h.Run({"CONFIG", "SET", "slowlog-log-slower-than", "1000000000"}) == "+OK\r\n");
  h.Run({"SET", "a", "b"});
  CHECK(h.Run({"SLOWLOG", "LEN"}) == ":0\r\n");
  // max-len 0 keeps nothing.
  h.Run({"CONFIG", "SET", "slowlog-log-slower-than", "0"});
  h.Run({"CONFIG", "SET", "slowlog-max-len", "0"});
  h.Run({"SET", "a", "b"});
  CHECK(h.Run({"SLOWLOG", "LEN"}) == ":0\r\n");
}

// ---- MONITOR ----------------------------------------------------------------

TEST_CASE("MONITOR: later commands of every client as Redis 7.0 formats them") {
  CmdHarness h;
  FakeChannel monitor_channel;
  ss::cmd::Client monitor;
  monitor.id = 99;
  monitor.channel = &monitor_channel;
  h.client().addr = "127.0.0.1:5555";
  {
    std::string out;
    ss::resp::ReplyWriter w(&out, 2);
    ss::cmd::Dispatch(ss::cmd::CommandTable::Get(), h.state(), monitor, w,
                      std::vector<std::string_view>{"MONITOR"});
    CHECK(out == "+OK\r\n");
    out.clear();
    // A second MONITOR gets no reply at all, as in Redis.
    ss::cmd::Dispatch(ss::cmd::CommandTable::Get(), h.state(), monitor, w,
                      std::vector<std::string_view>{"monitor"});
    CHECK(out.empty());
  }
  CHECK(monitor_channel.delivered.empty());  // MONITOR is an admin command
  h.clock().SetMs(1'700'000'000'123);
  h.Run({"set", "k", "v"});
  CHECK(monitor_channel.delivered ==
        "+1700000000.123000 [0 127.0.0.1:5555] \"set\" \"k\" \"v\"\r\n");
  monitor_channel.delivered.clear();
  h.Run({"SET", std::string("a\"b\\c\n\r\t\a\b\x01\xff ~", 14), "1"});
  CHECK(monitor_channel.delivered ==
        "+1700000000.123000 [0 127.0.0.1:5555] \"SET\" "
        "\"a\\\"b\\\\c\\n\\r\\t\\a\\b\\x01\\xff ~\" \"1\"\r\n");
  monitor_channel.delivered.clear();
  // Admin commands are hidden; failed lookups and arity errors never ran.
  h.Run({"CONFIG", "GET", "port"});
  h.Run({"SLOWLOG", "LEN"});
  h.Run({"NOSUCHCMD"});
  h.Run({"GET"});
  CHECK(monitor_channel.delivered.empty());
  // The database after the command ran, as Redis's call() reports it.
  h.Run({"SELECT", "3"});
  CHECK(monitor_channel.delivered ==
        "+1700000000.123000 [3 127.0.0.1:5555] \"SELECT\" \"3\"\r\n");
  monitor_channel.delivered.clear();
  // A closed monitor receives nothing more.
  h.state().ClientClosed(monitor);
  CHECK(h.state().command_log.monitors.empty());
  h.Run({"PING"});
  CHECK(monitor_channel.delivered.empty());
}

TEST_CASE("MonitorLine pads microseconds and quotes empty arguments") {
  std::vector<std::string_view> args{"ECHO", ""};
  CHECK(ss::cmd::MonitorLine(1'700'000'000'000'042, 15, "unix:/tmp/s", args) ==
        "+1700000000.000042 [15 unix:/tmp/s] \"ECHO\" \"\"\r\n");
}

// ---- SWAPDB, MOVE, COPY -----------------------------------------------------

TEST_CASE("SWAPDB, MOVE, COPY: errors in Redis's order") {
  CmdHarness h;
  CHECK(h.Run({"SWAPDB", "x", "0"}) == "-ERR invalid first DB index\r\n");
  CHECK(h.Run({"SWAPDB", "0", "x"}) == "-ERR invalid second DB index\r\n");
  CHECK(h.Run({"SWAPDB", "0", "99999999999"}) == "-ERR invalid second DB index\r\n");
  CHECK(h.Run({"SWAPDB", "0", "16"}) == "-ERR DB index is out of range\r\n");
  CHECK(h.Run({"SWAPDB", "-1", "0"}) == "-ERR DB index is out of range\r\n");
  CHECK(h.Run({"SWAPDB", "0", "0"}) == "+OK\r\n");
  CHECK(h.Run({"MOVE", "k", "x"}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(h.Run({"MOVE", "k", "99999999999"}) ==
        "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n");
  CHECK(h.Run({"MOVE", "k", "16"}) == "-ERR DB index is out of range\r\n");
  CHECK(h.Run({"MOVE", "k", "0"}) == "-ERR source and destination objects are the same\r\n");
  CHECK(h.Run({"MOVE", "k", "1"}) == ":0\r\n");
  CHECK(h.Run({"COPY", "k", "k"}) == "-ERR source and destination objects are the same\r\n");
  CHECK(h.Run({"COPY", "k", "k", "DB", "0"}) ==
        "-ERR source and destination objects are the same\r\n");
  CHECK(h.Run({"COPY", "k", "k2", "DB"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"COPY", "k", "k2", "DB", "x"}) ==
        "-ERR value is not an integer or out of range\r\n");
  CHECK(h.Run({"COPY", "k", "k2", "DB", "16"}) == "-ERR DB index is out of range\r\n");
  CHECK(h.Run({"COPY", "k", "k2", "FOO"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"COPY", "k", "k2"}) == ":0\r\n");
}

TEST_CASE("SWAPDB, MOVE, COPY of strings keep values and deadlines") {
  CmdHarness h;
  h.Run({"SET", "a", "1", "PX", "5000"});
  h.Run({"SET", "b", "2"});
  CHECK(h.Run({"SWAPDB", "0", "1"}) == "+OK\r\n");
  CHECK(h.Run({"DBSIZE"}) == ":0\r\n");
  h.Run({"SELECT", "1"});
  CHECK(h.Run({"GET", "a"}) == Bulk("1"));
  CHECK(h.Run({"PTTL", "a"}) == ":5000\r\n");

  CHECK(h.Run({"MOVE", "a", "2"}) == ":1\r\n");
  CHECK(h.Run({"EXISTS", "a"}) == ":0\r\n");
  h.Run({"SELECT", "2"});
  CHECK(h.Run({"PTTL", "a"}) == ":5000\r\n");
  h.Run({"SET", "b", "x"});
  h.Run({"SELECT", "1"});
  CHECK(h.Run({"MOVE", "b", "2"}) == ":0\r\n");  // db 2 already has b
  CHECK(h.Run({"GET", "b"}) == Bulk("2"));

  CHECK(h.Run({"COPY", "b", "c"}) == ":1\r\n");
  CHECK(h.Run({"COPY", "b", "c"}) == ":0\r\n");
  h.Run({"SET", "b", "3"});
  CHECK(h.Run({"COPY", "b", "c", "REPLACE"}) == ":1\r\n");
  CHECK(h.Run({"GET", "c"}) == Bulk("3"));
  CHECK(h.Run({"COPY", "b", "a", "DB", "2"}) == ":0\r\n");
  CHECK(h.Run({"COPY", "b", "a", "db", "2", "replace"}) == ":1\r\n");
  h.Run({"SELECT", "2"});
  CHECK(h.Run({"GET", "a"}) == Bulk("3"));
  CHECK(h.Run({"PTTL", "a"}) == ":-1\r\n");  // the copy's (absent) deadline

  // The moved deadline still expires the key, in its new database.
  h.Run({"SET", "t", "v", "PX", "10"});
  CHECK(h.Run({"MOVE", "t", "5"}) == ":1\r\n");
  h.clock().AdvanceMs(11);
  h.ExpireAll();
  CHECK(h.state().keyspace.Size(5) == 0);
}

TEST_CASE("SWAPDB, MOVE, COPY carry session records and the session index along") {
  CmdHarness h;
  using ss::test::session_cmd::Alloc;
  const std::string id = Alloc(h, {"demo", "USER", "alice"});
  const std::string key = "session:" + id;
  const std::string json = h.Run({"GET", key});
  CHECK(h.Run({"SESSION.VALIDATE", "demo", id}) == ":1\r\n");

  CHECK(h.Run({"SWAPDB", "0", "1"}) == "+OK\r\n");
  CHECK(h.Run({"SESSION.VALIDATE", "demo", id}) == ":0\r\n");
  h.Run({"SELECT", "1"});
  CHECK(h.Run({"SESSION.VALIDATE", "demo", id}) == ":1\r\n");
  CHECK(h.Run({"SESSION.REVOKE", "demo", "USER", "alice"}).size() > 0);
  CHECK(h.Run({"EXISTS", key}) == ":0\r\n");

  h.Run({"SELECT", "0"});
  const std::string id2 = Alloc(h, {"demo", "USER", "bob"});
  const std::string key2 = "session:" + id2;
  CHECK(h.Run({"MOVE", key2, "3"}) == ":1\r\n");
  CHECK(h.Run({"SESSION.VALIDATE", "demo", id2}) == ":0\r\n");
  h.Run({"SELECT", "3"});
  CHECK(h.Run({"SESSION.VALIDATE", "demo", id2}) == ":1\r\n");
  const ss::Entry* moved = h.state().keyspace.Peek(3, key2);
  REQUIRE(moved != nullptr);
  CHECK(moved->type() == ss::ValueType::kSession);

  // COPY to another db: a second, independent session record.
  const std::string before = h.Run({"GET", key2});
  CHECK(h.Run({"COPY", key2, key2, "DB", "4"}) == ":1\r\n");
  const ss::Entry* copy = h.state().keyspace.Peek(4, key2);
  REQUIRE(copy != nullptr);
  CHECK(copy->type() == ss::ValueType::kSession);
  h.Run({"SELECT", "4"});
  CHECK(h.Run({"GET", key2}) == before);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", id2}) == ":1\r\n");
  CHECK(h.Run({"SESSION.DELETE", "demo", id2}) == ":1\r\n");
  h.Run({"SELECT", "3"});
  CHECK(h.Run({"SESSION.VALIDATE", "demo", id2}) == ":1\r\n");
  (void)json;
}

TEST_CASE("MEMORY STATS: Redis 7.0's fields in its order; MEMORY DOCTOR: one of its reports") {
  CmdHarness h;
  CHECK(h.Run({"SET", "a", "1"}) == "+OK\r\n");
  CHECK(h.Run({"SELECT", "2"}) == "+OK\r\n");
  CHECK(h.Run({"SET", "b", "1"}) == "+OK\r\n");
  const std::string stats = h.Run({"MEMORY", "STATS"});
  CHECK(stats.starts_with("*58\r\n$14\r\npeak.allocated\r\n:"));  // 27 + 2 databases
  static constexpr std::string_view kFields[] = {
      "peak.allocated", "total.allocated", "startup.allocated", "replication.backlog",
      "clients.slaves", "clients.normal", "cluster.links", "aof.buffer", "lua.caches",
      "functions.caches", "db.0", "overhead.hashtable.main", "overhead.hashtable.expires",
      "overhead.hashtable.slot-to-keys", "db.2", "overhead.hashtable.main",
      "overhead.hashtable.expires", "overhead.hashtable.slot-to-keys", "overhead.total",
      "keys.count", "keys.bytes-per-key", "dataset.bytes", "dataset.percentage",
      "peak.percentage", "allocator.allocated", "allocator.active", "allocator.resident",
      "allocator-fragmentation.ratio", "allocator-fragmentation.bytes", "allocator-rss.ratio",
      "allocator-rss.bytes", "rss-overhead.ratio", "rss-overhead.bytes", "fragmentation",
      "fragmentation.bytes"};
  size_t pos = 0;
  for (std::string_view f : kFields) {
    const std::string want = "$" + std::to_string(f.size()) + "\r\n" + std::string(f) + "\r\n";
    const size_t at = stats.find(want, pos);
    CHECK_MESSAGE(at != std::string::npos, f);
    if (at != std::string::npos) pos = at + want.size();
  }
  CHECK(stats.find("$4\r\ndb.0\r\n*6\r\n$23\r\noverhead.hashtable.main\r\n:8\r\n") !=
        std::string::npos);
  CHECK(stats.find("$10\r\nkeys.count\r\n:2\r\n") != std::string::npos);
  // The map's length matches its fields: the last one ends the reply.
  const size_t last = stats.rfind("$19\r\nfragmentation.bytes\r\n:");
  REQUIRE(last != std::string::npos);
  CHECK(stats.find("\r\n", last + 27) == stats.size() - 2);
  CHECK(stats.find("$4\r\ndb.1\r\n") == std::string::npos);  // empty databases are left out
  CHECK(h.Run({"MEMORY", "STATS", "x"}) ==
        "-ERR wrong number of arguments for 'memory|stats' command\r\n");
  const std::string doctor = h.Run({"MEMORY", "DOCTOR"});
  CHECK(doctor.starts_with("$"));
  CHECK((doctor.find("\r\nHi Sam, this instance is empty") != std::string::npos ||
         doctor.find("\r\nHi Sam, I can't find any memory issue") != std::string::npos ||
         doctor.find("\r\nSam, I detected a few issues") != std::string::npos));
  CHECK(doctor.ends_with("\n\r\n"));
  CHECK(h.Run({"MEMORY", "DOCTOR", "x"}) ==
        "-ERR wrong number of arguments for 'memory|doctor' command\r\n");
  CHECK(h.Run({"MEMORY", "HELP"}).starts_with(
      "*10\r\n+MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
      "+DOCTOR\r\n+    Return memory problems reports.\r\n+STATS\r\n"));
}

// ---- FUNCTION, COMMAND GETKEYS ---------------------------------------------

TEST_CASE("FUNCTION FLUSH / LIST / HELP with no functions") {
  CmdHarness h;
  CHECK(h.Run({"FUNCTION", "FLUSH"}) == "+OK\r\n");
  CHECK(h.Run({"FUNCTION", "FLUSH", "async"}) == "+OK\r\n");
  CHECK(h.Run({"FUNCTION", "FLUSH", "SYNC"}) == "+OK\r\n");
  CHECK(h.Run({"FUNCTION", "FLUSH", "x"}) ==
        "-ERR FUNCTION FLUSH only supports SYNC|ASYNC option\r\n");
  CHECK(h.Run({"FUNCTION", "flush", "a", "b"}) ==
        "-ERR unknown subcommand or wrong number of arguments for 'flush'. Try FUNCTION "
        "HELP.\r\n");
  CHECK(h.Run({"FUNCTION", "LIST"}) == "*0\r\n");
  CHECK(h.Run({"FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "x"}) == "*0\r\n");
  CHECK(h.Run({"FUNCTION", "LIST", "withcode", "withcode"}) ==
        "-ERR Unknown argument withcode\r\n");
  CHECK(h.Run({"FUNCTION", "LIST", "LIBRARYNAME"}) ==
        "-ERR library name argument was not given\r\n");
  CHECK(h.Run({"FUNCTION", "LIST", "x"}) == "-ERR Unknown argument x\r\n");
  CHECK(h.Run({"FUNCTION", "HELP"}).starts_with("*17\r\n+FUNCTION <subcommand>"));
  CHECK(h.Run({"FUNCTION", "LOAD", "x"}) ==
        "-ERR unknown subcommand 'LOAD'. Try FUNCTION HELP.\r\n");
}

TEST_CASE("COMMAND GETKEYS from the table's key positions") {
  CmdHarness h;
  CHECK(h.Run({"COMMAND", "GETKEYS", "GET", "a"}) == "*1\r\n$1\r\na\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "mset", "a", "1", "b"}) == "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "DEL", "a", "b", "c"}) ==
        "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "OBJECT", "ENCODING", "k"}) == "*1\r\n$1\r\nk\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "MEMORY", "USAGE", "k", "SAMPLES", "5"}) ==
        "*1\r\n$1\r\nk\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "COPY", "a", "b", "DB", "1"}) ==
        "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "GET"}) ==
        "-ERR wrong number of arguments for 'command|getkeys' command\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "GET", "a", "b"}) ==
        "-ERR Invalid number of arguments specified for command\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "EXPIRE", "k"}) ==
        "-ERR Invalid number of arguments specified for command\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "NOSUCH", "a"}) == "-ERR Invalid command specified\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "OBJECT", "FOO", "k"}) ==
        "-ERR Invalid command specified\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "PING", "x"}) == "-ERR The command has no key arguments\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "CONFIG", "GET", "x"}) ==
        "-ERR The command has no key arguments\r\n");
}

TEST_CASE("COMMAND GETKEYSANDFLAGS: keys with their key-spec flags") {
  CmdHarness h;
  CHECK(h.Run({"COMMAND", "GETKEYSANDFLAGS", "SET", "a", "b"}) ==
        "*1\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYSANDFLAGS", "SET", "a", "b", "EX", "1", "get"}) ==
        "*1\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+update\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYSANDFLAGS", "SET", "a", "b", "GETX"}) ==
        "*1\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYSANDFLAGS", "RENAME", "a", "b"}) ==
        "*2\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+delete\r\n"
        "*2\r\n$1\r\nb\r\n*2\r\n+OW\r\n+update\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYSANDFLAGS", "MSET", "a", "1", "b"}) ==
        "*2\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n"
        "*2\r\n$1\r\nb\r\n*2\r\n+OW\r\n+update\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYSANDFLAGS", "DEL", "a"}) ==
        "*1\r\n*2\r\n$1\r\na\r\n*2\r\n+RM\r\n+delete\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYSANDFLAGS", "OBJECT", "ENCODING", "k"}) ==
        "*1\r\n*2\r\n$1\r\nk\r\n*1\r\n+RO\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYSANDFLAGS", "GET", "a", "b"}) ==
        "-ERR Invalid number of arguments specified for command\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYSANDFLAGS", "NOSUCH", "a"}) ==
        "-ERR Invalid command specified\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYSANDFLAGS", "PING"}) ==
        "-ERR wrong number of arguments for 'command|getkeysandflags' command\r\n");
  // Shard channels and session ids are not keys.
  CHECK(h.Run({"COMMAND", "GETKEYSANDFLAGS", "SSUBSCRIBE", "a", "b"}) ==
        "-ERR The command has no key arguments\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYS", "SPUBLISH", "a", "m"}) ==
        "-ERR The command has no key arguments\r\n");
  CHECK(h.Run({"COMMAND", "GETKEYSANDFLAGS", "SESSION.VALIDATE", "s", "id"}) ==
        "-ERR The command has no key arguments\r\n");
  // RESP3: the flags are a set.
  h.client().protocol = 3;
  CHECK(h.Run({"COMMAND", "GETKEYSANDFLAGS", "GET", "a"}) ==
        "*1\r\n*2\r\n$1\r\na\r\n~2\r\n+RO\r\n+access\r\n");
}

TEST_CASE("COMMAND INFO key specs: two specs, notes") {
  CmdHarness h;
  const std::string rename = h.Run({"COMMAND", "INFO", "RENAME"});
  CHECK(rename.find("*2\r\n*6\r\n$5\r\nflags\r\n*3\r\n+RW\r\n+access\r\n+delete\r\n"
                    "$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n"
                    "*2\r\n$5\r\nindex\r\n:1\r\n") != std::string::npos);
  CHECK(rename.find("*2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n"
                    "$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n") !=
        std::string::npos);
  const std::string set = h.Run({"COMMAND", "INFO", "SET"});
  CHECK(set.find("*1\r\n*8\r\n$5\r\nnotes\r\n$48\r\nRW and ACCESS due to the optional `GET` "
                 "argument\r\n$5\r\nflags\r\n*4\r\n+RW\r\n+access\r\n+update\r\n"
                 "+variable_flags\r\n") != std::string::npos);
  CHECK(h.Run({"COMMAND", "INFO", "PING"}).find("*0\r\n*0\r\n") != std::string::npos);
}

TEST_CASE("SLOWLOG and MONITOR never show secrets: AUTH, HELLO AUTH, CONFIG SET requirepass") {
  CmdHarness h;
  FakeChannel monitor_channel;
  ss::cmd::Client monitor;
  monitor.id = 99;
  monitor.channel = &monitor_channel;
  {
    std::string out;
    ss::resp::ReplyWriter w(&out, 2);
    ss::cmd::Dispatch(ss::cmd::CommandTable::Get(), h.state(), monitor, w,
                      std::vector<std::string_view>{"MONITOR"});
    REQUIRE(out == "+OK\r\n");
  }
  h.client().addr = "127.0.0.1:5555";
  CHECK(h.Run({"CONFIG", "SET", "slowlog-log-slower-than", "0"}) == "+OK\r\n");
  CHECK(h.Run({"CONFIG", "SET", "maxclients", "100", "requirepass", "s3cret"}) == "+OK\r\n");
  h.Run({"AUTH", "s3cret"});
  h.Run({"AUTH", "default", "s3cret"});
  h.Run({"HELLO", "2", "SETNAME", "auth", "AUTH", "default", "s3cret"});
  const std::string slowlog = h.Run({"SLOWLOG", "GET", "-1"});
  CHECK(slowlog.find("s3cret") == std::string::npos);
  CHECK(slowlog.find("$10\r\n(redacted)\r\n") != std::string::npos);
  CHECK(slowlog.find("$7\r\ndefault") == std::string::npos);  // HELLO's user too
  CHECK(slowlog.find("$4\r\nauth\r\n") != std::string::npos);  // SETNAME's value is kept
  // CONFIG is an admin command: never shown to monitors; AUTH and HELLO are.
  const std::string& lines = monitor_channel.delivered;
  CHECK(lines.find("s3cret") == std::string::npos);
  CHECK(lines.find("\"AUTH\" \"(redacted)\"\r\n") != std::string::npos);
  CHECK(lines.find("\"AUTH\" \"(redacted)\" \"(redacted)\"\r\n") != std::string::npos);
  CHECK(lines.find("\"HELLO\" \"2\" \"SETNAME\" \"auth\" \"AUTH\" \"(redacted)\" \"(redacted)\"") !=
        std::string::npos);
  h.state().ClientClosed(monitor);
}
