// Catch2 v2's runner, started the way the program starts: with denormals flushed to zero
// (kernels/denormals.h), so in-process results are the command line's bits.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "kernels/denormals.h"

int main(int argc, char* argv[]) {
  mnisttrain::kernels::flush_denormals_to_zero();
  return Catch::Session().run(argc, argv);
}
