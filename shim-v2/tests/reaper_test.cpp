// The reaper with real children: exit codes, 128+signal, ignored pids.
#include "shim-v2/task/reaper.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace litebox::shim::task {
namespace {

using namespace std::chrono_literals;

TEST(ExitStatus, CodeOrSignalPlus128) {
  pid_t a = fork();
  if (a == 0) _exit(3);
  pid_t b = fork();
  if (b == 0) {
    pause();
    _exit(0);
  }
  kill(b, SIGKILL);
  int st;
  waitpid(a, &st, 0);
  EXPECT_EQ(ExitStatusOf(st), 3);
  waitpid(b, &st, 0);
  EXPECT_EQ(ExitStatusOf(st), 137);
}

TEST(Reaper, ReportsWatchedExitsAndLeavesIgnoredPidsAlone) {
  std::mutex mu;
  std::condition_variable cv;
  std::map<pid_t, int> seen;
  auto record = [&](pid_t p, int status) {
    std::lock_guard<std::mutex> lock(mu);
    seen[p] = status;
    cv.notify_all();
  };
  Reaper& r = Reaper::Instance();
  pid_t a, b, ignored;
  {
    auto hold = r.Hold();
    a = fork();
    if (a == 0) _exit(42);
    b = fork();
    if (b == 0) {
      raise(SIGTERM);
      _exit(0);
    }
    ignored = fork();
    if (ignored == 0) _exit(7);
    r.Watch(a, record);
    r.Watch(b, record);
    r.Ignore(ignored);
  }
  // No thread in this test: reap by hand until both are seen.
  std::unique_lock<std::mutex> lock(mu);
  for (int i = 0; i < 200 && seen.size() < 2; ++i) {
    lock.unlock();
    r.ReapNow();
    std::this_thread::sleep_for(10ms);
    lock.lock();
  }
  EXPECT_EQ(seen[a], 42);
  EXPECT_EQ(seen[b], 128 + SIGTERM);
  int st = 0;
  // The ignored child is still ours to wait for.
  ASSERT_EQ(waitpid(ignored, &st, 0), ignored);
  EXPECT_EQ(WEXITSTATUS(st), 7);
  r.Unignore(ignored);
}

}  // namespace
}  // namespace litebox::shim::task
