// OBJECT (ENCODING, FREQ, IDLETIME, REFCOUNT, HELP) and MEMORY (USAGE,
// STATS, DOCTOR, HELP): what Redis 7.0's object.c answers about a key, for
// the value sessiond stores, and about the process's memory.
//
// OBJECT ENCODING reports what Redis would choose for the same bytes
// written by SET: "int" for a canonical 64-bit integer, "embstr" up to 44
// bytes, else "raw". sessiond keeps every string as plain bytes and does
// not remember how a value was made, so a value Redis would hold as raw
// after APPEND or SETRANGE (e.g. APPEND k 5 on a missing key) is reported by
// its bytes. A session record (a binary record rendered as JSON) is "raw".
//
// OBJECT IDLETIME reads the key's 16-bit access clock (store/access_clock.h:
// exact to the second below 4.5 hours idle, within 512 s beyond, wrapping
// after 194 days as Redis's does). sessiond's only maxmemory-policy is
// noeviction, an LRU-clock policy for Redis, so IDLETIME always answers and
// OBJECT FREQ always gives Redis's "not LFU" error; Redis's opposite errors
// (IDLETIME under an LFU policy) cannot arise. Every OBJECT lookup is Redis's
// LOOKUP_NOTOUCH: it counts a hit or miss but leaves the clock alone.
#include <string>
#include <vector>

#include "ss/cmd/args.h"
#include "ss/cmd/command.h"
#include "ss/cmd/errors.h"
#include "ss/cmd/memory.h"
#include "ss/store/entry.h"

namespace ss::cmd {
namespace {

// Redis's OBJ_SHARED_INTEGERS: values 0..9999 stored as integers are one
// shared object whose refcount is OBJ_SHARED_REFCOUNT (INT_MAX).
constexpr int64_t kSharedIntegers = 10000;
constexpr int64_t kSharedRefcount = 2147483647;
// Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT.
constexpr size_t kEmbstrLimit = 44;
// One EntryTable slot per key (store/table.h).
constexpr size_t kTableSlotBytes = 8;

enum class Encoding { kInt, kEmbstr, kRaw };

// What tryObjectEncoding would make of value stored by SET.
Encoding EncodingOf(const Entry* e, int64_t* int_value) {
  if (e->type() == ValueType::kSession) return Encoding::kRaw;
  std::string_view v = e->value();
  if (v.size() <= 20 && ParseInt64(v, int_value)) return Encoding::kInt;
  return v.size() <= kEmbstrLimit ? Encoding::kEmbstr : Encoding::kRaw;
}

void CmdObjectEncoding(CommandContext& ctx) {
  const Entry* e = ctx.LookupRead(ctx.args[2], Access::kNoTouch);
  if (e == nullptr) {
    ctx.reply.Null();
    return;
  }
  int64_t n = 0;
  switch (EncodingOf(e, &n)) {
    case Encoding::kInt:
      ctx.reply.Bulk("int");
      return;
    case Encoding::kEmbstr:
      ctx.reply.Bulk("embstr");
      return;
    case Encoding::kRaw:
      ctx.reply.Bulk("raw");
      return;
  }
}

void CmdObjectRefcount(CommandContext& ctx) {
  const Entry* e = ctx.LookupRead(ctx.args[2], Access::kNoTouch);
  if (e == nullptr) {
    ctx.reply.Null();
    return;
  }
  int64_t n = 0;
  bool shared = EncodingOf(e, &n) == Encoding::kInt && n >= 0 && n < kSharedIntegers;
  ctx.reply.Integer(shared ? kSharedRefcount : 1);
}

void CmdObjectFreq(CommandContext& ctx) {
  // Redis looks the key up first: a missing key is a null even without LFU.
  if (ctx.LookupRead(ctx.args[2], Access::kNoTouch) == nullptr) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Error(
      "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
      "that when switching between policies at runtime LRU and LFU data will take some time to "
      "adjust.");
}

// Seconds since the key was last read or written (Redis's
// estimateObjectIdleTime / 1000).
void CmdObjectIdletime(CommandContext& ctx) {
  const Entry* e = ctx.LookupRead(ctx.args[2], Access::kNoTouch);
  if (e == nullptr) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Integer(ctx.keyspace().IdleSeconds(e));
}

void CmdObjectHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Prints this help.",
  };
  ctx.ReplyHelp(kLines);
}

