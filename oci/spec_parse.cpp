// ParseSpec: config.json -> Spec, validating what runtime-spec v1.1 says a
// runtime MUST check (and what runc rejects) as each field is read, so the
// first error names the exact field.
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "oci/json_reader.hpp"
#include "oci/names.hpp"
#include "oci/spec.hpp"

namespace litebox::oci {
namespace {

using detail::ErrorSlot;
using detail::Fail;
using detail::IndexPath;
using detail::Need;
using detail::ObjectReader;

// Adapts `bool Parse(const Json&, const std::string&, T*, ErrorSlot*)` to
// the 3-argument callback ObjectReader::ObjectList/Object expect.
template <typename T>
auto Using(bool (*fn)(const Json&, const std::string&, T*, ErrorSlot*), ErrorSlot* err) {
  return [fn, err](const Json& v, const std::string& p, T* out) { return fn(v, p, out, err); };
}

bool IsAbsolute(const std::string& p) {
  return !p.empty() && p[0] == '/';
}

bool CheckAbsolute(const std::string& value, const std::string& path, ErrorSlot* err) {
  return IsAbsolute(value) || Fail(err, path, "must be absolute");
}

bool CheckAbsoluteList(const std::vector<std::string>& list, const std::string& path,
                       ErrorSlot* err) {
  for (size_t i = 0; i < list.size(); ++i) {
    if (!CheckAbsolute(list[i], IndexPath(path, i), err)) return false;
  }
  return true;
}

bool ParseConsoleSize(const Json& v, const std::string& path, ConsoleSize* out, ErrorSlot* err) {
  ObjectReader r(v, path, &out->extras, err);
  r.U32("height", &out->height, Need::kRequired) && r.U32("width", &out->width, Need::kRequired);
  return r.Finish();
}

bool ParseUser(const Json& v, const std::string& path, User* out, ErrorSlot* err) {
  ObjectReader r(v, path, &out->extras, err);
  r.U32("uid", &out->uid, Need::kRequired) && r.U32("gid", &out->gid, Need::kRequired) &&
      r.U32("umask", &out->umask) && r.U32List("additionalGids", &out->additional_gids);
  return r.Finish();
}

bool ParseCapabilities(const Json& v, const std::string& path, Capabilities* out, ErrorSlot* err) {
  ObjectReader r(v, path, &out->extras, err);
  struct Set {
    const char* key;
    std::vector<std::string>* list;
  };
  const Set sets[] = {{"bounding", &out->bounding},
                      {"effective", &out->effective},
                      {"inheritable", &out->inheritable},
                      {"permitted", &out->permitted},
                      {"ambient", &out->ambient}};
  for (const auto& s : sets) {
    if (!r.StringList(s.key, s.list)) return false;
    auto mask = CapabilityMask(*s.list, r.PathOf(s.key));
    if (!mask) return Fail(err, mask.error().path, mask.error().reason);
  }
  return r.Finish();
}

bool ParseRlimit(const Json& v, const std::string& path, Rlimit* out, ErrorSlot* err) {
  ObjectReader r(v, path, &out->extras, err);
  if (!r.String("type", &out->type, Need::kRequired)) return false;
  if (!RlimitNumber(out->type)) {
    return Fail(err, r.PathOf("type"), "unknown rlimit \"" + out->type + "\"");
  }
  if (!r.U64("soft", &out->soft, Need::kRequired) || !r.U64("hard", &out->hard, Need::kRequired)) {
    return false;
  }
  // setrlimit(2) fails with EINVAL; say so while the field can be named.
  if (out->soft > out->hard) return Fail(err, r.PathOf("soft"), "must not exceed hard");
  return r.Finish();
}

bool ParseProcessObject(const Json& v, const std::string& path, Process* out, ErrorSlot* err) {
  ObjectReader r(v, path, &out->extras, err);
  if (!r.Bool("terminal", &out->terminal) ||
      !r.Object("consoleSize", &out->console_size, Using(ParseConsoleSize, err)) ||
      !r.Object("user", &out->user, Using(ParseUser, err), Need::kRequired)) {
    return false;
  }

  const Json* args = r.Get("args");
  if (!r.ok()) return false;
  if (!args || !args->is_array() || args->empty()) {
    return Fail(err, r.PathOf("args"), "must be a non-empty array of strings");
  }
  if (!detail::ReadStringList(*args, r.PathOf("args"), &out->args, err)) return false;

  if (!r.StringList("env", &out->env)) return false;
  for (size_t i = 0; i < out->env.size(); ++i) {
    // runc refuses these too ("invalid environment variable").
    size_t eq = out->env[i].find('=');
    if (eq == std::string::npos || eq == 0) {
      return Fail(err, IndexPath(r.PathOf("env"), i),
                  "must have the form NAME=VALUE, got \"" + out->env[i] + "\"");
    }
  }

  if (!r.String("cwd", &out->cwd, Need::kRequired) ||
      !CheckAbsolute(out->cwd, r.PathOf("cwd"), err) ||
      !r.Object("capabilities", &out->capabilities, Using(ParseCapabilities, err)) ||
      !r.ObjectList("rlimits", &out->rlimits, Using(ParseRlimit, err))) {
    return false;
  }
  // runtime-spec: "If a type is duplicated, the runtime MUST generate an error."
  for (size_t i = 0; i < out->rlimits.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (out->rlimits[j].type == out->rlimits[i].type) {
        return Fail(err, IndexPath(r.PathOf("rlimits"), i) + ".type",
                    "duplicate rlimit \"" + out->rlimits[i].type + "\"");
      }
    }
  }

