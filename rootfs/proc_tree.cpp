// /proc as the sandbox sees it: only its own processes, with virtual pids
// and ids; system-wide files copied from the host where they are harmless;
// the mount table of the sandbox instead of the host's.
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/statfs.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <map>
#include <sstream>

#include "libos/abi/constants.h"
#include "rootfs/host_fs.hpp"
#include "rootfs/virtual_fd.hpp"
#include "rootfs/virtual_tree.hpp"
#include "rootfs/vpath.hpp"

namespace litebox::rootfs {
namespace {

// System-wide files copied from the host.
constexpr const char* kHostProcFiles[] = {"cpuinfo", "meminfo",     "stat",   "uptime",
                                          "loadavg", "filesystems", "version"};
// Per-process files.
constexpr const char* kPidFiles[] = {"cmdline",   "comm",   "status",  "stat",
                                     "statm",     "maps",   "environ", "mounts",
                                     "mountinfo", "cgroup", "limits",  "oom_score_adj"};
constexpr const char* kPidLinks[] = {"exe", "cwd", "root"};

bool ParseNumber(const std::string& s, uint32_t* out) {
  if (s.empty() || s.size() > 10) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && (s == "0" || s[0] != '0');
}

VNode File(std::string content) {
  VNode n;
  n.kind = VNode::kFile;
  n.content = std::move(content);
  return n;
}

VNode Link(std::string target) {
  VNode n;
  n.kind = VNode::kLink;
  n.content = std::move(target);
  return n;
}

std::string HostFile(const std::string& path) {
  std::string s;
  ReadHostFile(path, &s);
  return s;
}

// Octal escapes of /proc/mounts for space, tab, newline and backslash.
std::string MountEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\\') {
      char buf[5];
      snprintf(buf, sizeof(buf), "\\%03o", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

std::string FsTypeOf(const std::string& host_path) {
  struct statfs sf;
  if (statfs(host_path.c_str(), &sf) != 0) return "none";
  switch (static_cast<unsigned long>(sf.f_type)) {
    case 0xEF53:
      return "ext4";
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case 0x794c7630:
      return "overlay";
    case 0x01021994:
      return "tmpfs";
    default:
      return "none";
  }
}

}  // namespace

int VirtualTree::Lookup(const std::string& vpath, const ProcessContext& ctx, VNode* node) {
  *node = VNode{};
  if (!PathIsUnder(vpath, "/proc") && !PathIsUnder(vpath, "/dev")) return 0;
  auto parts = SplitPath(vpath);
  if (parts[0] == "dev") return LookupDev(parts, ctx, node);
  return LookupProc(parts, ctx, node);
}

int VirtualTree::LookupProc(const std::vector<std::string>& parts, const ProcessContext& ctx,
                            VNode* node) {
  if (parts.size() == 1) {
    node->kind = VNode::kDir;
    auto vpids = procs_.Vpids();
    if (std::find(vpids.begin(), vpids.end(), ctx.vpid) == vpids.end()) vpids.push_back(ctx.vpid);
    std::sort(vpids.begin(), vpids.end());
    for (uint32_t v : vpids) node->entries.push_back({std::to_string(v), DT_DIR});
    node->entries.push_back({"self", DT_LNK});
    node->entries.push_back({"mounts", DT_LNK});
    node->entries.push_back({"sys", DT_DIR});
    for (const char* f : kHostProcFiles) node->entries.push_back({f, DT_REG});
    return 1;
  }
  const std::string& top = parts[1];
  if (top == "self") {
    if (parts.size() > 2) return -ENOENT;  // the walk follows the link first
    *node = Link(std::to_string(ctx.vpid));
    return 1;
  }
  if (top == "mounts" && parts.size() == 2) {
    *node = Link("self/mounts");
    return 1;
  }
  for (const char* f : kHostProcFiles) {
    if (top == f) {
      if (parts.size() > 2) return -ENOTDIR;
      *node = File(HostFile("/proc/" + top));
      return 1;
    }
  }
  if (top == "sys") {
    if (parts.size() == 2) {
      node->kind = VNode::kDir;
      node->entries = {{"kernel", DT_DIR}};
      return 1;
    }
    if (parts[2] != "kernel") return -ENOENT;
    if (parts.size() == 3) {
      node->kind = VNode::kDir;
      node->entries = {{"hostname", DT_REG}, {"osrelease", DT_REG}, {"ostype", DT_REG}};
      return 1;
    }
    if (parts.size() > 4) return -ENOTDIR;
    struct utsname u;
    uname(&u);
    if (parts[3] == "hostname")
      *node = File(procs_.Hostname() + "\n");
    else if (parts[3] == "osrelease")
      *node = File(std::string(u.release) + "\n");
    else if (parts[3] == "ostype")
      *node = File(std::string(u.sysname) + "\n");
    else
      return -ENOENT;
    return 1;
  }
  uint32_t vpid;
  if (!ParseNumber(top, &vpid)) return -ENOENT;
  return LookupPid(vpid, parts, ctx, node);
}

int VirtualTree::LookupPid(uint32_t vpid, const std::vector<std::string>& parts,
                           const ProcessContext& ctx, VNode* node) {
  bool self = vpid == ctx.vpid;
  pid_t host_pid;
  if (self) {
    host_pid = ctx.host_pid;
  } else {
    auto vpids = procs_.Vpids();
    if (std::find(vpids.begin(), vpids.end(), vpid) == vpids.end()) return -ENOENT;
    auto hp = procs_.HostPid(vpid);
    if (!hp) return -ENOENT;
    host_pid = *hp;
  }
  Creds creds;
  if (self) {
    creds = ctx.creds;
  } else if (auto c = procs_.Credentials(vpid)) {
    creds = *c;
  } else {
    creds = Creds{};
  }
  std::string host_dir = "/proc/" + std::to_string(host_pid);
  auto own = [&](VNode* n) {
    n->uid = creds.euid;
    n->gid = creds.egid;
  };

  if (parts.size() == 2) {
    node->kind = VNode::kDir;
    for (const char* f : kPidFiles) node->entries.push_back({f, DT_REG});
    for (const char* l : kPidLinks) node->entries.push_back({l, DT_LNK});
    node->entries.push_back({"fd", DT_DIR});
    node->entries.push_back({"fdinfo", DT_DIR});
    node->entries.push_back({"task", DT_DIR});
    own(node);
    return 1;
  }
  const std::string& name = parts[2];
  if (name == "fd" || name == "fdinfo") {
    bool info = name == "fdinfo";
    if (parts.size() == 3) {
      node->kind = VNode::kDir;
      node->mode = 0500;
      own(node);
      DIR* d = opendir((host_dir + "/fd").c_str());
      if (d == nullptr) return -ENOENT;  // the process is gone
      std::vector<uint32_t> fds;
      while (struct dirent* e = readdir(d)) {
        uint32_t fd;
        if (ParseNumber(e->d_name, &fd) && abi::IsAppFd(fd)) fds.push_back(fd);
      }
      closedir(d);
      std::sort(fds.begin(), fds.end());
      for (uint32_t fd : fds)
        node->entries.push_back(
            {std::to_string(fd), static_cast<unsigned char>(info ? DT_REG : DT_LNK)});
      return 1;
    }
    if (parts.size() > 4) return -ENOTDIR;
    uint32_t fd;
    if (!ParseNumber(parts[3], &fd) || !abi::IsAppFd(fd)) return -ENOENT;
    std::string host_fd = host_dir + "/fd/" + parts[3];
    std::string target = ReadLink(AT_FDCWD, host_fd);
    if (target.empty()) return -ENOENT;
    if (info) {
      *node = File(HostFile(host_dir + "/fdinfo/" + parts[3]));
      own(node);
      return 1;
    }
    std::string vtarget;
    bool in_sandbox = HostFdTargetToVirtual(fs_, target, &vtarget);
    struct stat st;
    bool have_st = stat(host_fd.c_str(), &st) == 0;
    if (in_sandbox && !vtarget.empty() && vtarget[0] == '/' &&
        vtarget.find(" (deleted)") == std::string::npos && vtarget.rfind("/memfd:", 0) != 0) {
      *node = Link(vtarget);  // a file in the sandbox: following re-resolves it
    } else {
      // Pipes, sockets, terminals, the guest's memfds: following reopens the
      // guest's own object (never a host file it could not name).
      bool reopenable = have_st && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) ||
                                    S_ISSOCK(st.st_mode) || target.rfind("/memfd:", 0) == 0);
      if (!in_sandbox && !(target.rfind("/dev/", 0) == 0)) vtarget = "(unreachable)";
      if (!in_sandbox && target.rfind("/dev/", 0) == 0) vtarget = target;
      *node = Link(vtarget);
      if (reopenable) node->reopen_host_path = host_fd;
    }
    own(node);
    return 1;
  }
  if (name == "task") {
    // The process's threads by their host tids, which is what gettid()
    // answers in the sandbox; each with its own name (PR_SET_NAME).
    if (parts.size() == 3) {
      node->kind = VNode::kDir;
      node->mode = 0555;
      own(node);
      DIR* d = opendir((host_dir + "/task").c_str());
      if (d == nullptr) return -ENOENT;
      std::vector<uint32_t> tids;
      while (struct dirent* e = readdir(d)) {
        uint32_t tid;
        if (ParseNumber(e->d_name, &tid)) tids.push_back(tid);
      }
      closedir(d);
      std::sort(tids.begin(), tids.end());
      for (uint32_t tid : tids) node->entries.push_back({std::to_string(tid), DT_DIR});
      return 1;
    }
    uint32_t tid;
    std::string task_dir = host_dir + "/task/" + parts[3];
    struct stat st;
    if (!ParseNumber(parts[3], &tid) || stat(task_dir.c_str(), &st) != 0) return -ENOENT;
    if (parts.size() == 4) {
      node->kind = VNode::kDir;
      node->mode = 0555;
      node->entries = {{"comm", DT_REG}, {"stat", DT_REG}, {"status", DT_REG}};
      own(node);
      return 1;
    }
    if (parts.size() > 5) return -ENOTDIR;
    if (parts[4] == "comm") {
      *node = File(HostFile(task_dir + "/comm"));
      if (self) node->write_host_path = task_dir + "/comm", node->mode = 0644;
    } else if (parts[4] == "stat")  // the process's figures (per-thread ones are not kept)
      *node = File(StatText(vpid, host_pid));
    else if (parts[4] == "status")
      *node = File(StatusText(vpid, host_pid, creds, ctx));
    else
      return -ENOENT;
    own(node);
    return 1;
  }
  if (parts.size() > 3) return -ENOTDIR;
  if (name == "exe") {
    *node = Link(procs_.ExePath(vpid));
  } else if (name == "cwd") {
    *node = Link(self ? ctx.cwd : procs_.Cwd(vpid));
  } else if (name == "root") {
    *node = Link("/");
  } else if (name == "cmdline") {
    *node = File(procs_.Cmdline(vpid));
  } else if (name == "comm") {
    *node = File(ProcessName(vpid, host_pid) + "\n");
    if (self) node->write_host_path = host_dir + "/comm", node->mode = 0644;
  } else if (name == "status") {
    *node = File(StatusText(vpid, host_pid, creds, ctx));
  } else if (name == "stat") {
    *node = File(StatText(vpid, host_pid, self));
  } else if (name == "maps") {
    *node = File(MapsText(host_pid));
  } else if (name == "environ") {
    // ptrace's read rule on Linux (PTRACE_MODE_FSCREDS): the reader's fs
    // ids are all of the target's ids, or it has CAP_SYS_PTRACE.
    constexpr int kCapSysPtrace = 19;
    const Creds& me = ctx.creds;
    bool same = me.fsuid == creds.ruid && me.fsuid == creds.euid && me.fsuid == creds.suid &&
                me.fsgid == creds.rgid && me.fsgid == creds.egid && me.fsgid == creds.sgid;
    if (!self && !same && !me.HasCap(kCapSysPtrace)) return -EACCES;
    *node = File(procs_.Environ(vpid));
    node->mode = 0400;
  } else if (name == "statm" || name == "limits" || name == "oom_score_adj") {
    *node = File(HostFile(host_dir + "/" + name));
  } else if (name == "mounts") {
    *node = File(MountsText());
  } else if (name == "mountinfo") {
    *node = File(MountInfoText());
  } else if (name == "cgroup") {
    *node = File("0::/\n");
  } else {
    return -ENOENT;
  }
  own(node);
  return 1;
}

