#include "runtime/cgroup.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace litebox::runtime {
namespace {

constexpr char kRoot[] = "/sys/fs/cgroup";
// v1 controllers a sandbox cgroup lives in: the three that limit and
// cpuacct for CPU time (mounted with cpu on most hosts, apart on some).
constexpr const char* kV1Controllers[] = {"memory", "cpu", "cpuacct", "pids"};

bool IsV2() {
  struct statfs fs;
  return statfs(kRoot, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

bool HierarchyMounted() {
  struct statfs fs;
  return statfs(kRoot, &fs) == 0 && (fs.f_type == CGROUP2_SUPER_MAGIC || fs.f_type == TMPFS_MAGIC);
}

bool IsDir(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool Exists(const std::string& p) {
  return access(p.c_str(), F_OK) == 0;
}

// v1: the controller's hierarchy root, "" if it is not mounted.
std::string V1Root(const char* controller) {
  std::string r = std::string(kRoot) + "/" + controller;
  return IsDir(r) ? r : "";
}

bool V2HasController(const char* controller) {
  std::ifstream in(std::string(kRoot) + "/cgroup.controllers");
  std::string c;
  while (in >> c)
    if (c == controller) return true;
  return false;
}

bool ControllerAvailable(const char* controller) {
  return IsV2() ? V2HasController(controller) : !V1Root(controller).empty();
}

bool WriteFile(const std::string& file, const std::string& value, std::string* err) {
  int fd = open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, value.data(), value.size()) != ssize_t(value.size())) {
    int e = errno;
    if (fd >= 0) close(fd);
    errno = e;
    if (err) *err = "cgroup: write \"" + value + "\" to " + file + ": " + strerror(e);
    return false;
  }
  close(fd);
  return true;
}

std::string ReadFile(const std::string& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

uint64_t ReadU64(const std::string& file) {
  std::string s = ReadFile(file);
  if (s.empty() || s.rfind("max", 0) == 0) return 0;
  return std::strtoull(s.c_str(), nullptr, 10);
}

// "key value" lines (memory.stat, cpuacct.stat, cpu.stat, memory.events).
uint64_t KeyedValue(const std::string& file, const std::string& key) {
  std::istringstream in(ReadFile(file));
  std::string k;
  uint64_t v;
  while (in >> k >> v)
    if (k == key) return v;
  return 0;
}

std::string Rel(const std::string& path) {
  size_t i = path.find_first_not_of('/');
  return i == std::string::npos ? "" : path.substr(i);
}

// Each directory of the cgroup: one per v1 controller, or the v2 one.
std::vector<std::string> Dirs(const std::string& path) {
  std::vector<std::string> out;
  if (IsV2()) {
    out.push_back(std::string(kRoot) + "/" + Rel(path));
    return out;
  }
  for (const char* c : kV1Controllers) {
    std::string r = V1Root(c);
    if (r.empty()) continue;
    std::string d = r + "/" + Rel(path);
    // cpu and cpuacct may be one hierarchy reached by two names.
    bool dup = false;
    for (const std::string& o : out) {
      char a[4096], b[4096];
      if (realpath(o.c_str(), a) && realpath(d.c_str(), b) && strcmp(a, b) == 0) dup = true;
    }
    if (!dup) out.push_back(d);
  }
  return out;
}

bool MakeDirs(const std::string& dir, std::string* err) {
  std::string cur;
  std::istringstream parts(dir);
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (part.empty()) continue;
    cur += "/" + part;
    if (mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) {
      *err = "cgroup: mkdir " + cur + ": " + strerror(errno);
      return false;
    }
  }
  return true;
}

std::string Num(int64_t v) {
  return std::to_string(v);
}

}  // namespace

nlohmann::json ToJson(const CgroupLimits& l) {
  nlohmann::json j = nlohmann::json::object();
  if (l.memory) j["memory"] = *l.memory;
  if (l.memory_swap) j["memory_swap"] = *l.memory_swap;
  if (l.cpu_shares) j["cpu_shares"] = *l.cpu_shares;
  if (l.cpu_quota) j["cpu_quota"] = *l.cpu_quota;
  if (l.cpu_period) j["cpu_period"] = *l.cpu_period;
  if (l.pids) j["pids"] = *l.pids;
  return j;
}

CgroupLimits LimitsFromJson(const nlohmann::json& j) {
  CgroupLimits l;
  if (j.contains("memory")) l.memory = j.at("memory").get<int64_t>();
  if (j.contains("memory_swap")) l.memory_swap = j.at("memory_swap").get<int64_t>();
  if (j.contains("cpu_shares")) l.cpu_shares = j.at("cpu_shares").get<uint64_t>();
  if (j.contains("cpu_quota")) l.cpu_quota = j.at("cpu_quota").get<int64_t>();
  if (j.contains("cpu_period")) l.cpu_period = j.at("cpu_period").get<uint64_t>();
  if (j.contains("pids")) l.pids = j.at("pids").get<int64_t>();
  return l;
}

// Each counter's name in the control protocol.
constexpr std::pair<const char*, uint64_t CgroupStats::*> kStatFields[] = {
    {"memory_usage", &CgroupStats::memory_usage},
    {"memory_max_usage", &CgroupStats::memory_max_usage},
    {"memory_limit", &CgroupStats::memory_limit},
    {"memory_failcnt", &CgroupStats::memory_failcnt},
    {"memory_rss", &CgroupStats::memory_rss},
    {"memory_cache", &CgroupStats::memory_cache},
    {"oom_kills", &CgroupStats::oom_kills},
    {"cpu_usage_ns", &CgroupStats::cpu_usage_ns},
    {"cpu_user_ns", &CgroupStats::cpu_user_ns},
    {"cpu_system_ns", &CgroupStats::cpu_system_ns},
    {"pids_current", &CgroupStats::pids_current},
    {"pids_limit", &CgroupStats::pids_limit}};

nlohmann::json ToJson(const CgroupStats& s) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, field] : kStatFields) j[name] = s.*field;
  return j;
}

