// Flush-to-zero mode; see denormals.h.
#include "kernels/denormals.h"

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#define MNISTTRAIN_HAS_MXCSR 1
#endif

namespace mnisttrain::kernels {

#if defined(MNISTTRAIN_HAS_MXCSR)
namespace {
constexpr unsigned kFlushToZero = 0x8000;     // MXCSR bit 15: denormal results become 0
constexpr unsigned kDenormalsAreZero = 0x40;  // MXCSR bit 6: denormal inputs read as 0
}  // namespace

void flush_denormals_to_zero() { _mm_setcsr(_mm_getcsr() | kFlushToZero | kDenormalsAreZero); }

bool flushes_denormals() {
  const unsigned both = kFlushToZero | kDenormalsAreZero;
  return (_mm_getcsr() & both) == both;
}
#else
void flush_denormals_to_zero() {}
bool flushes_denormals() { return false; }
#endif

}  // namespace mnisttrain::kernels
