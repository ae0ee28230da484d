// SandboxSpec/ProcessSpec <-> JSON, for the caller <-> supervisor control
// protocol (runtime/control.hpp).
#pragma once

#include <nlohmann/json.hpp>

#include "runtime/sandbox.hpp"

namespace litebox::runtime {

nlohmann::json ToJson(const ProcessSpec& p);
nlohmann::json ToJson(const SandboxSpec& s);
// Throw nlohmann::json::exception on a malformed document (the supervisor
// answers that with an error naming the field).
ProcessSpec ProcessSpecFromJson(const nlohmann::json& j);
SandboxSpec SandboxSpecFromJson(const nlohmann::json& j);

}  // namespace litebox::runtime