  if (!r.Bool("noNewPrivileges", &out->no_new_privileges) ||
      !r.I32("oomScoreAdj", &out->oom_score_adj)) {
    return false;
  }
  if (out->oom_score_adj && (*out->oom_score_adj < -1000 || *out->oom_score_adj > 1000)) {
    return Fail(err, r.PathOf("oomScoreAdj"), "must be between -1000 and 1000");
  }
  r.String("apparmorProfile", &out->apparmor_profile) &&
      r.String("selinuxLabel", &out->selinux_label);
  return r.Finish();
}

bool ParseRoot(const Json& v, const std::string& path, Root* out, ErrorSlot* err) {
  ObjectReader r(v, path, &out->extras, err);
  if (!r.String("path", &out->path, Need::kRequired)) return false;
  if (out->path.empty()) return Fail(err, r.PathOf("path"), "must not be empty");
  r.Bool("readonly", &out->readonly);
  return r.Finish();
}

bool ParseMount(const Json& v, const std::string& path, Mount* out, ErrorSlot* err) {
  ObjectReader r(v, path, &out->extras, err);
  r.String("destination", &out->destination, Need::kRequired) &&
      CheckAbsolute(out->destination, r.PathOf("destination"), err) &&
      r.String("type", &out->type) && r.String("source", &out->source) &&
      r.StringList("options", &out->options);
  return r.Finish();
}

bool ParseHook(const Json& v, const std::string& path, Hook* out, ErrorSlot* err) {
  ObjectReader r(v, path, &out->extras, err);
  if (!r.String("path", &out->path, Need::kRequired) ||
      !CheckAbsolute(out->path, r.PathOf("path"), err) || !r.StringList("args", &out->args) ||
      !r.StringList("env", &out->env) || !r.I32("timeout", &out->timeout)) {
    return false;
  }
  if (out->timeout && *out->timeout <= 0) {
    return Fail(err, r.PathOf("timeout"), "must be greater than zero");
  }
  return r.Finish();
}

bool ParseHooks(const Json& v, const std::string& path, Hooks* out, ErrorSlot* err) {
  ObjectReader r(v, path, &out->extras, err);
  auto hook = Using(ParseHook, err);
  r.ObjectList("prestart", &out->prestart, hook) &&
      r.ObjectList("createRuntime", &out->create_runtime, hook) &&
      r.ObjectList("createContainer", &out->create_container, hook) &&
      r.ObjectList("startContainer", &out->start_container, hook) &&
      r.ObjectList("poststart", &out->poststart, hook) &&
      r.ObjectList("poststop", &out->poststop, hook);
  return r.Finish();
}

bool ParseNamespace(const Json& v, const std::string& path, Namespace* out, ErrorSlot* err) {
  ObjectReader r(v, path, &out->extras, err);
  if (!r.String("type", &out->type, Need::kRequired)) return false;
  if (!IsNamespaceType(out->type)) {
    return Fail(err, r.PathOf("type"), "unknown namespace type \"" + out->type + "\"");
  }
  if (!r.String("path", &out->path)) return false;
  if (r.Get("path") && !CheckAbsolute(out->path, r.PathOf("path"), err)) return false;
  return r.Finish();
}

bool ParseIdMapping(const Json& v, const std::string& path, IdMapping* out, ErrorSlot* err) {
  ObjectReader r(v, path, &out->extras, err);
  r.U32("containerID", &out->container_id, Need::kRequired) &&
      r.U32("hostID", &out->host_id, Need::kRequired) && r.U32("size", &out->size, Need::kRequired);
  return r.Finish();
}

bool ParseMemory(const Json& v, const std::string& path, MemoryResources* out, ErrorSlot* err) {
  ObjectReader r(v, path, &out->extras, err);
  r.I64("limit", &out->limit) && r.I64("reservation", &out->reservation) &&
      r.I64("swap", &out->swap);
  return r.Finish();
}

bool ParseCpu(const Json& v, const std::string& path, CpuResources* out, ErrorSlot* err) {
  ObjectReader r(v, path, &out->extras, err);
  r.U64("shares", &out->shares) && r.I64("quota", &out->quota) && r.U64("period", &out->period) &&
      r.String("cpus", &out->cpus) && r.String("mems", &out->mems);
  return r.Finish();
}

bool ParsePids(const Json& v, const std::string& path, PidsResources* out, ErrorSlot* err) {
  ObjectReader r(v, path, &out->extras, err);
  r.I64("limit", &out->limit, Need::kRequired);
  return r.Finish();
}

bool ParseResourcesObject(const Json& v, const std::string& path, Resources* out, ErrorSlot* err) {
  // The typed parts are read through a reader whose extras are thrown away:
  // `raw` already keeps every key.
  JsonExtras scratch;
  ObjectReader r(v, path, &scratch, err);
  if (!r.Object("memory", &out->memory, Using(ParseMemory, err)) ||
      !r.Object("cpu", &out->cpu, Using(ParseCpu, err)) ||
      !r.Object("pids", &out->pids, Using(ParsePids, err))) {
    return false;
  }
  out->raw = v;
  return r.ok();
}

bool ParseSeccompArg(const Json& v, const std::string& path, SeccompArg* out, ErrorSlot* err) {
  ObjectReader r(v, path, &out->extras, err);
  if (!r.U32("index", &out->index, Need::kRequired)) return false;
  if (out->index > 5) return Fail(err, r.PathOf("index"), "must be between 0 and 5");
  if (!r.U64("value", &out->value, Need::kRequired) || !r.U64("valueTwo", &out->value_two) ||
      !r.String("op", &out->op, Need::kRequired)) {
    return false;
  }
  if (!IsSeccompOperator(out->op)) {
    return Fail(err, r.PathOf("op"), "unknown seccomp operator \"" + out->op + "\"");
  }
  return r.Finish();
}

bool ParseSeccompSyscall(const Json& v, const std::string& path, SeccompSyscall* out,
                         ErrorSlot* err) {
  ObjectReader r(v, path, &out->extras, err);
  const Json* names = r.Get("names");
  if (!r.ok()) return false;
  if (!names || !names->is_array() || names->empty()) {
    return Fail(err, r.PathOf("names"), "must be a non-empty array of strings");
  }
  if (!detail::ReadStringList(*names, r.PathOf("names"), &out->names, err) ||
      !r.String("action", &out->action, Need::kRequired)) {
    return false;
  }
  if (!IsSeccompAction(out->action)) {
    return Fail(err, r.PathOf("action"), "unknown seccomp action \"" + out->action + "\"");
  }
  r.U32("errnoRet", &out->errno_ret) &&
      r.ObjectList("args", &out->args, Using(ParseSeccompArg, err));
  return r.Finish();
}

bool ParseSeccomp(const Json& v, const std::string& path, Seccomp* out, ErrorSlot* err) {
  ObjectReader r(v, path, &out->extras, err);
  if (!r.String("defaultAction", &out->default_action, Need::kRequired)) return false;
  if (!IsSeccompAction(out->default_action)) {
    return Fail(err, r.PathOf("defaultAction"),
                "unknown seccomp action \"" + out->default_action + "\"");
  }
  if (!r.U32("defaultErrnoRet", &out->default_errno_ret) ||
      !r.StringList("architectures", &out->architectures) || !r.StringList("flags", &out->flags)) {
    return false;
  }
  for (size_t i = 0; i < out->architectures.size(); ++i) {
    if (!IsSeccompArch(out->architectures[i])) {
      return Fail(err, IndexPath(r.PathOf("architectures"), i),
                  "unknown seccomp architecture \"" + out->architectures[i] + "\"");
    }
  }
  for (size_t i = 0; i < out->flags.size(); ++i) {
    if (!IsSeccompFlag(out->flags[i])) {
      return Fail(err, IndexPath(r.PathOf("flags"), i),
                  "unknown seccomp flag \"" + out->flags[i] + "\"");
    }
  }
  r.ObjectList("syscalls", &out->syscalls, Using(ParseSeccompSyscall, err));
  return r.Finish();
}

bool ParseDevice(const Json& v, const std::string& path, Device* out, ErrorSlot* err) {
  ObjectReader r(v, path, &out->extras, err);
  if (!r.String("type", &out->type, Need::kRequired)) return false;
  if (out->type != "c" && out->type != "b" && out->type != "u" && out->type != "p") {
    return Fail(err, r.PathOf("type"),
                "unknown device type \"" + out->type + "\" (expected c, b, u or p)");
  }
  if (!r.String("path", &out->path, Need::kRequired) ||
      !CheckAbsolute(out->path, r.PathOf("path"), err) || !r.I64("major", &out->major) ||
      !r.I64("minor", &out->minor)) {
    return false;
  }
  // Character and block devices need numbers; FIFOs do not.
  if (out->type != "p") {
    if (!out->major)
      return Fail(err, r.PathOf("major"), "missing (required for type \"" + out->type + "\")");
    if (!out->minor)
      return Fail(err, r.PathOf("minor"), "missing (required for type \"" + out->type + "\")");
  }
  r.U32("fileMode", &out->file_mode) && r.U32("uid", &out->uid) && r.U32("gid", &out->gid);
  return r.Finish();
}

bool ParseLinux(const Json& v, const std::string& path, Linux* out, ErrorSlot* err) {
  ObjectReader r(v, path, &out->extras, err);
  if (!r.ObjectList("namespaces", &out->namespaces, Using(ParseNamespace, err))) return false;
  for (size_t i = 0; i < out->namespaces.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (out->namespaces[j].type == out->namespaces[i].type) {
        return Fail(err, IndexPath(r.PathOf("namespaces"), i) + ".type",
                    "duplicate namespace type \"" + out->namespaces[i].type + "\"");
      }
    }
  }
  if (!r.ObjectList("uidMappings", &out->uid_mappings, Using(ParseIdMapping, err)) ||
      !r.ObjectList("gidMappings", &out->gid_mappings, Using(ParseIdMapping, err)) ||
      !r.Object("resources", &out->resources, Using(ParseResourcesObject, err)) ||
      !r.String("cgroupsPath", &out->cgroups_path) || !r.StringMap("sysctl", &out->sysctl) ||
      !r.Object("seccomp", &out->seccomp, Using(ParseSeccomp, err)) ||
      !r.StringList("maskedPaths", &out->masked_paths) ||
      !CheckAbsoluteList(out->masked_paths, r.PathOf("maskedPaths"), err) ||
      !r.StringList("readonlyPaths", &out->readonly_paths) ||
      !CheckAbsoluteList(out->readonly_paths, r.PathOf("readonlyPaths"), err) ||
      !r.ObjectList("devices", &out->devices, Using(ParseDevice, err)) ||
      !r.String("mountLabel", &out->mount_label) ||
      !r.String("rootfsPropagation", &out->rootfs_propagation)) {
    return false;
  }
  static const char* const kPropagation[] = {"private",  "shared",  "slave",  "unbindable",
                                             "rprivate", "rshared", "rslave", "runbindable"};
  if (!out->rootfs_propagation.empty()) {
    bool known = false;
    for (const char* p : kPropagation) known = known || out->rootfs_propagation == p;
    if (!known) {
      return Fail(err, r.PathOf("rootfsPropagation"),
                  "unknown propagation \"" + out->rootfs_propagation + "\"");
    }
  }
  return r.Finish();
}

