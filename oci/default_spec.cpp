// DefaultSpec: the config `runc spec` writes (values taken from its output,
// written out here), and the changes `runc spec --rootless` makes to it.
#include <unistd.h>

#include <algorithm>

#include "oci/spec.hpp"

namespace litebox::oci {
namespace {

Mount MakeMount(std::string destination, std::string type, std::string source,
                std::vector<std::string> options) {
  Mount m;
  m.destination = std::move(destination);
  m.type = std::move(type);
  m.source = std::move(source);
  m.options = std::move(options);
  return m;
}

Namespace MakeNamespace(const char* type) {
  Namespace n;
  n.type = type;
  return n;
}

IdMapping MakeMapping(uint32_t host_id) {
  IdMapping m;
  m.container_id = 0;
  m.host_id = host_id;
  m.size = 1;
  return m;
}

// runc's rootless conversion: no network namespace (it cannot be set up
// without privilege), a user namespace mapping root to the caller, no
// "gid=" on devpts (that group is not mapped), sysfs bind-mounted instead
// of mounted (sysfs needs a network namespace), and no cgroup device rules.
void MakeRootless(Spec* s) {
  Linux& l = *s->linux_config;
  l.namespaces.erase(std::remove_if(l.namespaces.begin(), l.namespaces.end(),
                                    [](const Namespace& n) { return n.type == "network"; }),
                     l.namespaces.end());
  l.namespaces.push_back(MakeNamespace("user"));
  l.uid_mappings = {MakeMapping(static_cast<uint32_t>(geteuid()))};
  l.gid_mappings = {MakeMapping(static_cast<uint32_t>(getegid()))};
  l.resources.reset();
  for (Mount& m : s->mounts) {
    if (m.type == "devpts") {
      std::erase_if(m.options, [](const std::string& o) {
        return o.rfind("gid=", 0) == 0 || o.rfind("uid=", 0) == 0;
      });
    }
    if (m.type == "sysfs") {
      m = MakeMount("/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"});
    }
  }
}

}  // namespace

Spec DefaultSpec(bool rootless) {
  Spec s;
  s.oci_version = kOciVersion;

  Process& p = s.process.emplace();
  p.terminal = true;
  p.args = {"sh"};
  p.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
  p.cwd = "/";
  const std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  Capabilities& c = p.capabilities.emplace();
  c.bounding = c.effective = c.permitted = c.ambient = caps;
  Rlimit nofile;
  nofile.type = "RLIMIT_NOFILE";
  nofile.soft = nofile.hard = 1024;
  p.rlimits = {nofile};
  p.no_new_privileges = true;

  Root& root = s.root.emplace();
  root.path = "rootfs";
  root.readonly = true;
  s.hostname = "litebox";

  s.mounts = {
      MakeMount("/proc", "proc", "proc", {}),
      MakeMount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      MakeMount("/dev/pts", "devpts", "devpts",
                {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      MakeMount("/dev/shm", "tmpfs", "shm",
                {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      MakeMount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      MakeMount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      MakeMount("/sys/fs/cgroup", "cgroup", "cgroup",
                {"nosuid", "noexec", "nodev", "relatime", "ro"}),
  };

  Linux& l = s.linux_config.emplace();
  Resources& res = l.resources.emplace();
  // Deny every device by default; kept raw like any untyped resource.
  res.raw = Json::parse(R"({"devices": [{"allow": false, "access": "rwm"}]})");
  for (const char* ns : {"pid", "network", "ipc", "uts", "mount"}) {
    l.namespaces.push_back(MakeNamespace(ns));
  }
  l.masked_paths = {"/proc/acpi",        "/proc/asound",        "/proc/kcore",
                    "/proc/keys",        "/proc/latency_stats", "/proc/timer_list",
                    "/proc/timer_stats", "/proc/sched_debug",   "/sys/firmware",
                    "/proc/scsi"};
  l.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};

  if (rootless) MakeRootless(&s);
  return s;
}

}  // namespace litebox::oci
