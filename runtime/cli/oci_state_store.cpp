#include "runtime/cli/oci_state_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "rootfs/host_fs.hpp"
#include "runtime/cli/oci_hooks.hpp"
#include "runtime/tmpfs_dir.hpp"

namespace litebox::cli {

namespace {

using Json = nlohmann::ordered_json;

uint32_t Fnv1a(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

// Where sandbox dirs (control socket, scratch) live; records stay under
// --root. On a host whose /run is a disk: /dev/shm/litebox-sb (no longer than
// /run/litebox-sb by much: a control socket path must fit in 107 bytes).
std::string SandboxBase() {
  if (geteuid() == 0) {
    static const std::string base = [] {
      if (runtime::OnTmpfs("/run")) return std::string("/run/litebox-sb");
      std::string shm = runtime::PrivateShmDir("litebox-sb");
      return shm.empty() ? std::string("/run/litebox-sb") : shm;
    }();
    return base;
  }
  const char* xdg = getenv("XDG_RUNTIME_DIR");
  return xdg ? std::string(xdg) + "/litebox-sb" : "/tmp/litebox-sb-" + std::to_string(geteuid());
}

}  // namespace

std::string ContainerDir(const std::string& root, const std::string& id) {
  return root + "/" + id;
}

std::string SandboxDirFor(const std::string& root, const std::string& id) {
  char abs[4096];
  std::string key = realpath(root.c_str(), abs) ? abs : root;
  char hash[16];
  snprintf(hash, sizeof hash, "%08x", Fnv1a(key));
  return SandboxBase() + "/" + hash + "/" + id;
}

void RemoveSandboxParent(const std::string& sandbox_dir) {
  auto slash = sandbox_dir.rfind('/');
  if (slash != std::string::npos && slash > 0) rmdir(sandbox_dir.substr(0, slash).c_str());
}

std::optional<uint64_t> ProcessStartTime(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  // No iostreams: every status query of every command comes here, and the
  // iostream version (locale set-up, two streams) cost ~60 us a call.
  std::string stat;
  if (!rootfs::ReadHostFile("/proc/" + std::to_string(pid) + "/stat", &stat)) return std::nullopt;
  // comm may contain spaces and ')': the fields start after the last ')'.
  char* p = strrchr(stat.data(), ')');
  if (!p || p[1] != ' ') return std::nullopt;
  p += 2;
  // Field 3 is the state; starttime is field 22.
  for (int field = 3; *p; ++field) {
    char* end = strchr(p, ' ');
    if (end) *end = 0;
    if (field == 3 && (!strcmp(p, "Z") || !strcmp(p, "X") || !strcmp(p, "x"))) return std::nullopt;
    if (field == 22) {
      char* num_end = nullptr;
      errno = 0;
      unsigned long long v = strtoull(p, &num_end, 10);
      if (num_end == p || errno != 0) return std::nullopt;
      return v;
    }
    if (!end) break;
    p = end + 1;
  }
  return std::nullopt;
}

bool SameProcessAlive(pid_t pid, uint64_t start_time) {
  auto st = ProcessStartTime(pid);
  return st && *st == start_time;
}

oci::Status CurrentStatus(const ContainerRecord& rec) {
  if (!SameProcessAlive(rec.init_pid, rec.init_start_time)) return oci::Status::kStopped;
  return rec.status;
}

oci::State ToOciState(const ContainerRecord& rec) {
  oci::State s;
  s.id = rec.id;
  s.status = CurrentStatus(rec);
  s.pid = s.status == oci::Status::kStopped ? 0 : rec.init_pid;
  s.bundle = rec.bundle;
  s.rootfs = rec.rootfs;
  s.created = rec.created;
  s.annotations = rec.annotations;
  s.owner = rec.owner;
  return s;
}

oci::Result<ContainerRecord> LoadRecord(const std::string& root, const std::string& id) {
  std::string path = ContainerDir(root, id) + "/state.json";
  if (access(path.c_str(), F_OK) != 0 && errno == ENOENT)
    return oci::Error{"", "container \"" + id + "\" does not exist"};
  std::string text;
  if (!rootfs::ReadHostFile(path, &text)) return oci::Error{path, "cannot read"};
  ContainerRecord r;
  try {
    Json j = Json::parse(text);
    r.id = j.at("id").get<std::string>();
    r.bundle = j.at("bundle").get<std::string>();
    r.rootfs = j.at("rootfs").get<std::string>();
    auto created = oci::ParseRfc3339(j.at("created").get<std::string>());
    if (!created) return oci::Error{path, created.error().message()};
    r.created = *created;
    r.annotations = j.value("annotations", std::map<std::string, std::string>{});
    r.owner = j.value("owner", "");
    r.init_pid = j.at("init_pid").get<pid_t>();
    r.init_start_time = j.at("init_start_time").get<uint64_t>();
    r.supervisor_pid = j.value("supervisor_pid", 0);
    r.supervisor_start_time = j.value("supervisor_start_time", uint64_t{0});
    r.sandbox_dir = j.at("sandbox_dir").get<std::string>();
    auto st = oci::StatusFromName(j.at("status").get<std::string>());
    if (!st) return oci::Error{path, "status: unknown value"};
    r.status = *st;
    r.resources_json = j.value("resources", "");
    if (j.contains("hooks")) {
      r.poststart_hooks = HooksFromJson(j["hooks"].value("poststart", Json::array()));
      r.poststop_hooks = HooksFromJson(j["hooks"].value("poststop", Json::array()));
    }
  } catch (const std::exception& e) {
    return oci::Error{path, std::string("malformed state file: ") + e.what()};
  }
  return r;
}

namespace {
// Swaps two existing files' names. A rename over an existing file makes
// ext4 (auto_da_alloc) write the new file's data out at once, and a
// record deleted milliseconds later then costs block frees too: ~0.2 ms of
// every `run` on a disk-backed /run. An exchange does neither, and readers
// still see the old or the new record whole.
bool ExchangeFiles(const std::string& a, const std::string& b) {
  return syscall(SYS_renameat2, AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0;
}
}  // namespace

bool WriteFileAtomic(const std::string& path, const std::string& text, std::string* err) {
  std::string tmp = path + ".tmp-" + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *err = "open " + tmp + ": " + strerror(errno);
    return false;
  }
  // No fsync: this is runtime state (under /run, gone at reboot, as runc's
  // is); the rename alone gives readers the old or the new file, never a
  // torn one, and an fsync on a disk-backed /run cost ~0.3 ms per write.
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  int saved = errno;
  close(fd);
  if (ok && ExchangeFiles(tmp, path)) {
    // What we swapped out must have been a file (a pid file's path may
    // name anything): otherwise swap back and let rename say what is wrong.
    struct stat old {};
    if (lstat(tmp.c_str(), &old) == 0 && S_ISREG(old.st_mode)) {
      unlink(tmp.c_str());  // the old record
      return true;
    }
    ExchangeFiles(tmp, path);
  }
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) saved = errno;
    *err = "write " + path + ": " + strerror(saved);
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

bool SaveRecord(const std::string& root, const ContainerRecord& r, std::string* err) {
  Json j{{"id", r.id},
         {"bundle", r.bundle},
         {"rootfs", r.rootfs},
         {"created", oci::FormatRfc3339Nano(r.created)},
         {"annotations", r.annotations},
         {"owner", r.owner},
         {"init_pid", r.init_pid},
         {"init_start_time", r.init_start_time},
         {"supervisor_pid", r.supervisor_pid},
         {"supervisor_start_time", r.supervisor_start_time},
         {"sandbox_dir", r.sandbox_dir},
         {"status", oci::StatusName(r.status)},
         {"resources", r.resources_json},
         {"hooks",
          {{"poststart", HooksToJson(r.poststart_hooks)},
           {"poststop", HooksToJson(r.poststop_hooks)}}}};
  return WriteFileAtomic(ContainerDir(root, r.id) + "/state.json", j.dump(2) + "\n", err);
}

std::vector<std::string> ListIds(const std::string& root) {
  std::vector<std::string> ids;
  DIR* d = opendir(root.c_str());
  if (!d) return ids;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (access((root + "/" + name + "/state.json").c_str(), F_OK) == 0) ids.push_back(name);
  }
  closedir(d);
  std::sort(ids.begin(), ids.end());
  return ids;
}

ContainerLock::ContainerLock(const std::string& root, const std::string& id) {
  fd_ = open(ContainerDir(root, id).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ >= 0) flock(fd_, LOCK_EX);
}

ContainerLock::~ContainerLock() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace litebox::cli
