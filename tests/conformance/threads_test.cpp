// Thread conformance: pthread_create/join, mutex-protected counting, condition
// variables, raw futex wait/wake, thread-local storage, per-thread tids.
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <set>
#include <vector>

#include "tests/conformance/scratch.hpp"

namespace conformance {
namespace {

long Futex(std::atomic<int>* addr, int op, int val, const struct timespec* timeout = nullptr) {
  return syscall(SYS_futex, reinterpret_cast<int*>(addr), op, val, timeout, nullptr, 0);
}

pid_t Gettid() {
  return static_cast<pid_t>(syscall(SYS_gettid));
}

// Starts `n` threads running fn(arg) and returns how many started. Callers
// join exactly those before asserting anything: the threads use the caller's
// stack, so returning early would leave them running on a dead frame.
int StartThreads(pthread_t* ts, int n, void* (*fn)(void*), void* arg) {
  for (int i = 0; i < n; ++i) {
    int err = pthread_create(&ts[i], nullptr, fn, arg);
    if (err != 0) {
      ADD_FAILURE() << "pthread_create #" << i << ": " << strerror(err);
      return i;
    }
  }
  return n;
}

void JoinThreads(pthread_t* ts, int n) {
  for (int i = 0; i < n; ++i) EXPECT_EQ(pthread_join(ts[i], nullptr), 0) << "thread #" << i;
}

TEST(ThreadsTest, CreateJoinReturnsThreadResult) {
  pthread_t t;
  ASSERT_EQ(pthread_create(
                &t, nullptr,
                [](void* arg) -> void* {
                  return reinterpret_cast<void*>(reinterpret_cast<intptr_t>(arg) * 3);
                },
                reinterpret_cast<void*>(14)),
            0);
  void* ret = nullptr;
  ASSERT_EQ(pthread_join(t, &ret), 0);
  EXPECT_EQ(reinterpret_cast<intptr_t>(ret), 42);
}

TEST(ThreadsTest, PthreadExitValueReachesJoin) {
  pthread_t t;
  ASSERT_EQ(pthread_create(
                &t, nullptr,
                [](void*) -> void* {
                  pthread_exit(reinterpret_cast<void*>(0x77));
                  return nullptr;
                },
                nullptr),
            0);
  void* ret = nullptr;
  ASSERT_EQ(pthread_join(t, &ret), 0);
  EXPECT_EQ(reinterpret_cast<intptr_t>(ret), 0x77);
}

TEST(ThreadsTest, ThreadsShareMemory) {
  int shared = 0;
  pthread_t t;
  ASSERT_EQ(pthread_create(
                &t, nullptr,
                [](void* arg) -> void* {
                  *static_cast<int*>(arg) = 1234;
                  return nullptr;
                },
                &shared),
            0);
  ASSERT_EQ(pthread_join(t, nullptr), 0);
  EXPECT_EQ(shared, 1234);
}

struct Counter {
  pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  long value = 0;
};
constexpr int kThreads = 8;
constexpr int kIncrements = 20000;

TEST(ThreadsTest, EightThreadsIncrementUnderMutex) {
  Counter c;
  pthread_t ts[kThreads];
  int started = StartThreads(
      ts, kThreads,
      [](void* arg) -> void* {
        auto* c = static_cast<Counter*>(arg);
        for (int i = 0; i < kIncrements; ++i) {
          pthread_mutex_lock(&c->mu);
          long v = c->value;  // read-modify-write: lost updates show a broken mutex
          c->value = v + 1;
          pthread_mutex_unlock(&c->mu);
        }
        return nullptr;
      },
      &c);
  JoinThreads(ts, started);
  ASSERT_EQ(started, kThreads);
  EXPECT_EQ(c.value, static_cast<long>(kThreads) * kIncrements);
}

TEST(ThreadsTest, MutexTrylockFailsWhileHeld) {
  pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  ASSERT_EQ(pthread_mutex_lock(&mu), 0);
  int from_thread = -1;
  struct Arg {
    pthread_mutex_t* mu;
    int* out;
  } arg{&mu, &from_thread};
  pthread_t t;
  ASSERT_EQ(pthread_create(
                &t, nullptr,
                [](void* p) -> void* {
                  auto* a = static_cast<Arg*>(p);
                  *a->out = pthread_mutex_trylock(a->mu);
                  return nullptr;
                },
                &arg),
            0);
  ASSERT_EQ(pthread_join(t, nullptr), 0);
  EXPECT_EQ(from_thread, EBUSY);
  pthread_mutex_unlock(&mu);
}

struct Gate {
  pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
  bool open = false;
  int woken = 0;
};

void* WaitAtGate(void* arg) {
  auto* g = static_cast<Gate*>(arg);
  pthread_mutex_lock(&g->mu);
  while (!g->open) pthread_cond_wait(&g->cv, &g->mu);
  ++g->woken;
  pthread_mutex_unlock(&g->mu);
  return nullptr;
}

TEST(ThreadsTest, CondvarSignalWakesWaiter) {
  Gate g;
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, nullptr, WaitAtGate, &g), 0);
  usleep(20000);
  pthread_mutex_lock(&g.mu);
  EXPECT_EQ(g.woken, 0);  // still waiting: the gate is closed
  g.open = true;
  pthread_cond_signal(&g.cv);
  pthread_mutex_unlock(&g.mu);
  ASSERT_EQ(pthread_join(t, nullptr), 0);
  EXPECT_EQ(g.woken, 1);
}

