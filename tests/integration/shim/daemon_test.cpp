// The shim binary driven as containerd drives it, but from the test: `start`
// and `delete` run as real commands, the daemon is called over ttrpc on its
// socket, and a private containerd (tests/lib/containerd-fixture.sh) is the
// events sink named by TTRPC_ADDRESS.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <thread>

#include "github.com/containerd/cgroups/stats/v1/metrics.pb.h"
#include "github.com/containerd/containerd/runtime/v2/task/shim.pb.h"
#include "shim-v2/ttrpc/client.hpp"

namespace {

namespace fs = std::filesystem;
namespace v2 = containerd::task::v2;
using namespace std::chrono_literals;
using litebox::shim::ttrpc::Client;
using litebox::shim::ttrpc::Reply;

const std::string kFixture = std::string(REPO_DIR) + "/tests/lib/containerd-fixture.sh";
const std::string kDir = "/tmp/lbshim-daemon";
const std::string kNs = "shimtest";

std::string Sh(const std::string& cmd, int* rc = nullptr) {
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  if (rc) *rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

class ShimDaemon : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    int rc;
    Sh(kFixture + " start " + kDir + " " + fs::path(SHIM_BINARY).parent_path().string() +
           " >/dev/null",
       &rc);
    ASSERT_EQ(rc, 0) << "containerd fixture did not start";
  }
  static void TearDownTestSuite() { Sh(kFixture + " stop " + kDir + " >/dev/null 2>&1"); }

  void SetUp() override {
    bundles = fs::path("/tmp") / ("lbshim-bundles-" + std::to_string(getpid()));
    fs::create_directories(bundles);
  }
  void TearDown() override {
    for (const auto& s : sockets) {
      // Whatever a failed test left: kill and delete its tasks, stop the shim.
      std::string err;
      if (auto c = Client::Dial(s, &err)) {
        for (const auto& b : fs::directory_iterator(bundles)) {
          v2::KillRequest k;
          k.set_id(b.path().filename());
          k.set_signal(SIGKILL);
          k.set_all(true);
          Call(*c, "Kill", k.SerializeAsString());
          v2::DeleteRequest d;
          d.set_id(b.path().filename());
          Call(*c, "Delete", d.SerializeAsString(), 10s);
        }
        Call(*c, "Shutdown", ShutdownReq());
      }
      unlink(s.substr(7).c_str());
    }
    fs::remove_all(bundles);
  }

  fs::path MakeBundle(const std::string& id, const std::string& config) {
    fs::path b = bundles / id;
    fs::create_directories(b);
    std::ofstream(b / "config.json") << config;
    return b;
  }

  // Runs `<shim> ... -id ID start` in the bundle like containerd does.
  std::string Start(const fs::path& bundle, const std::string& id, int* rc) {
    std::string out = Sh("cd " + bundle.string() + " && TTRPC_ADDRESS=" + kDir +
                             "/containerd.sock.ttrpc timeout 10 " SHIM_BINARY " -namespace " + kNs +
                             " -address " + kDir + "/containerd.sock -publish-binary " +
                             "/usr/bin/containerd -id " + id + " start </dev/null 2>&1",
                         rc);
    if (*rc == 0) sockets.push_back(out);
    return out;
  }

  static std::string ShutdownReq() {
    v2::ShutdownRequest r;
    r.set_id("x");
    return r.SerializeAsString();
  }
  static Reply Call(Client& c, const std::string& method, const std::string& payload,
                    std::chrono::milliseconds timeout = 5s) {
    return c.Call("containerd.task.v2.Task", method, payload, {{"containerd-namespace-ttrpc", kNs}},
                  timeout);
  }

  // pids of daemons whose argv names this socket address.
  static std::vector<pid_t> DaemonsFor(const std::string& address) {
    std::vector<pid_t> out;
    for (const auto& e : fs::directory_iterator("/proc")) {
      std::string name = e.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::string cmd = Slurp(e.path() / "cmdline");
      if (cmd.find(std::string("-socket") + '\0' + address + '\0') != std::string::npos)
        out.push_back(pid_t(std::stoi(name)));
    }
    return out;
  }

  fs::path bundles;
  std::vector<std::string> sockets;
};

