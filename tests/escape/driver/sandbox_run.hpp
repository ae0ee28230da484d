// Runs one attack program under `litebox do` and captures what it printed.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace escape {

struct RunOptions {
  std::string litebox;  // host path of the litebox binary
  std::string rootfs;
  std::vector<std::string> argv;  // command inside the sandbox
  std::map<std::string, std::string> env;
  std::string user;     // --user UID[:GID], empty = default (root inside)
  std::string network;  // --network MODE, empty = default (none)
  int timeout_s = 20;
  bool pty_stdin = false;  // stdin is a fresh pty slave (for TIOCSTI)
  // Control runs: exec argv[0] (a host path) directly on the host, in the
  // rootfs directory with `env` set, to prove the oracles catch the attack.
  bool native = false;
};

struct RunResult {
  std::string output;  // stdout and stderr, interleaved
  int status = 0;      // waitpid status of `litebox do`
  bool timed_out = false;
  long sandbox_uid = -1;  // host uid of the guest, from its HOSTTID line
  // Host processes of the sandbox uid still alive after `litebox do` ended
  // (killed by the driver after being reported).
  std::vector<std::string> leftovers;
  std::string pty_input;   // what was queued on the pty's input (TIOCSTI)
  std::string pty_path;    // the pty slave's host path
  std::string pty_change;  // non-empty when the host pty's owner or mode changed
  // Exit code, or 128+signal, as a shell would print it.
  int code() const;
};

RunResult RunInSandbox(const RunOptions& opt);

}  // namespace escape
