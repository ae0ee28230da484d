#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "github.com/containerd/containerd/runtime/v2/task/shim.pb.h"
#include "runtime/sandbox.hpp"
#include "shim-v2/cli/address.hpp"
#include "shim-v2/cli/commands.hpp"
#include "shim-v2/rootfs/mounts.hpp"

namespace litebox::shim::cli {

namespace {

// The shim that served this bundle is gone (that is why containerd runs
// `delete`): remove its socket unless another container's shim of the same
// pod still answers on it.
void RemoveDeadSocket(const std::string& address_file) {
  std::ifstream in(address_file);
  std::string address;
  if (!(in >> address)) return;
  std::string path = SocketPath(address);
  if (path.empty()) return;
  int fd = -1;
  std::string err;
  // Listen() tells a live socket from a stale one (and claims the latter).
  if (Listen(path, &fd, &err) == ListenResult::kListening) {
    close(fd);
    unlink(path.c_str());
  }
}

}  // namespace

// containerd runs this when the shim daemon is gone (or Create failed): it
// must leave nothing behind. Everything that goes wrong is reported on
// stderr (logged by containerd as a warning), the response is still written.
int RunDelete(const Flags& f) {
  if (f.ns.empty() || f.id.empty()) {
    fprintf(stderr, "containerd-shim-litebox delete: -namespace and -id are required\n");
    return 1;
  }
  std::string bundle = f.bundle;
  if (bundle.empty()) {
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd)) bundle = cwd;
  }
  uint32_t pid = 0;
  {
    std::ifstream in(bundle + "/init.pid");
    in >> pid;
  }

  std::string state_dir = StateDir(f.ns, f.id), err;
  std::error_code ec;
  if (std::filesystem::exists(state_dir, ec)) {
    auto sandbox = runtime::Sandbox::Attach(state_dir, &err);
    if (!sandbox) {
      fprintf(stderr, "delete %s: attach %s: %s\n", f.id.c_str(), state_dir.c_str(), err.c_str());
    } else if (!sandbox->Destroy(&err)) {
      fprintf(stderr, "delete %s: destroy sandbox: %s\n", f.id.c_str(), err.c_str());
    }
    std::filesystem::remove_all(state_dir, ec);
    if (ec)
      fprintf(stderr, "delete %s: rm -r %s: %s\n", f.id.c_str(), state_dir.c_str(),
              ec.message().c_str());
  }
  if (!bundle.empty() && !rootfs::UnmountAll(bundle + "/rootfs", &err))
    fprintf(stderr, "delete %s: %s\n", f.id.c_str(), err.c_str());
  RemoveDeadSocket(bundle + "/address");

  containerd::task::v2::DeleteResponse resp;
  resp.set_pid(pid);
  resp.set_exit_status(128 + 9);  // the container was force-killed
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  resp.mutable_exited_at()->set_seconds(now.tv_sec);
  resp.mutable_exited_at()->set_nanos(int32_t(now.tv_nsec));
  std::string out;
  resp.SerializeToString(&out);
  fwrite(out.data(), 1, out.size(), stdout);
  fflush(stdout);
  return 0;
}

}  // namespace litebox::shim::cli