TEST_F(ShimDaemon, StartPrintsHashedAddressWritesItAndReusesThePodShim) {
  std::string pod = "pod-" + std::to_string(getpid());
  std::string cfg =
      R"({"ociVersion":"1.0.2","annotations":{"io.kubernetes.cri.sandbox-id":")" + pod + R"("}})";
  fs::path b1 = MakeBundle("c1", cfg), b2 = MakeBundle("c2", cfg);
  int rc;
  auto t0 = std::chrono::steady_clock::now();
  std::string addr = Start(b1, "c1", &rc);
  // If the daemon had inherited stdout, reading it to EOF would block for good.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  ASSERT_EQ(rc, 0) << addr;
  std::string hash =
      Sh("printf '%s' '" + kDir + "/containerd.sock/" + kNs + "/" + pod + "' | sha256sum")
          .substr(0, 64);
  EXPECT_EQ(addr, "unix:///run/containerd/s/" + hash);
  EXPECT_EQ(Slurp(b1 / "address"), addr);
  struct stat st;
  ASSERT_EQ(stat(addr.substr(7).c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto daemons = DaemonsFor(addr);
  ASSERT_EQ(daemons.size(), 1u);

  std::string addr2 = Start(b2, "c2", &rc);
  ASSERT_EQ(rc, 0) << addr2;
  EXPECT_EQ(addr2, addr) << "second container of the pod got its own shim";
  EXPECT_EQ(Slurp(b2 / "address"), addr);
  EXPECT_EQ(DaemonsFor(addr), daemons);

  std::string err;
  auto client = Client::Dial(addr, &err);
  ASSERT_TRUE(client) << err;
  v2::ConnectRequest creq;
  creq.set_id("c1");
  Reply r = Call(*client, "Connect", creq.SerializeAsString());
  ASSERT_TRUE(r.ok()) << r.message;
  v2::ConnectResponse cresp;
  ASSERT_TRUE(cresp.ParseFromString(r.payload));
  EXPECT_EQ(pid_t(cresp.shim_pid()), daemons[0]);
  EXPECT_EQ(cresp.task_pid(), 0u);

  v2::StateRequest sreq;
  sreq.set_id("c1");
  r = Call(*client, "State", sreq.SerializeAsString());
  EXPECT_EQ(r.code, 5);
  EXPECT_NE(r.message.find("container not created"), std::string::npos) << r.message;
  r = Call(*client, "NoSuchRpc", "");
  EXPECT_EQ(r.code, 12);
  v2::CheckpointTaskRequest ck;
  ck.set_id("c1");
  r = Call(*client, "Checkpoint", ck.SerializeAsString());
  EXPECT_EQ(r.code, 12);
  EXPECT_NE(r.message.find("not supported"), std::string::npos) << r.message;

  r = Call(*client, "Shutdown", ShutdownReq());
  EXPECT_TRUE(r.ok() || r.code == 14) << r.message;  // containerd ignores a closed connection too
  for (int i = 0; i < 100 && !DaemonsFor(addr).empty(); ++i) std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(DaemonsFor(addr).empty()) << "daemon did not exit after Shutdown";
  EXPECT_FALSE(fs::exists(addr.substr(7))) << "socket left after Shutdown";
}

TEST_F(ShimDaemon, StartReplacesAStaleSocket) {
  fs::path b = MakeBundle("stale", R"({"ociVersion":"1.0.2"})");
  std::string hash = Sh("printf '%s' '" + kDir + "/containerd.sock/" + kNs + "/stale-" +
                        std::to_string(getpid()) + "' | sha256sum")
                         .substr(0, 64);
  std::string path = "/run/containerd/s/" + hash;
  fs::create_directories("/run/containerd/s");
  // A socket file nobody listens on, as a SIGKILLed shim leaves behind.
  int rc;
  Sh("python3 -c 'import socket; s=socket.socket(socket.AF_UNIX); s.bind(\"" + path + "\")'", &rc);
  ASSERT_EQ(rc, 0);
  std::string addr = Start(b, "stale-" + std::to_string(getpid()), &rc);
  ASSERT_EQ(rc, 0) << addr;
  EXPECT_EQ(addr, "unix://" + path);
  std::string err;
  auto client = Client::Dial(addr, &err);
  ASSERT_TRUE(client) << "the stale socket was not replaced by a live one: " << err;
}

TEST_F(ShimDaemon, StartFailsLoudlyWithoutConfig) {
  fs::path b = bundles / "noconfig";
  fs::create_directories(b);
  int rc;
  std::string out = Start(b, "noconfig", &rc);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("config.json"), std::string::npos) << out;
}

// config.json for a real container on the busybox rootfs.
std::string RunnableConfig(const std::string& args_json, const std::string& annotations = "{}") {
  int rc = -1;
  // Retried: a fresh build of the image sometimes dies of SIGPIPE (rc 141)
  // inside build-busybox.sh's `busybox | head -n1` under pipefail.
  for (int i = 0; i < 3 && rc != 0; ++i)
    Sh(std::string(REPO_DIR) + "/tests/images/build-busybox.sh " IMAGES_DIR " >/dev/null", &rc);
  EXPECT_EQ(rc, 0) << "tests/images/build-busybox.sh failed";
  return R"({"ociVersion":"1.0.2","process":{"args":)" + args_json +
         R"(,"cwd":"/","env":["PATH=/bin:/usr/bin"],"user":{"uid":0,"gid":0}},"root":{"path":")" +
         std::string(IMAGES_DIR) + R"(/busybox-rootfs","readonly":true},"annotations":)" +
         annotations + R"(,"linux":{}})";
}