// MEMORY USAGE key [SAMPLES n]: the bytes the allocator reserved for the
// entry's block (header, lengths, key and value: Entry::AllocatedBytes) plus
// its 8-byte table slot. SAMPLES is parsed as Redis does but changes
// nothing: a string has no nested values to sample. Like Redis (which reads
// the dict directly) it counts no keyspace hit or miss.
void CmdMemoryUsage(CommandContext& ctx) {
  // Bounded by the argument count.
  for (size_t j = 3; j < ctx.args.size(); ++j) {
    if (EqualsIgnoreCase(ctx.args[j], "samples") && j + 1 < ctx.args.size()) {
      int64_t samples = 0;
      if (!ParseInt64(ctx.args[j + 1], &samples)) {
        ctx.reply.Error(kErrNotInteger);
        return;
      }
      if (samples < 0) {
        ctx.reply.Error(kErrSyntax);
        return;
      }
      ++j;
    } else {
      ctx.reply.Error(kErrSyntax);
      return;
    }
  }
  const Entry* e = ctx.keyspace().Peek(ctx.db(), ctx.args[2]);
  if (e == nullptr) {
    ctx.reply.Null();
    return;
  }
  ctx.reply.Integer(static_cast<int64_t>(e->AllocatedBytes() + kTableSlotBytes));
}

// Redis's redisMemOverhead, from sessiond's own accounting. sessiond has
// no replication, AOF, scripts or cluster bus (those fields are 0), no
// separate expires table (a deadline lives in its entry's header) and no
// per-slot index; its "allocator" is libc malloc, so allocator.active and
// allocator.resident are the heap in use and the RSS.
struct MemoryOverhead {
  struct Db {
    int db;
    uint64_t main;  // the key table's slots
  };
  uint64_t peak = 0, total = 0, startup = 0, clients = 0, overhead = 0;
  uint64_t keys = 0, bytes_per_key = 0, dataset = 0, rss = 0;
  float dataset_perc = 0, peak_perc = 0;
  std::vector<Db> dbs;
};

MemoryOverhead GetMemoryOverhead(CommandContext& ctx) {
  MemoryOverhead m;
  ServerState& st = ctx.server;
  m.total = HeapInUse();
  m.rss = ResidentBytes();
  if (m.total > st.stats.used_memory_peak) st.stats.used_memory_peak = m.total;
  m.peak = st.stats.used_memory_peak;
  m.startup = 0;  // not recorded at start-up
  // Bounded by the number of connected clients.
  for (const auto& [id, c] : st.clients) {
    m.clients += c->query_buffer + c->query_buffer_free + c->output_pending;
  }
  m.overhead = m.startup + m.clients;
  for (int db = 0; db < ctx.keyspace().databases(); ++db) {
    const uint64_t n = ctx.keyspace().Size(db);
    if (n == 0) continue;
    m.dbs.push_back({db, n * kTableSlotBytes});
    m.overhead += n * kTableSlotBytes;
    m.keys += n;
  }
  m.dataset = ctx.keyspace().used_memory();
  // Redis's float arithmetic, so the printed digits have its precision.
  m.peak_perc = m.peak ? static_cast<float>(m.total) * 100 / static_cast<float>(m.peak) : 0;
  const uint64_t net = m.total > m.startup ? m.total - m.startup : 1;
  m.dataset_perc = static_cast<float>(m.dataset) * 100 / static_cast<float>(net);
  m.bytes_per_key = m.keys ? net / m.keys : 0;
  return m;
}

