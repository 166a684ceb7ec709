// The Pub/Sub registry (see ss/cmd/pubsub.h).
#include "ss/cmd/pubsub.h"

#include <algorithm>
#include <iterator>

#include "ss/cmd/glob.h"
#include "ss/resp/writer.h"

namespace ss::cmd {

namespace {

// A message as a subscriber sees it: RESP2 "*n" or RESP3 ">n", then the
// bulk strings. Encoded at most once per protocol per publish, and only if
// some subscriber speaks that protocol.
class Encoded {
 public:
  explicit Encoded(std::initializer_list<std::string_view> parts) : parts_(parts) {}
  std::string_view For(int protocol) {
    std::string& out = protocol == 3 ? resp3_ : resp2_;
    if (out.empty()) {
      resp::ReplyWriter w(&out, protocol);
      w.PushHeader(parts_.size());
      for (std::string_view p : parts_) w.Bulk(p);
    }
    return out;
  }

 private:
  std::vector<std::string_view> parts_;
  std::string resp2_;
  std::string resp3_;
};

void DeliverTo(Client* c, Encoded& msg) {
  if (c->channel != nullptr) c->channel->Deliver(msg.For(c->protocol));
}

}  // namespace

bool PubSub::OrderedNames::Add(std::string_view name) {
  if (index.contains(name)) return false;
  order.emplace_back(name);
  auto it = std::prev(order.end());
  index.emplace(std::string_view(*it), it);
  return true;
}

bool PubSub::OrderedNames::Remove(std::string_view name) {
  auto found = index.find(name);
  if (found == index.end()) return false;
  auto it = found->second;
  index.erase(found);  // before the string its key views is freed
  order.erase(it);
  return true;
}

void PubSub::RemoveSubscriber(Registry& reg, std::string_view name, const Client* c) {
  auto it = reg.find(std::string(name));
  if (it == reg.end()) return;
  Subscribers& subs = it->second;
  subs.erase(std::find(subs.begin(), subs.end(), c));
  // A channel nobody listens on takes no memory, so clients cannot grow the
  // registry by subscribing and leaving (Redis frees it the same way).
  if (subs.empty()) reg.erase(it);
}

void PubSub::DropIfEmpty(const Client& c) {
  auto it = clients_.find(&c);
  if (it != clients_.end() && it->second.empty()) clients_.erase(it);
}

bool PubSub::Subscribe(Client& c, std::string_view channel, Space space) {
  ClientSubscriptions& mine = clients_[&c];
  OrderedNames& names = space == Space::kShard ? mine.shard_channels : mine.channels;
  if (!names.Add(channel)) return false;
  registry(space)[std::string(channel)].push_back(&c);
  ++Counter(c, space);
  return true;
}

bool PubSub::Unsubscribe(Client& c, std::string_view channel, Space space) {
  auto it = clients_.find(&c);
  if (it == clients_.end()) return false;
  OrderedNames& names = space == Space::kShard ? it->second.shard_channels : it->second.channels;
  if (!names.Remove(channel)) return false;
  RemoveSubscriber(registry(space), channel, &c);
  --Counter(c, space);
  DropIfEmpty(c);
  return true;
}

bool PubSub::SubscribePattern(Client& c, std::string_view pattern) {
  if (!clients_[&c].patterns.Add(pattern)) return false;
  patterns_[std::string(pattern)].push_back(&c);
  ++c.pubsub_patterns;
  return true;
}

bool PubSub::UnsubscribePattern(Client& c, std::string_view pattern) {
  auto it = clients_.find(&c);
  if (it == clients_.end() || !it->second.patterns.Remove(pattern)) return false;
  RemoveSubscriber(patterns_, pattern, &c);
  --c.pubsub_patterns;
  DropIfEmpty(c);
  return true;
}

std::vector<std::string> PubSub::ChannelsOf(const Client& c, Space space) const {
  auto it = clients_.find(&c);
  if (it == clients_.end()) return {};
  const OrderedNames& names =
      space == Space::kShard ? it->second.shard_channels : it->second.channels;
  return {names.order.begin(), names.order.end()};
}

std::vector<std::string> PubSub::PatternsOf(const Client& c) const {
  auto it = clients_.find(&c);
  if (it == clients_.end()) return {};
  return {it->second.patterns.order.begin(), it->second.patterns.order.end()};
}

void PubSub::UnsubscribeAll(Client& c) {
  auto it = clients_.find(&c);
  if (it == clients_.end()) return;
  for (const std::string& ch : it->second.channels.order) RemoveSubscriber(channels_, ch, &c);
  for (const std::string& p : it->second.patterns.order) RemoveSubscriber(patterns_, p, &c);
  for (const std::string& ch : it->second.shard_channels.order) {
    RemoveSubscriber(shard_channels_, ch, &c);
  }
  clients_.erase(it);
  c.pubsub_channels = 0;
  c.pubsub_patterns = 0;
  c.pubsub_shard_channels = 0;
}

size_t PubSub::Publish(std::string_view channel, std::string_view message, Space space) {
  size_t receivers = 0;
  const Registry& reg = registry(space);
  if (auto it = reg.find(std::string(channel)); it != reg.end()) {
    Encoded msg{space == Space::kShard ? "smessage" : "message", channel, message};
    // Deliver never calls back into the registry, so the list is stable.
    for (Client* c : it->second) DeliverTo(c, msg);
    receivers += it->second.size();
  }
  if (space == Space::kShard) return receivers;  // shard channels ignore patterns
  // Every pattern is tried, as in Redis: PUBLISH costs O(patterns).
  for (const auto& [pattern, subs] : patterns_) {
    if (!GlobMatch(pattern, channel)) continue;
    Encoded msg{"pmessage", pattern, channel, message};
    for (Client* c : subs) DeliverTo(c, msg);
    receivers += subs.size();
  }
  return receivers;
}

size_t PubSub::NumSubscribers(std::string_view channel, Space space) const {
  const Registry& reg = registry(space);
  auto it = reg.find(std::string(channel));
  return it == reg.end() ? 0 : it->second.size();
}

void PubSub::ForEachChannel(Space space, const std::function<void(std::string_view)>& fn) const {
  for (const auto& [name, subs] : registry(space)) fn(name);
}

}  // namespace ss::cmd
