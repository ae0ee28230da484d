#include "oci/to_sandbox.hpp"

#include <algorithm>
#include <filesystem>

#include "oci/container_id.hpp"
#include "oci/names.hpp"
#include "oci/seccomp_profile.hpp"

namespace litebox::oci {
namespace {

namespace fs = std::filesystem;

// Absolute, lexically normal; relative paths are taken against `base`.
std::string Resolve(const std::string& path, const fs::path& base) {
  fs::path p(path);
  if (p.is_relative()) p = base / p;
  std::string out = p.lexically_normal().string();
  // "/a/b/" -> "/a/b" (but keep "/")
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

bool HasOption(const std::vector<std::string>& options, const char* name) {
  return std::find(options.begin(), options.end(), name) != options.end();
}

// cgroupsPath: "/a/b" or "a/b" (from the hierarchy root), or systemd's
// "slice:prefix:name" (-> /slice/prefix-name.scope, as runc's systemd driver).
std::string CgroupPathFromConfig(const std::string& p) {
  if (p.empty()) return p;
  if (p.find(':') == std::string::npos) return p[0] == '/' ? p : "/" + p;
  std::string slice = p.substr(0, p.find(':'));
  std::string rest = p.substr(p.find(':') + 1);
  std::string prefix = rest.substr(0, rest.find(':'));
  std::string name = rest.find(':') == std::string::npos ? "" : rest.substr(rest.find(':') + 1);
  if (slice.empty()) slice = "system.slice";
  return "/" + slice + "/" + (prefix.empty() ? name : prefix + "-" + name) + ".scope";
}

}  // namespace

runtime::CgroupLimits ToCgroupLimits(const Resources& r) {
  runtime::CgroupLimits l;
  if (r.memory) {
    if (r.memory->limit && *r.memory->limit != 0) l.memory = *r.memory->limit;
    if (r.memory->swap && *r.memory->swap != 0) l.memory_swap = *r.memory->swap;
  }
  if (r.cpu) {
    if (r.cpu->shares && *r.cpu->shares != 0 && *r.cpu->shares != 1024)
      l.cpu_shares = *r.cpu->shares;
    if (r.cpu->quota && *r.cpu->quota != 0) l.cpu_quota = *r.cpu->quota;
    if (r.cpu->period && *r.cpu->period != 0) l.cpu_period = *r.cpu->period;
  }
  if (r.pids && r.pids->limit != 0) l.pids = r.pids->limit;
  return l;
}

namespace {

void Note(std::vector<std::string>* ignored, std::string line) {
  if (ignored) ignored->push_back(std::move(line));
}

// Lists the parts of a config the sandbox has no place for.
void ListIgnored(const Spec& spec, std::vector<std::string>* ignored) {
  if (!ignored) return;
  if (spec.hooks) {
    const Hooks& h = *spec.hooks;
    size_t n = h.prestart.size() + h.create_runtime.size() + h.create_container.size() +
               h.start_container.size() + h.poststart.size() + h.poststop.size();
    if (n) Note(ignored, "hooks: " + std::to_string(n) + " hook(s) are not run by ToSandboxSpec");
  }
  if (spec.process) {
    const Process& p = *spec.process;
    if (p.console_size) Note(ignored, "process.consoleSize: not applied");
    if (p.oom_score_adj) Note(ignored, "process.oomScoreAdj: not applied");
    if (!p.apparmor_profile.empty()) Note(ignored, "process.apparmorProfile: not applied");
    if (!p.selinux_label.empty()) Note(ignored, "process.selinuxLabel: not applied");
  }
  if (!spec.linux_config) return;
  const Linux& l = *spec.linux_config;
  for (size_t i = 0; i < l.namespaces.size(); ++i) {
    if (!l.namespaces[i].path.empty() && l.namespaces[i].type != "network") {
      Note(ignored, "linux.namespaces[" + std::to_string(i) + "].path: joining namespace \"" +
                        l.namespaces[i].type + "\" is not done by ToSandboxSpec");
    }
  }
  if (!l.uid_mappings.empty() || !l.gid_mappings.empty()) {
    Note(ignored, "linux.uidMappings/gidMappings: ids are virtual in the sandbox");
  }
  if (l.resources) {
    // memory.limit/swap, cpu.shares/quota/period and pids.limit are applied
    // (SandboxSpec::limits); the rest is not.
    for (const auto& [key, value] : l.resources->raw.items())
      if (key != "memory" && key != "cpu" && key != "pids" && !value.is_null() &&
          !(value.is_array() && value.empty()))
        Note(ignored, "linux.resources." + key +
                          (key == "devices" ? ": no devices cgroup (device nodes are the library "
                                              "OS's own; host devices are not reachable)"
                                            : ": not applied"));
    if (l.resources->memory && l.resources->memory->reservation)
      Note(ignored, "linux.resources.memory.reservation: not applied");
    if (l.resources->cpu && (!l.resources->cpu->cpus.empty() || !l.resources->cpu->mems.empty()))
      Note(ignored, "linux.resources.cpu.cpus/mems: not applied");
  }
  if (!l.sysctl.empty()) Note(ignored, "linux.sysctl: not applied");
  if (!l.devices.empty()) Note(ignored, "linux.devices: device nodes are not created");
  if (!l.mount_label.empty()) Note(ignored, "linux.mountLabel: not applied");
}

}  // namespace

Result<runtime::ProcessSpec> ToProcessSpec(const Process& p, const std::string& path_prefix) {
  runtime::ProcessSpec out;
  if (p.args.empty()) return Error{path_prefix + ".args", "must be a non-empty array of strings"};
  if (p.cwd.empty() || p.cwd[0] != '/') return Error{path_prefix + ".cwd", "must be absolute"};
  out.args = p.args;
  out.env = p.env;
  out.cwd = p.cwd;
  out.uid = p.user.uid;
  out.gid = p.user.gid;
  out.additional_gids = p.user.additional_gids;
  out.umask = p.user.umask.value_or(022);
  out.terminal = p.terminal;
  out.no_new_privileges = p.no_new_privileges;
  for (size_t i = 0; i < p.rlimits.size(); ++i) {
    const Rlimit& r = p.rlimits[i];
    auto n = RlimitNumber(r.type);
    if (!n) {
      return Error{path_prefix + ".rlimits[" + std::to_string(i) + "].type",
                   "unknown rlimit \"" + r.type + "\""};
    }
    out.rlimits.push_back({*n, r.soft, r.hard});
  }
  // No capabilities object: no capabilities (not the runtime's default set).
  Capabilities none;
  const Capabilities& caps = p.capabilities ? *p.capabilities : none;
  struct Set {
    const char* name;
    const std::vector<std::string>* names;
    uint64_t* mask;
  };
  const Set sets[] = {{"bounding", &caps.bounding, &out.cap_bounding},
                      {"effective", &caps.effective, &out.cap_effective},
                      {"inheritable", &caps.inheritable, &out.cap_inheritable},
                      {"permitted", &caps.permitted, &out.cap_permitted},
                      {"ambient", &caps.ambient, &out.cap_ambient}};
  for (const Set& s : sets) {
    auto mask = CapabilityMask(*s.names, path_prefix + ".capabilities." + s.name);
    if (!mask) return mask.error();
    *s.mask = *mask;
  }
  return out;
}

Result<runtime::SandboxSpec> ToSandboxSpec(const Spec& spec, const std::string& bundle_dir,
                                           const std::string& id,
                                           std::vector<std::string>* ignored) {
  auto valid_id = ValidateContainerId(id);
  if (!valid_id) return valid_id.error();
  if (bundle_dir.empty()) return Error{"bundle", "must not be empty"};
  if (!spec.root || spec.root->path.empty()) return Error{"root.path", "missing"};
  if (!spec.process) return Error{"process", "missing (a container needs a process to run)"};

  std::error_code ec;
  fs::path bundle = fs::absolute(bundle_dir, ec);
  if (ec) return Error{"bundle", "cannot make \"" + bundle_dir + "\" absolute: " + ec.message()};

  runtime::SandboxSpec out;
  out.id = id;
  out.rootfs = Resolve(spec.root->path, bundle);
  out.readonly_root = spec.root->readonly;
  out.hostname = spec.hostname;
  out.domainname = spec.domainname;

  auto init = ToProcessSpec(*spec.process, "process");
  if (!init) return init.error();
  out.init = std::move(*init);

  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    const Mount& m = spec.mounts[i];
    const std::string where = "mounts[" + std::to_string(i) + "]";
    if (m.destination.empty() || m.destination[0] != '/') {
      return Error{where + ".destination", "must be absolute"};
    }
    runtime::MountSpec ms;
    ms.destination = Resolve(m.destination, "/");
    ms.type = m.type;
    ms.source = m.source;
    ms.options = m.options;
    // runc: a mount with bind/rbind in its options is a bind mount whatever
    // its type, and a relative bind source is relative to the bundle.
    if (HasOption(m.options, "bind") || HasOption(m.options, "rbind")) ms.type = "bind";
    if (ms.type == "bind") {
      if (m.source.empty()) return Error{where + ".source", "missing (required for a bind mount)"};
      ms.source = Resolve(m.source, bundle);
    }
    if (ms.type.empty()) return Error{where + ".type", "missing"};
    out.mounts.push_back(std::move(ms));
  }

  // Network: as runc, no network namespace in the config means the host's;
  // one without a path means a new one; one with a path is joined.
  out.network = "host";
  if (spec.linux_config) {
    out.masked_paths = spec.linux_config->masked_paths;
    out.readonly_paths = spec.linux_config->readonly_paths;
    for (const auto& ns : spec.linux_config->namespaces)
      if (ns.type == "network") out.network = ns.path.empty() ? "new" : ns.path;
    if (spec.linux_config->resources) out.limits = ToCgroupLimits(*spec.linux_config->resources);
    out.cgroup_path = CgroupPathFromConfig(spec.linux_config->cgroups_path);
    if (spec.linux_config->seccomp) {
      auto compiled = CompileSeccomp(*spec.linux_config->seccomp);
      if (!compiled) return compiled.error();
      out.app_seccomp_bpf = std::move(compiled->bpf);
      out.app_seccomp_flags = compiled->flags;
    }
  }
  ListIgnored(spec, ignored);
  return out;
}

}  // namespace litebox::oci
