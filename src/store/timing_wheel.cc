// TimingWheel: how it keeps sessiond's promise of exact, never-blocking expiry.
//
// Geometry. Seven levels of slots, each slot a circular doubly linked list
// with a sentinel WheelLink (an entry unlinks itself without knowing where it
// sits). Level 0 has 256 slots of 1 ms; level l >= 1 has 128 slots of
// W(l) = 2^shift(l) ms, shifts 7, 13, 19, 25, 31, 37:
//
//   level   slot width      span (slots x width)
//     0     1 ms            256 ms
//     1     128 ms          16.4 s
//     2     8.2 s           17.5 min
//     3     8.7 min         18.6 h
//     4     9.3 h           49.7 days
//     5     24.9 days       8.7 years
//     6     4.4 years       557 years
//
// Deadlines further out than level 6 reaches go to one overflow list, and
// three extra lists complete the picture: the due list (deadline already
// behind level 0's cursor), the overflow list, and the pending list (overflow
// entries being re-placed). All sentinels live in one array, so the array
// index of a sentinel names its slot.
//
// Slots are indexed by absolute time. A deadline d belongs to slot index
// d >> shift(l) at level l, stored at ring position index & (slots - 1).
// Each level has a cursor: cursor[l] is the first slot index not yet drained.
// Position(l) = cursor[l] << shift(l) is the time, in ms, up to which level l
// has handed everything down (level 0: expired).
//
// Invariants (CheckInvariants() verifies them in tests):
//   (W) Window: every entry at level l has cursor[l] <= d >> shift(l) <
//       cursor[l] + slots(l), so the ring position is unambiguous.
//   (C) Chain: Position(l) <= Position(l-1) + Span(l-1). What level l has
//       already drained lies inside level l-1's window.
//   (S) Span(l-1) == 2 * W(l). Each level reaches twice as far as one slot of
//       the next coarser level.
//   (Z) cursor[0] <= now + 1, and the due list holds only d < cursor[0].
//   (B) A slot's occupancy bit is set iff its list is non-empty.
//
// Placement. Place(d) tries levels from fine to coarse and takes the first
// whose window still holds d >> shift(l); d < cursor[0] goes to the due list.
// (C) makes the lower window bound automatic: d failed level l-1, so
// d >= Position(l-1) + Span(l-1) >= Position(l).
//
// Draining. Slot c of level l (l >= 1) may be drained once it fits entirely
// inside level l-1's window, (c + 1) * W(l) <= Position(l-1) + Span(l-1).
// By (S) this holds one full coarse slot before c's window opens: level 0's
// position is now + 1, so level 1's slot c starts draining at c*128 - 129,
// and each coarser level starts at least W(l) ms ahead in the same way. The
// drain pops entries one by one and re-places them (into a finer level,
// because the whole slot fits level l-1's window) or, if d <= now already
// (the drain fell behind), expires them directly. A slot being drained never
// receives new entries, for the same reason. When the slot is empty its
// cursor moves on; empty slots are skipped with the occupancy bitmaps, never
// walked one by one, so an idle gap of hours costs a few bitmap scans.
//
// Budget. Every expiry and every re-placement costs one unit; Advance() stops
// the moment the budget is spent and resumes exactly there next time (the
// state is only the cursors and the lists). Work is done finest first: due
// list, level 0 expiries, then level 1, 2, ... drains, then the overflow. So
// expiries never wait behind cascades, and a cascade has W(l) ms of budget to
// finish before its entries fall due. Example: 1M deadlines spread over one
// second sit in ~8 level-1 slots of ~128K; each drains over 128 ms while the
// previous one expires, about 1000 moves + 1000 expiries per ms, well under a
// budget of 4096.
//
// Overflow. The overflow list is re-examined only when the end of level 6's
// window passes overflow_min_ (a lower bound of its deadlines), which moves at
// most once per 4.4 years: it is spliced into the pending list whole and
// re-placed in budgeted steps; survivors go back and set an exact minimum.
//
// NextWorkMs() predicts the first time Advance() has work: the first occupied
// level-0 slot, or for each coarser level the time its first occupied slot
// becomes drainable. Once Advance() is caught up every cursor sits exactly at
// its limit (cursor[0] = now + 1, cursor[l] = (Position(l-1) + Span(l-1)) >>
// shift(l)), so that prediction is computed by walking the chain (C) down to
// level 0, and it is always > now: the server never spins.
//
// Handlers. OnExpired may Schedule or Unlink any other entry. No iterator
// survives a handler call: every drain re-reads its list's head, and only
// Schedule/Unlink run inside the handler, which never move a cursor.
// Time never runs backwards in the wheel: an Advance() with an earlier now_ms
// (a wall clock stepped back) counts as the wheel's current time.
#include "ss/store/timing_wheel.h"

