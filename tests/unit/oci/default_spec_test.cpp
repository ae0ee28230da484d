// DefaultSpec against the real thing: it must equal what `runc spec`
// (--rootless) writes, apart from ociVersion and hostname, and real runc
// must run a container from it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "oci/spec.hpp"
#include "test_util.hpp"

namespace litebox::oci {
namespace {

using testing::FindProgram;
using testing::ReadFile;
using testing::RunCommand;
using testing::TempDir;

nlohmann::json WithoutVersionAndHostname(nlohmann::json j) {
  j.erase("ociVersion");
  j.erase("hostname");
  return j;
}

void CompareWithRuncSpec(bool rootless) {
  TempDir dir;
  std::vector<std::string> argv = {"runc", "spec"};
  if (rootless) argv.push_back("--rootless");
  auto r = RunCommand(argv, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto runc = nlohmann::json::parse(ReadFile(dir.path() + "/config.json"));
  auto ours = nlohmann::json::parse(SerializeSpec(DefaultSpec(rootless)));
  EXPECT_EQ(ours["ociVersion"], kOciVersion);
  EXPECT_EQ(ours["hostname"], "litebox");
  EXPECT_EQ(WithoutVersionAndHostname(ours), WithoutVersionAndHostname(runc))
      << "ours:\n"
      << ours.dump(2) << "\nrunc:\n"
      << runc.dump(2);
}

TEST(DefaultSpecTest, SameContentAsRuncSpec) {
  if (FindProgram("runc").empty()) GTEST_SKIP() << "SKIPPED: `runc` is not installed";
  CompareWithRuncSpec(false);
}

TEST(DefaultSpecTest, SameContentAsRuncSpecRootless) {
  if (FindProgram("runc").empty()) GTEST_SKIP() << "SKIPPED: `runc` is not installed";
  CompareWithRuncSpec(true);
}

TEST(DefaultSpecTest, PassesOurOwnValidation) {
  for (bool rootless : {false, true}) {
    auto spec = ParseSpec(SerializeSpec(DefaultSpec(rootless)));
    ASSERT_TRUE(spec.ok()) << spec.error().message();
    EXPECT_TRUE(*spec == ParseSpec(SerializeSpec(*spec)).value());
  }
}

TEST(DefaultSpecTest, RealRuncRunsIt) {
  if (auto why = testing::RuncUnavailableReason(); !why.empty()) {
    GTEST_SKIP() << "SKIPPED: " << why;
  }
  TempDir bundle;
  testing::MakeBusyboxRootfs(bundle.path());
  Spec spec = DefaultSpec(false);
  spec.process->terminal = false;
  spec.process->args = {"echo", "ok"};
  testing::WriteFile(bundle.path() + "/config.json", SerializeSpec(spec));
  testing::RuncContainer container("run");
  auto r = RunCommand({"runc", "run", "--bundle", bundle.path(), container.id()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ok\n") << r.err;
}

}  // namespace
}  // namespace litebox::oci
