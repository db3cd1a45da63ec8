// Replaces the global operator new for the test executable with one that counts calls, so a
// test can assert that a stretch of code (the training batch loop) allocates nothing.
#include "alloc_counter.h"

#include <cstdlib>
#include <new>

namespace fixtures {
std::atomic<std::size_t> g_allocations{0};
}

void* operator new(std::size_t size) {
  fixtures::g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
