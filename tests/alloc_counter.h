// How many times operator new has been called in this test process (see alloc_counter.cpp).
#pragma once

#include <atomic>
#include <cstddef>

namespace fixtures {
extern std::atomic<std::size_t> g_allocations;
inline std::size_t allocations() { return g_allocations.load(std::memory_order_relaxed); }
}  // namespace fixtures
