// Container stdio with real FIFOs, a real pty and real programs standing in
// for the guest (/bin/sh gets guest_stdio() as its fds 0-2, exactly what
// Sandbox::Create/Exec receive).
#include "shim-v2/io/process_io.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "shim-v2/io/logger.hpp"

namespace litebox::shim::io {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

pid_t Spawn(const runtime::Stdio& s, const std::string& script) {
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    int src[3] = {s.in, s.out, s.err};
    int lifted[3];
    for (int i = 0; i < 3; ++i) lifted[i] = fcntl(src[i] >= 0 ? src[i] : null, F_DUPFD, 20);
    for (int i = 0; i < 3; ++i) dup2(lifted[i], i);
    execl("/bin/sh", "sh", "-c", script.c_str(), nullptr);
    _exit(127);
  }
  return pid;
}

int WaitExit(pid_t pid) {
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// Reads from a non-blocking fd until `want` is contained or the timeout.
std::string ReadUntil(int fd, const std::string& want, std::chrono::milliseconds timeout) {
  std::string got;
  auto until = std::chrono::steady_clock::now() + timeout;
  while (got.find(want) == std::string::npos && std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) got.append(buf, size_t(n));
  }
  return got;
}

struct IoTest : ::testing::Test {
  void SetUp() override {
    dir = fs::path("/tmp") / ("shim-io-" + std::to_string(getpid()));
    fs::create_directories(dir);
    for (const char* n : {"stdin", "stdout", "stderr"})
      ASSERT_EQ(mkfifo((dir / n).c_str(), 0600), 0);
    // The client (ctr) opens its ends first.
    out_r = open((dir / "stdout").c_str(), O_RDONLY | O_NONBLOCK);
    err_r = open((dir / "stderr").c_str(), O_RDONLY | O_NONBLOCK);
  }
  void TearDown() override {
    close(out_r);
    close(err_r);
    fs::remove_all(dir);
  }
  IoConfig Fifos(bool terminal = false) {
    return {(dir / "stdin").string(),
            (dir / "stdout").string(),
            terminal ? "" : (dir / "stderr").string(),
            terminal,
            "c1",
            "ns1"};
  }
  // The guest: `script` on the io's guest fds; then the shim's copies start.
  static pid_t Run(ProcessIo& io, const std::string& script) {
    pid_t pid = Spawn(io.guest_stdio(), script);
    io.CloseGuestEnds();
    io.StartCopying();
    return pid;
  }
  fs::path dir;
  int out_r = -1, err_r = -1;
};

TEST_F(IoTest, FifosCarryStdinStdoutStderr) {
  std::string err;
  auto io = ProcessIo::Open(Fifos(), &err);
  ASSERT_TRUE(io) << err;
  pid_t pid = Run(*io, "read x; echo out:$x; echo err:$x >&2; exit 3");
  int in_w = open((dir / "stdin").c_str(), O_WRONLY);
  ASSERT_GE(in_w, 0);
  ASSERT_EQ(write(in_w, "abc\n", 4), 4);
  EXPECT_EQ(ReadUntil(out_r, "\n", 5s), "out:abc\n");
  EXPECT_EQ(ReadUntil(err_r, "\n", 5s), "err:abc\n");
  EXPECT_EQ(WaitExit(pid), 3);
  EXPECT_TRUE(io->WaitOutput(2000)) << "output copies did not see EOF after the guest exited";
  close(in_w);
}

// containerd >= 1.7's task.Delete waits for its copies to see EOF on the
// output FIFOs before it calls Delete: the shim's ends must close when the
// guest's output ends, not at Delete (that would hang the client).
TEST_F(IoTest, OutputFifosReachEofWhenTheGuestsOutputEnds) {
  std::string err;
  auto io = ProcessIo::Open(Fifos(), &err);
  ASSERT_TRUE(io) << err;
  pid_t pid = Run(*io, "echo last-words; echo bye >&2");
  EXPECT_EQ(WaitExit(pid), 0);
  // The client reads everything, then EOF (read() == 0), with the
  // ProcessIo (the shim's task) still alive.
  for (auto [fd, want] : {std::pair{out_r, std::string("last-words\n")}, {err_r, "bye\n"}}) {
    std::string got;
    bool eof = false;
    for (int i = 0; i < 500 && !eof; ++i) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 10) <= 0) continue;
      char buf[256];
      ssize_t n = read(fd, buf, sizeof buf);
      if (n > 0) got.append(buf, size_t(n));
      if (n == 0) eof = true;
    }
    EXPECT_EQ(got, want);
    EXPECT_TRUE(eof) << "no EOF on the FIFO after the guest's output ended";
  }
}

