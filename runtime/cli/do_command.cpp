// `litebox do`: run one command in a throwaway sandbox over a rootfs
// directory (like `runsc do`), stdio passed through, exit status returned.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "runtime/cli/commands.hpp"
#include "runtime/sandbox.hpp"
#include "runtime/tmpfs_dir.hpp"

namespace litebox::cli {

namespace {

// A `do` killed outright (SIGKILL, a timeout's -k) cannot remove its state
// dir; its supervisor dies with it (die_with_caller). The next `do`
// removes the dirs of dead ones: do-<pid>-<random>, owner pid gone.
void RemoveStateOfDeadDos(const std::string& root) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(root, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("do-", 0) != 0) continue;
    long pid = strtol(name.c_str() + 3, nullptr, 10);
    if (pid > 0 && kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
      std::filesystem::remove_all(e.path(), ec);
  }
}

// Where a `do` keeps its state: StateRoot(), unless that is on a disk (a
// host whose /run is not tmpfs) and LITEBOX_ROOT does not name it: then a
// private dir on /dev/shm. A throwaway sandbox's few files need no disk,
// and a disk's mkdir/rmdir cost ~0.1 ms each here. The private dir must be
// ours alone (a directory owned by us, mode 0700), else StateRoot() is used.
std::string DoStateRoot() {
  std::string root = StateRoot();
  if (getenv("LITEBOX_ROOT") || runtime::OnTmpfs(root)) return root;
  std::string shm = runtime::PrivateShmDir("litebox-do-" + std::to_string(geteuid()));
  return shm.empty() ? root : shm;
}

const char kUsage[] =
    "usage: litebox do --rootfs DIR [--env K=V]... [--cwd DIR] [--user UID[:GID]]\n"
    "                  [--hostname NAME] [--read-only] [--debug-log FILE]\n"
    "                  [--nofile SOFT[:HARD]]\n"
    "                  [--network none|host|new|NETNS_PATH] -- CMD [ARGS...]\n";

runtime::Sandbox* g_sandbox = nullptr;

void Forward(int sig) {
  if (g_sandbox) {
    std::string e;
    g_sandbox->Kill(sig, true, &e);
  }
}

}  // namespace

int DoCommand(Args& args) {
  runtime::Rlimit nofile{RLIMIT_NOFILE, 1024, 1024};
  runtime::SandboxSpec spec;
  spec.wait_for_start = false;
  spec.init.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                   "HOME=/root"};
  std::vector<std::string> extra_env;
  while (!args.empty() && args.front() != "--") {
    std::string flag = args.front();
    args.pop_front();
    std::string value;
    if (auto eq = flag.find('='); eq != std::string::npos && flag.rfind("--", 0) == 0) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (flag != "--read-only" && flag != "-h" && flag != "--help") {
      if (args.empty()) return Fail("do: " + flag + " needs a value\n" + kUsage, 2);
      value = args.front();
      args.pop_front();
    }
    if (flag == "--rootfs")
      spec.rootfs = value;
    else if (flag == "--env")
      extra_env.push_back(value);
    else if (flag == "--cwd")
      spec.init.cwd = value;
    else if (flag == "--hostname")
      spec.hostname = value;
    else if (flag == "--debug-log")
      spec.debug_log = value;
    else if (flag == "--network")
      spec.network = value;
    else if (flag == "--read-only")
      spec.readonly_root = true;
    else if (flag == "--user") {
      char* end;
      spec.init.uid = static_cast<uint32_t>(strtoul(value.c_str(), &end, 10));
      spec.init.gid =
          *end == ':' ? static_cast<uint32_t>(strtoul(end + 1, nullptr, 10)) : spec.init.uid;
    } else if (flag == "--nofile") {
      // RLIMIT_NOFILE of the command (default 1024:1024, as `runc spec`).
      char* end = nullptr;
      errno = 0;
      unsigned long long soft = strtoull(value.c_str(), &end, 10), hard = soft;
      if (end != value.c_str() && *end == ':') {
        const char* h = end + 1;
        hard = strtoull(h, &end, 10);
        if (end == h) end = nullptr;
      }
      if (errno || end == nullptr || end == value.c_str() || *end || value[0] == '-' ||
          soft > hard || hard > (1ull << 30))
        return Fail(
            "do: --nofile " + value + ": want SOFT[:HARD], numbers with SOFT <= HARD <= 1073741824",
            2);
      nofile = {RLIMIT_NOFILE, soft, hard};
    } else if (flag == "-h" || flag == "--help") {
      fputs(kUsage, stdout);
      return 0;
    } else {
      return Fail("do: unknown flag " + flag + "\n" + kUsage, 2);
    }
  }
  if (!args.empty()) args.pop_front();  // "--"
  if (spec.rootfs.empty()) return Fail(std::string("do: --rootfs is required\n") + kUsage, 2);
  if (args.empty()) return Fail(std::string("do: no command given\n") + kUsage, 2);
  if (spec.init.cwd.empty() || spec.init.cwd[0] != '/')
    return Fail("do: --cwd must be an absolute path inside the sandbox", 2);
  for (auto& a : args) spec.init.args.push_back(a);
  for (auto& e : extra_env) {
    std::string key = e.substr(0, e.find('='));
    std::erase_if(spec.init.env,
                  [&](const std::string& x) { return x.substr(0, x.find('=')) == key; });
    spec.init.env.push_back(e);
  }
  char abs[4096];
  if (!realpath(spec.rootfs.c_str(), abs))
    return Fail("do: --rootfs " + spec.rootfs + ": " + strerror(errno), 2);
  spec.rootfs = abs;
  // Unique even if an earlier `do` with the same pid was killed before it
  // could clean up.
  char rnd[4];
  if (getentropy(rnd, sizeof rnd) != 0) memset(rnd, 0, sizeof rnd);
  char suffix[16];
  snprintf(suffix, sizeof suffix, "-%02x%02x%02x%02x", rnd[0] & 0xff, rnd[1] & 0xff, rnd[2] & 0xff,
           rnd[3] & 0xff);
  spec.id = "do-" + std::to_string(getpid()) + suffix;
  spec.die_with_caller = true;
  spec.sweep_on_shutdown = true;  // we reap the init, then Destroy
  const std::string state_root = DoStateRoot();
  spec.state_dir = state_root + "/" + spec.id;
  RemoveStateOfDeadDos(state_root);
  spec.init.rlimits.push_back(nofile);

  // Orphans of the sandbox (double-forked daemons) are reparented here, not
  // to the host's init, and reaped below once the sandbox is gone: nothing
  // of it is left behind, not even a zombie.
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  runtime::Stdio stdio{0, 1, 2};
  std::string err;
  auto sb = runtime::Sandbox::Create(spec, stdio, &err);
  if (!sb) return Fail("do: " + err, 125);
  g_sandbox = sb.get();
  signal(SIGINT, Forward);
  signal(SIGTERM, Forward);
  signal(SIGHUP, Forward);
  int st = 0;
  while (waitpid(sb->init_pid(), &st, 0) < 0 && errno == EINTR) {
  }
  g_sandbox = nullptr;
  sb->Destroy(&err);
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return 1;
}

}  // namespace litebox::cli
