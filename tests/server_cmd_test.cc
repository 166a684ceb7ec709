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

}  // namespace

TEST_CASE("PING, ECHO, QUIT") {
  CmdHarness h;
  CHECK(h.Run({"PING"}) == "+PONG\r\n");
  CHECK(h.Run({"ping", "hi"}) == "$2\r\nhi\r\n");
  CHECK(h.Run({"PING", "a", "b"}) == "-ERR wrong number of arguments for 'ping' command\r\n");
  CHECK(h.Run({"ECHO", std::string("a\0b", 3)}) == std::string("$3\r\na\0b\r\n", 9));
  CHECK_FALSE(h.client().close_after_reply);
  CHECK(h.Run({"QUIT"}) == "+OK\r\n");
  CHECK(h.client().close_after_reply);
}

TEST_CASE("SELECT") {
  CmdHarness h;
  CHECK(h.Run({"SELECT", "15"}) == "+OK\r\n");
  CHECK(h.client().db == 15);
  CHECK(h.Run({"SELECT", "16"}) == "-ERR DB index is out of range\r\n");
  CHECK(h.Run({"SELECT", "-1"}) == "-ERR DB index is out of range\r\n");
  CHECK(h.Run({"SELECT", "x"}) == "-ERR value is not an integer or out of range\r\n");
  CHECK(h.Run({"SELECT", "99999999999"}) ==
        "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n");
  CHECK(h.client().db == 15);
  h.Run({"SET", "k", "v"});
  h.Run({"SELECT", "0"});
  CHECK(h.Run({"GET", "k"}) == "$-1\r\n");
}

TEST_CASE("CLIENT ID, SETNAME, GETNAME, SETINFO, LIST, INFO") {
  CmdHarness h;
  CHECK(h.Run({"CLIENT", "ID"}) == ":" + std::to_string(h.client().id) + "\r\n");
  CHECK(h.Run({"CLIENT", "GETNAME"}) == "$-1\r\n");
  CHECK(h.Run({"CLIENT", "SETNAME", "web-1"}) == "+OK\r\n");
  CHECK(h.Run({"client", "getname"}) == "$5\r\nweb-1\r\n");
  CHECK(h.Run({"CLIENT", "SETNAME", "a b"}) ==
        "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
  CHECK(h.Run({"CLIENT", "SETINFO", "lib-name", "redis-py"}) == "+OK\r\n");
  CHECK(h.Run({"CLIENT", "SETINFO", "LIB-VER", "5.0.1"}) == "+OK\r\n");
  CHECK(h.Run({"CLIENT", "SETINFO", "color", "x"}) == "-ERR Unrecognized option 'color'\r\n");
  CHECK(h.Run({"CLIENT", "SETINFO", "lib-name", "a\nb"}) ==
        "-ERR lib-name cannot contain spaces, newlines or special characters.\r\n");
  std::string list = h.Run({"CLIENT", "LIST"});
  CHECK(list.rfind("$", 0) == 0);  // RESP2: a bulk string
  CHECK(Contains(list, "id=" + std::to_string(h.client().id) + " addr="));
  CHECK(Contains(list, " name=web-1 "));
  CHECK(Contains(list, " cmd=client|list "));
  CHECK(Contains(list, " lib-name=redis-py lib-ver=5.0.1\n"));
  CHECK(h.Run({"CLIENT", "LIST", "TYPE", "pubsub"}) == "$0\r\n\r\n");
  CHECK(h.Run({"CLIENT", "LIST", "TYPE", "bogus"}) == "-ERR Unknown client type 'bogus'\r\n");
  CHECK(h.Run({"CLIENT", "LIST", "ID", "0"}) == "-ERR Invalid client ID\r\n");
  CHECK(h.Run({"CLIENT", "LIST", "TYPE", "normal", "ID", "1"}) == "-ERR syntax error\r\n");
  h.client().protocol = 3;
  std::string info = h.Run({"CLIENT", "INFO"});
  CHECK(info.rfind("=", 0) == 0);  // RESP3: verbatim
  CHECK(Contains(info, "txt:id="));
}

TEST_CASE("CONFIG GET and SET") {
  CmdHarness h;
  CHECK(h.Run({"CONFIG", "GET", "save"}) == "*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
  CHECK(h.Run({"CONFIG", "GET", "appendonly"}) == "*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n");
  CHECK(h.Run({"CONFIG", "GET", "databases"}) == "*2\r\n$9\r\ndatabases\r\n$2\r\n16\r\n");
  CHECK(h.Run({"CONFIG", "GET", "nosuch"}) == "*0\r\n");
  std::string many = h.Run({"CONFIG", "GET", "max*"});
  CHECK(Contains(many, "maxclients"));
  CHECK(Contains(many, "maxmemory-policy"));
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "100mb"}) == "+OK\r\n");
  CHECK(h.state().config.maxmemory == 100 * 1024 * 1024);
  CHECK(h.Run({"CONFIG", "SET", "maxmemory", "lots"}) ==
        "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a "
        "memory value\r\n");
  CHECK(h.Run({"CONFIG", "SET", "databases", "4"}) ==
        "-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable "
        "config\r\n");
  CHECK(h.Run({"CONFIG", "SET", "nosuch", "1"}) ==
        "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n");
  CHECK(h.Run({"CONFIG", "SET", "maxclients", "10", "maxclients", "20"}) ==
        "-ERR CONFIG SET failed (possibly related to argument 'maxclients') - duplicate "
        "parameter\r\n");
  // All or nothing: a bad second pair leaves the first unapplied.
  CHECK(h.Run({"CONFIG", "SET", "maxclients", "10", "maxmemory", "x"}).rfind("-ERR", 0) == 0);
  CHECK(h.state().config.maxclients == 10000);
  CHECK(h.Run({"CONFIG", "SET", "maxclients", "10", "save", "3600 1"}) == "+OK\r\n");
  CHECK(h.state().config.maxclients == 10);
  CHECK(h.Run({"CONFIG", "GET", "save"}) == "*2\r\n$4\r\nsave\r\n$6\r\n3600 1\r\n");
  CHECK(h.Run({"CONFIG", "SET", "appendonly", "yes"}).rfind("-ERR CONFIG SET failed", 0) == 0);
  CHECK(h.Run({"CONFIG", "SET", "maxclients", "1", "x"}) ==
        "-ERR wrong number of arguments for 'config|set' command\r\n");
  h.client().protocol = 3;
  CHECK(h.Run({"CONFIG", "GET", "appendonly"}) == "%1\r\n$10\r\nappendonly\r\n$2\r\nno\r\n");
}