// Two containers of one pod share a shim: requests are routed by id, and
// Shutdown is a no-op until the last one is deleted.
TEST_F(ShimDaemon, PodShimRoutesByIdAndOutlivesShutdownWhileTasksRemain) {
  std::string pod = "pod2-" + std::to_string(getpid());
  std::string ann = R"({"io.kubernetes.cri.sandbox-id":")" + pod + R"("})";
  std::string cfg = RunnableConfig(R"(["sleep","1000"])", ann);
  std::string a = "pa" + std::to_string(getpid()), b = "pb" + std::to_string(getpid());
  fs::path ba = MakeBundle(a, cfg), bb = MakeBundle(b, cfg);
  int rc;
  std::string addr = Start(ba, a, &rc);
  ASSERT_EQ(rc, 0) << addr;
  ASSERT_EQ(Start(bb, b, &rc), addr);
  auto daemons = DaemonsFor(addr);
  ASSERT_EQ(daemons.size(), 1u);
  std::string err;
  auto client = Client::Dial(addr, &err);
  ASSERT_TRUE(client) << err;
  std::map<std::string, uint32_t> pids;
  for (const auto& [id, bundle] : {std::pair{a, ba}, std::pair{b, bb}}) {
    v2::CreateTaskRequest create;
    create.set_id(id);
    create.set_bundle(bundle.string());
    Reply r = Call(*client, "Create", create.SerializeAsString(), 30s);
    ASSERT_TRUE(r.ok()) << id << ": " << r.message;
    v2::CreateTaskResponse cr;
    ASSERT_TRUE(cr.ParseFromString(r.payload));
    pids[id] = cr.pid();
  }
  EXPECT_NE(pids[a], pids[b]);
  v2::StartRequest start;
  start.set_id(b);
  ASSERT_TRUE(Call(*client, "Start", start.SerializeAsString()).ok());
  for (const auto& [id, want] : {std::pair{a, containerd::v1::types::CREATED},
                                 std::pair{b, containerd::v1::types::RUNNING}}) {
    v2::StateRequest sr;
    sr.set_id(id);
    Reply r = Call(*client, "State", sr.SerializeAsString());
    ASSERT_TRUE(r.ok()) << r.message;
    v2::StateResponse st;
    ASSERT_TRUE(st.ParseFromString(r.payload));
    EXPECT_EQ(st.status(), want) << id;
    EXPECT_EQ(st.pid(), pids[id]) << id;
  }
  // Deleting a running task is refused; a created one is killed and deleted.
  v2::DeleteRequest del;
  del.set_id(b);
  EXPECT_EQ(Call(*client, "Delete", del.SerializeAsString()).code, 9);
  del.set_id(a);
  Reply r = Call(*client, "Delete", del.SerializeAsString(), 10s);
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_FALSE(fs::exists("/proc/" + std::to_string(pids[a])));

  ASSERT_TRUE(Call(*client, "Shutdown", ShutdownReq()).ok());
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(DaemonsFor(addr), daemons) << "Shutdown ended the shim while " << b << " runs";
  v2::ConnectRequest conn;
  conn.set_id(b);
  r = Call(*client, "Connect", conn.SerializeAsString());
  ASSERT_TRUE(r.ok()) << r.message;
  v2::ConnectResponse cresp;
  ASSERT_TRUE(cresp.ParseFromString(r.payload));
  EXPECT_EQ(cresp.task_pid(), pids[b]);

  v2::KillRequest kill;
  kill.set_id(b);
  kill.set_signal(SIGKILL);
  ASSERT_TRUE(Call(*client, "Kill", kill.SerializeAsString()).ok());
  v2::WaitRequest wait;
  wait.set_id(b);
  ASSERT_TRUE(Call(*client, "Wait", wait.SerializeAsString(), 10s).ok());
  del.set_id(b);
  ASSERT_TRUE(Call(*client, "Delete", del.SerializeAsString(), 10s).ok());
  Call(*client, "Shutdown", ShutdownReq());
  for (int i = 0; i < 100 && !DaemonsFor(addr).empty(); ++i) std::this_thread::sleep_for(20ms);
  EXPECT_TRUE(DaemonsFor(addr).empty()) << "shim did not exit after its last task";
}

