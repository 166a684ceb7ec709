// PubSub: the registry of Pub/Sub subscriptions (Redis's pubsub.c):
// channels -> subscribers, patterns -> subscribers, shard channels ->
// subscribers (SSUBSCRIBE: a separate namespace on a single node), and for
// each subscribed client the channels and patterns it holds, in the order it
// subscribed (for UNSUBSCRIBE with no arguments and for cleanup on close).
//
// Messages to a client go out through Client::channel->Deliver(), which
// appends them to that client's replies; for the client whose command is
// running that is the reply stream itself, so a RESP3 client that publishes
// to a channel it listens on sees the push before the PUBLISH reply, as in
// Redis. A subscribed client without a channel (unit tests) is counted as a
// receiver but gets nothing.
//
// Borrows every Client* it holds: a client must be unsubscribed from
// everything (UnsubscribeAll, which ServerState::on_client_closed runs)
// before it is destroyed. Keeps Client::pubsub_channels / pubsub_patterns /
// pubsub_shard_channels current. Loop thread only.
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ss/cmd/client.h"

namespace ss::cmd {

class PubSub {
 public:
  // Plain channels (SUBSCRIBE/PUBLISH) or shard channels (SSUBSCRIBE/
  // SPUBLISH): the same rules over two separate namespaces. Patterns only
  // ever match plain channels.
  enum class Space { kChannel, kShard };

  // Subscribes c to channel; false if it already was (nothing changes).
  bool Subscribe(Client& c, std::string_view channel, Space space);
  // Unsubscribes c from channel; false if it was not subscribed.
  bool Unsubscribe(Client& c, std::string_view channel, Space space);
  bool SubscribePattern(Client& c, std::string_view pattern);
  bool UnsubscribePattern(Client& c, std::string_view pattern);

  // The channels (or patterns) c holds, in subscription order: a copy, so
  // the caller may unsubscribe while walking it.
  std::vector<std::string> ChannelsOf(const Client& c, Space space) const;
  std::vector<std::string> PatternsOf(const Client& c) const;

  // Drops every subscription of c (channels, patterns, shard channels)
  // without replying to it: for RESET and for a closing connection.
  void UnsubscribeAll(Client& c);

  // Sends message to every subscriber of channel in space, and for plain
  // channels to every (client, pattern) pair whose pattern matches it.
  // Returns the number of deliveries (PUBLISH's reply).
  size_t Publish(std::string_view channel, std::string_view message, Space space);

  // Subscribers of channel (PUBSUB NUMSUB; patterns not counted).
  size_t NumSubscribers(std::string_view channel, Space space) const;
  // Distinct patterns with at least one subscriber (PUBSUB NUMPAT).
  size_t NumPatterns() const { return patterns_.size(); }
  // Channels of space with at least one subscriber (INFO's pubsub_channels
  // and pubsubshard_channels).
  size_t NumChannels(Space space) const { return registry(space).size(); }
  // Calls fn for every channel with subscribers in space.
  void ForEachChannel(Space space, const std::function<void(std::string_view)>& fn) const;

  // Number of subscriptions of c that count towards the subscribe and
  // unsubscribe confirmations: channels + patterns, or shard channels.
  static size_t Count(const Client& c, Space space) {
    return space == Space::kShard ? c.pubsub_shard_channels
                                  : c.pubsub_channels + c.pubsub_patterns;
  }

 private:
  // Subscribers in subscription order. Removing one is linear in the
  // subscribers of that channel, as in Redis 7.0 (an adlist there).
  using Subscribers = std::vector<Client*>;
  using Registry = std::unordered_map<std::string, Subscribers>;

  // One client's subscriptions in subscription order, with O(1) lookup.
  struct OrderedNames {
    std::list<std::string> order;
    std::unordered_map<std::string_view, std::list<std::string>::iterator> index;
    bool Add(std::string_view name);
    bool Remove(std::string_view name);
    bool empty() const { return order.empty(); }
  };
  struct ClientSubscriptions {
    OrderedNames channels;
    OrderedNames patterns;
    OrderedNames shard_channels;
    bool empty() const { return channels.empty() && patterns.empty() && shard_channels.empty(); }
  };

  Registry& registry(Space space) { return space == Space::kShard ? shard_channels_ : channels_; }
  const Registry& registry(Space space) const {
    return space == Space::kShard ? shard_channels_ : channels_;
  }
  static void RemoveSubscriber(Registry& reg, std::string_view name, const Client* c);
  void DropIfEmpty(const Client& c);
  size_t& Counter(Client& c, Space space) {
    return space == Space::kShard ? c.pubsub_shard_channels : c.pubsub_channels;
  }

  Registry channels_;
  Registry shard_channels_;
  Registry patterns_;
  std::unordered_map<const Client*, ClientSubscriptions> clients_;
};

}  // namespace ss::cmd