// The host task's name: the libOS sets it at every execve as Linux does,
// and PR_SET_NAME changes it directly. The executable's name only if the
// host's is unreadable (the process is gone).
std::string VirtualTree::ProcessName(uint32_t vpid, pid_t host_pid) {
  std::string name = HostFile("/proc/" + std::to_string(host_pid) + "/comm");
  while (!name.empty() && name.back() == '\n') name.pop_back();
  if (name.empty()) {
    std::string exe = procs_.ExePath(vpid);
    name = exe.substr(exe.rfind('/') + 1);
  }
  if (name.size() > 15) name.resize(15);  // TASK_COMM_LEN - 1
  return name;
}

std::string VirtualTree::StatusText(uint32_t vpid, pid_t host_pid, const Creds& c,
                                    const ProcessContext& ctx) {
  std::string host = HostFile("/proc/" + std::to_string(host_pid) + "/status");
  auto ids = [](uint32_t a, uint32_t b, uint32_t s, uint32_t f) {
    return std::to_string(a) + "\t" + std::to_string(b) + "\t" + std::to_string(s) + "\t" +
           std::to_string(f);
  };
  auto hex = [](uint64_t v) {
    char b[17];
    snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
    return std::string(b);
  };
  char umask[8];
  snprintf(umask, sizeof(umask), "%04o", c.umask);
  std::string groups;
  for (uint32_t g : c.groups) groups += std::to_string(g) + " ";
  std::string v = std::to_string(vpid);
  std::map<std::string, std::string> replace = {
      {"Name", ProcessName(vpid, host_pid)},
      {"Umask", umask},
      {"Tgid", v},
      {"Ngid", "0"},
      {"Pid", v},
      {"PPid", std::to_string(procs_.Ppid(vpid))},
      {"TracerPid", "0"},
      {"Uid", ids(c.ruid, c.euid, c.suid, c.fsuid)},
      {"Gid", ids(c.rgid, c.egid, c.sgid, c.fsgid)},
      {"Groups", groups},
      {"NStgid", v},
      {"NSpid", v},
      {"NSpgid", v},
      {"NSsid", v},
      {"CapInh", hex(c.cap_inheritable)},
      {"CapPrm", hex(c.cap_permitted)},
      {"CapEff", hex(c.cap_effective)},
      {"CapBnd", hex(c.cap_bounding)},
      {"CapAmb", "0000000000000000"},
  };
  if (vpid == ctx.vpid) replace["State"] = "R (running)";  // the reader (see StatText)
  std::string out;
  std::istringstream in(host);
  std::string line;
  while (std::getline(in, line)) {
    size_t colon = line.find(':');
    std::string key = line.substr(0, colon);
    auto it = replace.find(key);
    if (it != replace.end()) {
      out += key + ":\t" + it->second + "\n";
      replace.erase(it);
    } else {
      out += line + "\n";
    }
  }
  if (host.empty()) {  // the host process is gone: still answer with what is known
    for (const char* k : {"Name", "Pid", "PPid", "Uid", "Gid"})
      out += std::string(k) + ":\t" + replace[k] + "\n";
  }
  return out;
}

