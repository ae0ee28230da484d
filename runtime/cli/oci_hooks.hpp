// OCI lifecycle hooks run by the CLI as runc runs them: prestart and
// createRuntime once the container is created, poststart after start,
// poststop after delete, each with the state JSON on stdin. Engines rely on
// them (Docker's libnetwork-setkey prestart hook wires the network; NVIDIA
// and OCI hook tools use createRuntime). createContainer and startContainer
// hooks run inside the container's namespaces in runc; a LiteBox container
// has none to enter, so they are logged as not run.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "oci/spec.hpp"
#include "oci/state.hpp"

namespace litebox::cli {

struct HookSet {
  std::vector<oci::Hook> prestart, create_runtime, poststart, poststop;
};

// Picks the hooks the CLI runs from a config (and logs those it cannot).
HookSet SelectHooks(const oci::Spec& spec);
// For state.json: hooks survive between create, start and delete even if
// the bundle is gone by then.
nlohmann::json HooksToJson(const std::vector<oci::Hook>& hooks);
std::vector<oci::Hook> HooksFromJson(const nlohmann::json& j);

// Runs hooks in order; stops at the first that fails, times out or cannot
// start, with *err naming it (kind, index, path) and its output.
bool RunHooks(const std::string& kind, const std::vector<oci::Hook>& hooks, const oci::State& state,
              std::string* err);

}  // namespace litebox::cli