// containerd 1.6's task.Delete closes its FIFO readers as soon as the
// task's Wait returns: the exit (WaitOutput, then the Wait reply) must not
// go out while output the client has not read yet sits in the FIFO, or it
// is lost with the FIFO (seen as an empty `ctr run` under load).
TEST_F(IoTest, OutputEndsOnlyOnceTheClientHasReadIt) {
  std::string err;
  auto io = ProcessIo::Open(Fifos(), &err);
  ASSERT_TRUE(io) << err;
  pid_t pid = Run(*io, "echo unread-yet");
  EXPECT_EQ(WaitExit(pid), 0);
  std::this_thread::sleep_for(100ms);  // the copy has put it in the FIFO by now
  EXPECT_FALSE(io->WaitOutput(100)) << "output reported done while the client had not read it";
  EXPECT_EQ(ReadUntil(out_r, "unread-yet\n", 5s), "unread-yet\n");
  EXPECT_TRUE(io->WaitOutput(2000)) << "no end of output once the client had read it";
}

// containerd opens its FIFO readers from goroutines: one may come after the
// guest has written everything and exited. The output must still reach it
// (a FIFO nobody has open drops its buffer).
TEST_F(IoTest, OutputReachesAClientReaderThatOpensLate) {
  close(out_r);
  close(err_r);
  out_r = err_r = -1;
  std::string err;
  std::unique_ptr<ProcessIo> io;
  std::thread shim([&] {
    io = ProcessIo::Open(Fifos(), &err);
    if (!io) return;
    pid_t pid = Run(*io, "echo late-out; echo late-err >&2");
    WaitExit(pid);
    io->WaitOutput(2000);
  });
  std::this_thread::sleep_for(300ms);
  out_r = open((dir / "stdout").c_str(), O_RDONLY | O_NONBLOCK);
  err_r = open((dir / "stderr").c_str(), O_RDONLY | O_NONBLOCK);
  shim.join();
  ASSERT_TRUE(io) << err;
  EXPECT_EQ(ReadUntil(out_r, "late-out\n", 5s), "late-out\n");
  EXPECT_EQ(ReadUntil(err_r, "late-err\n", 5s), "late-err\n");
}

TEST_F(IoTest, CloseStdinDeliversEofOnceClientClosesToo) {
  std::string err;
  auto io = ProcessIo::Open(Fifos(), &err);
  ASSERT_TRUE(io) << err;
  pid_t pid = Run(*io, "cat; echo done");
  int in_w = open((dir / "stdin").c_str(), O_WRONLY);
  ASSERT_EQ(write(in_w, "xyz", 3), 3);
  close(in_w);  // the client is done, but the shim's own writer keeps cat waiting
  EXPECT_EQ(ReadUntil(out_r, "xyz", 5s), "xyz");
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(waitpid(pid, nullptr, WNOHANG), 0) << "cat saw EOF before CloseIO";
  io->CloseStdin();
  EXPECT_EQ(ReadUntil(out_r, "done\n", 5s), "done\n");
  EXPECT_EQ(WaitExit(pid), 0);
}

TEST_F(IoTest, TerminalCopiesAndResizes) {
  std::string err;
  auto io = ProcessIo::Open(Fifos(/*terminal=*/true), &err);
  ASSERT_TRUE(io) << err;
  runtime::Stdio s = io->guest_stdio();
  EXPECT_EQ(s.in, s.out);
  EXPECT_EQ(s.out, s.err);
  ASSERT_TRUE(io->ResizePty(123, 45, &err)) << err;
  pid_t pid = Spawn(s, "stty size; test -t 1 && echo is-a-tty; read x; echo got:$x");
  io->CloseGuestEnds();
  io->StartCopying();
  std::string out = ReadUntil(out_r, "is-a-tty", 5s);
  EXPECT_NE(out.find("45 123"), std::string::npos) << out;
  int in_w = open((dir / "stdin").c_str(), O_WRONLY);
  ASSERT_EQ(write(in_w, "hey\n", 4), 4);
  out = ReadUntil(out_r, "got:hey", 5s);
  EXPECT_NE(out.find("got:hey"), std::string::npos) << out;
  EXPECT_EQ(WaitExit(pid), 0);
  EXPECT_TRUE(io->WaitOutput(2000));
  close(in_w);
  EXPECT_FALSE(ProcessIo::Open(Fifos(false), &err)->ResizePty(1, 1, &err));
  EXPECT_NE(err.find("no terminal"), std::string::npos);
}

