// The runc-compatible subcommands of `litebox` (runtime/cli/oci_*.cpp) and
// the helpers they share. Each command takes the arguments after its name
// and returns the process exit status.
#pragma once

#include <sys/types.h>

#include <string>

#include "runtime/cli/commands.hpp"
#include "runtime/cli/oci_state_store.hpp"

namespace litebox::cli {

int OciCreateCommand(Args& args);
int OciStartCommand(Args& args);
int OciRunCommand(Args& args);
int OciStateCommand(Args& args);
int OciListCommand(Args& args);
int OciKillCommand(Args& args);
int OciDeleteCommand(Args& args);
int OciExecCommand(Args& args);
int OciPsCommand(Args& args);
int OciPauseCommand(Args& args);
int OciResumeCommand(Args& args);
int OciUpdateCommand(Args& args);
int OciFeaturesCommand(Args& args);
int OciCheckpointCommand(Args& args);
int OciRestoreCommand(Args& args);

// Takes the container id (the first positional argument) and checks it is
// a valid id; on failure prints the error and sets *rc.
bool TakeId(Args& args, const std::string& command, std::string* id, int* rc);
// Loads the record of id under --root; on failure prints the error
// ("container "x" does not exist") and sets *rc.
bool LoadOrFail(const std::string& id, ContainerRecord* rec, int* rc);
// Writes a pid file as runc does: decimal, no newline, atomically.
bool WritePidFile(const std::string& path, pid_t pid, std::string* err);
// Signal by number ("9") or name ("KILL", "SIGKILL", "sigkill"); -1 if unknown.
int ParseSignal(const std::string& text);
// Forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT/SIGUSR1/SIGUSR2/SIGWINCH received
// by this process to a container process. Construct it BEFORE the child
// exists: a signal that arrives between fork and Wait is queued, not lost
// (and does not kill us, leaving the container behind).
class SignalForwarder {
 public:
  SignalForwarder();
  ~SignalForwarder();
  SignalForwarder(const SignalForwarder&) = delete;
  SignalForwarder& operator=(const SignalForwarder&) = delete;
  // Waits for a child of this process, calling forward(sig, ctx) for every
  // signal received meanwhile; returns the shell-style exit status (128+N
  // when killed by signal N).
  int Wait(pid_t child, void (*forward)(int sig, void* ctx), void* ctx);

 private:
  int pipe_[2] = {-1, -1};
};

}  // namespace litebox::cli
