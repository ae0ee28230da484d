#include "test_util.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace litebox::oci::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "litebox-oci-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

namespace {

std::string ReadAllFrom(int fd) {
  std::string s;
  char buf[4096];
  ssize_t n;
  lseek(fd, 0, SEEK_SET);
  while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
  close(fd);
  return s;
}

int AnonymousFile() {
  char path[] = "/tmp/litebox-oci-out-XXXXXX";
  int fd = mkstemp(path);
  if (fd >= 0) unlink(path);
  return fd;
}

}  // namespace

CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& cwd) {
  CommandResult r;
  // Output goes to unlinked files and we wait for the child to exit rather
  // than for EOF: `runc create` leaves a container process holding the
  // inherited stdout/stderr, so a pipe would never reach EOF.
  int out_fd = AnonymousFile(), err_fd = AnonymousFile();
  if (out_fd < 0 || err_fd < 0) return r;
  pid_t pid = fork();
  if (pid == 0) {
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  r.out = ReadAllFrom(out_fd);
  r.err = ReadAllFrom(err_fd);
  return r;
}

std::string FindProgram(const std::string& name) {
  std::string path = getenv("PATH") ? getenv("PATH") : "";
  path += ":/usr/sbin:/sbin:/usr/bin:/bin";
  std::stringstream ss(path);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << data;
}

std::string RuncUnavailableReason() {
  if (geteuid() != 0) return "not root (runc needs root to create namespaces)";
  if (FindProgram("runc").empty()) return "`runc` not installed";
  if (access("/bin/busybox", X_OK) != 0) return "/bin/busybox missing (install busybox-static)";
  return "";
}

void MakeBusyboxRootfs(const std::string& bundle_dir) {
  fs::path bin = fs::path(bundle_dir) / "rootfs" / "bin";
  fs::create_directories(bin);
  fs::copy_file("/bin/busybox", bin / "busybox", fs::copy_options::overwrite_existing);
  for (const char* applet : {"sh", "echo", "sleep", "cat"}) {
    fs::create_symlink("busybox", bin / applet);
  }
}

namespace {

// A test killed mid-run (ctest timeout) cannot run its destructors; the
// next run removes what it left: containers named by this helper whose
// creating test process (the pid in the id) is gone, and their bundles.
void DeleteStaleTestContainers() {
  static bool done = false;
  if (done) return;
  done = true;
  auto list = RunCommand({"runc", "list", "--format", "json"});
  if (list.exit_code != 0 || list.out.empty()) return;
  auto containers = nlohmann::json::parse(list.out, nullptr, false);
  if (!containers.is_array()) return;
  const std::string prefix = "litebox-oci-test-";
  for (const auto& c : containers) {
    std::string id = c.value("id", ""), bundle = c.value("bundle", "");
    if (id.rfind(prefix, 0) != 0) continue;
    pid_t creator = static_cast<pid_t>(std::atol(id.substr(id.rfind('-') + 1).c_str()));
    if (creator <= 0 || kill(creator, 0) == 0 || errno != ESRCH) continue;
    RunCommand({"runc", "delete", "-f", id});
    if (bundle.rfind((fs::temp_directory_path() / prefix).string(), 0) == 0) {
      std::error_code ec;
      fs::remove_all(bundle, ec);
    }
  }
}

}  // namespace

RuncContainer::RuncContainer(const std::string& tag)
    : id_("litebox-oci-test-" + tag + "-" + std::to_string(getpid())) {
  DeleteStaleTestContainers();
}

RuncContainer::~RuncContainer() {
  RunCommand({"runc", "delete", "-f", id_});
}

}  // namespace litebox::oci::testing
