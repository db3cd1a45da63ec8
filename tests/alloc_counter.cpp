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
// The nothrow forms too (Catch allocates with them), so every new is paired with this file's
// delete: the sanitizer build checks that allocation and release match.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  fixtures::g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size ? size : 1);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
