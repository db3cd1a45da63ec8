// Large read buffers in 2 MB pages; see huge_pages.h.
#include "io/huge_pages.h"

#include <sys/mman.h>

namespace mnisttrain::io {

void reserve_in_huge_pages(std::vector<std::uint8_t>& buffer, std::size_t bytes) {
  buffer.reserve(bytes);
#ifdef MADV_HUGEPAGE
  // Only whole 2 MB pages inside the allocation can be huge; the ends stay in 4 KB pages.
  constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;
  const auto begin = reinterpret_cast<std::uintptr_t>(buffer.data());
  const std::uintptr_t first = (begin + kHugePage - 1) / kHugePage * kHugePage;
  const std::uintptr_t end = (begin + buffer.capacity()) / kHugePage * kHugePage;
  // A refusal (a kernel without transparent huge pages) leaves the memory as it was.
  if (end > first) static_cast<void>(madvise(reinterpret_cast<void*>(first), end - first, MADV_HUGEPAGE));
#endif
}

}  // namespace mnisttrain::io