// SemVer 2.0.0 (runtime-spec: "ociVersion MUST be in SemVer v2.0.0
// format"): MAJOR.MINOR.PATCH, numbers without leading zeros, then optional
// -prerelease and +build of dot-separated [0-9A-Za-z-] identifiers.
bool IsSemver(std::string_view v, std::string_view* major) {
  auto number = [&v](std::string_view* out) {
    size_t n = 0;
    while (n < v.size() && v[n] >= '0' && v[n] <= '9') ++n;
    if (n == 0 || (n > 1 && v[0] == '0')) return false;
    *out = v.substr(0, n);
    v.remove_prefix(n);
    return true;
  };
  auto identifiers = [&v]() {
    // One or more non-empty identifiers separated by dots.
    for (;;) {
      size_t n = 0;
      while (n < v.size() && (std::isalnum(static_cast<unsigned char>(v[n])) || v[n] == '-')) ++n;
      if (n == 0) return false;
      v.remove_prefix(n);
      if (v.empty() || v[0] != '.') return true;
      v.remove_prefix(1);
    }
  };
  std::string_view minor, patch;
  if (!number(major) || v.empty() || v[0] != '.') return false;
  v.remove_prefix(1);
  if (!number(&minor) || v.empty() || v[0] != '.') return false;
  v.remove_prefix(1);
  if (!number(&patch)) return false;
  if (!v.empty() && v[0] == '-') {
    v.remove_prefix(1);
    if (!identifiers()) return false;
  }
  if (!v.empty() && v[0] == '+') {
    v.remove_prefix(1);
    if (!identifiers()) return false;
  }
  return v.empty();
}

