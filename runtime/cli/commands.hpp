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

}  // namespace litebox::cli
