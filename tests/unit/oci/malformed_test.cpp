// A table of malformed configs, each a JSON Patch (RFC 6902) applied to one
// valid base config, with the exact error text ParseSpec must give.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "oci/spec.hpp"

namespace litebox::oci {
namespace {

using nlohmann::json;

// Valid on its own (checked by BaseIsValid); every case breaks one thing.
constexpr const char* kBase = R"({
  "ociVersion": "1.1.0",
  "process": {
    "terminal": false,
    "user": {"uid": 1000, "gid": 1000, "additionalGids": [10, 20]},
    "args": ["sh", "-c", "echo hi"],
    "env": ["PATH=/bin", "TERM=xterm"],
    "cwd": "/",
    "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"]},
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024},
                {"type": "RLIMIT_NPROC", "hard": 64, "soft": 32}],
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "box",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]},
    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"},
    {"destination": "/data", "type": "bind", "source": "/srv/data", "options": ["rbind", "ro"]}
  ],
  "hooks": {"prestart": [{"path": "/usr/bin/true", "timeout": 5}]},
  "annotations": {"org.example.key": "value"},
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "network", "path": "/proc/1/ns/net"}],
    "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
    "resources": {"memory": {"limit": 1048576}, "pids": {"limit": 100},
                  "devices": [{"allow": false, "access": "rwm"}]},
    "sysctl": {"net.ipv4.ip_forward": "1"},
    "seccomp": {
      "defaultAction": "SCMP_ACT_ERRNO",
      "architectures": ["SCMP_ARCH_X86_64"],
      "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW",
                    "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]
    },
    "devices": [{"type": "c", "path": "/dev/fuse", "major": 10, "minor": 229, "fileMode": 438}],
    "maskedPaths": ["/proc/kcore"],
    "readonlyPaths": ["/proc/sys"],
    "rootfsPropagation": "rprivate"
  }
})";

struct Case {
  const char* name;
  const char* patch;  // JSON Patch array
  const char* error;  // exact Error::message()
};

