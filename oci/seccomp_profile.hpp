// linux.seccomp (an OCI seccomp profile) compiled to the classic BPF program
// the library OS installs as the container's own filter, on top of the
// partition (libos/app_filter.hpp), for the init process and every exec.
#pragma once

#include <cstdint>
#include <string>

#include "oci/result.hpp"
#include "oci/spec.hpp"

namespace litebox::oci {

struct CompiledSeccomp {
  std::string bpf;     // sock_filter instructions, native byte order
  uint32_t flags = 0;  // SECCOMP_FILTER_FLAG_* for seccomp(2)
};

// Errors name the field (linux.seccomp.syscalls[2].action, ...). Syscall
// names this kernel/libseccomp does not know are skipped, as runc does;
// architectures other than x86-64 are accepted and have no effect (the
// partition admits x86-64 only).
Result<CompiledSeccomp> CompileSeccomp(const Seccomp& profile);

}  // namespace litebox::oci
