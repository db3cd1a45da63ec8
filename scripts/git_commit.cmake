# Writes the commit `mnisttrain --version` names into OUT, as a #define. Runs at every build,
# so a rebuild after a pull or a commit names the new commit; the file is rewritten only when
# the commit changed, so nothing is recompiled otherwise. Without git (a tarball): "unknown".
#   cmake -DSOURCE_DIR=<checkout> -DOUT=<header> -P scripts/git_commit.cmake
# Only the checkout's own commit: a tarball unpacked inside another repository is not that one.
execute_process(COMMAND git rev-parse --show-toplevel --short=12 HEAD WORKING_DIRECTORY "${SOURCE_DIR}"
  OUTPUT_VARIABLE lines OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
string(REPLACE "\n" ";" lines "${lines}")
set(commit unknown)
list(LENGTH lines count)
if(count EQUAL 2)
  list(GET lines 0 top)
  file(REAL_PATH "${SOURCE_DIR}" source)
  file(REAL_PATH "${top}" top)
  if(top STREQUAL source)
    list(GET lines 1 commit)
  endif()
endif()
set(text "#define MNISTTRAIN_GIT_COMMIT \"${commit}\"\n")
set(old "")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
