#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "shim-v2/cli/address.hpp"
#include "shim-v2/cli/commands.hpp"

namespace litebox::shim::cli {

namespace {

// containerd sends the runtime options (a serialized Any) on stdin, or
// /dev/null. They are read to EOF so containerd's writer never blocks; the
// shim has no options of its own yet.
void DrainStdin() {
  char buf[4096];
  while (read(0, buf, sizeof buf) > 0) {
  }
}

// The daemon gets containerd's oom_score_adj + 1, as the runc shim does, so
// the OOM killer picks the shim before containerd.
void AdjustOomScore(pid_t child) {
  std::ifstream in("/proc/" + std::to_string(getppid()) + "/oom_score_adj");
  int score = 0;
  if (!(in >> score)) return;
  int adj = score + 1 > 1000 ? 1000 : score + 1;
  std::ofstream out("/proc/" + std::to_string(child) + "/oom_score_adj");
  out << adj;
}

int Fail(const std::string& msg) {
  // stdout and stderr are merged by containerd and shown to the user.
  fprintf(stderr, "containerd-shim-litebox start: %s\n", msg.c_str());
  return 1;
}

}  // namespace

std::string StateDir(const std::string& ns, const std::string& id) {
  return "/run/litebox-shim/" + ns + "/" + id;
}

int RunStart(const Flags& f, const char* argv0) {
  DrainStdin();
  if (f.ns.empty() || f.id.empty() || f.address.empty())
    return Fail("-namespace, -id and -address are required");
  std::string bundle = f.bundle;
  if (bundle.empty()) {
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) return Fail(std::string("getcwd: ") + strerror(errno));
    bundle = cwd;
  }
  std::string err, group;
  if (!GroupingKey(bundle + "/config.json", f.id, &group, &err)) return Fail(err);
  std::string address = SocketAddress(f.address, f.ns, group);
  std::string path = SocketPath(address);

  int listener = -1;
  ListenResult lr = Listen(path, &listener, &err);
  if (lr == ListenResult::kError) return Fail(err);
  if (!WriteFileAtomic(bundle + "/address", address, &err)) {
    if (listener >= 0) {
      close(listener);
      unlink(path.c_str());
    }
    return Fail(err);
  }
  if (lr == ListenResult::kInUse) {  // the pod's shim is already running: reuse it
    printf("%s", address.c_str());
    return 0;
  }

  std::vector<std::string> args = {argv0,      "-namespace", f.ns,      "-id",  f.id,
                                   "-address", f.address,    "-socket", address};
  if (!f.publish_binary.empty()) {
    args.push_back("-publish-binary");
    args.push_back(f.publish_binary);
  }
  if (f.debug) args.push_back("-debug");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) {
    close(listener);
    unlink(path.c_str());
    return Fail(std::string("fork: ") + strerror(errno));
  }
  if (pid == 0) {
    setpgid(0, 0);
    int l = fcntl(listener, F_DUPFD, 10);  // out of the way of fds 0-3
    // containerd waits for EOF on our stdout: the daemon must not keep it.
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    dup2(l, 3);  // dup2 clears FD_CLOEXEC on the new fd
    // Nothing else of containerd's (or the caller's) may leak into the
    // daemon and from there into guests.
    close_range(4, ~0U, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  close(listener);
  AdjustOomScore(pid);
  printf("%s", address.c_str());
  return 0;
}

}  // namespace litebox::shim::cli
