#include "ss/resp/reply_queue.h"

#include <cassert>

namespace ss::resp {

ReplyQueue::ReplyQueue() { PushTail(); }

void ReplyQueue::PushTail() {
  Segment s;
  s.bytes.swap(spare_);
  s.bytes.clear();
  segments_.push_back(std::move(s));
}

uint64_t ReplyQueue::Defer() {
  Segment slot;
  slot.id = next_id_++;
  slot.pending = true;
  // An empty open tail in front of the slot is dropped rather than kept as an
  // empty segment.
  if (segments_.back().bytes.empty() && !segments_.back().pending) {
    spare_.swap(segments_.back().bytes);
    segments_.pop_back();
  }
  segments_.push_back(std::move(slot));
  ++pending_;
  PushTail();
  return segments_[segments_.size() - 2].id;
}

void ReplyQueue::Complete(uint64_t id, std::string_view bytes) {
  // Slots are few (one per waiting command): a linear search is enough.
  for (Segment& s : segments_) {
    if (s.id == id && s.pending) {
      s.bytes.assign(bytes);
      s.pending = false;
      --pending_;
      return;
    }
  }
  assert(false && "Complete() of an unknown slot");
}

size_t ReplyQueue::TakeReady(std::vector<std::string>* out) {
  size_t taken = 0;
  while (!segments_.empty() && !segments_.front().pending) {
    Segment& s = segments_.front();
    if (!s.bytes.empty()) {
      taken += s.bytes.size();
      out->push_back(std::move(s.bytes));
    }
    segments_.pop_front();
  }
  if (segments_.empty() || segments_.back().pending) PushTail();
  return taken;
}

void ReplyQueue::Recycle(std::string&& buffer) {
  if (buffer.capacity() > spare_.capacity()) spare_ = std::move(buffer);
}

size_t ReplyQueue::buffered_bytes() const {
  size_t n = 0;
  for (const Segment& s : segments_) n += s.bytes.size();
  return n;
}

bool ReplyQueue::has_ready() const {
  for (const Segment& s : segments_) {
    if (s.pending) return false;
    if (!s.bytes.empty()) return true;
  }
  return false;
}

}  // namespace ss::resp
