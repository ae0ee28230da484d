#include "tests/escape/driver/host_decoys.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/msg.h>
#include <sys/random.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace escape {
namespace {

[[noreturn]] void Fail(const std::string& what) {
  throw std::runtime_error("escape decoys: " + what + ": " + strerror(errno));
}

int Listen(int family, const void* addr, socklen_t len, const std::string& what) {
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) Fail("socket for " + what);
  if (bind(fd, static_cast<const sockaddr*>(addr), len) != 0) Fail("bind " + what);
  if (listen(fd, 16) != 0) Fail("listen " + what);
  return fd;
}

// True when a connection is waiting on the listening socket (it is accepted
// and closed, so the report names it once).
int BindDgram(const sockaddr_un& a, socklen_t len, const std::string& what) {
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) Fail("socket for " + what);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&a), len) != 0) Fail("bind " + what);
  return fd;
}

bool SawDatagram(int fd) {
  char b[256];
  return recv(fd, b, sizeof b, MSG_DONTWAIT) >= 0;
}

bool SawConnection(int fd) {
  int c = accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (c < 0) return false;
  close(c);
  return true;
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) names.push_back(e->d_name);
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Field 19 (nice) of /proc/<pid>/stat, after the parenthesised comm.
std::string NiceOf(pid_t pid) {
  std::string stat = ReadHostFile("/proc/" + std::to_string(pid) + "/stat");
  size_t p = stat.rfind(')');
  if (p == std::string::npos) return "?";
  std::istringstream in(stat.substr(p + 2));
  std::string f;
  for (int i = 3; i <= 19 && in >> f; ++i) {
  }
  return f;
}

std::string MsgState(int id) {
  msqid_ds ds{};
  if (msgctl(id, IPC_STAT, &ds) != 0) return std::string("IPC_STAT failed: ") + strerror(errno);
  std::ostringstream s;
  s << "qnum=" << ds.msg_qnum << " lrpid=" << ds.msg_lrpid << " lspid=" << ds.msg_lspid;
  return s.str();
}

std::string ShmState(int id) {
  shmid_ds ds{};
  if (shmctl(id, IPC_STAT, &ds) != 0) return std::string("IPC_STAT failed: ") + strerror(errno);
  std::ostringstream s;
  s << "nattch=" << ds.shm_nattch << " lpid=" << ds.shm_lpid << " atime=" << ds.shm_atime
    << " mode=" << std::oct << ds.shm_perm.mode;
  return s.str();
}

}  // namespace

std::string ReadHostFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (getrandom(raw.data(), bytes, 0) != static_cast<ssize_t>(bytes)) Fail("getrandom");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

FileState StatFile(const std::string& path) {
  FileState f;
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return f;
  f.exists = true;
  f.mode = st.st_mode;
  f.uid = st.st_uid;
  f.gid = st.st_gid;
  f.mtime_ns = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
  if (S_ISREG(st.st_mode)) f.content = ReadHostFile(path);
  return f;
}