std::string VirtualTree::StatText(uint32_t vpid, pid_t host_pid, bool running) {
  std::string host = HostFile("/proc/" + std::to_string(host_pid) + "/stat");
  size_t close = host.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(host.substr(close + 1));
  std::vector<std::string> fields;  // fields[0] is state (field 3)
  std::string f;
  while (rest >> f) fields.push_back(f);
  std::map<long, uint32_t> host_to_v;
  for (uint32_t v : procs_.Vpids()) {
    if (auto hp = procs_.HostPid(v)) host_to_v[*hp] = v;
  }
  auto translate = [&](std::string& field) {
    long hp = strtol(field.c_str(), nullptr, 10);
    if (hp <= 0) return;
    auto it = host_to_v.find(hp);
    field = it == host_to_v.end() ? "0" : std::to_string(it->second);
  };
  if (running && !fields.empty()) fields[0] = "R";
  if (fields.size() > 5) {
    fields[1] = std::to_string(procs_.Ppid(vpid));
    translate(fields[2]);  // pgrp
    translate(fields[3]);  // session
    translate(fields[5]);  // tpgid
  }
  std::string out = std::to_string(vpid) + " (" + ProcessName(vpid, host_pid) + ")";
  for (const auto& x : fields) out += " " + x;
  return out + "\n";
}

