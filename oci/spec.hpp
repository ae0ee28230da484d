// Typed runtime-spec v1.1 config.json (Linux subset) with round-trip
// fidelity: fields this runtime does not know are kept, and so is whether a
// known field was written at all, so that parse -> serialize gives back the
// same document (the spec requires runtimes to tolerate unknown fields, and
// engines such as containerd read back what they wrote).
//
// Absence: fields that are pointers in the reference Go types are
// std::optional here; strings, lists, maps and booleans use their empty
// value for "absent" and the serializer omits them unless the source had
// them (see JsonExtras::present).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "oci/result.hpp"

namespace litebox::oci {

// Insertion-ordered, so unknown fields come back in the order they were read.
using Json = nlohmann::ordered_json;

// The runtime-spec version this library writes (DefaultSpec, state).
inline constexpr const char* kOciVersion = "1.1.0";

// JSON equality ignoring the order of object keys (which carries no
// meaning); `Json`'s own == compares insertion order too.
bool JsonEquivalent(const Json& a, const Json& b);

// What each JSON object carried besides the typed fields.
struct JsonExtras {
  Json unknown = Json::object();  // unknown keys, verbatim, in source order
  std::set<std::string> present;  // known keys the source had (not null)
  // Equality is about content: `present` only steers serialization (an
  // explicit false vs an absent field mean the same), so it is not compared.
  bool operator==(const JsonExtras& o) const { return JsonEquivalent(unknown, o.unknown); }
};

struct ConsoleSize {
  uint32_t height = 0, width = 0;
  JsonExtras extras;
  bool operator==(const ConsoleSize&) const = default;
};

struct User {
  uint32_t uid = 0, gid = 0;
  std::optional<uint32_t> umask;
  std::vector<uint32_t> additional_gids;  // "additionalGids"
  JsonExtras extras;
  bool operator==(const User&) const = default;
};

struct Capabilities {
  // Each a list of "CAP_*" names (validated on parse).
  std::vector<std::string> bounding, effective, inheritable, permitted, ambient;
  JsonExtras extras;
  bool operator==(const Capabilities&) const = default;
};

struct Rlimit {
  std::string type;  // "RLIMIT_NOFILE"
  uint64_t soft = 0, hard = 0;
  JsonExtras extras;
  bool operator==(const Rlimit&) const = default;
};

struct Process {
  bool terminal = false;
  std::optional<ConsoleSize> console_size;  // "consoleSize"
  User user;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd;
  std::optional<Capabilities> capabilities;
  std::vector<Rlimit> rlimits;
  bool no_new_privileges = false;        // "noNewPrivileges"
  std::optional<int32_t> oom_score_adj;  // "oomScoreAdj"
  std::string apparmor_profile;          // "apparmorProfile"
  std::string selinux_label;             // "selinuxLabel"
  JsonExtras extras;
  bool operator==(const Process&) const = default;
};

struct Root {
  std::string path;  // relative paths are relative to the bundle
  bool readonly = false;
  JsonExtras extras;
  bool operator==(const Root&) const = default;
};

struct Mount {
  std::string destination, type, source;
  std::vector<std::string> options;
  JsonExtras extras;
  bool operator==(const Mount&) const = default;
};

struct Hook {
  std::string path;
  std::vector<std::string> args, env;
  std::optional<int32_t> timeout;  // seconds, > 0
  JsonExtras extras;
  bool operator==(const Hook&) const = default;
};

struct Hooks {
  std::vector<Hook> prestart, create_runtime, create_container, start_container, poststart,
      poststop;
  JsonExtras extras;
  bool operator==(const Hooks&) const = default;
};

struct Namespace {
  std::string type;  // pid, network, mount, ipc, uts, user, cgroup, time
  std::string path;  // join this namespace instead of creating one
  JsonExtras extras;
  bool operator==(const Namespace&) const = default;
};

struct IdMapping {
  uint32_t container_id = 0, host_id = 0, size = 0;  // containerID, hostID, size
  JsonExtras extras;
  bool operator==(const IdMapping&) const = default;
};

struct MemoryResources {
  std::optional<int64_t> limit, reservation, swap;
  JsonExtras extras;
  bool operator==(const MemoryResources&) const = default;
};

struct CpuResources {
  std::optional<uint64_t> shares;
  std::optional<int64_t> quota;
  std::optional<uint64_t> period;
  std::string cpus, mems;
  JsonExtras extras;
  bool operator==(const CpuResources&) const = default;
};

struct PidsResources {
  int64_t limit = 0;
  JsonExtras extras;
  bool operator==(const PidsResources&) const = default;
};

struct Resources {
  // The simple parts, typed. On serialize these replace the same keys of
  // `raw`; every other key of `raw` (devices, blockIO, hugepageLimits,
  // network, rdma, unified, ...) is written back as it was read.
  std::optional<MemoryResources> memory;
  std::optional<CpuResources> cpu;
  std::optional<PidsResources> pids;
  Json raw = Json::object();  // the whole "resources" object as read
  // Typed parts, plus the keys of raw other than memory/cpu/pids.
  bool operator==(const Resources& o) const;
};

struct SeccompArg {
  uint32_t index = 0;
  uint64_t value = 0, value_two = 0;  // "value", "valueTwo"
  std::string op;                     // SCMP_CMP_*
  JsonExtras extras;
  bool operator==(const SeccompArg&) const = default;
};

struct SeccompSyscall {
  std::vector<std::string> names;
  std::string action;                 // SCMP_ACT_*
  std::optional<uint32_t> errno_ret;  // "errnoRet"
  std::vector<SeccompArg> args;
  JsonExtras extras;
  bool operator==(const SeccompSyscall&) const = default;
};

struct Seccomp {
  std::string default_action;                 // "defaultAction", SCMP_ACT_*
  std::optional<uint32_t> default_errno_ret;  // "defaultErrnoRet"
  std::vector<std::string> architectures;     // SCMP_ARCH_*
  std::vector<std::string> flags;             // SECCOMP_FILTER_FLAG_*
  std::vector<SeccompSyscall> syscalls;
  JsonExtras extras;
  bool operator==(const Seccomp&) const = default;
};

struct Device {
  std::string type;  // c, b, u, p
  std::string path;
  std::optional<int64_t> major, minor;
  std::optional<uint32_t> file_mode;  // "fileMode"
  std::optional<uint32_t> uid, gid;
  JsonExtras extras;
  bool operator==(const Device&) const = default;
};

struct Linux {
  std::vector<Namespace> namespaces;
  std::vector<IdMapping> uid_mappings, gid_mappings;  // "uidMappings", "gidMappings"
  std::optional<Resources> resources;
  std::string cgroups_path;  // "cgroupsPath"
  std::map<std::string, std::string> sysctl;
  std::optional<Seccomp> seccomp;
  std::vector<std::string> masked_paths, readonly_paths;  // "maskedPaths", "readonlyPaths"
  std::vector<Device> devices;
  std::string mount_label;         // "mountLabel"
  std::string rootfs_propagation;  // "rootfsPropagation"
  JsonExtras extras;
  bool operator==(const Linux&) const = default;
};

struct Spec {
  std::string oci_version;  // "ociVersion"
  std::optional<Process> process;
  std::optional<Root> root;
  std::string hostname, domainname;
  std::vector<Mount> mounts;
  std::optional<Hooks> hooks;
  std::map<std::string, std::string> annotations;
  // Not named `linux`: that is a predefined macro under GNU extensions.
  std::optional<Linux> linux_config;  // "linux"
  JsonExtras extras;
  bool operator==(const Spec&) const = default;
};

// Parses and validates a config.json document. Errors name the JSON path and
// the reason, e.g. "mounts[3].destination: must be absolute", or
// "config.json: not valid JSON: ..." for a syntax error.
Result<Spec> ParseSpec(const std::string& json_text);
// Same for a file; every error message is prefixed by the file's path
// ("/b/config.json: process.args: ...", "/b/config.json: not valid JSON: ...").
Result<Spec> ParseSpecFile(const std::string& path);
// A bare process object (`runc exec --process FILE`); errors are named as if
// the object were at "process" ("process.cwd: must be absolute").
Result<Process> ParseProcess(const std::string& json_text);
// A bare LinuxResources object (`runc update --resources FILE`, the shim's
// UpdateTaskRequest); errors are named as if it were at "resources".
Result<Resources> ParseResources(const std::string& json_text);

// Pretty JSON, 2-space indent, fields in runc's order, trailing newline.
// ParseSpec(SerializeSpec(s)) == s for every s that ParseSpec returned.
std::string SerializeSpec(const Spec& spec);
// The same as a JSON value (for callers that want to embed or diff it).
Json SpecToJson(const Spec& spec);

// What `runc spec` / `runc spec --rootless` write (ociVersion is kOciVersion
// and hostname is "litebox"; everything else is the same). The rootless
// id mappings map container root to the calling process's euid/egid.
Spec DefaultSpec(bool rootless);

}  // namespace litebox::oci
