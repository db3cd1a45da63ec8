// Catch2 v2 supplies main() here, once for the whole test executable.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
