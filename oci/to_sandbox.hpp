// config.json -> runtime::SandboxSpec: the one conversion the shim and the
// `litebox` CLI both use, so they cannot drift apart.
#pragma once

#include <string>
#include <vector>

#include "oci/result.hpp"
#include "oci/spec.hpp"
#include "runtime/sandbox.hpp"

namespace litebox::oci {

// Converts a parsed config. bundle_dir is where config.json lives (relative
// root.path and relative bind-mount sources are resolved against it; it is
// made absolute against the current directory). id must satisfy
// ValidateContainerId. Fills id, rootfs, readonly_root, hostname, domainname,
// init, mounts, masked_paths, readonly_paths; leaves state_dir, debug_log and
// wait_for_start to the caller.
//
// Mapping decisions:
// - process.capabilities absent: every capability set is empty (no
//   privilege unless the config grants it).
// - process.user.umask absent: 0022, like runc.
// - a mount whose options contain "bind" or "rbind" gets type "bind" (runc
//   treats it as a bind mount whatever its type says, e.g. "none").
// - network: no "network" namespace -> "host"; one without a path -> "new";
//   one with a path -> that path (joined).
// - linux.seccomp is compiled (oci/seccomp_profile.hpp) into
//   app_seccomp_bpf; a profile that cannot be compiled is an error naming
//   the field.
//
// If `ignored` is given, it receives one line per config feature that the
// sandbox does not implement and that was therefore dropped (hooks,
// devices, sysctl, resources, id mappings, non-network namespace paths, ...), so callers
// can log them instead of dropping them silently.
Result<runtime::SandboxSpec> ToSandboxSpec(const Spec& spec, const std::string& bundle_dir,
                                           const std::string& id,
                                           std::vector<std::string>* ignored = nullptr);

// linux.resources (or an `update` document) -> the limits the sandbox's
// cgroup enforces: memory.limit/swap, cpu.shares/quota/period, pids.limit.
// Zero means "not set" (as Docker and runc update write it); cpu.shares 1024
// is the kernel's default weight, so it alone asks for nothing.
runtime::CgroupLimits ToCgroupLimits(const Resources& resources);

// The process part alone (also what `exec --process process.json` needs).
// path_prefix names the field in errors ("process").
Result<runtime::ProcessSpec> ToProcessSpec(const Process& process,
                                           const std::string& path_prefix = "process");

}  // namespace litebox::oci
