// The runc global flags (they come before the subcommand) and the error and
// debug log they steer. containerd's runc shim passes
// `--root R --log <bundle>/log.json --log-format json` and, when a command
// fails, reads the last "error" line of that log to tell the user why.
#pragma once

#include <string>

#include "runtime/cli/commands.hpp"

namespace litebox::cli {

struct OciGlobals {
  std::string root;  // --root: where container state lives
  std::string log_file;
  bool log_json = false;  // --log-format json
  bool debug = false;
  bool systemd_cgroup = false;  // accepted; cgroups are made by path, not through systemd
  std::string rootless = "auto";
  std::string criu;  // accepted; checkpoint/restore are not supported
};

// The globals of this invocation (filled by ParseGlobalFlags).
OciGlobals& Globals();

// One log line at `level` ("debug", "info", "warning", "error") to --log in
// the chosen format; "debug" only with --debug. Without --log, debug and
// warning lines go to stderr when --debug is set.
void LogLine(const std::string& level, const std::string& msg);

// Prints "litebox: <msg>" to stderr, logs it as an error line, returns 1.
int OciFail(const std::string& msg);

}  // namespace litebox::cli
