// The version text; see version.h. A file of its own, outside the unity batches: the build
// rewrites git_commit.h when the commit changes (scripts/git_commit.cmake), and then only this
// file is compiled again.
#include "cli/version.h"

#include "git_commit.h"
#include "kernels/blas.h"

namespace mnisttrain::cli {

std::string version_text() {
  return std::string("mnisttrain ") + MNISTTRAIN_VERSION + " (git " + MNISTTRAIN_GIT_COMMIT + ")\nBLAS: " +
         blas::library_description();
}

}  // namespace mnisttrain::cli