TEST_CASE("COMMAND COUNT, INFO, LIST, DOCS") {
  CmdHarness h;
  std::string count = h.Run({"COMMAND", "COUNT"});
  CHECK(count.rfind(":", 0) == 0);
  CHECK(std::stoi(count.substr(1)) > 50);
  std::string get = h.Run({"COMMAND", "INFO", "get"});
  CHECK(get.rfind("*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n", 0) == 0);
  CHECK(h.Run({"COMMAND", "INFO", "nosuch"}) == "*1\r\n$-1\r\n");
  CHECK(Contains(h.Run({"COMMAND", "INFO", "config|get"}), "$10\r\nconfig|get\r\n:-3\r\n"));
  std::string list = h.Run({"COMMAND", "LIST"});
  CHECK(Contains(list, "$3\r\nget\r\n"));
  CHECK(Contains(list, "$10\r\nconfig|get\r\n"));
  CHECK(h.Run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "ech*"}) == "*1\r\n$4\r\necho\r\n");
  CHECK(h.Run({"COMMAND", "LIST", "FILTERBY", "MODULE", "x"}) == "*0\r\n");
  CHECK(h.Run({"COMMAND", "LIST", "FILTERBY", "bogus", "x"}) == "-ERR syntax error\r\n");
  std::string docs = h.Run({"COMMAND", "DOCS", "echo"});
  CHECK(docs.rfind("*2\r\n$4\r\necho\r\n*8\r\n$7\r\nsummary\r\n", 0) == 0);
  CHECK(Contains(docs, "$5\r\ngroup\r\n$10\r\nconnection\r\n"));
  h.client().protocol = 3;
  CHECK(h.Run({"COMMAND", "DOCS", "echo"}).rfind("%1\r\n$4\r\necho\r\n%4\r\n", 0) == 0);
}

