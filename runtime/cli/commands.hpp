// The `litebox` command line: one function per subcommand.
#pragma once

#include <deque>
#include <string>

namespace litebox::cli {

using Args = std::deque<std::string>;

// Prints "litebox: <msg>" to stderr and returns code.
int Fail(const std::string& msg, int code = 1);
// Where sandboxes keep their state (--root for the runc-like commands).
std::string StateRoot();

int DoCommand(Args& args);
int SpecCommand(Args& args);
int PolicyCommand(Args& args);
int SuperviseCommand(Args& args);

// runc-compatible CLI (runtime/cli/oci_*.cpp).
inline constexpr int kNotOciCommand = -1;
// Consumes the global flags (--root, --log, --log-format, --debug, ...).
// Returns an exit status to end with (--version, --help, a bad flag), or
// kNotOciCommand to go on with the subcommand.
int ParseGlobalFlags(Args& args);
// Runs create/start/run/state/list/kill/delete/exec/ps/pause/resume/update/
// features/checkpoint/restore; kNotOciCommand for any other name.
int DispatchOciCommand(const std::string& cmd, Args& args);

}  // namespace litebox::cli