TEST(ThreadsTest, CondvarBroadcastWakesAllWaiters) {
  Gate g;
  pthread_t ts[4];
  int started = StartThreads(ts, 4, WaitAtGate, &g);
  usleep(20000);
  pthread_mutex_lock(&g.mu);
  g.open = true;
  pthread_cond_broadcast(&g.cv);
  pthread_mutex_unlock(&g.mu);
  JoinThreads(ts, started);
  ASSERT_EQ(started, 4);
  EXPECT_EQ(g.woken, 4);
}

TEST(ThreadsTest, CondTimedwaitTimesOut) {
  pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
  struct timespec deadline {};
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_nsec += 30 * 1000 * 1000;
  if (deadline.tv_nsec >= 1000000000) {
    deadline.tv_sec += 1;
    deadline.tv_nsec -= 1000000000;
  }
  pthread_mutex_lock(&mu);
  EXPECT_EQ(pthread_cond_timedwait(&cv, &mu, &deadline), ETIMEDOUT);
  pthread_mutex_unlock(&mu);
}

TEST(ThreadsTest, FutexWaitWithWrongValueIsEAGAIN) {
  std::atomic<int> word{5};
  EXPECT_EQ(Futex(&word, FUTEX_WAIT_PRIVATE, 6), -1);
  EXPECT_EQ(errno, EAGAIN);
}

TEST(ThreadsTest, FutexWaitTimesOut) {
  std::atomic<int> word{0};
  struct timespec ts = {0, 20 * 1000 * 1000};
  struct timespec a {
  }, b{};
  clock_gettime(CLOCK_MONOTONIC, &a);
  EXPECT_EQ(Futex(&word, FUTEX_WAIT_PRIVATE, 0, &ts), -1);
  EXPECT_EQ(errno, ETIMEDOUT);
  clock_gettime(CLOCK_MONOTONIC, &b);
  long ns = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
  EXPECT_GE(ns, 20 * 1000 * 1000);
}

TEST(ThreadsTest, FutexWakeWithoutWaitersWakesNobody) {
  std::atomic<int> word{0};
  EXPECT_EQ(Futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX), 0);
}

struct FutexPair {
  std::atomic<int> word{0};
  std::atomic<int> started{0};
  long wait_result = 99;
};

TEST(ThreadsTest, FutexWakeReleasesWaitingThread) {
  FutexPair p;
  pthread_t t;
  ASSERT_EQ(pthread_create(
                &t, nullptr,
                [](void* arg) -> void* {
                  auto* p = static_cast<FutexPair*>(arg);
                  p->started = 1;
                  // Loop: a wake-up is only meaningful once the word changed.
                  long r = 0;
                  while (p->word.load() == 0) {
                    r = Futex(&p->word, FUTEX_WAIT_PRIVATE, 0);
                    if (r == -1 && errno != EAGAIN && errno != EINTR) break;
                  }
                  p->wait_result = r;
                  return nullptr;
                },
                &p),
            0);
  while (p.started.load() == 0) sched_yield();
  usleep(20000);  // let it block in FUTEX_WAIT
  p.word = 1;
  long woken = Futex(&p.word, FUTEX_WAKE_PRIVATE, 1);
  ASSERT_EQ(pthread_join(t, nullptr), 0);
  EXPECT_GE(woken, 0);
  EXPECT_LE(woken, 1);
  EXPECT_TRUE(p.wait_result == 0 || (p.wait_result == -1 && woken == 0));
  EXPECT_EQ(p.word.load(), 1);
}

thread_local int tls_value = 7;
thread_local char tls_buffer[64] = "initial";

TEST(ThreadsTest, ThreadLocalStorageIsPerThread) {
  tls_value = 100;
  strcpy(tls_buffer, "main");
  struct Seen {
    int initial_value;
    char initial_buf[64];
    int* addr;
  } seen{};
  pthread_t t;
  ASSERT_EQ(pthread_create(
                &t, nullptr,
                [](void* arg) -> void* {
                  auto* s = static_cast<Seen*>(arg);
                  s->initial_value = tls_value;
                  strcpy(s->initial_buf, tls_buffer);
                  s->addr = &tls_value;
                  tls_value = 555;  // must not leak into main's copy
                  return nullptr;
                },
                &seen),
            0);
  ASSERT_EQ(pthread_join(t, nullptr), 0);
  EXPECT_EQ(seen.initial_value, 7);
  EXPECT_STREQ(seen.initial_buf, "initial");
  EXPECT_NE(seen.addr, &tls_value);
  EXPECT_EQ(tls_value, 100);
  EXPECT_STREQ(tls_buffer, "main");
}

