// OCI hooks as runc runs them: prestart/createRuntime at create (state on
// stdin, status "created"), poststart after start, poststop after delete; a
// failing or hanging create hook undoes the create.
#include <unistd.h>

#include "harness.hpp"

namespace litebox::test {
namespace {

nlohmann::json Hook(const std::string& script, int timeout = 0) {
  nlohmann::json h{{"path", "/bin/sh"}, {"args", {"sh", "-c", script}}, {"env", {"HOOKVAR=hv"}}};
  if (timeout) h["timeout"] = timeout;
  return h;
}

std::string WithHooks(CliTest* t, const std::string& bundle, const nlohmann::json& hooks) {
  auto cfg = nlohmann::json::parse(ReadFile(bundle + "/config.json"));
  cfg["hooks"] = hooks;
  WriteFile(bundle + "/config.json", cfg.dump());
  return bundle;
}

class HooksTest : public CliTest {
 protected:
  std::string Out(const std::string& name) { return dir_ + "/" + name + ".hook"; }
  // A hook that saves its stdin and $HOOKVAR in dir_/<name>.hook.
  nlohmann::json Saving(const std::string& name) {
    return Hook("cat > " + Out(name) + ".tmp; echo \"$HOOKVAR\" >> " + Out(name) + ".tmp; mv " +
                Out(name) + ".tmp " + Out(name));
  }
  nlohmann::json Saved(const std::string& name) {
    std::string text = ReadFile(Out(name));
    auto nl = text.rfind('}');
    EXPECT_NE(nl, std::string::npos) << name << " hook saw no state: " << text;
    if (nl == std::string::npos) return nlohmann::json::object();
    EXPECT_EQ(text.substr(nl + 1), "\nhv\n") << "hook env not passed";
    return nlohmann::json::parse(text.substr(0, nl + 1));
  }
};

TEST_F(HooksTest, EachHookSeesTheStateOfItsStep) {
  std::string b =
      WithHooks(this, Bundle("b", {"sh", "-c", "echo ready; while :; do sleep 0.1; done"}),
                {{"prestart", {Saving("prestart")}},
                 {"createRuntime", {Saving("createRuntime")}},
                 {"poststart", {Saving("poststart")}},
                 {"poststop", {Saving("poststop")}}});
  pid_t pid = Create("h1", b);
  for (const char* kind : {"prestart", "createRuntime"}) {
    auto st = Saved(kind);
    EXPECT_EQ(st["status"], "created") << kind;
    EXPECT_EQ(st["pid"], pid) << kind;
    EXPECT_EQ(st["id"], "h1") << kind;
    EXPECT_EQ(st["bundle"], b) << kind;
  }
  EXPECT_NE(access(Out("poststart").c_str(), F_OK), 0) << "poststart ran before start";
  ASSERT_EQ(Litebox({"start", "h1"}).status, 0);
  EXPECT_EQ(Saved("poststart")["status"], "running");
  EXPECT_NE(access(Out("poststop").c_str(), F_OK), 0) << "poststop ran before delete";
  ASSERT_EQ(Litebox({"kill", "h1", "KILL"}).status, 0);
  EXPECT_EQ(WaitChild(pid), 128 + 9);
  ASSERT_EQ(Litebox({"delete", "h1"}).status, 0);
  auto stop = Saved("poststop");
  EXPECT_EQ(stop["id"], "h1");
  EXPECT_EQ(stop["status"], "stopped");
  ExpectNoChildren();
}

TEST_F(HooksTest, FailingCreateRuntimeHookUndoesTheCreate) {
  std::string b = WithHooks(this, Bundle("b", {"sh", "-c", "echo never"}),
                            {{"createRuntime", {Hook("echo hook-said-no >&2; exit 3")}}});
  CmdResult r = Litebox({"create", "--bundle", b, "--pid-file", dir_ + "/p", "hf"});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("hooks.createRuntime[0]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("exit status 3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hook-said-no"), std::string::npos) << r.err;
  EXPECT_TRUE(RootEntries().empty());
  EXPECT_NE(access((dir_ + "/p").c_str(), F_OK), 0) << "pid file written for a failed create";
  ExpectNoChildren();
}

TEST_F(HooksTest, HangingPrestartHookTimesOut) {
  std::string b = WithHooks(this, Bundle("b", {"sh", "-c", "echo never"}),
                            {{"prestart", {Hook("sleep 30", 1)}}});
  CmdResult r = Litebox({"create", "--bundle", b, "ht"});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("timed out"), std::string::npos) << r.err;
  EXPECT_TRUE(RootEntries().empty());
  ExpectNoChildren();
}

}  // namespace
}  // namespace litebox::test
