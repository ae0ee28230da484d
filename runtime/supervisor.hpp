// The sandbox supervisor: one process per sandbox, the only authority over
// which host process belongs to the sandbox. It serves every guest's
// request channel (file ops through the host-file proxy, process ops
// here), answers the control socket, and ends the sandbox when its init
// process exits. Run in the creator's forked child (single-threaded
// creators: the `litebox` CLI) or as `litebox __supervise` (the shim).
#pragma once

namespace litebox::runtime {

class SandboxNamespaces;

// What a forking creator prepared for the supervisor before the init
// request arrives.
struct SupervisorHints {
  // The sandbox's namespaces, already started (a forked child starts them
  // first thing: made only once the init request is parsed, they delayed
  // the first guest's register by ~0.3 ms). The init request must agree
  // on the network. Null: made at init.
  SandboxNamespaces* namespaces = nullptr;
};

// Runs the supervisor on an already connected control socket (the
// creator's end). Returns the process exit code.
int RunSupervisor(int control_fd, SupervisorHints hints = {});

}  // namespace litebox::runtime
