// OCI documents -> runtime specs, through the oci library (the same
// conversion the `litebox` CLI uses).
#pragma once

#include <string>
#include <vector>

#include "runtime/sandbox.hpp"

namespace litebox::shim::task {

// <bundle>/config.json -> SandboxSpec with state_dir set and
// wait_for_start = true. `ignored` gets the config features the sandbox
// drops (for the shim's log).
bool LoadSandboxSpec(const std::string& bundle, const std::string& id, const std::string& state_dir,
                     runtime::SandboxSpec* out, std::vector<std::string>* ignored,
                     std::string* err);

// ExecProcessRequest.spec.value (the OCI process object as JSON) -> ProcessSpec.
bool ParseExecProcess(const std::string& json, runtime::ProcessSpec* out, std::string* err);

// UpdateTaskRequest.resources.value (the OCI LinuxResources object as JSON)
// -> the sandbox's cgroup limits, by the same rules as config.json's.
bool ParseUpdateResources(const std::string& json, runtime::CgroupLimits* out, std::string* err);

}  // namespace litebox::shim::task