CgroupStats StatsOfProcesses(const std::vector<pid_t>& pids) {
  CgroupStats s;
  uint64_t ns_per_tick = 1'000'000'000ull / uint64_t(sysconf(_SC_CLK_TCK));
  uint64_t page = uint64_t(sysconf(_SC_PAGESIZE));
  for (pid_t pid : pids) {
    std::string st = ReadFile("/proc/" + std::to_string(pid) + "/stat");
    size_t close_paren = st.rfind(')');
    if (close_paren == std::string::npos) continue;
    // Fields after "pid (comm)": state is field 3; utime 14, stime 15, rss 24.
    std::istringstream in(st.substr(close_paren + 2));
    std::vector<std::string> f;
    std::string w;
    while (in >> w) f.push_back(w);
    if (f.size() < 22) continue;
    uint64_t utime = std::strtoull(f[11].c_str(), nullptr, 10);
    uint64_t stime = std::strtoull(f[12].c_str(), nullptr, 10);
    uint64_t rss = std::strtoull(f[21].c_str(), nullptr, 10);
    s.cpu_user_ns += utime * ns_per_tick;
    s.cpu_system_ns += stime * ns_per_tick;
    s.memory_rss += rss * page;
    ++s.pids_current;
  }
  s.cpu_usage_ns = s.cpu_user_ns + s.cpu_system_ns;
  s.memory_usage = s.memory_rss;
  return s;
}

CgroupStats StatsFromJson(const nlohmann::json& j) {
  CgroupStats s;
  for (const auto& [name, field] : kStatFields)
    if (j.contains(name)) s.*field = j.at(name).get<uint64_t>();
  return s;
}

std::string Cgroup::Unusable(const CgroupLimits& l) {
  if (l.empty()) return "";
  if (geteuid() != 0) return "cgroup limits need root (running as uid " + Num(geteuid()) + ")";
  if (!HierarchyMounted()) return std::string("no cgroup hierarchy is mounted at ") + kRoot;
  if ((l.memory || l.memory_swap) && !ControllerAvailable("memory"))
    return "the memory cgroup controller is not available";
  if (l.memory_swap && !IsV2() && !Exists(V1Root("memory") + "/memory.memsw.limit_in_bytes"))
    return "swap accounting is off (no memory.memsw.limit_in_bytes)";
  if ((l.cpu_shares || l.cpu_quota || l.cpu_period) && !ControllerAvailable("cpu"))
    return "the cpu cgroup controller is not available";
  if (l.pids && !ControllerAvailable("pids")) return "the pids cgroup controller is not available";
  return "";
}