// A real container through the daemon: a blocking Wait on the same
// connection must not hold up State and Kill.
TEST_F(ShimDaemon, WaitDoesNotBlockKillOnOneConnection) {
  int rc;
  std::string id = "w" + std::to_string(getpid());
  fs::path b = MakeBundle(id, RunnableConfig(R"(["sleep","1000"])"));
  std::string addr = Start(b, id, &rc);
  ASSERT_EQ(rc, 0) << addr;
  std::string err;
  auto client = Client::Dial(addr, &err);
  ASSERT_TRUE(client) << err;

  v2::CreateTaskRequest create;
  create.set_id(id);
  create.set_bundle(b.string());
  Reply r = Call(*client, "Create", create.SerializeAsString(), 30s);
  ASSERT_TRUE(r.ok()) << r.message;
  v2::CreateTaskResponse cresp;
  ASSERT_TRUE(cresp.ParseFromString(r.payload));
  ASSERT_GT(cresp.pid(), 0u);
  EXPECT_EQ(Slurp(b / "init.pid"), std::to_string(cresp.pid()));

  // Wait and the calls below share one connection, as containerd's do.
  v2::WaitRequest wreq;
  wreq.set_id(id);
  auto wait = std::async(std::launch::async,
                         [&] { return Call(*client, "Wait", wreq.SerializeAsString(), 30s); });
  v2::StartRequest sreq;
  sreq.set_id(id);
  r = Call(*client, "Start", sreq.SerializeAsString());
  ASSERT_TRUE(r.ok()) << r.message;
  v2::StateRequest streq;
  streq.set_id(id);
  r = Call(*client, "State", streq.SerializeAsString());
  ASSERT_TRUE(r.ok()) << r.message;
  v2::StateResponse state;
  ASSERT_TRUE(state.ParseFromString(r.payload));
  EXPECT_EQ(state.status(), containerd::v1::types::RUNNING);
  EXPECT_EQ(state.pid(), cresp.pid());
  EXPECT_EQ(state.bundle(), b.string());
  EXPECT_EQ(wait.wait_for(300ms), std::future_status::timeout) << "Wait returned early";

  // Stats without limits: counted from the sandbox's processes, no limit.
  auto stats = [&] {
    v2::StatsRequest sr;
    sr.set_id(id);
    Reply rr = Call(*client, "Stats", sr.SerializeAsString());
    EXPECT_TRUE(rr.ok()) << rr.message;
    v2::StatsResponse resp;
    EXPECT_TRUE(resp.ParseFromString(rr.payload));
    EXPECT_EQ(resp.stats().type_url(), "io.containerd.cgroups.v1.Metrics");
    io::containerd::cgroups::v1::Metrics m;
    EXPECT_TRUE(m.ParseFromString(resp.stats().value()));
    return m;
  };
  auto m = stats();
  EXPECT_EQ(m.pids().current(), 1u);
  EXPECT_GT(m.memory().usage().usage(), 0u);
  EXPECT_EQ(m.memory().usage().limit(), 0u);
  // Update with OCI LinuxResources (JSON in the Any, as containerd sends it).
  v2::UpdateTaskRequest up;
  up.set_id(id);
  up.mutable_resources()->set_type_url(
      "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources");
  up.mutable_resources()->set_value(R"({"memory":{"limit":209715200},"pids":{"limit":20}})");
  r = Call(*client, "Update", up.SerializeAsString());
  ASSERT_TRUE(r.ok()) << r.message;
  m = stats();
  EXPECT_EQ(m.memory().usage().limit(), 209715200u);
  EXPECT_EQ(m.pids().limit(), 20u);
  EXPECT_EQ(m.pids().current(), 1u) << "the init was not moved into the new cgroup";
  up.mutable_resources()->set_value(R"({"pids":{"limit":"many"}})");
  r = Call(*client, "Update", up.SerializeAsString());
  EXPECT_EQ(r.code, 3) << r.message;

  // An exec that is registered, waited for, and deleted without a start:
  // its Wait must end (containerd waits before it starts).
  v2::ExecProcessRequest ex;
  ex.set_id(id);
  ex.set_exec_id("never");
  ex.mutable_spec()->set_type_url("types.containerd.io/opencontainers/runtime-spec/1/Process");
  ex.mutable_spec()->set_value(
      R"({"args":["true"],"cwd":"/","env":["PATH=/bin"],"user":{"uid":0,"gid":0}})");
  r = Call(*client, "Exec", ex.SerializeAsString());
  ASSERT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(Call(*client, "Exec", ex.SerializeAsString()).code, 6) << "duplicate exec id";
  // Ids name state directories: a path in one is refused (found by fuzzing).
  v2::ExecProcessRequest bad_exec = ex;
  bad_exec.set_exec_id("../../escape");
  Reply bad = Call(*client, "Exec", bad_exec.SerializeAsString());
  EXPECT_EQ(bad.code, 3) << bad.message;
  EXPECT_NE(bad.message.find("../../escape"), std::string::npos) << bad.message;
  v2::CreateTaskRequest bad_create = create;
  bad_create.set_id("../../../tmp/escape-" + id);
  bad = Call(*client, "Create", bad_create.SerializeAsString());
  EXPECT_EQ(bad.code, 3) << bad.message;
  EXPECT_NE(bad.message.find("is not valid"), std::string::npos) << bad.message;
  EXPECT_FALSE(fs::exists("/tmp/escape-" + id));
  v2::WaitRequest ewreq;
  ewreq.set_id(id);
  ewreq.set_exec_id("never");
  auto exec_wait = std::async(
      std::launch::async, [&] { return Call(*client, "Wait", ewreq.SerializeAsString(), 30s); });
  v2::DeleteRequest edel;
  edel.set_id(id);
  edel.set_exec_id("never");
  r = Call(*client, "Delete", edel.SerializeAsString());
  ASSERT_TRUE(r.ok()) << r.message;
  ASSERT_EQ(exec_wait.wait_for(5s), std::future_status::ready) << "Wait on a deleted exec hangs";
  v2::StateRequest est;
  est.set_id(id);
  est.set_exec_id("never");
  EXPECT_EQ(Call(*client, "State", est.SerializeAsString()).code, 5);

  v2::KillRequest kreq;
  kreq.set_id(id);
  kreq.set_signal(SIGKILL);
  r = Call(*client, "Kill", kreq.SerializeAsString());
  ASSERT_TRUE(r.ok()) << r.message;
  ASSERT_EQ(wait.wait_for(10s), std::future_status::ready) << "Wait blocked after Kill";
  Reply w = wait.get();
  ASSERT_TRUE(w.ok()) << w.message;
  v2::WaitResponse wresp;
  ASSERT_TRUE(wresp.ParseFromString(w.payload));
  EXPECT_EQ(wresp.exit_status(), 137u);
  EXPECT_GT(wresp.exited_at().seconds(), 0);

  r = Call(*client, "Kill", kreq.SerializeAsString());
  EXPECT_EQ(r.code, 5) << "Kill after exit must be NotFound: " << r.message;
  v2::DeleteRequest dreq;
  dreq.set_id(id);
  r = Call(*client, "Delete", dreq.SerializeAsString());
  ASSERT_TRUE(r.ok()) << r.message;
  v2::DeleteResponse dresp;
  ASSERT_TRUE(dresp.ParseFromString(r.payload));
  EXPECT_EQ(dresp.exit_status(), 137u);
  EXPECT_EQ(dresp.pid(), cresp.pid());
  EXPECT_FALSE(fs::exists("/proc/" + std::to_string(cresp.pid())));
  EXPECT_FALSE(fs::exists("/run/litebox-shim/" + kNs + "/" + id));
}

}  // namespace
