#include "shim-v2/task/bundle_spec.hpp"

#ifndef LITEBOX_SHIM_NO_OCI
#include "oci/spec.hpp"
#include "oci/to_sandbox.hpp"
#endif

namespace litebox::shim::task {

#ifndef LITEBOX_SHIM_NO_OCI

bool LoadSandboxSpec(const std::string& bundle, const std::string& id, const std::string& state_dir,
                     runtime::SandboxSpec* out, std::vector<std::string>* ignored,
                     std::string* err) {
  auto spec = oci::ParseSpecFile(bundle + "/config.json");
  if (!spec) {
    *err = spec.error().message();
    return false;
  }
  auto sb = oci::ToSandboxSpec(*spec, bundle, id, ignored);
  if (!sb) {
    *err = bundle + "/config.json: " + sb.error().message();
    return false;
  }
  *out = std::move(*sb);
  // Limits this host cannot enforce are dropped with a warning, as runc
  // without a usable hierarchy: never a silent success claim.
  for (auto& w : runtime::Cgroup::DropUnenforceable(&out->limits))
    if (ignored) ignored->push_back(std::move(w));
  out->state_dir = state_dir;
  out->wait_for_start = true;
  return true;
}

bool ParseExecProcess(const std::string& json, runtime::ProcessSpec* out, std::string* err) {
  auto p = oci::ParseProcess(json);
  if (!p) {
    *err = "exec process spec: " + p.error().message();
    return false;
  }
  auto ps = oci::ToProcessSpec(*p);
  if (!ps) {
    *err = "exec process spec: " + ps.error().message();
    return false;
  }
  *out = std::move(*ps);
  return true;
}

bool ParseUpdateResources(const std::string& json, runtime::CgroupLimits* out, std::string* err) {
  auto r = oci::ParseResources(json);
  if (!r) {
    *err = r.error().message();
    return false;
  }
  *out = oci::ToCgroupLimits(*r);
  return true;
}

#else  // built without litebox_oci (see CMakeLists.txt)

bool LoadSandboxSpec(const std::string&, const std::string&, const std::string&,
                     runtime::SandboxSpec*, std::vector<std::string>*, std::string* err) {
  *err = "litebox oci library not built: cannot read config.json";
  return false;
}

bool ParseExecProcess(const std::string&, runtime::ProcessSpec*, std::string* err) {
  *err = "litebox oci library not built: cannot read the exec process spec";
  return false;
}

bool ParseUpdateResources(const std::string&, runtime::CgroupLimits*, std::string* err) {
  *err = "litebox oci library not built: cannot read the resources";
  return false;
}

#endif

}  // namespace litebox::shim::task
