// Runs the mnisttrain executable as a user would (through the shell, in a chosen folder, with
// chosen environment variables) and captures its exit status and both streams.
#pragma once

#include "fixtures.h"

#include <algorithm>
#include <string>
#include <sys/wait.h>

namespace fixtures {

struct Run {
  int status = -1;
  std::string out;
  std::string err;
};

inline std::string quote(const std::string& s) { return "'" + s + "'"; }

// `env` is prepended to the command ("NO_COLOR=1"); `cwd` defaults to the source folder.
inline Run run_cli(const std::string& args, const std::string& cwd = MNISTTRAIN_SOURCE_DIR,
                   const std::string& env = "") {
  TempDir capture;
  const std::string command = "cd " + quote(cwd) + " && " + env + " " + quote(MNISTTRAIN_BINARY) + " " + args +
                              " >" + quote(capture.file("out")) + " 2>" + quote(capture.file("err")) + " </dev/null";
  const int raw = std::system(command.c_str());
  Run r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = read_bytes(capture.file("out"));
  r.err = read_bytes(capture.file("err"));
  return r;
}

inline std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace fixtures
