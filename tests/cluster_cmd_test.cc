// Unit tests of --cluster-compat's key checks: CROSSSLOT (where Redis's
// processCommand raises it, in and out of MULTI) and CLUSTER
// COUNTKEYSINSLOT / GETKEYSINSLOT. Exact reply bytes, as a one-node Redis 7.0
// cluster owning every slot answers them.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cmd_harness.h"
#include "ss/cmd/cluster.h"

using ss::test::CmdHarness;

namespace {

ss::Config ClusterConfig() {
  ss::Config c = ss::test::TestConfig();
  c.cluster_compat = true;
  return c;
}

const std::string kCrossSlot = "-CROSSSLOT Keys in request don't hash to the same slot\r\n";

}  // namespace

TEST_CASE("slots of the keys used below") {
  // "a" and "b" differ; "{a}x" shares "a"'s slot through its hash tag.
  CHECK(ss::cmd::KeyHashSlot("a") == 15495);
  CHECK(ss::cmd::KeyHashSlot("b") == 3300);
  CHECK(ss::cmd::KeyHashSlot("{a}x") == 15495);
}

TEST_CASE("CROSSSLOT: multi-key commands whose keys hash to different slots") {
  CmdHarness h(ClusterConfig());
  CHECK(h.Run({"MSET", "a", "1", "b", "2"}) == kCrossSlot);
  CHECK(h.Run({"MSETNX", "a", "1", "b", "2"}) == kCrossSlot);
  CHECK(h.Run({"MGET", "a", "b"}) == kCrossSlot);
  CHECK(h.Run({"DEL", "a", "b"}) == kCrossSlot);
  CHECK(h.Run({"UNLINK", "a", "b"}) == kCrossSlot);
  CHECK(h.Run({"EXISTS", "a", "b"}) == kCrossSlot);
  CHECK(h.Run({"TOUCH", "a", "b"}) == kCrossSlot);
  CHECK(h.Run({"RENAME", "a", "b"}) == kCrossSlot);
  CHECK(h.Run({"RENAMENX", "a", "b"}) == kCrossSlot);
  CHECK(h.Run({"COPY", "a", "b"}) == kCrossSlot);
  CHECK(h.Run({"WATCH", "a", "b"}) == kCrossSlot);
  CHECK(h.Run({"SSUBSCRIBE", "a", "b"}) == kCrossSlot);  // shard channels count too
  CHECK(h.Run({"SUNSUBSCRIBE", "a", "b"}) == kCrossSlot);
  // An odd MSET: the keys are found before MSET itself reports the arity.
  CHECK(h.Run({"MSET", "a", "1", "b"}) == kCrossSlot);
  // Nothing ran.
  CHECK(h.Run({"DBSIZE"}) == ":0\r\n");
  CHECK(h.Run({"INFO", "stats"}).find("total_error_replies:14\r\n") != std::string::npos);
}

TEST_CASE("CROSSSLOT: one slot (hash tags, repeated keys) and keyless commands pass") {
  CmdHarness h(ClusterConfig());
  CHECK(h.Run({"MSET", "a", "1", "{a}x", "2"}) == "+OK\r\n");
  CHECK(h.Run({"MSET", "a", "1", "a", "2"}) == "+OK\r\n");
  CHECK(h.Run({"MGET", "a", "{a}x", "{a}y"}) == "*3\r\n$1\r\n2\r\n$1\r\n2\r\n$-1\r\n");
  CHECK(h.Run({"EXISTS", "a", "a"}) == ":2\r\n");
  CHECK(h.Run({"RENAME", "{a}x", "{a}z"}) == "+OK\r\n");
  CHECK(h.Run({"COPY", "a", "{a}c"}) == ":1\r\n");
  CHECK(h.Run({"DEL", "a", "{a}z", "{a}c"}) == ":3\r\n");
  CHECK(h.Run({"MSET", "a", "1"}) == "+OK\r\n");
  CHECK(h.Run({"PING", "x"}) == "$1\r\nx\r\n");
  CHECK(h.Run({"DBSIZE"}) == ":1\r\n");
  CHECK(h.Run({"KEYS", "*"}) == "*1\r\n$1\r\na\r\n");
}

