// The shim's Task service (containerd.task.v2.Task) on what a peer on its
// ttrpc socket can send: each input is a sequence of calls, every one
// [method index][payload length, 2 bytes LE][payload] handed to the
// handler as the serialized request, against a fresh service. No crash,
// no sanitizer report, and every reply is either a decodable message or an
// error with a status code.
//
// The process confines itself first (LLVMFuzzerInitialize): a new user
// namespace whose root is the host's nobody, a private mount namespace, and
// a new root on a tmpfs (see Confine), so a fuzzed Create's rootfs mounts,
// log files and state directories cannot reach the host. (An earlier
// version only put tmpfs over /tmp and /run; the fuzzer then found that a
// container id with "../" walked the state dir out of /run, and the
// shim now refuses such ids.) A bundle with
// a valid config.json waits at /tmp/fz/bundle (the seeds name it), so
// Create gets as far as the mounts and the sandbox start, which fails
// (no supervisor binary beside this one) and takes the failed-create
// cleanup path.
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "shim-v2/events/publisher.hpp"
#include "shim-v2/task/service.hpp"

using litebox::shim::task::TaskService;
namespace ttrpc = litebox::shim::ttrpc;

namespace {

void Die(const char* what) {
  perror(what);
  abort();
}

void WriteFile(const char* path, const std::string& text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write(fd, text.data(), text.size()) != ssize_t(text.size())) Die(path);
  close(fd);
}

