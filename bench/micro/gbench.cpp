// The syscall micro-suite as Google Benchmark cases, run inside every
// runtime (dynamically linked: it runs over the Debian image, which carries
// libbenchmark). Each case checks what the kernel returned and stops with an
// error otherwise; results go out as the other micro programs' RESULT lines
//   RESULT <name> <ns per op> ns/op 1 <iterations>
// so the harness reads them the same way (a FAIL line on any error).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {

const char* const kFile = "/etc/os-release";  // in every Debian image

void BM_getpid(benchmark::State& state) {
  long pid = syscall(SYS_getpid);
  for (auto _ : state) {
    if (syscall(SYS_getpid) != pid) state.SkipWithError("getpid changed");
  }
}
BENCHMARK(BM_getpid);

void BM_read_devzero(benchmark::State& state) {
  int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    state.SkipWithError("open /dev/zero");
    return;
  }
  char c;
  for (auto _ : state) {
    if (read(fd, &c, 1) != 1) state.SkipWithError("read /dev/zero");
  }
  close(fd);
}
BENCHMARK(BM_read_devzero);

void BM_write_pipe(benchmark::State& state) {
  int p[2];
  if (pipe(p) != 0) {
    state.SkipWithError("pipe");
    return;
  }
  char c = 'x', buf[4096];
  long n = 0;
  for (auto _ : state) {
    if (write(p[1], &c, 1) != 1) state.SkipWithError("write pipe");
    if (++n == 4096) {  // drain before the pipe fills, off the clock
      state.PauseTiming();
      if (read(p[0], buf, sizeof buf) != 4096) state.SkipWithError("drain pipe");
      n = 0;
      state.ResumeTiming();
    }
  }
  close(p[0]);
  close(p[1]);
}
BENCHMARK(BM_write_pipe);

void BM_open_close(benchmark::State& state) {
  for (auto _ : state) {
    int fd = open(kFile, O_RDONLY | O_CLOEXEC);
    if (fd < 0) state.SkipWithError("open");
    close(fd);
  }
}
BENCHMARK(BM_open_close);

void BM_stat(benchmark::State& state) {
  struct stat st;
  for (auto _ : state) {
    if (stat(kFile, &st) != 0 || st.st_size == 0) state.SkipWithError("stat");
  }
}
BENCHMARK(BM_stat);

class ResultReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      std::string name = r.benchmark_name();
      if (name.rfind("BM_", 0) == 0) name = "gb_" + name.substr(3);
      if (r.error_occurred) {
        std::printf("FAIL %s %s\n", name.c_str(), r.error_message.c_str());
        failed_ = true;
        continue;
      }
      // Real time: the syscalls block, and CPU time would hide the wait
      // for the supervisor.
      std::printf("RESULT %s %.3f ns/op 1 %lld\n", name.c_str(), r.GetAdjustedRealTime(),
                  static_cast<long long>(r.iterations));
    }
    std::fflush(stdout);
  }
  bool failed() const { return failed_; }

 private:
  bool failed_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  ResultReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return reporter.failed() ? 1 : 0;
}