HostDecoys::HostDecoys() {
  char tmpl[] = "/tmp/lbesc.XXXXXX";
  if (mkdtemp(tmpl) == nullptr) Fail("mkdtemp /tmp/lbesc.XXXXXX");
  dir_ = tmpl;
  chmod(dir_.c_str(), 0755);
  token_ = "LBSECRET" + RandomHex(16);
  abstract_ = "lbesc-" + RandomHex(8);
  if (mkdir((dir_ + "/decoy").c_str(), 0755) != 0) Fail("mkdir " + dir_ + "/decoy");
  {
    std::ofstream f(decoy_path());
    f << token_ << "\n";
    if (!f) Fail("write " + decoy_path());
  }
  chmod(decoy_path().c_str(),
        0644);  // readable by anyone on the host: only confinement protects it

  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  snprintf(un.sun_path, sizeof un.sun_path, "%s", unix_path().c_str());
  unix_fd_ = Listen(AF_UNIX, &un, sizeof un, unix_path());
  chmod(unix_path().c_str(), 0777);  // connectable by any uid: only confinement protects it

  sockaddr_un ab{};
  ab.sun_family = AF_UNIX;
  memcpy(ab.sun_path + 1, abstract_.data(), abstract_.size());
  abstract_fd_ = Listen(AF_UNIX, &ab, offsetof(sockaddr_un, sun_path) + 1 + abstract_.size(),
                        "abstract @" + abstract_);

  sockaddr_un dp{};
  dp.sun_family = AF_UNIX;
  snprintf(dp.sun_path, sizeof dp.sun_path, "%s", dgram_path().c_str());
  dgram_path_fd_ = BindDgram(dp, sizeof dp, dgram_path());
  chmod(dgram_path().c_str(), 0777);
  sockaddr_un da{};
  da.sun_family = AF_UNIX;
  std::string dname = abstract_ + "-dg";
  memcpy(da.sun_path + 1, dname.data(), dname.size());
  dgram_abstract_fd_ =
      BindDgram(da, offsetof(sockaddr_un, sun_path) + 1 + dname.size(), "@" + dname);

  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  tcp_fd_ = Listen(AF_INET, &in, sizeof in, "tcp 127.0.0.1:0");
  socklen_t len = sizeof in;
  getsockname(tcp_fd_, reinterpret_cast<sockaddr*>(&in), &len);
  tcp_port_ = ntohs(in.sin_port);

  // World-readable host SysV segment with the token: a container with its
  // own IPC namespace could never see it.
  uint32_t key = 0;
  getrandom(&key, sizeof key, 0);
  shm_key_ = static_cast<int>((key & 0x3fffffff) | 0x10000000);
  shm_id_ = shmget(shm_key_, 4096, IPC_CREAT | IPC_EXCL | 0644);
  if (shm_id_ < 0) Fail("shmget decoy segment");
  if (void* p = shmat(shm_id_, nullptr, 0); p != reinterpret_cast<void*>(-1)) {
    memcpy(p, token_.data(), token_.size());
    shmdt(p);
  } else {
    Fail("shmat decoy segment");
  }

  // And a world-readable message queue holding one message with the token:
  // msgrcv by id would take it off the host's queue.
  msg_id_ = msgget(IPC_PRIVATE, IPC_CREAT | 0644);
  if (msg_id_ < 0) Fail("msgget decoy queue");
  struct {
    long mtype;
    char text[64];
  } m{1, {}};
  memcpy(m.text, token_.data(), token_.size());
  if (msgsnd(msg_id_, &m, token_.size(), IPC_NOWAIT) != 0) Fail("msgsnd decoy message");

  decoy_pid_ = fork();
  if (decoy_pid_ < 0) Fail("fork decoy");
  if (decoy_pid_ == 0) {
    execl("/bin/sleep", "sleep", "1000", static_cast<char*>(nullptr));
    _exit(127);
  }
}

