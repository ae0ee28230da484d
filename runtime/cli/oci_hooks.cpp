#include "runtime/cli/oci_hooks.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "runtime/cli/oci_globals.hpp"

namespace litebox::cli {

namespace {

// A memfd holding text, positioned at 0 (a hook's stdin, no pipe to block on).
int TextFd(const std::string& text) {
  int fd = memfd_create("litebox-hook", MFD_CLOEXEC);
  if (fd < 0) return -1;
  if (write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    close(fd);
    return -1;
  }
  lseek(fd, 0, SEEK_SET);
  return fd;
}

std::string ReadAll(int fd) {
  std::string out;
  lseek(fd, 0, SEEK_SET);
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

bool RunOne(const oci::Hook& h, const std::string& state_json, std::string* err) {
  int in = TextFd(state_json);
  int out = memfd_create("litebox-hook-out", MFD_CLOEXEC);
  if (in < 0 || out < 0) {
    *err = std::string("memfd_create: ") + strerror(errno);
    if (in >= 0) close(in);
    if (out >= 0) close(out);
    return false;
  }
  std::vector<std::string> args = h.args.empty() ? std::vector<std::string>{h.path} : h.args;
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = h.env;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    // Own process group, so a timeout kills whatever the hook started too.
    setpgid(0, 0);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    execve(h.path.c_str(), argv.data(), envp.data());
    dprintf(2, "exec %s: %s", h.path.c_str(), strerror(errno));
    _exit(127);
  }
  close(in);
  if (pid < 0) {
    *err = std::string("fork: ") + strerror(errno);
    close(out);
    return false;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(h.timeout.value_or(0));
  int st = 0;
  bool timed_out = false;
  while (waitpid(pid, &st, WNOHANG) == 0) {
    if (h.timeout && std::chrono::steady_clock::now() > deadline) {
      kill(-pid, SIGKILL);
      waitpid(pid, &st, 0);
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::string output = ReadAll(out);
  close(out);
  if (timed_out) {
    *err = "timed out after " + std::to_string(*h.timeout) + " s";
  } else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
    return true;
  } else {
    *err = WIFEXITED(st) ? "exit status " + std::to_string(WEXITSTATUS(st))
                         : "killed by signal " + std::to_string(WTERMSIG(st));
  }
  if (!output.empty()) *err += ", output: " + output;
  return false;
}

}  // namespace

HookSet SelectHooks(const oci::Spec& spec) {
  HookSet s;
  if (!spec.hooks) return s;
  const oci::Hooks& h = *spec.hooks;
  s.prestart = h.prestart;
  s.create_runtime = h.create_runtime;
  s.poststart = h.poststart;
  s.poststop = h.poststop;
  for (const auto& hk : h.create_container)
    LogLine("warning", "hooks.createContainer " + hk.path +
                           ": not run (a LiteBox container has no namespaces to run it in)");
  for (const auto& hk : h.start_container)
    LogLine("warning", "hooks.startContainer " + hk.path +
                           ": not run (a LiteBox container has no namespaces to run it in)");
  return s;
}

nlohmann::json HooksToJson(const std::vector<oci::Hook>& hooks) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& h : hooks) {
    nlohmann::json j{{"path", h.path}, {"args", h.args}, {"env", h.env}};
    if (h.timeout) j["timeout"] = *h.timeout;
    arr.push_back(j);
  }
  return arr;
}

std::vector<oci::Hook> HooksFromJson(const nlohmann::json& j) {
  std::vector<oci::Hook> out;
  if (!j.is_array()) return out;
  for (const auto& e : j) {
    oci::Hook h;
    h.path = e.value("path", "");
    h.args = e.value("args", std::vector<std::string>{});
    h.env = e.value("env", std::vector<std::string>{});
    if (e.contains("timeout")) h.timeout = e["timeout"].get<int32_t>();
    out.push_back(std::move(h));
  }
  return out;
}

bool RunHooks(const std::string& kind, const std::vector<oci::Hook>& hooks, const oci::State& state,
              std::string* err) {
  std::string state_json = oci::SerializeState(state);
  for (size_t i = 0; i < hooks.size(); ++i) {
    LogLine("debug", "running hooks." + kind + "[" + std::to_string(i) + "] " + hooks[i].path);
    std::string e;
    if (!RunOne(hooks[i], state_json, &e)) {
      *err = "hooks." + kind + "[" + std::to_string(i) + "] " + hooks[i].path + ": " + e;
      return false;
    }
  }
  return true;
}

}  // namespace litebox::cli
