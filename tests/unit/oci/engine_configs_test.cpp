// Configs written at test time by real engines (runc spec, crun spec) must
// parse, keep every field they carry, and serialize back to the same JSON.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "oci/spec.hpp"
#include "test_util.hpp"

namespace litebox::oci {
namespace {

using testing::FindProgram;
using testing::ReadFile;
using testing::RunCommand;
using testing::TempDir;

// Unordered comparison: key order is not part of JSON's meaning.
nlohmann::json Plain(const std::string& text) {
  return nlohmann::json::parse(text);
}

// Runs `<engine> spec [args]` in a fresh directory and returns config.json.
std::string EngineSpec(const std::string& engine, const std::vector<std::string>& extra) {
  TempDir dir;
  std::vector<std::string> argv = {FindProgram(engine), "spec"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto r = RunCommand(argv, dir.path());
  EXPECT_EQ(r.exit_code, 0) << engine << " spec failed: " << r.err;
  return ReadFile(dir.path() + "/config.json");
}

void CheckEngineConfig(const std::string& engine, const std::vector<std::string>& args) {
  const std::string text = EngineSpec(engine, args);
  const nlohmann::json src = Plain(text);

  auto spec = ParseSpec(text);
  ASSERT_TRUE(spec.ok()) << spec.error().message() << "\n" << text;

  // Typed fields hold what the engine wrote.
  EXPECT_EQ(spec->oci_version, src["ociVersion"].get<std::string>());
  ASSERT_TRUE(spec->process.has_value());
  EXPECT_EQ(spec->process->args, src["process"]["args"].get<std::vector<std::string>>());
  EXPECT_EQ(spec->process->env, src["process"]["env"].get<std::vector<std::string>>());
  EXPECT_EQ(spec->process->terminal, src["process"]["terminal"].get<bool>());
  ASSERT_TRUE(spec->process->capabilities.has_value());
  EXPECT_EQ(spec->process->capabilities->bounding,
            src["process"]["capabilities"]["bounding"].get<std::vector<std::string>>());
  ASSERT_EQ(spec->process->rlimits.size(), src["process"]["rlimits"].size());
  EXPECT_EQ(spec->process->rlimits[0].type, src["process"]["rlimits"][0]["type"]);
  EXPECT_EQ(spec->process->rlimits[0].soft, src["process"]["rlimits"][0]["soft"]);
  ASSERT_TRUE(spec->root.has_value());
  EXPECT_EQ(spec->root->path, src["root"]["path"].get<std::string>());
  ASSERT_EQ(spec->mounts.size(), src["mounts"].size());
  for (size_t i = 0; i < spec->mounts.size(); ++i) {
    EXPECT_EQ(spec->mounts[i].destination, src["mounts"][i]["destination"]) << i;
    EXPECT_EQ(spec->mounts[i].type, src["mounts"][i]["type"]) << i;
  }
  ASSERT_TRUE(spec->linux_config.has_value());
  ASSERT_EQ(spec->linux_config->namespaces.size(), src["linux"]["namespaces"].size());
  for (size_t i = 0; i < spec->linux_config->namespaces.size(); ++i) {
    EXPECT_EQ(spec->linux_config->namespaces[i].type, src["linux"]["namespaces"][i]["type"]);
  }
  EXPECT_EQ(spec->linux_config->masked_paths,
            src["linux"]["maskedPaths"].get<std::vector<std::string>>());

  // serialize gives back the engine's document, and parsing that gives the
  // same struct.
  const std::string again = SerializeSpec(*spec);
  EXPECT_EQ(Plain(again), src) << again;
  auto reparsed = ParseSpec(again);
  ASSERT_TRUE(reparsed.ok()) << reparsed.error().message();
  EXPECT_TRUE(*reparsed == *spec);
}

// The skip must be in the TEST body: GTEST_SKIP only returns from the
// function it is written in.
#define ENGINE_TEST(name, engine, ...)                                                  \
  TEST(EngineConfigTest, name) {                                                        \
    if (FindProgram(engine).empty()) {                                                  \
      GTEST_SKIP() << "SKIPPED: `" engine "` is not installed; cannot test its config"; \
    }                                                                                   \
    CheckEngineConfig(engine, {__VA_ARGS__});                                           \
  }

ENGINE_TEST(RuncSpec, "runc")
ENGINE_TEST(RuncSpecRootless, "runc", "--rootless")
ENGINE_TEST(CrunSpec, "crun")
ENGINE_TEST(CrunSpecRootless, "crun", "--rootless")

// containerd's template (`ctr oci spec`) has no process.args: containerd
// fills them from the image before a runtime sees the config. The bare
// template is rejected by name; with args it is a real containerd config.
TEST(EngineConfigTest, ContainerdTemplate) {
  if (FindProgram("ctr").empty()) {
    GTEST_SKIP() << "SKIPPED: `ctr` (containerd) is not installed; cannot test its config";
  }
  auto r = RunCommand({"ctr", "oci", "spec"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto bare = ParseSpec(r.out);
  ASSERT_FALSE(bare.ok());
  EXPECT_EQ(bare.error().message(), "process.args: must be a non-empty array of strings");

  nlohmann::json src = Plain(r.out);
  src["process"]["args"] = {"/bin/sh", "-c", "echo hi"};
  auto spec = ParseSpec(src.dump());
  ASSERT_TRUE(spec.ok()) << spec.error().message();
  EXPECT_EQ(spec->linux_config->cgroups_path, src["linux"]["cgroupsPath"].get<std::string>());
  EXPECT_EQ(spec->process->capabilities->effective.size(),
            src["process"]["capabilities"]["effective"].size());
  EXPECT_EQ(Plain(SerializeSpec(*spec)), src);
}

TEST(ParseSpecFileTest, NamesTheFileInErrors) {
  TempDir dir;
  const std::string path = dir.path() + "/config.json";
  auto missing = ParseSpecFile(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message(), path + ": cannot open: No such file or directory");

  auto dir_error = ParseSpecFile(dir.path());
  ASSERT_FALSE(dir_error.ok());
  EXPECT_EQ(dir_error.error().message(), dir.path() + ": cannot read: Is a directory");

  testing::WriteFile(path, R"({"ociVersion": "1.1.0", "root": {"path": "rootfs"},
                               "process": {"user": {"uid": 0, "gid": 0}, "cwd": "/", "args": []}})");
  auto bad = ParseSpecFile(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), path + ": process.args: must be a non-empty array of strings");

  testing::WriteFile(path, "{\"ociVersion\": ");
  auto syntax = ParseSpecFile(path);
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.error().message().rfind(path + ": not valid JSON: parse error at line 1", 0), 0u)
      << syntax.error().message();

  testing::WriteFile(path, SerializeSpec(DefaultSpec(false)));
  auto good = ParseSpecFile(path);
  ASSERT_TRUE(good.ok()) << good.error().message();
  EXPECT_EQ(good->hostname, "litebox");
}

}  // namespace
}  // namespace litebox::oci