bool CheckOciVersion(const std::string& version, ErrorSlot* err) {
  std::string_view major;
  if (!IsSemver(version, &major)) {
    return Fail(err, "ociVersion", "\"" + version + "\" is not a SemVer version");
  }
  if (major != "1") {
    return Fail(err, "ociVersion",
                "unsupported version \"" + version + "\" (this runtime implements 1.x)");
  }
  return true;
}

bool ParseSpecObject(const Json& v, Spec* out, ErrorSlot* err) {
  ObjectReader r(v, "", &out->extras, err);
  if (!r.String("ociVersion", &out->oci_version, Need::kRequired) ||
      !CheckOciVersion(out->oci_version, err) ||
      !r.Object("process", &out->process, Using(ParseProcessObject, err)) ||
      // runtime-spec: root is REQUIRED on every platform but Windows.
      !r.Object("root", &out->root, Using(ParseRoot, err), Need::kRequired) ||
      !r.String("hostname", &out->hostname) || !r.String("domainname", &out->domainname) ||
      !r.ObjectList("mounts", &out->mounts, Using(ParseMount, err)) ||
      !r.Object("hooks", &out->hooks, Using(ParseHooks, err)) ||
      !r.StringMap("annotations", &out->annotations) ||
      !r.Object("linux", &out->linux_config, Using(ParseLinux, err))) {
    return false;
  }
  return r.Finish();
}

