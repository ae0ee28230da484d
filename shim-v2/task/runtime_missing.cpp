// Built only while the litebox_runtime / litebox_oci targets do not exist
// (see CMakeLists.txt): every Sandbox entry point fails and says why, so the
// shim's protocol side can be built and tested against containerd first.
#include "runtime/sandbox.hpp"

namespace litebox::runtime {

namespace {
constexpr char kMissing[] =
    "litebox runtime not built: this shim was linked without litebox_runtime";
}

std::unique_ptr<Sandbox> Sandbox::Create(const SandboxSpec&, const Stdio&, std::string* err) {
  *err = kMissing;
  return nullptr;
}
std::unique_ptr<Sandbox> Sandbox::Attach(const std::string&, std::string* err) {
  *err = kMissing;
  return nullptr;
}
Sandbox::~Sandbox() = default;
bool Sandbox::Start(std::string* err) {
  *err = kMissing;
  return false;
}
bool Sandbox::Kill(int, bool, std::string* err) {
  *err = kMissing;
  return false;
}
pid_t Sandbox::Exec(const ProcessSpec&, const Stdio&, std::string* err) {
  *err = kMissing;
  return -1;
}
bool Sandbox::Pause(std::string* err) {
  *err = kMissing;
  return false;
}
bool Sandbox::Resume(std::string* err) {
  *err = kMissing;
  return false;
}
std::optional<std::vector<ProcessState>> Sandbox::Processes(std::string* err) {
  *err = kMissing;
  return std::nullopt;
}
bool Sandbox::Destroy(std::string* err) {
  *err = kMissing;
  return false;
}

}  // namespace litebox::runtime
