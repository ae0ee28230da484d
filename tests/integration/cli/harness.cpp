#include "harness.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace litebox::test {

std::string CliTest::rootfs_;

int ExitCode(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

bool Alive(pid_t pid) {
  std::string st = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  auto close = st.rfind(')');
  return close != std::string::npos && close + 2 < st.size() && st[close + 2] != 'Z';
}

int WaitChild(pid_t pid, int timeout_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += 5) {
    int st = 0;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) return ExitCode(st);
    if (r < 0) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return -1;
}

bool WaitForText(const std::string& path, const std::string& text, int timeout_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += 10) {
    if (ReadFile(path).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

namespace {

// Children of this process (the subreaper), zombies excluded.
std::vector<pid_t> LiveChildren() {
  std::vector<pid_t> out;
  DIR* d = opendir("/proc");
  while (dirent* e = readdir(d)) {
    pid_t pid = atoi(e->d_name);
    if (pid <= 0) continue;
    std::string st = ReadFile("/proc/" + std::to_string(pid) + "/stat");
    auto close = st.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    if (sscanf(st.c_str() + close + 2, "%c %d", &state, &ppid) == 2 && ppid == getpid() &&
        state != 'Z')
      out.push_back(pid);
  }
  closedir(d);
  return out;
}

void ReapZombies() {
  int st;
  while (waitpid(-1, &st, WNOHANG) > 0) {
  }
}

}  // namespace

void CliTest::SetUp() {
  if (geteuid() != 0) GTEST_SKIP() << "######## SKIP: the litebox CLI tests need root ########";
  if (rootfs_.empty()) {
    std::string cmd = std::string("bash ") + LITEBOX_SOURCE_DIR +
                      "/tests/images/build-busybox.sh " + LITEBOX_IMAGES_DIR + " >/dev/null";
    ASSERT_EQ(system(cmd.c_str()), 0) << cmd;
    rootfs_ = std::string(LITEBOX_IMAGES_DIR) + "/busybox-rootfs";
  }
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  // Short: the console socket path must fit a sockaddr_un.
  dir_ = "/tmp/lbcli-" + std::to_string(getpid()) + "-" + info->name();
  if (dir_.size() > 60) dir_.resize(60);
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  root_ = dir_ + "/root";
  log_ = dir_ + "/log.json";
  mkdir(root_.c_str(), 0711);
}

void CliTest::TearDown() {
  if (dir_.empty()) return;
  if (HasFailure()) {
    fprintf(stderr, "--- %s ---\n%s\n", log_.c_str(), ReadFile(log_).c_str());
    // Best effort: force-delete whatever is left so no process outlives us.
    for (const auto& id : RootEntries()) Litebox({"delete", "--force", id});
  }
  ReapAll();
  std::filesystem::remove_all(dir_);
}

void CliTest::ReapAll() {
  for (pid_t p : LiveChildren()) kill(p, SIGKILL);
  for (int i = 0; i < 200 && !LiveChildren().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ReapZombies();
}

std::string CliTest::Bundle(const std::string& name, const std::vector<std::string>& args,
                            const nlohmann::json& patch) {
  std::string bundle = dir_ + "/" + name;
  std::string cmd = std::string("bash ") + LITEBOX_SOURCE_DIR + "/tests/images/make-bundle.sh " +
                    rootfs_ + " " + bundle + " --";
  for (const auto& a : args) {
    std::string q = "'";
    for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    cmd += " " + q + "'";
  }
  cmd += " >/dev/null";
  EXPECT_EQ(system(cmd.c_str()), 0) << cmd;
  if (!patch.empty()) {
    auto cfg = nlohmann::json::parse(ReadFile(bundle + "/config.json"));
    cfg["process"].merge_patch(patch);
    WriteFile(bundle + "/config.json", cfg.dump(2));
  }
  return bundle;
}

CmdResult CliTest::Raw(const std::vector<std::string>& argv, const std::string& stdin_text,
                       const std::string& out_file, const std::string& err_file) {
  static int n = 0;
  std::string base = dir_ + "/cmd" + std::to_string(++n);
  std::string in = base + ".in", out = out_file.empty() ? base + ".out" : out_file,
              err = err_file.empty() ? base + ".err" : err_file;
  WriteFile(in, stdin_text);
  pid_t pid = fork();
  if (pid == 0) {
    int i = open(in.c_str(), O_RDONLY);
    int o = open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int e = open(err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(i, 0);
    dup2(o, 1);
    dup2(e, 2);
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    execv(a[0], a.data());
    _exit(127);
  }
  CmdResult r;
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  r.status = ExitCode(st);
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  return r;
}

CmdResult CliTest::Litebox(const std::vector<std::string>& args, const std::string& stdin_text,
                           const std::string& out_file, const std::string& err_file) {
  std::vector<std::string> argv{LITEBOX_BIN, "--root",       root_, "--log",
                                log_,        "--log-format", "json"};
  argv.insert(argv.end(), args.begin(), args.end());
  return Raw(argv, stdin_text, out_file, err_file);
}

nlohmann::json CliTest::State(const std::string& id) {
  CmdResult r = Litebox({"state", id});
  EXPECT_EQ(r.status, 0) << r.err;
  try {
    return nlohmann::json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "state " << id << " printed no JSON: " << r.out << r.err;
    return nlohmann::json::object();
  }
}

pid_t CliTest::Create(const std::string& id, const std::string& bundle) {
  std::string pidfile = dir_ + "/" + id + ".pid";
  CmdResult r = Litebox({"create", "--bundle", bundle, "--pid-file", pidfile, id}, "",
                        dir_ + "/" + id + ".out", dir_ + "/" + id + ".err");
  EXPECT_EQ(r.status, 0) << r.err;
  std::string text = ReadFile(pidfile);
  EXPECT_EQ(text.find('\n'), std::string::npos) << "pid file ends in a newline: " << text;
  return static_cast<pid_t>(atoi(text.c_str()));
}

std::vector<std::string> CliTest::RootEntries() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(root_, ec))
    out.push_back(e.path().filename());
  return out;
}

void CliTest::ExpectNoChildren() {
  std::vector<pid_t> left;
  for (int i = 0; i < 500; ++i) {
    ReapZombies();
    left = LiveChildren();
    if (left.empty()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::string list;
  for (pid_t p : left)
    list += " " + std::to_string(p) + "(" + ReadFile("/proc/" + std::to_string(p) + "/comm") + ")";
  ADD_FAILURE() << "processes left after the test's last command:" << list;
}

}  // namespace litebox::test

int main(int argc, char** argv) {
  // Like containerd-shim-runc-v2 and conmon: orphaned container processes
  // (create exits before its init does) become our children.
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  signal(SIGPIPE, SIG_IGN);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
