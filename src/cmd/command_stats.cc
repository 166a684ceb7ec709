#include "ss/cmd/command_stats.h"

#include <bit>
#include <cstdint>
#include <cstdio>

namespace ss::cmd {

namespace {
constexpr size_t kInitialSlots = 512;  // sessiond has ~250 commands and subcommands
}  // namespace

CommandStatsTable::CommandStatsTable()
    : slots_(kInitialSlots), shift_(64 - std::countr_zero(kInitialSlots)) {}

size_t CommandStatsTable::Home(const CommandSpec* spec) const {
  return static_cast<size_t>((reinterpret_cast<uintptr_t>(spec) * 0x9E3779B97F4A7C15ull) >> shift_);
}

CommandStats& CommandStatsTable::Lookup(const CommandSpec& spec, const CommandSpec* parent) {
  const size_t mask = slots_.size() - 1;
  // Bounded: the table is at most half full, so an empty slot is near.
  for (size_t i = Home(&spec);; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (slot.spec == &spec) {
      last_spec_ = &spec;
      last_stats_ = stats_[slot.index].get();
      return *last_stats_;
    }
    if (slot.spec != nullptr) continue;
    auto stats = std::make_unique<CommandStats>();
    stats->spec = &spec;
    stats->parent = parent;
    slot.spec = &spec;
    slot.index = static_cast<uint32_t>(stats_.size());
    stats_.push_back(std::move(stats));
    last_spec_ = &spec;
    last_stats_ = stats_.back().get();
    if (stats_.size() * 2 > slots_.size()) Grow();
    return *last_stats_;
  }
}

void CommandStatsTable::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.size() * 2, Slot{});
  --shift_;
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.spec == nullptr) continue;
    size_t i = Home(s.spec);
    while (slots_[i].spec != nullptr) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void CommandStatsTable::ForEach(const std::function<void(const CommandStats&)>& fn) const {
  for (const auto& s : stats_) fn(*s);
}

void CommandStatsTable::Reset() {
  slots_.assign(slots_.size(), Slot{});
  stats_.clear();
  last_spec_ = nullptr;
  last_stats_ = nullptr;
}

std::string PercentileName(double p) {
  char buf[400];  // "%f" of up to 1e308
  int len = std::snprintf(buf, sizeof(buf), "%f", p);
  std::string out(buf, static_cast<size_t>(len));
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  return out;
}

std::string_view ErrorCode(std::string_view text) {
  // Redis searches "-<text>" for a space within its first 32 bytes.
  const size_t space = text.substr(0, 31).find(' ');
  if (space == std::string_view::npos) return "ERR";
  return text.substr(0, space);
}

void ErrorStats::OnErrorReply(std::string_view text) {
  ++*total_;
  const std::string_view code = ErrorCode(text);
  auto it = by_code_.find(code);
  if (it == by_code_.end()) it = by_code_.emplace(std::string(code), 0).first;
  ++it->second;
}

}  // namespace ss::cmd