const Case kCases[] = {
    {"MissingOciVersion", R"([{"op":"remove","path":"/ociVersion"}])", "ociVersion: missing"},
    {"OciVersionNotString", R"([{"op":"replace","path":"/ociVersion","value":1}])",
     "ociVersion: must be a string"},
    {"OciVersionNotSemver", R"([{"op":"replace","path":"/ociVersion","value":"1.0"}])",
     "ociVersion: \"1.0\" is not a SemVer version"},
    {"OciVersionLeadingZero", R"([{"op":"replace","path":"/ociVersion","value":"1.01.0"}])",
     "ociVersion: \"1.01.0\" is not a SemVer version"},
    {"OciVersionEmptyPrerelease", R"([{"op":"replace","path":"/ociVersion","value":"1.1.0-"}])",
     "ociVersion: \"1.1.0-\" is not a SemVer version"},
    {"OciVersionMajor2", R"([{"op":"replace","path":"/ociVersion","value":"2.0.0"}])",
     "ociVersion: unsupported version \"2.0.0\" (this runtime implements 1.x)"},
    {"MissingRoot", R"([{"op":"remove","path":"/root"}])", "root: missing"},
    {"MissingRootPath", R"([{"op":"remove","path":"/root/path"}])", "root.path: missing"},
    {"RootNotObject", R"([{"op":"replace","path":"/root","value":"rootfs"}])",
     "root: must be an object"},
    {"RootReadonlyNotBool", R"([{"op":"replace","path":"/root/readonly","value":"yes"}])",
     "root.readonly: must be a boolean"},
    {"ArgsEmpty", R"([{"op":"replace","path":"/process/args","value":[]}])",
     "process.args: must be a non-empty array of strings"},
    {"ArgsMissing", R"([{"op":"remove","path":"/process/args"}])",
     "process.args: must be a non-empty array of strings"},
    {"ArgsNotArray", R"([{"op":"replace","path":"/process/args","value":"sh"}])",
     "process.args: must be a non-empty array of strings"},
    {"ArgNotString", R"([{"op":"replace","path":"/process/args/1","value":7}])",
     "process.args[1]: must be a string"},
    {"CwdMissing", R"([{"op":"remove","path":"/process/cwd"}])", "process.cwd: missing"},
    {"CwdRelative", R"([{"op":"replace","path":"/process/cwd","value":"home"}])",
     "process.cwd: must be absolute"},
    {"UserMissing", R"([{"op":"remove","path":"/process/user"}])", "process.user: missing"},
    {"UidNegative", R"([{"op":"replace","path":"/process/user/uid","value":-1}])",
     "process.user.uid: must be an unsigned 32-bit integer"},
    {"UidTooBig", R"([{"op":"replace","path":"/process/user/uid","value":4294967296}])",
     "process.user.uid: must be an unsigned 32-bit integer"},
    {"UidFloat", R"([{"op":"replace","path":"/process/user/uid","value":1.5}])",
     "process.user.uid: must be an unsigned 32-bit integer"},
    {"GidMissing", R"([{"op":"remove","path":"/process/user/gid"}])", "process.user.gid: missing"},
    {"AdditionalGidString",
     R"([{"op":"replace","path":"/process/user/additionalGids/1","value":"x"}])",
     "process.user.additionalGids[1]: must be an unsigned 32-bit integer"},
    {"EnvWithoutEquals", R"([{"op":"replace","path":"/process/env/1","value":"TERM"}])",
     "process.env[1]: must have the form NAME=VALUE, got \"TERM\""},
    {"TerminalNotBool", R"([{"op":"replace","path":"/process/terminal","value":1}])",
     "process.terminal: must be a boolean"},
    {"UnknownRlimit", R"([{"op":"replace","path":"/process/rlimits/0/type","value":"RLIMIT_FOO"}])",
     "process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\""},
    {"DuplicateRlimit",
     R"([{"op":"replace","path":"/process/rlimits/1/type","value":"RLIMIT_NOFILE"}])",
     "process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\""},
    {"RlimitSoftAboveHard", R"([{"op":"replace","path":"/process/rlimits/1/soft","value":65}])",
     "process.rlimits[1].soft: must not exceed hard"},
    {"RlimitHardMissing", R"([{"op":"remove","path":"/process/rlimits/0/hard"}])",
     "process.rlimits[0].hard: missing"},
    {"UnknownCapability",
     R"([{"op":"add","path":"/process/capabilities/effective/-","value":"CAP_FOO"}])",
     "process.capabilities.effective[1]: unknown capability \"CAP_FOO\""},
    {"CapabilityLowerCase",
     R"([{"op":"replace","path":"/process/capabilities/bounding/0","value":"kill"}])",
     "process.capabilities.bounding[0]: unknown capability \"kill\""},
    {"OomScoreAdjRange", R"([{"op":"add","path":"/process/oomScoreAdj","value":1001}])",
     "process.oomScoreAdj: must be between -1000 and 1000"},
    {"ConsoleSizeWidthMissing",
     R"([{"op":"add","path":"/process/consoleSize","value":{"height":24}}])",
     "process.consoleSize.width: missing"},
    {"MountRelative", R"([{"op":"replace","path":"/mounts/3/destination","value":"data"}])",
     "mounts[3].destination: must be absolute"},
    {"MountDestinationMissing", R"([{"op":"remove","path":"/mounts/2/destination"}])",
     "mounts[2].destination: missing"},
    {"MountOptionsNotArray", R"([{"op":"replace","path":"/mounts/1/options","value":"nosuid"}])",
     "mounts[1].options: must be an array of strings"},
    {"MountsNotArray", R"([{"op":"replace","path":"/mounts","value":{}}])",
     "mounts: must be an array"},
    {"MountNotObject", R"([{"op":"replace","path":"/mounts/0","value":"/proc"}])",
     "mounts[0]: must be an object"},
    {"HookRelative", R"([{"op":"replace","path":"/hooks/prestart/0/path","value":"true"}])",
     "hooks.prestart[0].path: must be absolute"},
    {"HookTimeoutZero", R"([{"op":"replace","path":"/hooks/prestart/0/timeout","value":0}])",
     "hooks.prestart[0].timeout: must be greater than zero"},
    {"UnknownNamespace", R"([{"op":"replace","path":"/linux/namespaces/1/type","value":"foo"}])",
     "linux.namespaces[1].type: unknown namespace type \"foo\""},
    {"DuplicateNamespace",
     R"([{"op":"replace","path":"/linux/namespaces/2","value":{"type":"pid"}}])",
     "linux.namespaces[2].type: duplicate namespace type \"pid\""},
    {"NamespacePathRelative",
     R"([{"op":"replace","path":"/linux/namespaces/2/path","value":"ns/net"}])",
     "linux.namespaces[2].path: must be absolute"},
    {"IdMappingSizeMissing", R"([{"op":"remove","path":"/linux/uidMappings/0/size"}])",
     "linux.uidMappings[0].size: missing"},
    {"MemoryLimitString",
     R"([{"op":"replace","path":"/linux/resources/memory/limit","value":"1G"}])",
     "linux.resources.memory.limit: must be a 64-bit integer"},
    {"PidsLimitMissing", R"([{"op":"replace","path":"/linux/resources/pids","value":{}}])",
     "linux.resources.pids.limit: missing"},
    {"SysctlValueNotString",
     R"([{"op":"replace","path":"/linux/sysctl/net.ipv4.ip_forward","value":1}])",
     "linux.sysctl[\"net.ipv4.ip_forward\"]: must be a string"},
    {"SeccompUnknownDefault",
     R"([{"op":"replace","path":"/linux/seccomp/defaultAction","value":"SCMP_ACT_DENY"}])",
     "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_DENY\""},
    {"SeccompUnknownAction",
     R"([{"op":"replace","path":"/linux/seccomp/syscalls/0/action","value":"ALLOW"}])",
     "linux.seccomp.syscalls[0].action: unknown seccomp action \"ALLOW\""},
    {"SeccompUnknownOp",
     R"([{"op":"replace","path":"/linux/seccomp/syscalls/0/args/0/op","value":"SCMP_CMP_NEQ"}])",
     "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_NEQ\""},
    {"SeccompArgIndex",
     R"([{"op":"replace","path":"/linux/seccomp/syscalls/0/args/0/index","value":6}])",
     "linux.seccomp.syscalls[0].args[0].index: must be between 0 and 5"},
    {"SeccompNamesEmpty",
     R"([{"op":"replace","path":"/linux/seccomp/syscalls/0/names","value":[]}])",
     "linux.seccomp.syscalls[0].names: must be a non-empty array of strings"},
    {"SeccompUnknownArch",
     R"([{"op":"replace","path":"/linux/seccomp/architectures/0","value":"x86_64"}])",
     "linux.seccomp.architectures[0]: unknown seccomp architecture \"x86_64\""},
    {"DeviceUnknownType", R"([{"op":"replace","path":"/linux/devices/0/type","value":"x"}])",
     "linux.devices[0].type: unknown device type \"x\" (expected c, b, u or p)"},
    {"DeviceMajorMissing", R"([{"op":"remove","path":"/linux/devices/0/major"}])",
     "linux.devices[0].major: missing (required for type \"c\")"},
    {"MaskedPathRelative", R"([{"op":"add","path":"/linux/maskedPaths/-","value":"proc/keys"}])",
     "linux.maskedPaths[1]: must be absolute"},
    {"UnknownPropagation",
     R"([{"op":"replace","path":"/linux/rootfsPropagation","value":"rwhatever"}])",
     "linux.rootfsPropagation: unknown propagation \"rwhatever\""},
    {"AnnotationNotString", R"([{"op":"add","path":"/annotations/n","value":3}])",
     "annotations[\"n\"]: must be a string"},
    {"HostnameNotString", R"([{"op":"replace","path":"/hostname","value":false}])",
     "hostname: must be a string"},
    {"LinuxNotObject", R"([{"op":"replace","path":"/linux","value":[]}])",
     "linux: must be an object"},
};

