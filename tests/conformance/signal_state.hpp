// A test fixture's signal state: installs handlers for a case and puts back
// every disposition it touched, then the signal mask, so cases stay
// independent (dispositions first: a pending signal is then discarded by
// its restored default rather than delivered to a stale handler).
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace conformance {

class SignalState {
 public:
  // Call from SetUp: remembers the mask to restore.
  void Begin() { sigprocmask(SIG_SETMASK, nullptr, &saved_mask_); }
  // Call from TearDown.
  void Restore() {
    for (auto& [sig, act] : saved_) sigaction(sig, &act, nullptr);
    saved_.clear();
    sigprocmask(SIG_SETMASK, &saved_mask_, nullptr);
  }
  void Install(int sig, void (*handler)(int), int flags = 0) {
    struct sigaction sa {};
    sa.sa_handler = handler;
    sa.sa_flags = flags;
    Set(sig, sa);
  }
  void InstallInfo(int sig, void (*handler)(int, siginfo_t*, void*), int flags = 0) {
    struct sigaction sa {};
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | flags;
    Set(sig, sa);
  }
  // Remembers `sig`'s disposition (for a case that changes it itself).
  void Save(int sig) {
    struct sigaction old {};
    sigaction(sig, nullptr, &old);
    saved_.push_back({sig, old});
  }

 private:
  void Set(int sig, struct sigaction& sa) {
    sigemptyset(&sa.sa_mask);
    Save(sig);
    ASSERT_EQ(sigaction(sig, &sa, nullptr), 0) << strerror(errno);
  }
  std::vector<std::pair<int, struct sigaction>> saved_;
  sigset_t saved_mask_;
};

}  // namespace conformance