std::vector<std::string> Cgroup::DropUnenforceable(CgroupLimits* l) {
  std::vector<std::string> warnings;
  auto check = [&](auto& field, CgroupLimits only, const char* what) {
    if (!field) return;
    std::string why = Unusable(only);
    if (why.empty()) return;
    warnings.push_back(std::string(what) + " is not enforced: " + why);
    field.reset();
  };
  CgroupLimits m, s, c, p;
  m.memory = l->memory;
  s.memory_swap = l->memory_swap;
  c.cpu_shares = l->cpu_shares;
  c.cpu_quota = l->cpu_quota;
  c.cpu_period = l->cpu_period;
  p.pids = l->pids;
  check(l->memory, m, "linux.resources.memory.limit");
  check(l->memory_swap, s, "linux.resources.memory.swap");
  check(l->cpu_shares, c, "linux.resources.cpu.shares");
  check(l->cpu_quota, c, "linux.resources.cpu.quota");
  check(l->cpu_period, c, "linux.resources.cpu.period");
  check(l->pids, p, "linux.resources.pids.limit");
  return warnings;
}

std::optional<Cgroup> Cgroup::Create(const std::string& path, std::string* err) {
  if (Rel(path).empty() || path.find("..") != std::string::npos) {
    *err = "cgroup: invalid path \"" + path + "\"";
    return std::nullopt;
  }
  if (!HierarchyMounted()) {
    *err = std::string("cgroup: no cgroup hierarchy is mounted at ") + kRoot;
    return std::nullopt;
  }
  if (IsV2()) {
    // Each ancestor must delegate the controllers to its children.
    std::string cur = kRoot;
    std::istringstream parts(Rel(path));
    std::string part;
    while (std::getline(parts, part, '/')) {
      if (part.empty()) continue;
      for (const char* c : {"+memory", "+cpu", "+pids"})
        WriteFile(cur + "/cgroup.subtree_control", c, nullptr);  // absent ones fail: fine
      cur += "/" + part;
      if (mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) {
        *err = "cgroup: mkdir " + cur + ": " + strerror(errno);
        return std::nullopt;
      }
    }
    return Cgroup(path);
  }
  for (const std::string& d : Dirs(path))
    if (!MakeDirs(d, err)) return std::nullopt;
  return Cgroup(path);
}

Cgroup Cgroup::Open(const std::string& path) {
  return Cgroup(path);
}

bool Cgroup::Apply(const CgroupLimits& l, std::string* err) const {
  if (IsV2()) {
    std::string d = std::string(kRoot) + "/" + Rel(path_);
    auto max = [](int64_t v) { return v < 0 ? std::string("max") : Num(v); };
    if (l.memory && !WriteFile(d + "/memory.max", max(*l.memory), err)) return false;
    if (l.memory_swap) {
      // v2 limits swap alone; OCI's swap is memory + swap.
      std::string v = *l.memory_swap < 0 ? "max"
                      : l.memory && *l.memory >= 0
                          ? Num(std::max<int64_t>(0, *l.memory_swap - *l.memory))
                          : "max";
      if (!WriteFile(d + "/memory.swap.max", v, err)) return false;
    }
    if (l.cpu_shares) {
      uint64_t s = std::max<uint64_t>(2, std::min<uint64_t>(*l.cpu_shares, 262144));
      uint64_t weight = 1 + ((s - 2) * 9999) / 262142;
      if (!WriteFile(d + "/cpu.weight", Num(int64_t(weight)), err)) return false;
    }
    if (l.cpu_quota || l.cpu_period) {
      std::string q = l.cpu_quota ? max(*l.cpu_quota) : "max";
      std::string per = Num(int64_t(l.cpu_period.value_or(100000)));
      if (!WriteFile(d + "/cpu.max", q + " " + per, err)) return false;
    }
    if (l.pids && !WriteFile(d + "/pids.max", *l.pids > 0 ? Num(*l.pids) : "max", err))
      return false;
    return true;
  }
  std::string rel = "/" + Rel(path_);
  if (l.memory || l.memory_swap) {
    std::string d = V1Root("memory") + rel;
    std::string mem = d + "/memory.limit_in_bytes", sw = d + "/memory.memsw.limit_in_bytes";
    // memory must stay <= memory+swap: when raising both, swap goes first
    // (the memory write fails with EINVAL until it has).
    bool swap_done = false;
    if (l.memory && !WriteFile(mem, Num(*l.memory), err)) {
      if (errno != EINVAL || !l.memory_swap) return false;
      if (!WriteFile(sw, Num(*l.memory_swap), err) || !WriteFile(mem, Num(*l.memory), err))
        return false;
      swap_done = true;
    }
    if (l.memory_swap && !swap_done && !WriteFile(sw, Num(*l.memory_swap), err)) return false;
  }
  if (l.cpu_shares || l.cpu_quota || l.cpu_period) {
    std::string d = V1Root("cpu") + rel;
    if (l.cpu_shares && !WriteFile(d + "/cpu.shares", Num(int64_t(*l.cpu_shares)), err))
      return false;
    if (l.cpu_period && !WriteFile(d + "/cpu.cfs_period_us", Num(int64_t(*l.cpu_period)), err))
      return false;
    if (l.cpu_quota && !WriteFile(d + "/cpu.cfs_quota_us", Num(*l.cpu_quota), err)) return false;
  }
  if (l.pids &&
      !WriteFile(V1Root("pids") + rel + "/pids.max", *l.pids > 0 ? Num(*l.pids) : "max", err))
    return false;
  return true;
}