TEST_CASE("INFO sections") {
  CmdHarness h;
  h.Run({"SET", "a", "1"});
  h.Run({"SET", "b", "2", "EX", "100"});
  std::string all = h.Run({"INFO"});
  for (const char* field : {"redis_version:", "arch_bits:64", "cluster_enabled:0", "loading:0",
                            "connected_clients:1", "used_memory:", "db0:keys=2,expires=1,",
                            "# Server\r\n", "# Keyspace\r\n", "maxmemory_policy:noeviction"}) {
    CHECK_MESSAGE(Contains(all, field), field);
  }
  std::string ks = h.Run({"INFO", "keyspace"});
  CHECK_FALSE(Contains(ks, "# Server"));
  CHECK(Contains(ks, "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n"));
  CHECK(h.Run({"INFO", "nosuchsection"}) == "$0\r\n\r\n");
  std::string two = h.Run({"INFO", "server", "CLIENTS"});
  CHECK(Contains(two, "# Server\r\n"));
  CHECK(Contains(two, "\r\n\r\n# Clients\r\n"));
}

TEST_CASE("TIME follows the clock") {
  CmdHarness h;
  h.clock().SetMs(1'700'000'123'456);
  CHECK(h.Run({"TIME"}) == "*2\r\n$10\r\n1700000123\r\n$6\r\n456000\r\n");
}

TEST_CASE("SHUTDOWN asks the server to stop and sends no reply") {
  CmdHarness h;
  int calls = 0;
  ss::cmd::ShutdownMode mode = ss::cmd::ShutdownMode::kDefault;
  h.state().request_shutdown = [&](ss::cmd::ShutdownMode m) {
    ++calls;
    mode = m;
  };
  CHECK(h.Run({"SHUTDOWN", "ABORT"}) == "-ERR No shutdown in progress.\r\n");
  CHECK(h.Run({"SHUTDOWN", "SAVE", "NOSAVE"}) == "-ERR syntax error\r\n");
  CHECK(h.Run({"SHUTDOWN", "bogus"}) == "-ERR syntax error\r\n");
  CHECK(calls == 0);
  CHECK(h.Run({"SHUTDOWN", "NOSAVE"}).empty());
  CHECK(calls == 1);
  CHECK(mode == ss::cmd::ShutdownMode::kNoSave);
  CHECK(h.client().close_after_reply);
}

TEST_CASE("INFO commandstats / errorstats / latencystats count as Redis does") {
  CmdHarness h;
  h.Run({"SET", "a", "b"});
  h.Run({"GET", "a"});
  h.Run({"GET"});                   // rejected
  h.Run({"INCR", "a"});             // failed
  h.Run({"NOSUCH"});                // counted for no command
  h.Run({"MULTI"});
  h.Run({"INCR", "a"});
  h.Run({"EXEC"});                  // INCR failed inside; EXEC did not
  const std::string cs = h.Run({"INFO", "commandstats"});
  CHECK(Contains(cs, "# Commandstats\r\n"));
  CHECK(Contains(cs, "cmdstat_set:calls=1,usec="));
  CHECK(Contains(cs, ",rejected_calls=1,failed_calls=0\r\n"));  // get
  CHECK(Contains(cs, "cmdstat_get:calls=1,"));
  CHECK(Contains(cs, "cmdstat_incr:calls=2,"));
  CHECK(Contains(cs, ",rejected_calls=0,failed_calls=2\r\n"));  // incr
  CHECK_FALSE(Contains(cs, "nosuch"));
  const std::string exec_line = cs.substr(cs.find("cmdstat_exec:"));
  CHECK(exec_line.substr(0, exec_line.find("\r\n")).ends_with(",rejected_calls=0,failed_calls=0"));
  CHECK(h.Run({"INFO", "errorstats"}) ==
        "$37\r\n# Errorstats\r\nerrorstat_ERR:count=4\r\n\r\n");
  const std::string lat = h.Run({"INFO", "latencystats"});
  CHECK(Contains(lat, "latency_percentiles_usec_set:p50="));
  CHECK(Contains(lat, ",p99="));
  CHECK(Contains(lat, ",p99.9="));
  CHECK_FALSE(Contains(h.Run({"INFO"}), "# Commandstats"));
  CHECK(Contains(h.Run({"INFO"}), "# Errorstats"));
  CHECK(Contains(h.Run({"INFO", "everything"}), "# Latencystats"));
  h.Run({"CONFIG", "SET", "latency-tracking", "no"});
  CHECK(h.Run({"INFO", "latencystats"}) == "$16\r\n# Latencystats\r\n\r\n");
  CHECK(h.Run({"CONFIG", "RESETSTAT"}) == "+OK\r\n");
  CHECK(h.Run({"INFO", "errorstats"}) == "$14\r\n# Errorstats\r\n\r\n");
  const std::string after = h.Run({"INFO", "commandstats"});
  CHECK(Contains(after, "cmdstat_config|resetstat:calls=1,"));
  CHECK_FALSE(Contains(after, "cmdstat_get:"));
}