TEST(ThreadsTest, PthreadKeyValuesArePerThread) {
  pthread_key_t key;
  ASSERT_EQ(pthread_key_create(&key, nullptr), 0);
  int mine = 1;
  pthread_setspecific(key, &mine);
  void* other = reinterpret_cast<void*>(1);
  pthread_t t;
  struct Arg {
    pthread_key_t key;
    void** out;
  } arg{key, &other};
  ASSERT_EQ(pthread_create(
                &t, nullptr,
                [](void* p) -> void* {
                  auto* a = static_cast<Arg*>(p);
                  *a->out = pthread_getspecific(a->key);
                  return nullptr;
                },
                &arg),
            0);
  ASSERT_EQ(pthread_join(t, nullptr), 0);
  EXPECT_EQ(other, nullptr);
  EXPECT_EQ(pthread_getspecific(key), &mine);
  pthread_key_delete(key);
}

TEST(ThreadsTest, MainThreadTidEqualsPid) {
  EXPECT_EQ(Gettid(), getpid());
}

TEST(ThreadsTest, GettidDistinctPerThreadSamePid) {
  struct Ids {
    pid_t tid;
    pid_t pid;
  } ids[kThreads];
  // All threads stay alive until every one has reported, so the kernel cannot
  // hand a finished thread's tid to a later one.
  struct Arg {
    Ids* ids;
    std::atomic<int> arrived{0};
    std::atomic<int> release{0};
  } arg{ids};
  pthread_t ts[kThreads];
  int started = StartThreads(
      ts, kThreads,
      [](void* p) -> void* {
        auto* a = static_cast<Arg*>(p);
        int i = a->arrived.fetch_add(1);
        a->ids[i] = {Gettid(), getpid()};
        while (a->release.load() == 0) usleep(1000);
        return nullptr;
      },
      &arg);
  for (int i = 0; i < 10000 && arg.arrived.load() < started; ++i) usleep(1000);
  arg.release = 1;
  JoinThreads(ts, started);
  ASSERT_EQ(started, kThreads);
  std::set<pid_t> tids;
  for (const auto& id : ids) {
    EXPECT_EQ(id.pid, getpid());
    EXPECT_GT(id.tid, 0);
    EXPECT_NE(id.tid, getpid());
    tids.insert(id.tid);
  }
  EXPECT_EQ(tids.size(), static_cast<size_t>(kThreads));
}

TEST(ThreadsTest, PthreadSelfDiffersAcrossThreads) {
  pthread_t main_self = pthread_self();
  pthread_t seen{};
  pthread_t t;
  ASSERT_EQ(pthread_create(
                &t, nullptr,
                [](void* arg) -> void* {
                  *static_cast<pthread_t*>(arg) = pthread_self();
                  return nullptr;
                },
                &seen),
            0);
  ASSERT_EQ(pthread_join(t, nullptr), 0);
  EXPECT_TRUE(pthread_equal(seen, t));
  EXPECT_FALSE(pthread_equal(seen, main_self));
}

TEST(ThreadsTest, DetachedThreadRunsToCompletion) {
  static std::atomic<int> done{0};
  done = 0;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  ASSERT_EQ(pthread_create(
                &t, &attr,
                [](void*) -> void* {
                  done = 1;
                  return nullptr;
                },
                nullptr),
            0);
  pthread_attr_destroy(&attr);
  for (int i = 0; i < 5000 && done.load() == 0; ++i) usleep(1000);
  EXPECT_EQ(done.load(), 1);
  EXPECT_EQ(pthread_join(t, nullptr), EINVAL);  // detached threads cannot be joined
}

TEST(ThreadsTest, ThreadNameRoundTrips) {
  ASSERT_EQ(pthread_setname_np(pthread_self(), "conf-main"), 0);
  char name[16] = {};
  ASSERT_EQ(pthread_getname_np(pthread_self(), name, sizeof name), 0);
  EXPECT_STREQ(name, "conf-main");
}

TEST(ThreadsTest, ThreadWithCustomStackSizeRuns) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, 1 << 20), 0);
  pthread_t t;
  size_t used = 0;
  ASSERT_EQ(pthread_create(
                &t, &attr,
                [](void* arg) -> void* {
                  volatile char big[512 * 1024];  // half the stack must be usable
                  big[0] = 1;
                  big[sizeof big - 1] = 2;
                  *static_cast<size_t*>(arg) = sizeof big + big[0] + big[sizeof big - 1] - 3;
                  return nullptr;
                },
                &used),
            0);
  pthread_attr_destroy(&attr);
  ASSERT_EQ(pthread_join(t, nullptr), 0);
  EXPECT_EQ(used, 512u * 1024);
}

}  // namespace
}  // namespace conformance