TEST(MalformedConfigTest, BaseIsValid) {
  auto spec = ParseSpec(kBase);
  ASSERT_TRUE(spec.ok()) << spec.error().message();
}

void ExpectExactError(const Case& c) {
  json doc = json::parse(kBase).patch(json::parse(c.patch));
  auto spec = ParseSpec(doc.dump());
  ASSERT_FALSE(spec.ok()) << "accepted: " << doc.dump(2);
  EXPECT_EQ(spec.error().message(), c.error);
}

// One plain test per table row (named after the row), registered before
// main runs so `--gtest_list_tests` and CTest see stable names.
class MalformedRow : public ::testing::Test {
 public:
  explicit MalformedRow(const Case& c) : c_(c) {}
  void TestBody() override { ExpectExactError(c_); }

 private:
  const Case& c_;
};

const bool kRegistered = [] {
  for (const Case& c : kCases) {
    ::testing::RegisterTest("MalformedConfig", c.name, nullptr, nullptr, __FILE__, __LINE__,
                            [&c]() -> ::testing::Test* { return new MalformedRow(c); });
  }
  return true;
}();

TEST(MalformedConfigTest, TableIsLargeEnough) {
  EXPECT_GE(std::size(kCases), 30u);
}

TEST(MalformedConfigTest, InvalidJsonNamesLineAndColumn) {
  auto spec = ParseSpec("{\n  \"ociVersion\": \"1.1.0\",\n  \"root\": {\"path\": }\n}");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.error().path, "config.json");
  const std::string msg = spec.error().message();
  EXPECT_EQ(msg.rfind("config.json: not valid JSON: parse error at line 3, column 20", 0), 0u)
      << msg;
}

TEST(MalformedConfigTest, SemverWithPrereleaseAndBuildAccepted) {
  for (const char* v : {"1.0.2-dev", "1.1.0-rc.1+build.5", "1.2.3+x-y", "1.10.0"}) {
    json doc = json::parse(kBase);
    doc["ociVersion"] = v;
    auto spec = ParseSpec(doc.dump());
    EXPECT_TRUE(spec.ok()) << v << ": " << spec.error().message();
  }
}

TEST(MalformedConfigTest, TopLevelMustBeObject) {
  auto spec = ParseSpec("[1, 2]");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.error().message(), "config.json: must be a JSON object");
}

TEST(MalformedConfigTest, ProcessObjectAlone) {
  auto ok = ParseProcess(R"({"user": {"uid": 0, "gid": 0}, "args": ["ls"], "cwd": "/tmp"})");
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_EQ(ok->args, std::vector<std::string>{"ls"});
  auto bad = ParseProcess(R"({"user": {"uid": 0, "gid": 0}, "args": ["ls"], "cwd": "tmp"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "process.cwd: must be absolute");
}

}  // namespace
}  // namespace litebox::oci