TEST_CASE("error codes and percentile names as Redis writes them") {
  using ss::cmd::ErrorCode;
  using ss::cmd::PercentileName;
  CHECK(ErrorCode("ERR syntax error") == "ERR");
  CHECK(ErrorCode("WRONGTYPE Operation against a key") == "WRONGTYPE");
  CHECK(ErrorCode("NOSPACE") == "ERR");
  CHECK(ErrorCode(std::string(30, 'X') + " x") == std::string(30, 'X'));
  CHECK(ErrorCode(std::string(31, 'X') + " x") == "ERR");  // no space in Redis's 32 bytes
  CHECK(PercentileName(50) == "50");
  CHECK(PercentileName(99.9) == "99.9");
  CHECK(PercentileName(0) == "0");
  CHECK(PercentileName(99.99999) == "99.99999");
  CHECK(PercentileName(100) == "100");
}

TEST_CASE("CommandStatsTable keeps one record per command as it grows") {
  std::vector<ss::cmd::CommandSpec> specs(1500);
  ss::cmd::CommandStatsTable table;
  for (auto& s : specs) ++table.For(s, nullptr).calls;
  for (auto& s : specs) ++table.For(s, nullptr).calls;
  size_t n = 0;
  bool all_two = true;
  table.ForEach([&](const ss::cmd::CommandStats& cs) {
    ++n;
    all_two = all_two && cs.calls == 2;
  });
  CHECK(n == specs.size());
  CHECK(all_two);
  table.Reset();
  CHECK(table.For(specs[7], nullptr).calls == 0);
}

TEST_CASE("instantaneous metrics: the mean of the last 16 rates, sampled every 100 ms") {
  ss::cmd::InstantaneousMetric m;
  m.Sample(1000, 0);
  CHECK(m.PerSecond() == 0);
  uint64_t ops = 0;
  int64_t now = 1000;
  for (int i = 0; i < 8; ++i) {
    now += 100;
    ops += 1000;  // 10,000 per second
    m.Sample(now, ops);
  }
  CHECK(m.PerSecond() == 8 * 10000 / 16);
  for (int i = 0; i < 8; ++i) {
    now += 100;
    ops += 1000;
    m.Sample(now, ops);
  }
  CHECK(m.PerSecond() == 10000);
  ops += 5;
  m.Sample(now, ops);  // no time passed: a rate of 0, not a division by 0
  CHECK(m.PerSecond() == 15 * 10000 / 16);
  for (int i = 0; i < 16; ++i) {
    now += 100;
    m.Sample(now, ops);
  }
  CHECK(m.PerSecond() == 0);
  m.Reset();
  now += 100;
  m.Sample(now, 160);  // counted from 0 again: 1,600 per second
  CHECK(m.PerSecond() == 1600 / 16);
}

TEST_CASE("INFO stats has Redis's pub/sub, instantaneous and no-replication fields") {
  CmdHarness h;
  const std::string stats = h.Run({"INFO", "stats"});
  for (const char* field :
       {"instantaneous_ops_per_sec:0\r\n", "instantaneous_input_kbps:0.00\r\n",
        "instantaneous_output_kbps:0.00\r\n", "total_net_repl_input_bytes:0\r\n",
        "sync_full:0\r\n", "evicted_clients:0\r\n", "pubsub_channels:0\r\n",
        "pubsub_patterns:0\r\n", "pubsubshard_channels:0\r\n", "total_forks:0\r\n",
        "unexpected_error_replies:0\r\n"}) {
    CHECK_MESSAGE(Contains(stats, field), field);
  }
  h.state().SampleInstantaneous(1000);
  h.Run({"PING"});
  h.Run({"PING"});
  h.state().SampleInstantaneous(1100);  // 2 commands in 100 ms: 20/s, /16
  CHECK(Contains(h.Run({"INFO", "stats"}), "instantaneous_ops_per_sec:1\r\n"));
}
