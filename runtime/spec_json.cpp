#include "runtime/spec_json.hpp"

namespace litebox::runtime {
namespace {
// Binary fields (a BPF program) travel as lowercase hex in the JSON.
std::string HexOf(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}
std::string BytesOfHex(const std::string& hex) {
  auto val = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(val(hex[i]) << 4 | val(hex[i + 1])));
  return out;
}
}  // namespace

using nlohmann::json;

json ToJson(const ProcessSpec& p) {
  json rl = json::array();
  for (const Rlimit& r : p.rlimits)
    rl.push_back({{"resource", r.resource}, {"soft", r.soft}, {"hard", r.hard}});
  return {{"args", p.args},
          {"env", p.env},
          {"cwd", p.cwd},
          {"uid", p.uid},
          {"gid", p.gid},
          {"additional_gids", p.additional_gids},
          {"umask", p.umask},
          {"terminal", p.terminal},
          {"no_new_privileges", p.no_new_privileges},
          {"rlimits", rl},
          {"cap_effective", p.cap_effective},
          {"cap_permitted", p.cap_permitted},
          {"cap_inheritable", p.cap_inheritable},
          {"cap_bounding", p.cap_bounding},
          {"cap_ambient", p.cap_ambient}};
}

json ToJson(const SandboxSpec& s) {
  json mounts = json::array();
  for (const MountSpec& m : s.mounts)
    mounts.push_back({{"destination", m.destination},
                      {"type", m.type},
                      {"source", m.source},
                      {"options", m.options}});
  return {{"id", s.id},
          {"rootfs", s.rootfs},
          {"readonly_root", s.readonly_root},
          {"hostname", s.hostname},
          {"domainname", s.domainname},
          {"init", ToJson(s.init)},
          {"mounts", mounts},
          {"masked_paths", s.masked_paths},
          {"readonly_paths", s.readonly_paths},
          {"state_dir", s.state_dir},
          {"debug_log", s.debug_log},
          {"network", s.network},
          {"sweep_on_shutdown", s.sweep_on_shutdown},
          {"die_with_caller", s.die_with_caller},
          {"app_seccomp_bpf", HexOf(s.app_seccomp_bpf)},
          {"app_seccomp_flags", s.app_seccomp_flags},
          {"wait_for_start", s.wait_for_start},
          {"limits", ToJson(s.limits)},
          {"cgroup_path", s.cgroup_path}};
}

ProcessSpec ProcessSpecFromJson(const json& j) {
  ProcessSpec p;
  p.args = j.at("args").get<std::vector<std::string>>();
  p.env = j.at("env").get<std::vector<std::string>>();
  p.cwd = j.at("cwd").get<std::string>();
  p.uid = j.at("uid").get<uint32_t>();
  p.gid = j.at("gid").get<uint32_t>();
  p.additional_gids = j.at("additional_gids").get<std::vector<uint32_t>>();
  p.umask = j.at("umask").get<uint32_t>();
  p.terminal = j.at("terminal").get<bool>();
  p.no_new_privileges = j.at("no_new_privileges").get<bool>();
  for (const json& r : j.at("rlimits"))
    p.rlimits.push_back(
        {r.at("resource").get<int>(), r.at("soft").get<uint64_t>(), r.at("hard").get<uint64_t>()});
  p.cap_effective = j.at("cap_effective").get<uint64_t>();
  p.cap_permitted = j.at("cap_permitted").get<uint64_t>();
  p.cap_inheritable = j.at("cap_inheritable").get<uint64_t>();
  p.cap_bounding = j.at("cap_bounding").get<uint64_t>();
  p.cap_ambient = j.at("cap_ambient").get<uint64_t>();
  return p;
}

SandboxSpec SandboxSpecFromJson(const json& j) {
  SandboxSpec s;
  s.id = j.at("id").get<std::string>();
  s.rootfs = j.at("rootfs").get<std::string>();
  s.readonly_root = j.at("readonly_root").get<bool>();
  s.hostname = j.at("hostname").get<std::string>();
  s.domainname = j.at("domainname").get<std::string>();
  s.init = ProcessSpecFromJson(j.at("init"));
  for (const json& m : j.at("mounts"))
    s.mounts.push_back({m.at("destination").get<std::string>(), m.at("type").get<std::string>(),
                        m.at("source").get<std::string>(),
                        m.at("options").get<std::vector<std::string>>()});
  s.masked_paths = j.at("masked_paths").get<std::vector<std::string>>();
  s.readonly_paths = j.at("readonly_paths").get<std::vector<std::string>>();
  s.state_dir = j.at("state_dir").get<std::string>();
  s.debug_log = j.at("debug_log").get<std::string>();
  s.network = j.value("network", std::string("none"));
  s.sweep_on_shutdown = j.value("sweep_on_shutdown", false);
  s.die_with_caller = j.value("die_with_caller", false);
  s.wait_for_start = j.at("wait_for_start").get<bool>();
  s.app_seccomp_bpf = BytesOfHex(j.value("app_seccomp_bpf", std::string()));
  s.app_seccomp_flags = j.value("app_seccomp_flags", 0u);
  if (j.contains("limits")) s.limits = LimitsFromJson(j.at("limits"));
  s.cgroup_path = j.value("cgroup_path", std::string());
  return s;
}

}  // namespace litebox::runtime
