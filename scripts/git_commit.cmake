# Writes the commit `mnisttrain --version` names into OUT, as a #define. Runs at every build,
# so a rebuild after a pull or a commit names the new commit; the file is rewritten only when
# the commit changed, so nothing is recompiled otherwise. Without git (a tarball): "unknown".
#   cmake -DSOURCE_DIR=<checkout> -DOUT=<header> -P scripts/git_commit.cmake
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY "${SOURCE_DIR}"
  OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT commit)
  set(commit unknown)
endif()
set(text "#define MNISTTRAIN_GIT_COMMIT \"${commit}\"\n")
set(old "")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