// Parses JSON text; the error names `doc` ("config.json: not valid JSON: ...").
std::optional<Json> ParseJsonText(const std::string& text, const std::string& doc, ErrorSlot* err) {
  try {
    Json v = Json::parse(text);
    if (!v.is_object()) {
      Fail(err, doc, "must be a JSON object");
      return std::nullopt;
    }
    return v;
  } catch (const Json::parse_error& e) {
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix; keep
    // "parse error at line L, column C: ...".
    std::string what = e.what();
    if (auto close = what.find("] ");
        what.rfind("[json.exception", 0) == 0 && close != std::string::npos) {
      what = what.substr(close + 2);
    }
    Fail(err, doc, "not valid JSON: " + what);
    return std::nullopt;
  }
}

template <typename T, typename F>
Result<T> Guarded(const std::string& doc, F body) {
  // No exception may escape the API; nlohmann only throws on misuse or
  // allocation failure, which still becomes an Error naming the document.
  try {
    return body();
  } catch (const std::exception& e) {
    return Error{doc, std::string("internal error: ") + e.what()};
  }
}

Result<Spec> ParseSpecNamed(const std::string& text, const std::string& doc) {
  return Guarded<Spec>(doc, [&]() -> Result<Spec> {
    ErrorSlot err;
    auto v = ParseJsonText(text, doc, &err);
    if (!v) return *err;
    Spec spec;
    if (!ParseSpecObject(*v, &spec, &err)) return *err;
    return spec;
  });
}

}  // namespace

Result<Spec> ParseSpec(const std::string& json_text) {
  return ParseSpecNamed(json_text, "config.json");
}

Result<Spec> ParseSpecFile(const std::string& path) {
  // POSIX I/O rather than ifstream: an ifstream "opens" a directory and
  // then reads nothing, which would surface as a baffling JSON error.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{path, std::string("cannot open: ") + std::strerror(errno)};
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      close(fd);
      return Error{path, std::string("cannot read: ") + std::strerror(e)};
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  auto spec = ParseSpecNamed(text, path);
  if (spec) return spec;
  const Error& e = spec.error();
  if (e.path == path) return e;  // already names the file (syntax error)
  return Error{path + ": " + e.path, e.reason};
}

Result<Process> ParseProcess(const std::string& json_text) {
  return Guarded<Process>("process.json", [&]() -> Result<Process> {
    ErrorSlot err;
    auto v = ParseJsonText(json_text, "process.json", &err);
    if (!v) return *err;
    Process p;
    if (!ParseProcessObject(*v, "process", &p, &err)) return *err;
    return p;
  });
}

Result<Resources> ParseResources(const std::string& json_text) {
  return Guarded<Resources>("resources.json", [&]() -> Result<Resources> {
    ErrorSlot err;
    auto v = ParseJsonText(json_text, "resources.json", &err);
    if (!v) return *err;
    Resources r;
    if (!ParseResourcesObject(*v, "resources", &r, &err)) return *err;
    return r;
  });
}

}  // namespace litebox::oci