std::string VirtualTree::MapsText(pid_t host_pid) const {
  std::string host = HostFile("/proc/" + std::to_string(host_pid) + "/maps");
  std::string out;
  std::istringstream in(host);
  std::string line;
  while (std::getline(in, line)) {
    // address perms offset dev inode [path]: the path starts after 5 fields.
    size_t pos = 0;
    for (int i = 0; i < 5 && pos != std::string::npos; ++i) {
      pos = line.find_first_not_of(' ', pos);
      pos = pos == std::string::npos ? pos : line.find(' ', pos);
    }
    size_t path_at = pos == std::string::npos ? pos : line.find_first_not_of(' ', pos);
    if (path_at != std::string::npos && line[path_at] == '/') {
      std::string vpath;
      if (HostFdTargetToVirtual(fs_, line.substr(path_at), &vpath))
        line = line.substr(0, path_at) + vpath;
    }
    out += line + "\n";
  }
  return out;
}

std::string VirtualTree::MountsText() const {
  std::string out;
  for (const auto& m : fs_.Mounts()) {
    std::string opts = m.readonly ? "ro" : "rw";
    if (m.destination == "/") {
      std::string type = FsTypeOf(m.host_source);
      out += type + " / " + type + " " + opts + ",relatime 0 0\n";
      out += "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n";
      out += "tmpfs /dev tmpfs rw,nosuid,size=65536k,mode=755 0 0\n";
    } else if (m.kind == Mount::kTmpfs) {
      std::string src = m.destination == "/dev/shm" ? "shm" : "tmpfs";
      out += src + " " + MountEscape(m.destination) + " tmpfs " + opts + ",nosuid,nodev 0 0\n";
    } else {
      std::string type = FsTypeOf(m.host_source);
      out += type + " " + MountEscape(m.destination) + " " + type + " " + opts + ",relatime 0 0\n";
    }
  }
  return out;
}

std::string VirtualTree::MountInfoText() const {
  // id parent major:minor root mountpoint options - fstype source superoptions
  std::string out;
  int id = 1;
  for (const auto& m : fs_.Mounts()) {
    std::string opts = m.readonly ? "ro" : "rw";
    std::string n = std::to_string(id);
    if (m.destination == "/") {
      std::string type = FsTypeOf(m.host_source);
      out += "1 0 0:1 / / " + opts + ",relatime - " + type + " " + type + " " + opts + "\n";
      out += "2 1 0:2 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n";
      out += "3 1 0:3 / /dev rw,nosuid - tmpfs tmpfs rw,mode=755\n";
      id = 4;
      continue;
    }
    std::string type = m.kind == Mount::kTmpfs ? "tmpfs" : FsTypeOf(m.host_source);
    std::string parent = PathIsUnder(m.destination, "/dev") ? "3" : "1";
    out += n + " " + parent + " 0:" + n + " / " + MountEscape(m.destination) + " " + opts +
           ",relatime - " + type + " " + type + " " + opts + "\n";
    ++id;
  }
  return out;
}

}  // namespace litebox::rootfs
