// CLUSTER and READONLY/READWRITE. Without --cluster-compat they answer as a
// non-cluster Redis 7.0 ("This instance has cluster support disabled").
// With it, sessiond answers as a one-node Redis Cluster that owns all 16384
// slots and is reached at the address the asking client connected to, so
// cluster clients (redis-py's RedisCluster, which insists on full slot
// coverage) can use one sessiond. Keys are not partitioned: the one node
// owns every slot.
//
// Multi-key requests whose keys hash to different slots are refused with
// CROSSSLOT (KeysInOneSlot, called by Dispatch), as any cluster node does.
// COUNTKEYSINSLOT / GETKEYSINSLOT scan the database (Redis keeps a per-slot
// key index; sessiond does not, to spend no memory per key).
//
// Not implemented: the subcommands that change or query a multi-node
// topology (MEET, ADDSLOTS, SETSLOT, FAILOVER, ...).
#include "ss/cmd/cluster.h"

#include <array>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "ss/cmd/args.h"
#include "ss/cmd/command.h"
#include "ss/cmd/errors.h"

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

// Adds the slots of argv's keys to *slot (-1: none seen yet); false once two
// keys differ.
bool SameSlot(const CommandSpec& spec, std::span<const std::string_view> argv, int* slot) {
  // The key list of one command; reused so a cluster request allocates
  // nothing once it has grown (loop thread only).
  static std::vector<KeyRef> keys;
  keys.clear();
  CommandKeys(spec, argv, &keys);
  for (const KeyRef& k : keys) {
    const int s = KeyHashSlot(argv[k.pos]);
    if (*slot < 0) {
      *slot = s;
    } else if (s != *slot) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool KeysInOneSlot(const Client& client, const CommandSpec& spec,
                   std::span<const std::string_view> args) {
  int slot = -1;
  if (spec.name != "EXEC" || !client.in_multi) return SameSlot(spec, args, &slot);
  // Bounded by the queue, which the client built one command at a time.
  std::vector<std::string_view> argv;
  for (const Client::QueuedCommand& q : client.multi_queue) {
    argv.assign(q.args.begin(), q.args.end());
    if (!SameSlot(*q.spec, argv, &slot)) return false;
  }
  return true;
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
  // Redis 7.0's help text, in its order, without the topology subcommands
  // sessiond does not answer.
  static constexpr std::string_view kLines[] = {
      "CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "COUNTKEYSINSLOT <slot>",
      "    Return the number of keys in <slot>.",
      "GETKEYSINSLOT <slot> <count>",
      "    Return key names stored by current node in a slot.",
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

// Redis's getLongLongFromObjectOrReply for a slot or count argument.
bool ParseArg(CommandContext& ctx, std::string_view arg, int64_t* out) {
  if (ParseInt64(arg, out)) return true;
  ctx.reply.Error(kErrNotInteger);
  return false;
}

// Redis keeps a per-slot key index; sessiond has none, so both commands
// below scan the database: O(keys in the database), not O(1) / O(count).
// Like every read, the scan skips keys already past their deadline (Redis's
// index still holds those until they are reclaimed).
void CmdClusterCountKeysInSlot(CommandContext& ctx) {
  if (!Enabled(ctx)) return;
  int64_t slot = 0;
  if (!ParseArg(ctx, ctx.args[2], &slot)) return;
  if (slot < 0 || slot >= kSlots) {
    ctx.reply.Error("ERR Invalid slot");
    return;
  }
  int64_t n = 0;
  ctx.keyspace().ForEach(ctx.db(), [&](const Entry* e) {
    if (KeyHashSlot(e->key()) == slot) ++n;
  });
  ctx.reply.Integer(n);
}

void CmdClusterGetKeysInSlot(CommandContext& ctx) {
  if (!Enabled(ctx)) return;
  int64_t slot = 0;
  int64_t count = 0;
  if (!ParseArg(ctx, ctx.args[2], &slot) || !ParseArg(ctx, ctx.args[3], &count)) return;
  if (slot < 0 || slot >= kSlots || count < 0) {
    ctx.reply.Error("ERR Invalid slot or number of keys");
    return;
  }
  // The keys come in table order, not Redis's newest-first slot order.
  std::vector<std::string> keys;
  ctx.keyspace().ForEach(ctx.db(), [&](const Entry* e) {
    if (static_cast<int64_t>(keys.size()) < count && KeyHashSlot(e->key()) == slot) {
      keys.emplace_back(e->key());
    }
  });
  ctx.reply.ArrayHeader(keys.size());
  for (const std::string& k : keys) ctx.reply.Bulk(k);
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
    {"COUNTKEYSINSLOT", 3, kCmdStale, {}, CmdClusterCountKeysInSlot, "cluster", "3.0.0",
     "Return the number of local keys in the specified hash slot", "O(1)", "@slow"},
    {"GETKEYSINSLOT", 4, kCmdStale, {}, CmdClusterGetKeysInSlot, "cluster", "3.0.0",
     "Return local key names in the specified hash slot",
     "O(log(N)) where N is the number of requested keys", "@slow"},
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