TEST_CASE("CROSSSLOT comes after arity, NOAUTH and no-multi errors, before OOM") {
  ss::Config c = ClusterConfig();
  c.requirepass = "pw";
  CmdHarness h(c);
  h.client().authenticated = false;  // a new connection while requirepass is set
  CHECK(h.Run({"MGET", "a", "b"}) == "-NOAUTH Authentication required.\r\n");
  CHECK(h.Run({"AUTH", "pw"}) == "+OK\r\n");
  CHECK(h.Run({"GET", "a", "b"}) == "-ERR wrong number of arguments for 'get' command\r\n");
  CHECK(h.Run({"MSET", "a"}) == "-ERR wrong number of arguments for 'mset' command\r\n");
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "1"}) == "+OK\r\n");
  CHECK(h.Run({"MSET", "a", "1", "b", "2"}) == kCrossSlot);
  CHECK(h.Run({"SET", "a", "1"}) ==
        "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "0"}) == "+OK\r\n");
  // RESP2 subscribe mode is checked after the cluster check, as in Redis.
  h.Run({"SUBSCRIBE", "ch"});
  CHECK(h.Run({"MGET", "a", "b"}) == kCrossSlot);
  CHECK(h.Run({"GET", "a"}).starts_with("-ERR Can't execute 'get'"));
}

TEST_CASE("CROSSSLOT in MULTI: a queued command is refused, EXEC checks the whole queue") {
  CmdHarness h(ClusterConfig());
  // A refused command flags the transaction.
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"MSET", "a", "1", "b", "2"}) == kCrossSlot);
  CHECK(h.Run({"EXEC"}) == "-EXECABORT Transaction discarded because of previous errors.\r\n");
  // Single-slot commands queue, but EXEC sees keys of two slots: it discards
  // the transaction and answers CROSSSLOT itself.
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"SET", "a", "1"}) == "+QUEUED\r\n");
  CHECK(h.Run({"SET", "b", "2"}) == "+QUEUED\r\n");
  CHECK(h.Run({"EXEC"}) == kCrossSlot);
  CHECK(h.Run({"EXEC"}) == "-ERR EXEC without MULTI\r\n");
  CHECK(h.Run({"DBSIZE"}) == ":0\r\n");
  // Even a transaction already flagged by an error: CROSSSLOT first.
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"SET", "a", "1"}) == "+QUEUED\r\n");
  CHECK(h.Run({"SET", "b", "2"}) == "+QUEUED\r\n");
  CHECK(h.Run({"SET", "a"}) == "-ERR wrong number of arguments for 'set' command\r\n");
  CHECK(h.Run({"EXEC"}) == kCrossSlot);
  // One slot over the whole queue: EXEC runs it.
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"SET", "a", "1"}) == "+QUEUED\r\n");
  CHECK(h.Run({"SET", "{a}x", "2"}) == "+QUEUED\r\n");
  CHECK(h.Run({"PING"}) == "+QUEUED\r\n");
  CHECK(h.Run({"EXEC"}) == "*3\r\n+OK\r\n+OK\r\n+PONG\r\n");
  // WATCH of two slots inside MULTI: CROSSSLOT before WATCH's own error.
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"WATCH", "a", "b"}) == kCrossSlot);
  CHECK(h.Run({"DISCARD"}) == "+OK\r\n");
}

