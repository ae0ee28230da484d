#include "shim-v2/task/daemon.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "shim-v2/cli/address.hpp"
#include "shim-v2/events/publisher.hpp"
#include "shim-v2/task/reaper.hpp"
#include "shim-v2/task/service.hpp"
#include "shim-v2/ttrpc/server.hpp"

namespace litebox::shim::task {

namespace {

constexpr int kListenerFd = 3;

// containerd created <bundle>/log (a FIFO it reads into its own log) before
// `start`; our stderr goes there. Non-blocking: a stalled reader must never
// stall the shim (lines are dropped instead).
void RedirectStderrToLog() {
  int fd = open("log", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return;
  dup2(fd, 2);
  close(fd);
}

}  // namespace

int RunDaemon(const cli::Flags& f) {
  RedirectStderrToLog();
  if (f.ns.empty() || f.id.empty() || f.socket.empty()) {
    fprintf(stderr, "litebox-shim daemon: -namespace, -id and -socket are required\n");
    return 1;
  }
  struct stat st;
  if (fstat(kListenerFd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
    fprintf(stderr, "litebox-shim daemon: fd 3 is not the listening socket (run via `start`)\n");
    return 1;
  }
  fcntl(kListenerFd, F_SETFD, FD_CLOEXEC);  // guests and loggers must not inherit it
  // Guests are forked by Sandbox calls from this process: it reaps them,
  // and every orphan of theirs.
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) perror("litebox-shim: PR_SET_CHILD_SUBREAPER");
  // SIGCHLD is taken by the reaper's signalfd; it must be blocked in every
  // thread, so block it before the first thread exists.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // The bundle containerd started us in goes away before we may: do not hold it.
  if (chdir("/") != 0) perror("litebox-shim: chdir /");

  const char* ttrpc_address = getenv("TTRPC_ADDRESS");
  if (!ttrpc_address)
    fprintf(stderr, "litebox-shim: TTRPC_ADDRESS not set: events cannot be published\n");
  events::Publisher publisher(ttrpc_address ? ttrpc_address : "", f.ns);
  Reaper::Instance().Start();

  ttrpc::Server server;
  TaskService service(
      f.ns, &publisher,
      [&server] {
        // Let the Shutdown reply go out before the connections are closed.
        std::thread([&server] {
          auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
          while (server.InFlight() > 0 && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          server.Stop();
        }).detach();
      },
      f.debug);
  service.Register(&server);
  std::string err;
  bool ok = server.Serve(kListenerFd, &err);
  if (!ok) fprintf(stderr, "litebox-shim: %s\n", err.c_str());
  close(kListenerFd);
  unlink(cli::SocketPath(f.socket).c_str());
  publisher.Close(std::chrono::seconds(5));
  // Containers still here (a serve error) are left to containerd's `delete`.
  _exit(ok ? 0 : 1);
}

}  // namespace litebox::shim::task