void CmdMemoryStats(CommandContext& ctx) {
  const MemoryOverhead m = GetMemoryOverhead(ctx);
  resp::ReplyWriter& r = ctx.reply;
  auto num = [&r](std::string_view name, uint64_t v) {
    r.Bulk(name);
    r.Integer(static_cast<int64_t>(v));
  };
  auto dbl = [&r](std::string_view name, double v) {
    r.Bulk(name);
    r.Double(v);
  };
  auto ratio = [](uint64_t a, uint64_t b) {
    return b ? static_cast<double>(static_cast<float>(a) / static_cast<float>(b)) : 0.0;
  };
  auto diff = [](uint64_t a, uint64_t b) {
    return static_cast<uint64_t>(static_cast<int64_t>(a) - static_cast<int64_t>(b));
  };
  r.MapHeader(27 + m.dbs.size());
  num("peak.allocated", m.peak);
  num("total.allocated", m.total);
  num("startup.allocated", m.startup);
  num("replication.backlog", 0);
  num("clients.slaves", 0);
  num("clients.normal", m.clients);
  num("cluster.links", 0);
  num("aof.buffer", 0);
  num("lua.caches", 0);
  num("functions.caches", 0);
  for (const MemoryOverhead::Db& d : m.dbs) {
    r.Bulk("db." + std::to_string(d.db));
    r.MapHeader(3);
    num("overhead.hashtable.main", d.main);
    num("overhead.hashtable.expires", 0);
    num("overhead.hashtable.slot-to-keys", 0);
  }
  num("overhead.total", m.overhead);
  num("keys.count", m.keys);
  num("keys.bytes-per-key", m.bytes_per_key);
  num("dataset.bytes", m.dataset);
  dbl("dataset.percentage", static_cast<double>(m.dataset_perc));
  dbl("peak.percentage", static_cast<double>(m.peak_perc));
  num("allocator.allocated", m.total);
  num("allocator.active", m.total);
  num("allocator.resident", m.rss);
  dbl("allocator-fragmentation.ratio", ratio(m.total, m.total));
  num("allocator-fragmentation.bytes", 0);
  dbl("allocator-rss.ratio", ratio(m.rss, m.total));
  num("allocator-rss.bytes", diff(m.rss, m.total));
  dbl("rss-overhead.ratio", ratio(m.rss, m.rss));
  num("rss-overhead.bytes", 0);
  dbl("fragmentation", ratio(m.rss, m.total));
  num("fragmentation.bytes", diff(m.rss, m.total));
}

// Redis's getMemoryDoctorReport, with the checks that apply to sessiond:
// an almost empty instance, a past peak, high RSS over the heap (total
// fragmentation), big client buffers. The allocator-specific ones
// (external fragmentation, allocator RSS) need jemalloc's figures; there
// are no replicas or scripts.
void CmdMemoryDoctor(CommandContext& ctx) {
  const MemoryOverhead m = GetMemoryOverhead(ctx);
  constexpr uint64_t kMB = 1024 * 1024;
  const bool empty = m.total < 5 * kMB;
  const bool big_peak =
      !empty && static_cast<float>(m.peak) / static_cast<float>(m.total) > 1.5f;
  const double frag = static_cast<double>(m.rss) / static_cast<double>(m.total ? m.total : 1);
  const bool high_frag = !empty && frag > 1.4 && m.rss > m.total && m.rss - m.total > 10 * kMB;
  const uint64_t nclients = ctx.server.clients.empty() ? 1 : ctx.server.clients.size();
  const bool big_client_buf = !empty && m.clients / nclients > 1024 * 200;
  std::string s;
  if (empty) {
    s = "Hi Sam, this instance is empty or is using very little memory, my issues detector "
        "can't be used in these conditions. Please, leave for your mission on Earth and fill "
        "it with some data. The new Sam and I will be back to our programming as soon as I "
        "finished rebooting.\n";
  } else if (!big_peak && !high_frag && !big_client_buf) {
    s = "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
        "occurs on this base.\n";
  } else {
    s = "Sam, I detected a few issues in this Redis instance memory implants:\n\n";
    if (big_peak) {
      s += " * Peak memory: In the past this instance used more than 150% the memory that is "
           "currently using. The allocator is normally not able to release memory after a "
           "peak, so you can expect to see a big fragmentation ratio, however this is actually "
           "harmless and is only due to the memory peak, and if the Redis instance Resident Set "
           "Size (RSS) is currently bigger than expected, the memory will be used as soon as you "
           "fill the Redis instance with more data. If the memory peak was only occasional and "
           "you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise "
           "the only other option is to shutdown and restart the instance.\n\n";
    }
    if (high_frag) {
      s += " * High total RSS: This instance has a memory fragmentation and RSS overhead greater "
           "than 1.4 (this means that the Resident Set Size of the Redis process is much larger "
           "than the sum of the logical allocations Redis performed). This problem is usually "
           "due either to a large peak memory (check if there is a peak memory entry above in "
           "the report) or may result from a workload that causes the allocator to fragment "
           "memory a lot. If the problem is a large peak memory, then there is no issue. "
           "Otherwise, make sure you are using the Jemalloc allocator and not the default libc "
           "malloc. Note: The currently used allocator is \"libc\".\n\n";
    }
    if (big_client_buf) {
      s += " * Big client buffers: The clients output buffers in this instance are greater than "
           "200K per client (on average). This may result from different causes, like Pub/Sub "
           "clients subscribed to channels bot not receiving data fast enough, so that data "
           "piles on the Redis instance output buffer, or clients sending commands with large "
           "replies or very large sequences of commands in the same pipeline. Please use the "
           "CLIENT LIST command in order to investigate the issue if it causes problems in your "
           "instance, or to understand better why certain clients are using a big amount of "
           "memory.\n\n";
    }
    s += "I'm here to keep you safe, Sam. I want to help you.\n";
  }
  ctx.reply.Verbatim("txt", s);
}

void CmdMemoryHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DOCTOR",
      "    Return memory problems reports.",
      "STATS",
      "    Return information about the memory usage of the server.",
      "USAGE <key> [SAMPLES <count>]",
      "    Return memory in bytes used by <key> and its value. Nested values are",
      "    sampled up to <count> times (default: 5, 0 means sample all).",
      "HELP",
      "    Prints this help.",
  };
  ctx.ReplyHelp(kLines);
}

constexpr CommandSpec kObjectSubcommands[] = {
    {"ENCODING", 3, kCmdReadOnly, {2, 2, 1, kKeyRO}, CmdObjectEncoding, "generic", "2.2.3",
     "Inspect the internal encoding of a Redis object", "O(1)", "@keyspace @read @slow"},
    {"FREQ", 3, kCmdReadOnly, {2, 2, 1, kKeyRO}, CmdObjectFreq, "generic", "4.0.0",
     "Get the logarithmic access frequency counter of a Redis object", "O(1)",
     "@keyspace @read @slow"},
    {"HELP", 2, kCmdLoading | kCmdStale, {}, CmdObjectHelp, "generic", "6.2.0",
     "Show helpful text about the different subcommands", "O(1)", "@keyspace @slow"},
    {"IDLETIME", 3, kCmdReadOnly, {2, 2, 1, kKeyRO}, CmdObjectIdletime, "generic", "2.2.3",
     "Get the time since a Redis object was last accessed", "O(1)", "@keyspace @read @slow"},
    {"REFCOUNT", 3, kCmdReadOnly, {2, 2, 1, kKeyRO}, CmdObjectRefcount, "generic", "2.2.3",
     "Get the number of references to the value of the key", "O(1)", "@keyspace @read @slow"},
};

constexpr CommandSpec kMemorySubcommands[] = {
    {"DOCTOR", 2, 0, {}, CmdMemoryDoctor, "server", "4.0.0", "Outputs memory problems report",
     "O(1)", "@slow"},
    {"HELP", 2, kCmdLoading | kCmdStale, {}, CmdMemoryHelp, "server", "4.0.0",
     "Show helpful text about the different subcommands", "O(1)", "@slow"},
    {"STATS", 2, 0, {}, CmdMemoryStats, "server", "4.0.0", "Show memory usage details", "O(1)",
     "@slow"},
    {"USAGE", -3, kCmdReadOnly, {2, 2, 1, kKeyRO}, CmdMemoryUsage, "server", "4.0.0",
     "Estimate the memory usage of a key", "O(N) where N is the number of samples.",
     "@read @slow"},
};

constexpr CommandSpec kObjectCommands[] = {
    {"MEMORY", -2, 0, {}, nullptr, "server", "4.0.0",
     "A container for memory diagnostics commands", "Depends on subcommand.", "@slow",
     kMemorySubcommands},
    {"OBJECT", -2, 0, {}, nullptr, "generic", "2.2.3",
     "A container for object introspection commands", "Depends on subcommand.", "@slow",
     kObjectSubcommands},
};

}  // namespace

std::span<const CommandSpec> ObjectCommands() { return kObjectCommands; }

}  // namespace ss::cmd
