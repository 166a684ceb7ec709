// The counters behind INFO commandstats, latencystats and errorstats, kept as
// Redis 7.0 keeps them: per command (subcommands apart: "config|get") the
// calls, their time, the calls refused before running (rejected_calls) and
// the calls that answered with an error (failed_calls), with a latency
// histogram while latency-tracking is on; per error code (the first word of
// the error reply: ERR, WRONGTYPE, ...) the replies sent. Loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ss/histogram.h"
#include "ss/resp/writer.h"

namespace ss::cmd {

struct CommandSpec;

struct CommandStats {
  const CommandSpec* spec = nullptr;
  const CommandSpec* parent = nullptr;  // the container of a subcommand
  uint64_t calls = 0;
  uint64_t duration_ns = 0;             // INFO shows usec = duration_ns / 1000
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;
  std::unique_ptr<LatencyHistogram> latency;  // created by the first tracked call
};

// CommandStats by command, created on first use. A lookup is one
// multiplicative hash of the spec's address into a table at most half full.
class CommandStatsTable {
 public:
  CommandStatsTable();
  // The counters of `spec` (parent: its container, or nullptr). The last
  // command's record is kept at hand: a pipeline mostly repeats one command.
  CommandStats& For(const CommandSpec& spec, const CommandSpec* parent) {
    if (&spec == last_spec_) return *last_stats_;
    return Lookup(spec, parent);
  }
  // Every command with counters, in no particular order.
  void ForEach(const std::function<void(const CommandStats&)>& fn) const;
  // CONFIG RESETSTAT: forgets every counter and histogram.
  void Reset();

 private:
  struct Slot {
    const CommandSpec* spec = nullptr;
    uint32_t index = 0;
  };
  CommandStats& Lookup(const CommandSpec& spec, const CommandSpec* parent);
  size_t Home(const CommandSpec* spec) const;
  void Grow();

  const CommandSpec* last_spec_ = nullptr;
  CommandStats* last_stats_ = nullptr;

  std::vector<Slot> slots_;  // power-of-two size
  int shift_;                // 64 - log2(slots_.size())
  std::vector<std::unique_ptr<CommandStats>> stats_;
};

// Counts error replies by code and in total; installed on every client's
// ReplyWriter, so every error a client is sent is counted once, as Redis's
// afterErrorReply counts them.
class ErrorStats final : public resp::ErrorListener {
 public:
  // total: the total_error_replies counter of INFO stats (borrowed).
  explicit ErrorStats(uint64_t* total) : total_(total) {}
  void OnErrorReply(std::string_view text) override;
  // By code, in byte order of the code (Redis lists them from a radix tree).
  const std::map<std::string, uint64_t, std::less<>>& by_code() const { return by_code_; }
  void Reset() { by_code_.clear(); }

 private:
  uint64_t* total_;
  std::map<std::string, uint64_t, std::less<>> by_code_;
};

// A percentile as Redis names it in INFO latencystats and CONFIG GET
// latency-tracking-info-percentiles: "%f" without trailing zeros or dot
// (50, 99.9, 99.99999).
std::string PercentileName(double p);

// Redis's error code of an error reply's text: its first word if a space
// comes within the first 31 bytes, else "ERR".
std::string_view ErrorCode(std::string_view text);

}  // namespace ss::cmd