// Maps root in our new user namespace to the host's nobody. Only a process
// with CAP_SETUID in the parent namespace may map another uid, so a child
// forked before unshare() writes the maps.
void Confine() {
  int go[2], done[2];
  if (pipe(go) != 0 || pipe(done) != 0) Die("pipe");
  pid_t parent = getpid();
  pid_t helper = fork();
  if (helper < 0) Die("fork");
  if (helper == 0) {
    char c;
    if (read(go[0], &c, 1) != 1) _exit(1);
    std::string base = "/proc/" + std::to_string(parent);
    WriteFile((base + "/setgroups").c_str(), "deny");
    WriteFile((base + "/uid_map").c_str(), "0 65534 1");
    WriteFile((base + "/gid_map").c_str(), "0 65534 1");
    (void)!write(done[1], "x", 1);
    _exit(0);
  }
  // No supplementary group of the host's root survives (setgroups is
  // denied inside once the maps are written).
  if (setgroups(0, nullptr) != 0) Die("setgroups");
  if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) Die("unshare(user|mount)");
  char c;
  if (write(go[1], "x", 1) != 1 || read(done[0], &c, 1) != 1) Die("uid map helper");
  waitpid(helper, nullptr, 0);
  for (int fd : {go[0], go[1], done[0], done[1]}) close(fd);
  // Become the namespace's root, i.e. the host's nobody.
  if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) Die("setresuid in the namespace");
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) Die("make / private");
  // A new root on a tmpfs holding only what the process needs: /usr (and
  // the merged-/usr links) read-only, /proc, a few device nodes and the
  // fuzzer's work dir (corpus, findings) at its own path. Whatever a fuzzed
  // request names -- a bundle, a log file, a container id with "../" --
  // resolves inside it; the host's tree is gone after pivot_root.
  const char* work = getenv("LITEBOX_FUZZ_WORK");
  if (!work || work[0] != '/') Die("LITEBOX_FUZZ_WORK (the fuzzer's work dir) not set");
  const std::string root = "/tmp";
  // Each source is opened before the tmpfs goes over /tmp: the work dir may
  // itself be under /tmp (CI builds in a clone there), and the tmpfs would
  // hide it. The bind then takes the open O_PATH fd, not the path.
  struct Source {
    std::string path;
    bool ro;
    int fd;
  };
  std::vector<Source> sources;
  for (auto [path, ro] : {std::pair<const char*, bool>{"/usr", true},
                          {"/proc", false},
                          {"/dev/null", false},
                          {"/dev/zero", false},
                          {"/dev/urandom", false},
                          {"/dev/random", false},
                          {work, false}}) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd >= 0) sources.push_back({path, ro, fd});
  }
  if (mount("tmpfs", root.c_str(), "tmpfs", 0, "size=64m,mode=755") != 0) Die("tmpfs root");
  for (const Source& src : sources) {
    std::string dst = root + src.path;
    std::error_code ec;
    struct stat st;
    if (fstat(src.fd, &st) != 0) Die(src.path.c_str());
    if (S_ISDIR(st.st_mode)) {
      std::filesystem::create_directories(dst, ec);
    } else {
      std::filesystem::create_directories(std::filesystem::path(dst).parent_path(), ec);
      WriteFile(dst.c_str(), "");
    }
    std::string by_fd = "/proc/self/fd/" + std::to_string(src.fd);
    if (mount(by_fd.c_str(), dst.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
      Die(src.path.c_str());
    if (src.ro &&
        mount(nullptr, dst.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0)
      Die("remount ro");
    close(src.fd);
  }
  for (const char* l : {"bin", "lib", "lib64", "sbin"})
    if (symlink((std::string("usr/") + l).c_str(), (root + "/" + l).c_str()) != 0) Die("symlink");
  mkdir((root + "/old").c_str(), 0700);
  if (syscall(SYS_pivot_root, root.c_str(), (root + "/old").c_str()) != 0) Die("pivot_root");
  if (chdir("/") != 0 || umount2("/old", MNT_DETACH) != 0) Die("detach the old root");
  rmdir("/old");
  for (const char* d : {"/tmp", "/run", "/var", "/var/tmp"}) mkdir(d, 01777);
  mkdir("/tmp/fz", 0755);
  mkdir("/tmp/fz/bundle", 0755);
  mkdir("/tmp/fz/bundle/rootfs", 0755);
  WriteFile("/tmp/fz/bundle/config.json",
            R"({"ociVersion":"1.1.0","root":{"path":"rootfs"},)"
            R"("process":{"user":{"uid":0,"gid":0},"args":["sh"],"cwd":"/","env":["A=b"]},)"
            R"("mounts":[{"destination":"/proc","type":"proc","source":"proc"}],)"
            R"("linux":{"namespaces":[{"type":"pid"},{"type":"mount"}]}})");
}

using Handler = ttrpc::Reply (TaskService::*)(const std::string&);
constexpr Handler kHandlers[] = {
    &TaskService::State,  &TaskService::Create, &TaskService::Start,     &TaskService::Delete,
    &TaskService::Pids,   &TaskService::Pause,  &TaskService::Resume,    &TaskService::Checkpoint,
    &TaskService::Kill,   &TaskService::Exec,   &TaskService::ResizePty, &TaskService::CloseIO,
    &TaskService::Update, &TaskService::Wait,   &TaskService::Stats,     &TaskService::Connect};
// Shutdown is left out: it ends the shim process by design (on_shutdown).

litebox::shim::events::Publisher* g_publisher;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Confine();
  g_publisher = new litebox::shim::events::Publisher("", "fuzz");  // events are dropped
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  TaskService service(
      "fuzz", g_publisher, [] {}, false);
  size_t off = 0;
  for (int calls = 0; calls < 8 && off + 3 <= size; ++calls) {
    size_t method = data[off] % (sizeof kHandlers / sizeof kHandlers[0]);
    size_t len = size_t(data[off + 1]) | size_t(data[off + 2]) << 8;
    off += 3;
    if (len > size - off) len = size - off;
    std::string payload(reinterpret_cast<const char*>(data + off), len);
    off += len;
    ttrpc::Reply r = (service.*kHandlers[method])(payload);
    // A status code from the gRPC range; an error always says what is wrong.
    if (r.code < 0 || r.code > 16) abort();
    if (r.code != ttrpc::kOk && r.message.empty()) abort();
  }
  return 0;
}