bool Cgroup::Join(pid_t pid, std::string* err) const {
  for (const std::string& d : Dirs(path_))
    if (!WriteFile(d + "/cgroup.procs", Num(pid), err)) return false;
  return true;
}

CgroupStats Cgroup::Stats() const {
  CgroupStats s;
  std::string rel = "/" + Rel(path_);
  if (IsV2()) {
    std::string d = kRoot + rel;
    s.memory_usage = ReadU64(d + "/memory.current");
    s.memory_max_usage = ReadU64(d + "/memory.peak");
    s.memory_limit = ReadU64(d + "/memory.max");
    s.memory_rss = KeyedValue(d + "/memory.stat", "anon");
    s.memory_cache = KeyedValue(d + "/memory.stat", "file");
    s.oom_kills = KeyedValue(d + "/memory.events", "oom_kill");
    s.memory_failcnt = KeyedValue(d + "/memory.events", "max");
    s.cpu_usage_ns = KeyedValue(d + "/cpu.stat", "usage_usec") * 1000;
    s.cpu_user_ns = KeyedValue(d + "/cpu.stat", "user_usec") * 1000;
    s.cpu_system_ns = KeyedValue(d + "/cpu.stat", "system_usec") * 1000;
    s.pids_current = ReadU64(d + "/pids.current");
    s.pids_limit = ReadU64(d + "/pids.max");
    return s;
  }
  std::string m = V1Root("memory"), a = V1Root("cpuacct"), p = V1Root("pids");
  if (!m.empty()) {
    std::string d = m + rel;
    s.memory_usage = ReadU64(d + "/memory.usage_in_bytes");
    s.memory_max_usage = ReadU64(d + "/memory.max_usage_in_bytes");
    s.memory_limit = ReadU64(d + "/memory.limit_in_bytes");
    s.memory_failcnt = ReadU64(d + "/memory.failcnt");
    s.memory_rss = KeyedValue(d + "/memory.stat", "rss");
    s.memory_cache = KeyedValue(d + "/memory.stat", "cache");
    s.oom_kills = KeyedValue(d + "/memory.oom_control", "oom_kill");
  }
  if (!a.empty()) {
    std::string d = a + rel;
    s.cpu_usage_ns = ReadU64(d + "/cpuacct.usage");
    // cpuacct.stat counts USER_HZ ticks.
    uint64_t ns_per_tick = 1'000'000'000ull / uint64_t(sysconf(_SC_CLK_TCK));
    s.cpu_user_ns = KeyedValue(d + "/cpuacct.stat", "user") * ns_per_tick;
    s.cpu_system_ns = KeyedValue(d + "/cpuacct.stat", "system") * ns_per_tick;
  }
  if (!p.empty()) {
    s.pids_current = ReadU64(p + rel + "/pids.current");
    s.pids_limit = ReadU64(p + rel + "/pids.max");
  }
  return s;
}

bool Cgroup::Remove(std::string* err) const {
  bool ok = true;
  for (const std::string& d : Dirs(path_)) {
    // A process that has just exited leaves its cgroup a moment later.
    int tries = 0;
    while (rmdir(d.c_str()) != 0 && errno == EBUSY && ++tries < 200) usleep(10000);
    if (Exists(d)) {
      if (err) *err = "cgroup: rmdir " + d + ": " + strerror(errno);
      ok = false;
    }
  }
  return ok;
}

}  // namespace litebox::runtime
