// What `mnisttrain --version` prints: the version, the commit the binary was built from, and
// the BLAS library it runs.
#pragma once

#include <string>

namespace mnisttrain::cli {

std::string version_text();

}  // namespace mnisttrain::cli