TEST_F(IoTest, FileUriGetsStdoutAndStderr) {
  std::string err, log = (dir / "logs" / "c1.log").string();
  auto io = ProcessIo::Open({"", "file://" + log, "file://" + log, false, "c1", "ns1"}, &err);
  ASSERT_TRUE(io) << err;
  pid_t pid = Run(*io, "echo one; echo two >&2");
  EXPECT_EQ(WaitExit(pid), 0);
  std::ifstream in(log);
  std::string s((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(s, "one\ntwo\n");
  EXPECT_EQ(fs::status(log).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                fs::perms::others_read);
}

TEST_F(IoTest, BinaryLoggerGetsStreamsArgsAndOnlyItsEnvironment) {
  std::string logger = (dir / "logger.sh").string(), out = (dir / "logged").string();
  std::ofstream(logger) << "#!/bin/sh\n"
                           "env | sort > \"$2.env\"\n"
                           "echo \"$1\" > \"$2.args\"\n"
                           "exec 5>&-\n"
                           "cat <&4 > \"$2.err\" &\n"
                           "cat <&3 > \"$2\"\n"
                           "wait\n";
  fs::permissions(logger, fs::perms::owner_all);
  std::string err;
  auto io =
      ProcessIo::Open({"", "binary://" + logger + "?path=" + out, "", false, "cid-7", "nsx"}, &err);
  ASSERT_TRUE(io) << err;
  pid_t pid = Run(*io, "echo to-logger; echo to-stderr >&2");
  EXPECT_EQ(WaitExit(pid), 0);
  auto slurp = [](const std::string& p) {
    // The logger's cats may still be copying.
    std::string s;
    for (int i = 0; i < 100 && (s.empty() || s.back() != '\n'); ++i) {
      std::ifstream in(p);
      s.assign(std::istreambuf_iterator<char>(in), {});
      if (s.empty() || s.back() != '\n') std::this_thread::sleep_for(20ms);
    }
    return s;
  };
  // Read while the logger runs: it exits by itself at EOF (a SIGTERM from
  // io.reset() could come before its cats started).
  EXPECT_EQ(slurp(out), "to-logger\n");
  EXPECT_EQ(slurp(out + ".err"), "to-stderr\n");
  EXPECT_EQ(slurp(out + ".args"), "path\n");
  std::string env = slurp(out + ".env");
  EXPECT_NE(env.find("CONTAINER_ID=cid-7\n"), std::string::npos) << env;
  EXPECT_NE(env.find("CONTAINER_NAMESPACE=nsx\n"), std::string::npos) << env;
  EXPECT_EQ(env.find("HOME="), std::string::npos) << env;
  io.reset();  // stops the logger if it is still there
}

TEST(LoggerUri, ParsesPathAndQueryInOrder) {
  LoggerUri u;
  std::string err;
  ASSERT_TRUE(ParseBinaryUri("binary:///usr/bin/log%20ger?b=2&a=x%2Fy&flag", &u, &err)) << err;
  EXPECT_EQ(u.path, "/usr/bin/log ger");
  EXPECT_EQ(u.args, (std::vector<std::string>{"b", "2", "a", "x/y", "flag"}));
  EXPECT_FALSE(ParseBinaryUri("binary://relative", &u, &err));
  EXPECT_NE(err.find("absolute"), std::string::npos);
}

TEST_F(IoTest, MissingFifoIsNamedInTheError) {
  std::string err;
  auto io = ProcessIo::Open({"", (dir / "nope").string(), "", false, "c", "n"}, &err);
  EXPECT_FALSE(io);
  EXPECT_NE(err.find((dir / "nope").string()), std::string::npos) << err;
}

}  // namespace
}  // namespace litebox::shim::io