#include <algorithm>
#include <bit>
#include <limits>

namespace ss {
namespace {

constexpr int kTopLevel = 6;
constexpr int kShift[] = {0, 7, 13, 19, 25, 31, 37};
constexpr int kSlotBits[] = {8, 7, 7, 7, 7, 7, 7};
constexpr size_t kFirstSlot[] = {0, 256, 384, 512, 640, 768, 896};

constexpr int64_t Slots(int level) { return int64_t{1} << kSlotBits[level]; }
constexpr int64_t Span(int level) { return Slots(level) << kShift[level]; }

static_assert(kTopLevel + 1 == 7);
static_assert(kFirstSlot[kTopLevel] + Slots(kTopLevel) == 256 + 6 * 128);
static_assert(Span(0) == 2 * (int64_t{1} << kShift[1]), "invariant (S), level 1");
static_assert(Span(1) == 2 * (int64_t{1} << kShift[2]), "invariant (S), level 2");
static_assert(Span(2) == 2 * (int64_t{1} << kShift[3]), "invariant (S), level 3");
static_assert(Span(3) == 2 * (int64_t{1} << kShift[4]), "invariant (S), level 4");
static_assert(Span(4) == 2 * (int64_t{1} << kShift[5]), "invariant (S), level 5");
static_assert(Span(5) == 2 * (int64_t{1} << kShift[6]), "invariant (S), level 6");
static_assert(kFirstSlot[1] % 64 == 0 && kFirstSlot[2] % 64 == 0,
              "each level's bitmap starts on a word");

size_t SlotList(int level, int64_t index) {
  return kFirstSlot[level] + static_cast<size_t>(index & (Slots(level) - 1));
}

}  // namespace

TimingWheel::TimingWheel(int64_t now_ms)
    : lists_(kListCount), overflow_min_(std::numeric_limits<int64_t>::max()), now_ms_(now_ms) {
  static_assert(kLevels == kTopLevel + 1);
  for (size_t i = 0; i < kListCount; ++i) lists_[i].next = lists_[i].prev = SentinelHandle(i);
  // Nothing at now_ms has expired yet; every coarser cursor starts at its
  // limit, the state Advance() leaves behind when caught up.
  cursor_[0] = now_ms;
  for (int l = 1; l < kLevels; ++l) cursor_[l] = (Position(l - 1) + Span(l - 1)) >> kShift[l];
}

TimingWheel::~TimingWheel() = default;

void TimingWheel::Schedule(Entry* e) {
  ++size_;
  Place(e);
}

void TimingWheel::Unlink(Entry* e) {
  Detach(e);
  --size_;
}

bool TimingWheel::Advance(int64_t now_ms, size_t budget, ExpiryHandler& handler) {
  now_ms_ = std::max(now_ms_, now_ms);
  work_left_ = budget;
  // Finest first, so expiries never wait behind cascades. The last due-list
  // pass takes past deadlines the handler scheduled during the later phases.
  bool done = DrainList(kDueList, handler) && ExpireLevel0(handler);
  for (int l = 1; done && l < kLevels; ++l) done = DrainLevel(l, handler);
  done = done && DrainOverflow(handler) && DrainList(kDueList, handler);
  work_left_ = 0;
  int64_t next = NextWorkMs();
  return next != -1 && next <= now_ms_;
}

int64_t TimingWheel::NextWorkMs() const {
  if (size_ == 0) return -1;
  if (!ListEmpty(kDueList) || !ListEmpty(kPendingList)) return now_ms_;
  int64_t best = std::numeric_limits<int64_t>::max();
  size_t k = NextOccupied(0, cursor_[0]);
  if (k < static_cast<size_t>(Slots(0))) best = cursor_[0] + static_cast<int64_t>(k);
  for (int l = 1; l < kLevels; ++l) {
    k = NextOccupied(l, cursor_[l]);
    if (k == static_cast<size_t>(Slots(l))) continue;
    int64_t c = cursor_[l] + static_cast<int64_t>(k);
    // Slot c drains once it fits inside level l-1's window.
    best = std::min(best, TimeWhenPositionReaches(l - 1, ((c + 1) << kShift[l]) - Span(l - 1)));
  }
  if (!ListEmpty(kOverflowList)) {
    // Re-examined once level 6's window reaches overflow_min_.
    int64_t first = (overflow_min_ >> kShift[kTopLevel]) - Slots(kTopLevel) + 1;
    best = std::min(best, TimeWhenPositionReaches(kTopLevel, first << kShift[kTopLevel]));
  }
  return best;
}

size_t TimingWheel::MemoryBytes() const {
  return lists_.capacity() * sizeof(WheelLink) + sizeof(occupied_) + sizeof(cursor_);
}

void TimingWheel::Place(Entry* e) {
  int64_t d = e->deadline_ms();
  if (d < cursor_[0]) {
    LinkInto(kDueList, e);
    return;
  }
  // Bounded by kLevels; invariant (C) guarantees d >> shift >= cursor here.
  for (int l = 0; l < kLevels; ++l) {
    int64_t index = d >> kShift[l];
    if (index < cursor_[l] + Slots(l)) {
      LinkInto(SlotList(l, index), e);
      return;
    }
  }
  LinkInto(kOverflowList, e);
  overflow_min_ = std::min(overflow_min_, d);
}

void TimingWheel::LinkInto(size_t list, Entry* e) {
  WheelLink& s = lists_[list];
  WheelLink& l = e->link();
  const uint32_t h = Entry::HandleOf(e);
  // Appending keeps entries of one slot in scheduling order.
  l.prev = s.prev;
  l.next = SentinelHandle(list);
  LinkOf(s.prev).next = h;
  s.prev = h;
  if (list < kSlotCount) occupied_[list / 64] |= uint64_t{1} << (list % 64);
}

void TimingWheel::Detach(Entry* e) {
  WheelLink& l = e->link();
  const uint32_t prev = l.prev;
  const uint32_t next = l.next;
  LinkOf(prev).next = next;
  LinkOf(next).prev = prev;
  // A circular list with one sentinel: if the neighbours coincide, only the
  // sentinel is left, and its handle names the now-empty slot.
  if (prev == next) {
    const size_t list = prev - kFirstSentinel;
    if (list < kSlotCount) occupied_[list / 64] &= ~(uint64_t{1} << (list % 64));
  }
  l.next = l.prev = 0;
}

void TimingWheel::Expire(Entry* e, ExpiryHandler& handler) {
  Detach(e);
  --size_;
  --work_left_;
  ++stats_.work;
  handler.OnExpired(e);
}

void TimingWheel::Move(Entry* e) {
  Detach(e);
  Place(e);
  --work_left_;
  ++stats_.work;
}

bool TimingWheel::DrainList(size_t list, ExpiryHandler& handler) {
  // Bounded by the budget: each pass spends one unit. Entries re-placed from
  // a draining slot never land in it again (see "Draining" above).
  while (!ListEmpty(list)) {
    if (work_left_ == 0) return false;
    Entry* e = Entry::FromHandle(lists_[list].next);
    // A slot's entries lie anywhere in memory, and each costs cache misses
    // (the entry, then its table slot): start loading the entry two ahead and
    // the table slot of the next one while this one is handled. Measured in
    // a burst of a million expiries: see docs/benchmarks.md, fifth session.
    if (const uint32_t nh = e->link().next; nh < kFirstSentinel) {
      const Entry* n = Entry::FromHandle(nh);
      if (const uint32_t nnh = n->link().next; nnh < kFirstSentinel) {
        __builtin_prefetch(Entry::FromHandle(nnh), 1);
      }
      if (n->deadline_ms() <= now_ms_) handler.PrefetchExpiring(n);
    }
    if (e->deadline_ms() <= now_ms_) {
      Expire(e, handler);
    } else {
      Move(e);
    }
  }
  return true;
}

bool TimingWheel::ExpireLevel0(ExpiryHandler& handler) {
  // Bounded by the occupied slots up to now (each visit empties one, or the
  // budget runs out); empty ones are skipped by the bitmap scan.
  while (cursor_[0] <= now_ms_) {
    ++stats_.slot_visits;
    auto k = static_cast<int64_t>(NextOccupied(0, cursor_[0]));
    if (k == Slots(0) || cursor_[0] + k > now_ms_) {
      cursor_[0] = now_ms_ + 1;
      break;
    }
    cursor_[0] += k;
    if (!DrainList(SlotList(0, cursor_[0]), handler)) return false;
    ++cursor_[0];
  }
  return true;
}

bool TimingWheel::DrainLevel(int level, ExpiryHandler& handler) {
  // Slots below `limit` fit entirely inside the finer level's window. The
  // handler cannot move cursors, so the limit is fixed for this call.
  const int64_t limit = (Position(level - 1) + Span(level - 1)) >> kShift[level];
  // Bounded by the occupied slots below limit, as in ExpireLevel0().
  while (cursor_[level] < limit) {
    ++stats_.slot_visits;
    auto k = static_cast<int64_t>(NextOccupied(level, cursor_[level]));
    if (k == Slots(level) || cursor_[level] + k >= limit) {
      cursor_[level] = limit;
      break;
    }
    cursor_[level] += k;
    if (!DrainList(SlotList(level, cursor_[level]), handler)) return false;
    ++cursor_[level];
  }
  return true;
}

bool TimingWheel::DrainOverflow(ExpiryHandler& handler) {
  int64_t window_end = (cursor_[kTopLevel] + Slots(kTopLevel)) << kShift[kTopLevel];
  if (!ListEmpty(kOverflowList) && ListEmpty(kPendingList) && overflow_min_ < window_end) {
    // Splice the whole overflow list into pending; re-placing an entry puts
    // it in a level or back in overflow, never in pending, so this ends.
    WheelLink& o = lists_[kOverflowList];
    WheelLink& p = lists_[kPendingList];
    p.next = o.next;
    p.prev = o.prev;
    LinkOf(p.next).prev = SentinelHandle(kPendingList);
    LinkOf(p.prev).next = SentinelHandle(kPendingList);
    o.next = o.prev = SentinelHandle(kOverflowList);
    overflow_min_ = std::numeric_limits<int64_t>::max();
  }
  return DrainList(kPendingList, handler);
}

int64_t TimingWheel::Position(int level) const { return cursor_[level] << kShift[level]; }

int64_t TimingWheel::TimeWhenPositionReaches(int level, int64_t pos_ms) const {
  // Bounded by kLevels: each step moves one level finer. Level l reaches
  // pos once its slot pos/W(l) - 1 may drain, i.e. once level l-1 reaches
  // pos - Span(l-1); level 0 reaches pos when Advance(pos - 1) completes.
  // pos stays a multiple of the level's slot width all the way down.
  for (int l = level; l > 0; --l) {
    if (Position(l) >= pos_ms) return now_ms_;
    pos_ms -= Span(l - 1);
  }
  return cursor_[0] >= pos_ms ? now_ms_ : pos_ms - 1;
}

size_t TimingWheel::NextOccupied(int level, int64_t from_index) const {
  const size_t slots = static_cast<size_t>(Slots(level));
  const size_t words = slots / 64;
  const uint64_t* bits = &occupied_[kFirstSlot[level] / 64];
  const size_t start = static_cast<size_t>(from_index) & (slots - 1);
  const size_t first = start / 64;
  const unsigned shift = start % 64;
  // Bounded by words + 1: the first word's upper part, the other words in
  // ring order, then the first word's lower part (the wrap-around).
  for (size_t step = 0; step <= words; ++step) {
    size_t w = (first + step) % words;
    uint64_t word = bits[w];
    if (step == 0) word &= ~uint64_t{0} << shift;
    if (step == words) word &= (uint64_t{1} << shift) - 1;
    if (word != 0) {
      size_t slot = w * 64 + static_cast<size_t>(std::countr_zero(word));
      return (slot + slots - start) & (slots - 1);
    }
  }
  return slots;
}

bool TimingWheel::CheckInvariants() const {
  size_t count = 0;
  // Bounded by the list count and the linked entries (each visited once).
  for (size_t list = 0; list < kListCount; ++list) {
    const uint32_t s = SentinelHandle(list);
    bool bit = list < kSlotCount && ((occupied_[list / 64] >> (list % 64)) & 1) != 0;
    if (list < kSlotCount && bit == ListEmpty(list)) return false;  // (B)
    int level = 0;
    while (level + 1 < kLevels && list >= kFirstSlot[level + 1] && list < kSlotCount) ++level;
    for (uint32_t l = lists_[list].next; l != s; l = LinkOf(l).next) {
      if (LinkOf(LinkOf(l).next).prev != l || ++count > size_) return false;
      int64_t d = Entry::FromHandle(l)->deadline_ms();
      if (list == kDueList) {
        if (d >= cursor_[0]) return false;  // (Z)
      } else if (list == kOverflowList) {
        if (d < overflow_min_) return false;
      } else if (list < kSlotCount) {
        int64_t index = d >> kShift[level];
        if (index < cursor_[level] || index >= cursor_[level] + Slots(level)) return false;  // (W)
        if (SlotList(level, index) != list) return false;
      }
    }
  }
  if (count != size_ || cursor_[0] > now_ms_ + 1) return false;  // (Z)
  for (int l = 1; l < kLevels; ++l) {
    if (Position(l) > Position(l - 1) + Span(l - 1)) return false;  // (C)
  }
  return true;
}

}  // namespace ss