HostDecoys::~HostDecoys() {
  if (decoy_pid_ > 0) {
    kill(decoy_pid_, SIGKILL);
    waitpid(decoy_pid_, nullptr, 0);
  }
  if (shm_id_ >= 0) shmctl(shm_id_, IPC_RMID, nullptr);
  if (msg_id_ >= 0) msgctl(msg_id_, IPC_RMID, nullptr);
  for (int fd : {unix_fd_, abstract_fd_, tcp_fd_, dgram_path_fd_, dgram_abstract_fd_})
    if (fd >= 0) close(fd);
  if (!dir_.empty() && (getenv("ESCAPE_KEEP") == nullptr || *getenv("ESCAPE_KEEP") == 0)) {
    pid_t p = fork();
    if (p == 0) {
      execl("/bin/rm", "rm", "-rf", "--one-file-system", dir_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    if (p > 0) waitpid(p, nullptr, 0);
  }
}

std::map<std::string, std::string> HostDecoys::Env() const {
  return {
      {"ESC_DECOY", decoy_path()},
      {"ESC_DECOY_DIR", dir_ + "/decoy"},
      {"ESC_SCRATCH", dir_},
      {"ESC_ROOTFS", rootfs()},
      {"ESC_CANARY", canary_path()},
      {"ESC_DECOY_PID", std::to_string(decoy_pid_)},
      {"ESC_UNIX_PATH", unix_path()},
      {"ESC_ABSTRACT", abstract_},
      {"ESC_ABSTRACT_DGRAM", abstract_ + "-dg"},
      {"ESC_UNIX_DGRAM", dgram_path()},
      {"ESC_TCP_PORT", std::to_string(tcp_port_)},
      {"ESC_SHM_ID", std::to_string(shm_id_)},
      {"ESC_SHM_KEY", std::to_string(shm_key_)},
      {"ESC_MSG_ID", std::to_string(msg_id_)},
      {"ESC_DRIVER_PID", std::to_string(getpid())},
  };
}

void HostDecoys::Watch(const std::string& path) {
  watched_.push_back(path);
}

void HostDecoys::Snapshot() {
  Watch(decoy_path());
  Watch(canary_path());
  Watch(dir_ + "/decoy");
  for (const auto& p : watched_) before_[p] = StatFile(p);
  decoy_limits_ = ReadHostFile("/proc/" + std::to_string(decoy_pid_) + "/limits");
  decoy_nice_ = NiceOf(decoy_pid_);
  hostname_ = ReadHostFile("/proc/sys/kernel/hostname");
  shm_before_ = ShmState(shm_id_);
  msg_before_ = MsgState(msg_id_);
  dir_entries_ = ListDir(dir_);
}

std::vector<std::string> HostDecoys::Check() {
  std::vector<std::string> bad;
  for (const auto& [path, was] : before_) {
    FileState now = StatFile(path);
    if (now == was) continue;
    std::ostringstream s;
    s << "host file " << path << " changed: exists " << was.exists << "->" << now.exists
      << ", mode " << std::oct << was.mode << "->" << now.mode << std::dec << ", owner " << was.uid
      << ":" << was.gid << "->" << now.uid << ":" << now.gid << ", content "
      << (was.content == now.content ? "same" : "DIFFERENT") << ", mtime "
      << (was.mtime_ns == now.mtime_ns ? "same" : "DIFFERENT");
    bad.push_back(s.str());
  }
  int status = 0;
  pid_t w = waitpid(decoy_pid_, &status, WNOHANG);
  if (w == decoy_pid_) {
    bad.push_back("decoy host process " + std::to_string(decoy_pid_) + " died (status " +
                  std::to_string(status) + ")");
    decoy_pid_ = -1;
  } else {
    std::string st = ReadHostFile("/proc/" + std::to_string(decoy_pid_) + "/status");
    if (st.find("TracerPid:\t0\n") == std::string::npos)
      bad.push_back("decoy host process is being traced");
    if (st.find("State:\tS") == std::string::npos)
      bad.push_back("decoy host process is not sleeping: " + st.substr(st.find("State:"), 20));
    if (ReadHostFile("/proc/" + std::to_string(decoy_pid_) + "/limits") != decoy_limits_)
      bad.push_back("decoy host process's rlimits changed");
    if (NiceOf(decoy_pid_) != decoy_nice_)
      bad.push_back("decoy host process's nice value changed " + decoy_nice_ + "->" +
                    NiceOf(decoy_pid_));
  }
  if (SawConnection(unix_fd_))
    bad.push_back("host AF_UNIX socket " + unix_path() + " got a connection");
  if (SawConnection(abstract_fd_))
    bad.push_back("host abstract socket @" + abstract_ + " got a connection");
  if (SawDatagram(dgram_path_fd_))
    bad.push_back("host datagram socket " + dgram_path() + " got a datagram");
  if (SawDatagram(dgram_abstract_fd_))
    bad.push_back("host abstract datagram socket @" + abstract_ + "-dg got a datagram");
  if (SawConnection(tcp_fd_))
    bad.push_back("host TCP 127.0.0.1:" + std::to_string(tcp_port_) + " got a connection");
  if (ReadHostFile("/proc/sys/kernel/hostname") != hostname_)
    bad.push_back("host hostname changed");
  std::string shm_now = ShmState(shm_id_);
  if (shm_now != shm_before_)
    bad.push_back("host SysV segment " + std::to_string(shm_id_) + " touched: " + shm_before_ +
                  " -> " + shm_now);
  std::string msg_now = MsgState(msg_id_);
  if (msg_now != msg_before_)
    bad.push_back("host message queue " + std::to_string(msg_id_) + " touched: " + msg_before_ +
                  " -> " + msg_now);
  std::vector<std::string> entries = ListDir(dir_);
  if (entries != dir_entries_) {
    std::string names;
    for (const auto& e : entries)
      if (!std::binary_search(dir_entries_.begin(), dir_entries_.end(), e)) names += " " + e;
    bad.push_back("new host entries next to the rootfs in " + dir_ + ":" + names);
  }
  return bad;
}

}  // namespace escape
