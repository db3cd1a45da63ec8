// Work items [0, n) that the threads of one run take as they go, from both ends: even threads
// from the front, odd threads from the back, until the ends meet. A static split gives each
// thread the same share whatever happens, and on a shared VM one vCPU often runs slower for a
// while (measured: one core took 60% longer than the other over a whole run), so the other
// waited for it at every barrier. Taken from both ends, each of two threads still starts on its
// own end (the rows of W it updates, as with the static split) and only the faster one goes on
// into the other's. Each item is taken exactly once, and what an item computes does not depend
// on which thread takes it: the bits do not change.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace mnisttrain::kernels {

class TwoEndedItems {
 public:
  TwoEndedItems() = default;
  // Copies (of a batch that owns one) start afresh; they are never made while a run takes items.
  TwoEndedItems(const TwoEndedItems&) {}
  TwoEndedItems& operator=(const TwoEndedItems&) {
    reset();
    return *this;
  }

  // Before a run that takes items: every item is there again. The count is given to take(), so
  // the caller of reset() need not know it.
  void reset() { ends_.store(kUnset << 32, std::memory_order_relaxed); }

  // The next item for thread ith of a run over `count` items (the same count for every thread),
  // or false when none is left.
  bool take(int ith, std::size_t count, std::size_t& item) {
    std::uint64_t ends = ends_.load(std::memory_order_relaxed);
    for (;;) {
      const std::uint64_t front = ends & 0xFFFFFFFFu;
      const std::uint64_t back = (ends >> 32) == kUnset ? count : ends >> 32;
      if (front >= back) return false;
      const bool from_front = ith % 2 == 0;
      const std::uint64_t next = from_front ? (back << 32) | (front + 1) : ((back - 1) << 32) | front;
      if (ends_.compare_exchange_weak(ends, next, std::memory_order_relaxed)) {
        item = static_cast<std::size_t>(from_front ? front : back - 1);
        return true;
      }
    }
  }

 private:
  static constexpr std::uint64_t kUnset = 0xFFFFFFFFu;  // the back before anyone took an item
  std::atomic<std::uint64_t> ends_{kUnset << 32};       // front in the low half, back in the high
};

}  // namespace mnisttrain::kernels