TEST_CASE("without --cluster-compat multi-key commands span any keys") {
  CmdHarness h;
  CHECK(h.Run({"MSET", "a", "1", "b", "2"}) == "+OK\r\n");
  CHECK(h.Run({"MGET", "a", "b"}) == "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  CHECK(h.Run({"MULTI"}) == "+OK\r\n");
  CHECK(h.Run({"GET", "a"}) == "+QUEUED\r\n");
  CHECK(h.Run({"GET", "b"}) == "+QUEUED\r\n");
  CHECK(h.Run({"EXEC"}) == "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
  CHECK(h.Run({"DEL", "a", "b"}) == ":2\r\n");
}

TEST_CASE("CLUSTER COUNTKEYSINSLOT / GETKEYSINSLOT") {
  CmdHarness h(ClusterConfig());
  CHECK(h.Run({"MSET", "{a}1", "v", "{a}2", "v", "{a}3", "v"}) == "+OK\r\n");
  CHECK(h.Run({"SET", "b", "v"}) == "+OK\r\n");
  CHECK(h.Run({"SET", "{a}gone", "v", "PX", "10"}) == "+OK\r\n");
  h.clock().AdvanceMs(11);  // past its deadline, not yet reclaimed: not counted
  CHECK(h.Run({"CLUSTER", "COUNTKEYSINSLOT", "15495"}) == ":3\r\n");
  CHECK(h.Run({"CLUSTER", "countkeysinslot", "3300"}) == ":1\r\n");
  CHECK(h.Run({"CLUSTER", "COUNTKEYSINSLOT", "0"}) == ":0\r\n");
  CHECK(h.Run({"CLUSTER", "COUNTKEYSINSLOT", "16383"}) == ":0\r\n");
  CHECK(h.Run({"CLUSTER", "GETKEYSINSLOT", "3300", "10"}) == "*1\r\n$1\r\nb\r\n");
  const std::string three = h.Run({"CLUSTER", "GETKEYSINSLOT", "15495", "10"});
  CHECK(three.starts_with("*3\r\n"));
  for (const char* k : {"$4\r\n{a}1\r\n", "$4\r\n{a}2\r\n", "$4\r\n{a}3\r\n"}) {
    CHECK(three.find(k) != std::string::npos);
  }
  CHECK(h.Run({"CLUSTER", "GETKEYSINSLOT", "15495", "2"}).starts_with("*2\r\n"));
  CHECK(h.Run({"CLUSTER", "GETKEYSINSLOT", "15495", "0"}) == "*0\r\n");
  CHECK(h.Run({"CLUSTER", "GETKEYSINSLOT", "0", "99999999999"}) == "*0\r\n");

  const std::string not_int = "-ERR value is not an integer or out of range\r\n";
  CHECK(h.Run({"CLUSTER", "COUNTKEYSINSLOT", "16384"}) == "-ERR Invalid slot\r\n");
  CHECK(h.Run({"CLUSTER", "COUNTKEYSINSLOT", "-1"}) == "-ERR Invalid slot\r\n");
  CHECK(h.Run({"CLUSTER", "COUNTKEYSINSLOT", "x"}) == not_int);
  CHECK(h.Run({"CLUSTER", "COUNTKEYSINSLOT", "1.5"}) == not_int);
  CHECK(h.Run({"CLUSTER", "COUNTKEYSINSLOT", "99999999999999999999"}) == not_int);
  CHECK(h.Run({"CLUSTER", "COUNTKEYSINSLOT"}) ==
        "-ERR wrong number of arguments for 'cluster|countkeysinslot' command\r\n");
  const std::string invalid = "-ERR Invalid slot or number of keys\r\n";
  CHECK(h.Run({"CLUSTER", "GETKEYSINSLOT", "15495", "-1"}) == invalid);
  CHECK(h.Run({"CLUSTER", "GETKEYSINSLOT", "16384", "1"}) == invalid);
  CHECK(h.Run({"CLUSTER", "GETKEYSINSLOT", "-1", "1"}) == invalid);
  CHECK(h.Run({"CLUSTER", "GETKEYSINSLOT", "x", "1"}) == not_int);
  CHECK(h.Run({"CLUSTER", "GETKEYSINSLOT", "1", "x"}) == not_int);
  CHECK(h.Run({"CLUSTER", "GETKEYSINSLOT", "-1", "x"}) == not_int);  // both parsed first
  CHECK(h.Run({"CLUSTER", "GETKEYSINSLOT", "1", "2", "3"}) ==
        "-ERR wrong number of arguments for 'cluster|getkeysinslot' command\r\n");

  CmdHarness plain;
  CHECK(plain.Run({"CLUSTER", "COUNTKEYSINSLOT", "1"}) ==
        "-ERR This instance has cluster support disabled\r\n");
  CHECK(plain.Run({"CLUSTER", "GETKEYSINSLOT", "1", "1"}) ==
        "-ERR This instance has cluster support disabled\r\n");
}

TEST_CASE("CLUSTER HELP: Redis 7.0's lines for the subcommands sessiond answers") {
  CmdHarness h(ClusterConfig());
  CHECK(h.Run({"CLUSTER", "HELP"}) ==
        "*21\r\n+CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
        "+COUNTKEYSINSLOT <slot>\r\n+    Return the number of keys in <slot>.\r\n"
        "+GETKEYSINSLOT <slot> <count>\r\n"
        "+    Return key names stored by current node in a slot.\r\n"
        "+INFO\r\n+    Return information about the cluster.\r\n"
        "+KEYSLOT <key>\r\n+    Return the hash slot for <key>.\r\n"
        "+MYID\r\n+    Return the node id.\r\n"
        "+NODES\r\n+    Return cluster configuration seen by node. Output format:\r\n"
        "+    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...\r\n"
        "+SLOTS\r\n+    Return information about slots range mappings. Each range is made of:\r\n"
        "+    start, end, master and replicas IP addresses, ports and ids\r\n"
        "+SHARDS\r\n"
        "+    Return information about slot range mappings and the nodes associated with them.\r\n"
        "+HELP\r\n+    Prints this help.\r\n");
}
