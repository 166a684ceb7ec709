// ReplyQueue: one connection's outgoing reply bytes, kept in request order
// even when some replies are produced later than the ones after them (a
// command waiting on an upstream Redis). Replies are appended to tail(); a
// command that cannot answer now takes a slot with Defer() and fills it with
// Complete(); TakeReady() hands out only the bytes before the first unfilled
// slot, so the client always sees replies in the order it sent requests.
//
// Owns its buffers. Buffers handed out by TakeReady() belong to the caller
// (the write in flight) and can be given back with Recycle() to keep their
// capacity. Loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace ss::resp {

class ReplyQueue {
 public:
  ReplyQueue();

  // Where the next in-order reply is appended. Valid until the next Defer(),
  // Complete() or TakeReady().
  std::string& tail() { return segments_.back().bytes; }

  // Reserves the place of a reply that will be written later; returns its id.
  uint64_t Defer();
  // Fills the slot `id` with its reply. REQUIRES: id came from Defer() and
  // was not completed yet.
  void Complete(uint64_t id, std::string_view bytes);

  // Appends to *out every buffer that is ready to be written, in order (up to
  // the first unfilled slot), and forgets them. Returns the bytes handed out.
  size_t TakeReady(std::vector<std::string>* out);
  // Gives back a written buffer so its capacity is reused.
  void Recycle(std::string&& buffer);

  // Bytes waiting (ready or behind an unfilled slot).
  size_t buffered_bytes() const;
  // Slots taken by Defer() and not completed yet.
  size_t pending_slots() const { return pending_; }
  bool has_ready() const;

 private:
  struct Segment {
    std::string bytes;
    uint64_t id = 0;       // nonzero for a deferred slot
    bool pending = false;  // deferred and not completed yet
  };
  void PushTail();

  std::deque<Segment> segments_;  // never empty: back() is the open tail
  std::string spare_;             // a recycled buffer for the next tail
  uint64_t next_id_ = 1;
  size_t pending_ = 0;
};

}  // namespace ss::resp
