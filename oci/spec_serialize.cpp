// SerializeSpec: Spec -> config.json, fields in the order of the reference
// Go types (the order runc writes), so diffs against runc output stay small.
#include "oci/json_writer.hpp"
#include "oci/spec.hpp"

namespace litebox::oci {
namespace detail {

std::string DumpPretty(const Json& v) {
  return v.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace detail

namespace {

using detail::ObjectWriter;

Json ToJson(const ConsoleSize& c) {
  ObjectWriter w(c.extras);
  w.Always("height", c.height);
  w.Always("width", c.width);
  return w.Done();
}

Json ToJson(const User& u) {
  ObjectWriter w(u.extras);
  w.Always("uid", u.uid);
  w.Always("gid", u.gid);
  w.Optional("umask", u.umask);
  w.List("additionalGids", u.additional_gids);
  return w.Done();
}

Json ToJson(const Capabilities& c) {
  ObjectWriter w(c.extras);
  w.List("bounding", c.bounding);
  w.List("effective", c.effective);
  w.List("inheritable", c.inheritable);
  w.List("permitted", c.permitted);
  w.List("ambient", c.ambient);
  return w.Done();
}

Json ToJson(const Rlimit& r) {
  ObjectWriter w(r.extras);
  w.Always("type", r.type);
  w.Always("hard", r.hard);
  w.Always("soft", r.soft);
  return w.Done();
}

Json ToJson(const Process& p) {
  ObjectWriter w(p.extras);
  w.Bool("terminal", p.terminal);
  w.Optional("consoleSize", p.console_size, [](const auto& c) { return ToJson(c); });
  w.Always("user", ToJson(p.user));
  w.List("args", p.args);
  w.List("env", p.env);
  w.Always("cwd", p.cwd);
  w.Optional("capabilities", p.capabilities, [](const auto& c) { return ToJson(c); });
  w.List("rlimits", p.rlimits, [](const auto& r) { return ToJson(r); });
  w.Bool("noNewPrivileges", p.no_new_privileges);
  w.String("apparmorProfile", p.apparmor_profile);
  w.Optional("oomScoreAdj", p.oom_score_adj);
  w.String("selinuxLabel", p.selinux_label);
  return w.Done();
}

Json ToJson(const Root& r) {
  ObjectWriter w(r.extras);
  w.Always("path", r.path);
  w.Bool("readonly", r.readonly);
  return w.Done();
}

Json ToJson(const Mount& m) {
  ObjectWriter w(m.extras);
  w.Always("destination", m.destination);
  w.String("type", m.type);
  w.String("source", m.source);
  w.List("options", m.options);
  return w.Done();
}

Json ToJson(const Hook& h) {
  ObjectWriter w(h.extras);
  w.Always("path", h.path);
  w.List("args", h.args);
  w.List("env", h.env);
  w.Optional("timeout", h.timeout);
  return w.Done();
}

Json ToJson(const Hooks& h) {
  ObjectWriter w(h.extras);
  auto hook = [](const Hook& x) { return ToJson(x); };
  w.List("prestart", h.prestart, hook);
  w.List("createRuntime", h.create_runtime, hook);
  w.List("createContainer", h.create_container, hook);
  w.List("startContainer", h.start_container, hook);
  w.List("poststart", h.poststart, hook);
  w.List("poststop", h.poststop, hook);
  return w.Done();
}

Json ToJson(const Namespace& n) {
  ObjectWriter w(n.extras);
  w.Always("type", n.type);
  w.String("path", n.path);
  return w.Done();
}

Json ToJson(const IdMapping& m) {
  ObjectWriter w(m.extras);
  w.Always("containerID", m.container_id);
  w.Always("hostID", m.host_id);
  w.Always("size", m.size);
  return w.Done();
}

Json ToJson(const MemoryResources& m) {
  ObjectWriter w(m.extras);
  w.Optional("limit", m.limit);
  w.Optional("reservation", m.reservation);
  w.Optional("swap", m.swap);
  return w.Done();
}

Json ToJson(const CpuResources& c) {
  ObjectWriter w(c.extras);
  w.Optional("shares", c.shares);
  w.Optional("quota", c.quota);
  w.Optional("period", c.period);
  w.String("cpus", c.cpus);
  w.String("mems", c.mems);
  return w.Done();
}

Json ToJson(const PidsResources& p) {
  ObjectWriter w(p.extras);
  w.Always("limit", p.limit);
  return w.Done();
}

// raw carries every key; the typed parts overwrite theirs in place (an
// ordered_json assignment keeps the key's position) or are removed.
Json ToJson(const Resources& r) {
  Json out = r.raw.is_object() ? r.raw : Json::object();
  auto put = [&out](const char* key, const auto& typed) {
    if (typed) {
      out[key] = ToJson(*typed);
    } else {
      out.erase(key);
    }
  };
  put("memory", r.memory);
  put("cpu", r.cpu);
  put("pids", r.pids);
  return out;
}

Json ToJson(const SeccompArg& a) {
  ObjectWriter w(a.extras);
  w.Always("index", a.index);
  w.Always("value", a.value);
  w.Put("valueTwo", a.value_two, a.value_two == 0);
  w.Always("op", a.op);
  return w.Done();
}

Json ToJson(const SeccompSyscall& s) {
  ObjectWriter w(s.extras);
  w.Always("names", s.names);
  w.Always("action", s.action);
  w.Optional("errnoRet", s.errno_ret);
  w.List("args", s.args, [](const SeccompArg& a) { return ToJson(a); });
  return w.Done();
}

Json ToJson(const Seccomp& s) {
  ObjectWriter w(s.extras);
  w.Always("defaultAction", s.default_action);
  w.Optional("defaultErrnoRet", s.default_errno_ret);
  w.List("architectures", s.architectures);
  w.List("flags", s.flags);
  w.List("syscalls", s.syscalls, [](const SeccompSyscall& x) { return ToJson(x); });
  return w.Done();
}

Json ToJson(const Device& d) {
  ObjectWriter w(d.extras);
  w.Always("type", d.type);
  w.Always("path", d.path);
  w.Optional("major", d.major);
  w.Optional("minor", d.minor);
  w.Optional("fileMode", d.file_mode);
  w.Optional("uid", d.uid);
  w.Optional("gid", d.gid);
  return w.Done();
}

Json ToJson(const Linux& l) {
  ObjectWriter w(l.extras);
  auto mapping = [](const IdMapping& m) { return ToJson(m); };
  w.List("uidMappings", l.uid_mappings, mapping);
  w.List("gidMappings", l.gid_mappings, mapping);
  w.Map("sysctl", l.sysctl);
  w.Optional("resources", l.resources, [](const auto& r) { return ToJson(r); });
  w.String("cgroupsPath", l.cgroups_path);
  w.List("namespaces", l.namespaces, [](const Namespace& n) { return ToJson(n); });
  w.List("devices", l.devices, [](const Device& d) { return ToJson(d); });
  w.Optional("seccomp", l.seccomp, [](const auto& s) { return ToJson(s); });
  w.String("rootfsPropagation", l.rootfs_propagation);
  w.List("maskedPaths", l.masked_paths);
  w.List("readonlyPaths", l.readonly_paths);
  w.String("mountLabel", l.mount_label);
  return w.Done();
}

}  // namespace

Json SpecToJson(const Spec& s) {
  ObjectWriter w(s.extras);
  w.Always("ociVersion", s.oci_version);
  w.Optional("process", s.process, [](const auto& p) { return ToJson(p); });
  w.Optional("root", s.root, [](const auto& r) { return ToJson(r); });
  w.String("hostname", s.hostname);
  w.String("domainname", s.domainname);
  w.List("mounts", s.mounts, [](const Mount& m) { return ToJson(m); });
  w.Optional("hooks", s.hooks, [](const auto& h) { return ToJson(h); });
  w.Map("annotations", s.annotations);
  w.Optional("linux", s.linux_config, [](const auto& l) { return ToJson(l); });
  return w.Done();
}

std::string SerializeSpec(const Spec& spec) {
  return detail::DumpPretty(SpecToJson(spec));
}

}  // namespace litebox::oci
