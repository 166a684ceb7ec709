#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ss/resp/reply_queue.h"

using ss::resp::ReplyQueue;

namespace {

std::string Drain(ReplyQueue& q) {
  std::vector<std::string> bufs;
  q.TakeReady(&bufs);
  std::string all;
  for (auto& b : bufs) all += b;
  return all;
}

}  // namespace

TEST_CASE("in-order replies come out in order") {
  ReplyQueue q;
  q.tail() += "+A\r\n";
  q.tail() += "+B\r\n";
  CHECK(q.has_ready());
  CHECK(q.buffered_bytes() == 8);
  CHECK(Drain(q) == "+A\r\n+B\r\n");
  CHECK(q.buffered_bytes() == 0);
  CHECK_FALSE(q.has_ready());
  CHECK(Drain(q).empty());
}

TEST_CASE("a deferred reply holds back the ones after it") {
  ReplyQueue q;
  q.tail() += "+1\r\n";
  uint64_t slot = q.Defer();
  q.tail() += "+3\r\n";
  CHECK(q.pending_slots() == 1);
  CHECK(Drain(q) == "+1\r\n");
  CHECK(Drain(q).empty());  // +3 waits behind the slot
  CHECK(q.buffered_bytes() == 4);
  q.Complete(slot, "+2\r\n");
  CHECK(q.pending_slots() == 0);
  q.tail() += "+4\r\n";
  CHECK(Drain(q) == "+2\r\n+3\r\n+4\r\n");
}

TEST_CASE("slots completed out of order still release in request order") {
  ReplyQueue q;
  uint64_t a = q.Defer();
  uint64_t b = q.Defer();
  q.tail() += ":3\r\n";
  q.Complete(b, ":2\r\n");
  CHECK(Drain(q).empty());
  q.Complete(a, ":1\r\n");
  CHECK(Drain(q) == ":1\r\n:2\r\n:3\r\n");
}

TEST_CASE("recycled buffers keep their capacity") {
  ReplyQueue q;
  q.tail().assign(10000, 'x');
  std::vector<std::string> bufs;
  CHECK(q.TakeReady(&bufs) == 10000);
  REQUIRE(bufs.size() == 1);
  q.Recycle(std::move(bufs[0]));
  q.tail() += "y";
  q.TakeReady(&bufs);  // the tail that had the small buffer goes out
  CHECK(q.tail().capacity() >= 10000);
}
