#include "runtime/cpu_apart.hpp"

#include <gtest/gtest.h>
#include <sched.h>

#include <thread>

namespace litebox::runtime {
namespace {

constexpr int64_t kMs = 1'000'000;

cpu_set_t Affinity() {
  cpu_set_t s;
  CPU_ZERO(&s);
  EXPECT_EQ(sched_getaffinity(0, sizeof s, &s), 0);
  return s;
}

// Each case runs on a thread of its own: affinity is per thread, and the
// test's main thread keeps its own.
template <typename F>
void OnOwnThread(F f) {
  std::thread t(f);
  t.join();
}

bool HasTwoCpus() {
  cpu_set_t s = Affinity();
  return CPU_COUNT(&s) > 1;
}

uint32_t Hint(int cpu) {
  return static_cast<uint32_t>(cpu) + 1;
}

TEST(CpuApartTest, LeavesTheGuestsCpuWhenItIsOurs) {
  if (!HasTwoCpus()) GTEST_SKIP() << "needs two CPUs to move between";
  OnOwnThread([] {
    const cpu_set_t home = Affinity();
    CpuApart a;
    const int cpu = sched_getcpu();
    EXPECT_EQ(a.avoided(), 0u);
    a.Served(Hint(cpu), cpu, false, 100 * kMs);
    EXPECT_TRUE(a.narrowed());
    EXPECT_TRUE(a.apart());
    EXPECT_EQ(a.avoided(), Hint(cpu));
    cpu_set_t now = Affinity();
    EXPECT_FALSE(CPU_ISSET(cpu, &now)) << "the guest's CPU is still allowed";
    EXPECT_EQ(CPU_COUNT(&now), CPU_COUNT(&home) - 1) << "more than the guest's CPU was dropped";
    EXPECT_NE(sched_getcpu(), cpu) << "the kernel did not move the thread";
  });
}

TEST(CpuApartTest, StaysWhenTheGuestRunsElsewhere) {
  if (!HasTwoCpus()) GTEST_SKIP() << "needs two CPUs to move between";
  OnOwnThread([] {
    const cpu_set_t home = Affinity();
    CpuApart a;
    const int cpu = sched_getcpu();
    a.Served(Hint(cpu == 0 ? 1 : 0), cpu, false, 100 * kMs);
    EXPECT_FALSE(a.narrowed());
    EXPECT_TRUE(a.apart());
    cpu_set_t now = Affinity();
    EXPECT_TRUE(CPU_EQUAL(&now, &home));
  });
}

TEST(CpuApartTest, IgnoresAnUnknownOrImpossibleCpu) {
  if (!HasTwoCpus()) GTEST_SKIP() << "needs two CPUs to move between";
  OnOwnThread([] {
    const cpu_set_t home = Affinity();
    CpuApart a;
    // Each claims to be on "our" CPU: only the range check stops a move.
    a.Served(0, -1, false, 100 * kMs);  // unknown
    a.Served(CPU_SETSIZE + 1, CPU_SETSIZE, false, 200 * kMs);
    a.Served(0xffffffffu, static_cast<int>(0xfffffffeu), false, 300 * kMs);
    EXPECT_FALSE(a.narrowed());
    EXPECT_FALSE(a.apart());
    cpu_set_t now = Affinity();
    EXPECT_TRUE(CPU_EQUAL(&now, &home));
  });
}

TEST(CpuApartTest, NeverLeavesTheOnlyCpuItMayUse) {
  OnOwnThread([] {
    const int cpu = sched_getcpu();
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
    CpuApart a;
    a.Served(Hint(cpu), cpu, false, 100 * kMs);
    EXPECT_FALSE(a.narrowed());
    EXPECT_FALSE(a.apart()) << "guest and supervisor share the one CPU";
    cpu_set_t now = Affinity();
    EXPECT_TRUE(CPU_EQUAL(&now, &one));
  });
}

TEST(CpuApartTest, BusyGivesTheWholeSetBack) {
  if (!HasTwoCpus()) GTEST_SKIP() << "needs two CPUs to move between";
  OnOwnThread([] {
    const cpu_set_t home = Affinity();
    CpuApart a;
    const int cpu = sched_getcpu();
    a.Served(Hint(cpu), cpu, false, 100 * kMs);
    ASSERT_TRUE(a.narrowed());
    a.Served(Hint(cpu), sched_getcpu(), true, 101 * kMs);
    EXPECT_FALSE(a.narrowed());
    EXPECT_FALSE(a.apart());
    EXPECT_EQ(a.avoided(), 0u) << "restored, yet a CPU is said to be avoided";
    cpu_set_t now = Affinity();
    EXPECT_TRUE(CPU_EQUAL(&now, &home));
    // Busy: no move even onto a guest's CPU.
    const int here = sched_getcpu();
    a.Served(Hint(here), here, true, 200 * kMs);
    EXPECT_FALSE(a.narrowed());
  });
}

TEST(CpuApartTest, IdleGivesTheWholeSetBackOnlyAfterAWhile) {
  if (!HasTwoCpus()) GTEST_SKIP() << "needs two CPUs to move between";
  OnOwnThread([] {
    const cpu_set_t home = Affinity();
    CpuApart a;
    const int64_t t0 = 100 * kMs;
    const int cpu = sched_getcpu();
    a.Served(Hint(cpu), cpu, false, t0);
    ASSERT_TRUE(a.narrowed());
    a.Idle(t0 + CpuApart::kKeepNs / 2);
    EXPECT_TRUE(a.narrowed()) << "a short sleep undid the move";
    EXPECT_FALSE(a.apart()) << "asleep, nobody is being polled for";
    a.Idle(t0 + CpuApart::kKeepNs);
    EXPECT_FALSE(a.narrowed());
    cpu_set_t now = Affinity();
    EXPECT_TRUE(CPU_EQUAL(&now, &home));
  });
}

TEST(CpuApartTest, MovesAtMostOncePerInterval) {
  if (!HasTwoCpus()) GTEST_SKIP() << "needs two CPUs to move between";
  OnOwnThread([] {
    CpuApart a;
    const int64_t t0 = 100 * kMs;
    const int cpu = sched_getcpu();
    a.Served(Hint(cpu), cpu, false, t0);
    ASSERT_TRUE(a.narrowed());
    const cpu_set_t first = Affinity();
    // The guest followed us: too soon to move again.
    const int here = sched_getcpu();
    a.Served(Hint(here), here, false, t0 + CpuApart::kMinIntervalNs / 2);
    EXPECT_FALSE(a.apart());
    cpu_set_t now = Affinity();
    EXPECT_TRUE(CPU_EQUAL(&now, &first));
    // Later it may: then only that guest's CPU is left out of the home set.
    a.Served(Hint(here), here, false, t0 + CpuApart::kMinIntervalNs);
    now = Affinity();
    EXPECT_FALSE(CPU_ISSET(here, &now));
    if (here != cpu) EXPECT_TRUE(CPU_ISSET(cpu, &now)) << "the first guest's CPU stays excluded";
  });
}

TEST(SpinBudgetTest, ABurstThenHalfOfTheTime) {
  const int64_t t0 = 1000 * kMs;
  SpinBudget b(t0);
  EXPECT_TRUE(b.Allows(SpinBudget::kBurstNs, t0));
  EXPECT_FALSE(b.Allows(SpinBudget::kBurstNs + 1, t0)) << "more than the burst at once";
  b.Spent(SpinBudget::kBurstNs, t0);
  EXPECT_FALSE(b.Allows(1, t0));
  // 4 ms later: 2 ms of polling earned.
  EXPECT_TRUE(b.Allows(2 * kMs, t0 + 4 * kMs));
  EXPECT_FALSE(b.Allows(2 * kMs + 1, t0 + 4 * kMs));
  b.Spent(2 * kMs, t0 + 4 * kMs);
  // Polling all the time for a second earns half a second and no more.
  int64_t spun = 0;
  for (int64_t t = t0 + 4 * kMs; t < t0 + 1004 * kMs; t += kMs / 10) {
    if (b.Allows(kMs / 10, t)) {
      b.Spent(kMs / 10, t);
      spun += kMs / 10;
    }
  }
  EXPECT_LE(spun, 500 * kMs + kMs / 10);
  EXPECT_GE(spun, 490 * kMs);
  // Time going backwards (another clock reading) takes nothing away.
  SpinBudget c(t0);
  EXPECT_TRUE(c.Allows(kMs, t0 - 5 * kMs));
}

}  // namespace
}  // namespace litebox::runtime
