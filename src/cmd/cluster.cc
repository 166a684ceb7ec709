// CLUSTER and READONLY/READWRITE. Without --cluster-compat they answer as a
// non-cluster Redis 7.0 ("This instance has cluster support disabled").
// With it, sessiond answers as a one-node Redis Cluster that owns all 16384
// slots and is reached at the address the asking client connected to, so
// cluster clients (redis-py's RedisCluster, which insists on full slot
// coverage) can use one sessiond. Keys are not partitioned: slots are only
// reported, never checked, since the one node owns them all.
//
// Not implemented: the subcommands that change or query a multi-node
// topology (MEET, ADDSLOTS, SETSLOT, FAILOVER, ...), and COUNTKEYSINSLOT /
// GETKEYSINSLOT, which would need a per-slot key index (Redis keeps one)
// rather than a scan of the whole keyspace.
#include "ss/cmd/cluster.h"

#include <array>
#include <cstdlib>
#include <random>
#include <string>

#include "ss/cmd/command.h"

namespace ss::cmd {

std::string_view RedisMode(const ServerState& server) {
  return server.config.cluster_compat ? "cluster" : "standalone";
}

namespace {

// CRC16-CCITT (XMODEM: polynomial 0x1021, initial 0), Redis's crc16.c.
constexpr std::array<uint16_t, 256> MakeCrc16Table() {
  std::array<uint16_t, 256> t{};
  for (unsigned i = 0; i < 256; ++i) {
    auto crc = static_cast<uint16_t>(i << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = static_cast<uint16_t>((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    t[i] = crc;
  }
  return t;
}
constexpr std::array<uint16_t, 256> kCrc16Table = MakeCrc16Table();

uint16_t Crc16(std::string_view s) {
  uint16_t crc = 0;
  for (unsigned char c : s) {
    crc = static_cast<uint16_t>((crc << 8) ^ kCrc16Table[((crc >> 8) ^ c) & 0xff]);
  }
  return crc;
}

}  // namespace

uint16_t KeyHashSlot(std::string_view key) {
  size_t open = key.find('{');
  if (open != std::string_view::npos) {
    size_t close = key.find('}', open + 1);
    if (close != std::string_view::npos && close != open + 1) {
      key = key.substr(open + 1, close - open - 1);
    }
  }
  return Crc16(key) & 16383;
}

namespace {

constexpr int kSlots = 16384;
constexpr std::string_view kErrClusterDisabled = "ERR This instance has cluster support disabled";

// This node's id: 40 random hex characters, fixed for the process lifetime
// (a real node keeps its id in nodes.conf; sessiond has no such file).
const std::string& NodeId() {
  static const std::string id = [] {
    std::random_device rd;
    std::mt19937_64 rng((uint64_t{rd()} << 32) ^ rd());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s(40, '0');
    for (char& c : s) c = kHex[rng() & 15];
    return s;
  }();
  return id;
}

struct Endpoint {
  std::string ip;
  int port;
};

// The node's address as the asking client reached it (its socket's local
// address), so a client that connected to 127.0.0.1 is told 127.0.0.1 even
// when sessiond listens on several addresses. A unix-socket client (or a
// test without a connection) is given the configured TCP address.
Endpoint Me(const CommandContext& ctx) {
  const Client& c = ctx.client;
  std::string local = c.unix_socket ? std::string() : c.LocalAddress();
  size_t colon = local.rfind(':');
  if (colon != std::string::npos && colon > 0) {
    return {local.substr(0, colon), std::atoi(local.c_str() + colon + 1)};
  }
  return {ctx.server.config.bind, ctx.server.config.port};
}

// Every CLUSTER subcommand starts here, as Redis's clusterCommand.
bool Enabled(CommandContext& ctx) {
  if (ctx.server.config.cluster_compat) return true;
  ctx.reply.Error(kErrClusterDisabled);
  return false;
}

void CmdClusterHelp(CommandContext& ctx) {
  if (!Enabled(ctx)) return;
  // Redis's full help text lists the topology subcommands too; sessiond
  // lists only what it answers.
  static constexpr std::string_view kLines[] = {
      "CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "INFO",
      "    Return information about the cluster.",
      "KEYSLOT <key>",
      "    Return the hash slot for <key>.",
      "MYID",
      "    Return the node id.",
      "NODES",
      "    Return cluster configuration seen by node. Output format:",
      "    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
      "SLOTS",
      "    Return information about slots range mappings. Each range is made of:",
      "    start, end, master and replicas IP addresses, ports and ids",
      "SHARDS",
      "    Return information about slot range mappings and the nodes associated with them.",
      "HELP",
      "    Prints this help.",
  };
  ctx.ReplyHelp(kLines);
}

void CmdClusterInfo(CommandContext& ctx) {
  if (!Enabled(ctx)) return;
  // clusterGenNodesDescription's companion, CLUSTER INFO, for a healthy
  // single-master cluster that has never exchanged a message.
  ctx.reply.Verbatim("txt",
                     "cluster_state:ok\r\n"
                     "cluster_slots_assigned:16384\r\n"
                     "cluster_slots_ok:16384\r\n"
                     "cluster_slots_pfail:0\r\n"
                     "cluster_slots_fail:0\r\n"
                     "cluster_known_nodes:1\r\n"
                     "cluster_size:1\r\n"
                     "cluster_current_epoch:0\r\n"
                     "cluster_my_epoch:0\r\n"
                     "cluster_stats_messages_sent:0\r\n"
                     "cluster_stats_messages_received:0\r\n"
                     "total_cluster_links_buffer_limit_exceeded:0\r\n");
}

void CmdClusterKeySlot(CommandContext& ctx) {
  if (!Enabled(ctx)) return;
  ctx.reply.Integer(KeyHashSlot(ctx.args[2]));
}

void CmdClusterMyId(CommandContext& ctx) {
  if (!Enabled(ctx)) return;
  ctx.reply.Bulk(NodeId());
}

void CmdClusterNodes(CommandContext& ctx) {
  if (!Enabled(ctx)) return;
  Endpoint me = Me(ctx);
  // "<id> <ip>:<port>@<bus port> <flags> <master> <ping sent> <pong recv>
  // <config epoch> <link state> <slots>\n". The bus port is Redis's
  // default (port + 10000); sessiond opens no cluster bus.
  std::string line = NodeId() + " " + me.ip + ":" + std::to_string(me.port) + "@" +
                     std::to_string(me.port + 10000) +
                     " myself,master - 0 0 0 connected 0-16383\n";
  ctx.reply.Verbatim("txt", line);
}

void CmdClusterSlots(CommandContext& ctx) {
  if (!Enabled(ctx)) return;
  Endpoint me = Me(ctx);
  ctx.reply.ArrayHeader(1);
  ctx.reply.ArrayHeader(3);
  ctx.reply.Integer(0);
  ctx.reply.Integer(kSlots - 1);
  ctx.reply.ArrayHeader(4);  // the master: ip, port, id, extra endpoints
  ctx.reply.Bulk(me.ip);
  ctx.reply.Integer(me.port);
  ctx.reply.Bulk(NodeId());
  ctx.reply.MapHeader(0);
}

void CmdClusterShards(CommandContext& ctx) {
  if (!Enabled(ctx)) return;
  Endpoint me = Me(ctx);
  ctx.reply.ArrayHeader(1);
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("slots");
  ctx.reply.ArrayHeader(2);
  ctx.reply.Integer(0);
  ctx.reply.Integer(kSlots - 1);
  ctx.reply.Bulk("nodes");
  ctx.reply.ArrayHeader(1);
  ctx.reply.MapHeader(7);
  ctx.reply.Bulk("id");
  ctx.reply.Bulk(NodeId());
  ctx.reply.Bulk("port");
  ctx.reply.Integer(me.port);
  ctx.reply.Bulk("ip");
  ctx.reply.Bulk(me.ip);
  ctx.reply.Bulk("endpoint");
  ctx.reply.Bulk(me.ip);
  ctx.reply.Bulk("role");
  ctx.reply.Bulk("master");
  ctx.reply.Bulk("replication-offset");
  ctx.reply.Integer(0);
  ctx.reply.Bulk("health");
  ctx.reply.Bulk("online");
}

// READONLY / READWRITE: reads from replicas. The one node is a master, so
// both only acknowledge, as Redis does on a master.
void CmdReadOnlyReadWrite(CommandContext& ctx) {
  if (!Enabled(ctx)) return;
  ctx.reply.Status("OK");
}

constexpr CommandSpec kClusterSubcommands[] = {
    {"HELP", 2, kCmdLoading | kCmdStale, {}, CmdClusterHelp, "cluster", "5.0.0",
     "Show helpful text about the different subcommands", "O(1)", "@slow"},
    {"INFO", 2, kCmdStale, {}, CmdClusterInfo, "cluster", "3.0.0",
     "Provides info about Redis Cluster node state", "O(1)", "@slow"},
    {"KEYSLOT", 3, kCmdStale, {}, CmdClusterKeySlot, "cluster", "3.0.0",
     "Returns the hash slot of the specified key",
     "O(N) where N is the number of bytes in the key", "@slow"},
    {"MYID", 2, kCmdStale, {}, CmdClusterMyId, "cluster", "3.0.0", "Return the node id", "O(1)",
     "@slow"},
    {"NODES", 2, kCmdStale, {}, CmdClusterNodes, "cluster", "3.0.0",
     "Get Cluster config for the node", "O(N) where N is the total number of Cluster nodes",
     "@slow"},
    {"SHARDS", 2, kCmdStale, {}, CmdClusterShards, "cluster", "7.0.0",
     "Get array of cluster slots to node mappings",
     "O(N) where N is the total number of cluster nodes", "@slow"},
    {"SLOTS", 2, kCmdStale, {}, CmdClusterSlots, "cluster", "3.0.0",
     "Get array of Cluster slot to node mappings",
     "O(N) where N is the total number of Cluster nodes", "@slow"},
};

constexpr CommandSpec kClusterCommands[] = {
    {"CLUSTER", -2, 0, {}, nullptr, "cluster", "3.0.0", "A container for cluster commands",
     "Depends on subcommand.", "@slow", kClusterSubcommands},
    {"READONLY", 1, kCmdLoading | kCmdStale | kCmdFast, {}, CmdReadOnlyReadWrite, "cluster",
     "3.0.0", "Enables read queries for a connection to a cluster replica node", "O(1)",
     "@fast @connection"},
    {"READWRITE", 1, kCmdLoading | kCmdStale | kCmdFast, {}, CmdReadOnlyReadWrite, "cluster",
     "3.0.0", "Disables read queries for a connection to a cluster replica node", "O(1)",
     "@fast @connection"},
};

}  // namespace

std::span<const CommandSpec> ClusterCommands() { return kClusterCommands; }

}  // namespace ss::cmd
