// ToSandboxSpec: path resolution, mount handling, errors, and — the check
// that matters — the same process identity real runc gives a container
// (compared against the kernel's /proc/self/status inside a runc container).
#include "oci/to_sandbox.hpp"

#include <gtest/gtest.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "oci/container_id.hpp"
#include "test_util.hpp"

namespace litebox::oci {
namespace {

// Mask from libcap's own name -> number table, independent of ours.
uint64_t LibcapMask(std::initializer_list<const char*> names) {
  uint64_t m = 0;
  for (const char* n : names) {
    cap_value_t v;
    EXPECT_EQ(cap_from_name(n, &v), 0) << n;
    m |= uint64_t{1} << v;
  }
  return m;
}

TEST(ToSandboxSpecTest, DefaultSpec) {
  std::vector<std::string> ignored;
  auto sb = ToSandboxSpec(DefaultSpec(false), "/bundles/c1", "c1", &ignored);
  ASSERT_TRUE(sb.ok()) << sb.error().message();
  EXPECT_EQ(sb->id, "c1");
  EXPECT_EQ(sb->rootfs, "/bundles/c1/rootfs");
  EXPECT_TRUE(sb->readonly_root);
  EXPECT_EQ(sb->hostname, "litebox");
  EXPECT_EQ(sb->init.args, std::vector<std::string>{"sh"});
  EXPECT_EQ(sb->init.cwd, "/");
  EXPECT_TRUE(sb->init.terminal);
  EXPECT_TRUE(sb->init.no_new_privileges);
  EXPECT_EQ(sb->init.umask, 022u);
  ASSERT_EQ(sb->init.rlimits.size(), 1u);
  EXPECT_EQ(sb->init.rlimits[0].resource, RLIMIT_NOFILE);
  EXPECT_EQ(sb->init.rlimits[0].soft, 1024u);
  const uint64_t runc_default = LibcapMask({"cap_audit_write", "cap_kill", "cap_net_bind_service"});
  EXPECT_EQ(sb->init.cap_bounding, runc_default);
  EXPECT_EQ(sb->init.cap_effective, runc_default);
  EXPECT_EQ(sb->init.cap_permitted, runc_default);
  EXPECT_EQ(sb->init.cap_ambient, runc_default);
  EXPECT_EQ(sb->init.cap_inheritable, 0u);
  ASSERT_EQ(sb->mounts.size(), 7u);
  EXPECT_EQ(sb->mounts[0].destination, "/proc");
  EXPECT_EQ(sb->mounts[0].type, "proc");
  EXPECT_EQ(sb->masked_paths.size(), 10u);
  EXPECT_EQ(sb->readonly_paths.size(), 5u);
  // The sandbox applies no cgroup device rules: that is reported, not hidden.
  ASSERT_EQ(ignored.size(), 1u);
  EXPECT_EQ(ignored[0].rfind("linux.resources.devices: no devices cgroup", 0), 0u) << ignored[0];
  EXPECT_TRUE(sb->limits.empty());
}

TEST(ToSandboxSpecTest, UpdateResourcesDocumentBecomesLimits) {
  // What `runc update --resources` and the shim's Update receive.
  auto r = ParseResources(
      R"({"memory":{"limit":1048576,"swap":2097152},"cpu":{"shares":512,"quota":50000,)"
      R"("period":100000},"pids":{"limit":7},"devices":[]})");
  ASSERT_TRUE(r) << r.error().message();
  runtime::CgroupLimits l = ToCgroupLimits(*r);
  EXPECT_EQ(l.memory, 1048576);
  EXPECT_EQ(l.memory_swap, 2097152);
  EXPECT_EQ(l.cpu_shares, 512u);
  EXPECT_EQ(l.cpu_quota, 50000);
  EXPECT_EQ(l.cpu_period, 100000u);
  EXPECT_EQ(l.pids, 7);
  auto devices_only = ParseResources(R"({"devices":[]})");
  ASSERT_TRUE(devices_only);
  EXPECT_TRUE(ToCgroupLimits(*devices_only).empty());
  // Zero is "not set" (docker update sends it for untouched fields).
  auto zeros = ParseResources(R"({"memory":{"limit":0},"cpu":{"quota":0}})");
  ASSERT_TRUE(zeros);
  EXPECT_TRUE(ToCgroupLimits(*zeros).empty());
  auto bad = ParseResources(R"({"pids":{"limit":"x"}})");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("resources.pids.limit"), std::string::npos)
      << bad.error().message();
  EXPECT_FALSE(ParseResources("{not json"));
}

TEST(ToSandboxSpecTest, ResourcesBecomeLimitsAndCgroupsPathIsKept) {
  Spec spec = DefaultSpec(false);
  spec.linux_config->resources->memory = MemoryResources{};
  spec.linux_config->resources->memory->limit = 64 << 20;
  spec.linux_config->resources->memory->reservation = 1 << 20;
  spec.linux_config->resources->cpu = CpuResources{};
  spec.linux_config->resources->cpu->shares = 1024;  // the kernel's default: asks for nothing
  spec.linux_config->resources->cpu->quota = 50000;
  spec.linux_config->resources->pids = PidsResources{};
  spec.linux_config->resources->pids->limit = 32;
  spec.linux_config->cgroups_path = "system.slice:docker:abc";
  std::vector<std::string> ignored;
  auto sb = ToSandboxSpec(spec, "/bundle", "c1", &ignored);
  ASSERT_TRUE(sb) << sb.error().message();
  EXPECT_EQ(sb->limits.memory, 64 << 20);
  EXPECT_FALSE(sb->limits.cpu_shares);
  EXPECT_EQ(sb->limits.cpu_quota, 50000);
  EXPECT_EQ(sb->limits.pids, 32);
  EXPECT_EQ(sb->cgroup_path, "/system.slice/docker-abc.scope");
  bool reservation_noted = false;
  for (const auto& l : ignored)
    reservation_noted |= l == "linux.resources.memory.reservation: not applied";
  EXPECT_TRUE(reservation_noted);
  spec.linux_config->cgroups_path = "pods/c1";
  EXPECT_EQ(ToSandboxSpec(spec, "/bundle", "c1")->cgroup_path, "/pods/c1");
}

TEST(ToSandboxSpecTest, PathsAndMounts) {
  Spec spec = DefaultSpec(true);  // rootless: sysfs is an rbind of /sys with type "none"
  spec.root->path = "layers/../merged/";
  Mount data;
  data.destination = "/data/";
  data.type = "bind";
  data.source = "shared/data";
  data.options = {"rbind", "ro"};
  spec.mounts.push_back(data);

  const std::string cwd = std::filesystem::current_path().string();
  auto sb = ToSandboxSpec(spec, "relative-bundle", "c2");
  ASSERT_TRUE(sb.ok()) << sb.error().message();
  EXPECT_EQ(sb->rootfs, cwd + "/relative-bundle/merged");
  const runtime::MountSpec& sys = sb->mounts[5];
  EXPECT_EQ(sys.destination, "/sys");
  EXPECT_EQ(sys.type, "bind");
  EXPECT_EQ(sys.source, "/sys");
  const runtime::MountSpec& d = sb->mounts.back();
  EXPECT_EQ(d.destination, "/data");
  EXPECT_EQ(d.source, cwd + "/relative-bundle/shared/data");
  EXPECT_EQ(d.options, (std::vector<std::string>{"rbind", "ro"}));

  spec.root->path = "/var/lib/rootfs";
  auto abs = ToSandboxSpec(spec, "/b", "c2");
  ASSERT_TRUE(abs.ok());
  EXPECT_EQ(abs->rootfs, "/var/lib/rootfs");
}

TEST(ToSandboxSpecTest, NoCapabilitiesMeansNone) {
  Spec spec = DefaultSpec(false);
  spec.process->capabilities.reset();
  spec.process->user.umask = 077;
  auto sb = ToSandboxSpec(spec, "/b", "c3");
  ASSERT_TRUE(sb.ok()) << sb.error().message();
  EXPECT_EQ(sb->init.cap_bounding | sb->init.cap_effective | sb->init.cap_permitted |
                sb->init.cap_inheritable | sb->init.cap_ambient,
            0u);
  EXPECT_EQ(sb->init.umask, 077u);
}

TEST(ToSandboxSpecTest, ErrorsNameTheField) {
  Spec spec = DefaultSpec(false);
  auto bad_id = ToSandboxSpec(spec, "/b", "a/b");
  ASSERT_FALSE(bad_id.ok());
  EXPECT_EQ(bad_id.error().message(),
            "id: invalid character '/' (allowed: letters, digits, _ + . -)");

  Spec no_process = spec;
  no_process.process.reset();
  EXPECT_EQ(ToSandboxSpec(no_process, "/b", "c").error().message(),
            "process: missing (a container needs a process to run)");

  Spec bad_rlimit = spec;
  bad_rlimit.process->rlimits[0].type = "RLIMIT_BOGUS";
  EXPECT_EQ(ToSandboxSpec(bad_rlimit, "/b", "c").error().message(),
            "process.rlimits[0].type: unknown rlimit \"RLIMIT_BOGUS\"");

  Spec bad_cap = spec;
  bad_cap.process->capabilities->ambient.push_back("CAP_NOPE");
  EXPECT_EQ(ToSandboxSpec(bad_cap, "/b", "c").error().message(),
            "process.capabilities.ambient[3]: unknown capability \"CAP_NOPE\"");

  Spec bind_without_source = spec;
  bind_without_source.mounts[1].options.push_back("bind");
  bind_without_source.mounts[1].source.clear();
  EXPECT_EQ(ToSandboxSpec(bind_without_source, "/b", "c").error().message(),
            "mounts[1].source: missing (required for a bind mount)");
}

TEST(ToSandboxSpecTest, IgnoredFeaturesAreListed) {
  auto spec = ParseSpec(R"({"ociVersion":"1.1.0","root":{"path":"r"},
    "process":{"user":{"uid":0,"gid":0},"args":["x"],"cwd":"/"},
    "hooks":{"prestart":[{"path":"/bin/true"}],"poststop":[{"path":"/bin/true"}]},
    "linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW"},"sysctl":{"a.b":"1"},
             "namespaces":[{"type":"network","path":"/proc/1/ns/net"},
                           {"type":"ipc","path":"/proc/1/ns/ipc"}]}})");
  ASSERT_TRUE(spec.ok()) << spec.error().message();
  std::vector<std::string> ignored;
  ASSERT_TRUE(ToSandboxSpec(*spec, "/b", "c", &ignored).ok());
  EXPECT_EQ(ignored, (std::vector<std::string>{
                         "hooks: 2 hook(s) are not run by ToSandboxSpec",
                         "linux.namespaces[1].path: joining namespace \"ipc\" is not done by "
                         "ToSandboxSpec",
                         "linux.sysctl: not applied"}));
}

// linux.seccomp is compiled for the libOS to install; the program is the
// one libseccomp makes of the profile, and bad profiles name their field.
TEST(ToSandboxSpecTest, SeccompProfileIsCompiled) {
  auto spec = ParseSpec(R"({"ociVersion":"1.1.0","root":{"path":"r"},
    "process":{"user":{"uid":0,"gid":0},"args":["x"],"cwd":"/"},
    "linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_LOG"],
      "architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],
      "syscalls":[{"names":["mkdir","mkdirat","no_such_syscall"],"action":"SCMP_ACT_ERRNO",
                   "errnoRet":1},
                  {"names":["personality"],"action":"SCMP_ACT_ERRNO",
                   "args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]}]}}})");
  ASSERT_TRUE(spec.ok()) << spec.error().message();
  auto sb = ToSandboxSpec(*spec, "/b", "c");
  ASSERT_TRUE(sb.ok()) << sb.error().message();
  EXPECT_EQ(sb->app_seccomp_flags, 2u);
  ASSERT_FALSE(sb->app_seccomp_bpf.empty());
  EXPECT_EQ(sb->app_seccomp_bpf.size() % 8, 0u);
  // The program's ERRNO return for mkdir: SECCOMP_RET_ERRNO | 1.
  const uint32_t want = 0x00050001u;
  bool found = false;
  for (size_t i = 0; i + 8 <= sb->app_seccomp_bpf.size(); i += 8) {
    uint16_t code;
    uint32_t k;
    memcpy(&code, sb->app_seccomp_bpf.data() + i, 2);
    memcpy(&k, sb->app_seccomp_bpf.data() + i + 4, 4);
    found |= code == 0x06 && k == want;
  }
  EXPECT_TRUE(found) << "no RET ERRNO(1) in the compiled program";

  auto none = ToSandboxSpec(DefaultSpec(false), "/b", "c");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->app_seccomp_bpf.empty());
}

TEST(ToSandboxSpecTest, BadSeccompProfilesNameTheirField) {
  // The first error a user sees: the parser's, else the compiler's.
  auto with = [](const std::string& seccomp) -> std::string {
    auto spec = ParseSpec(R"({"ociVersion":"1.1.0","root":{"path":"r"},
      "process":{"user":{"uid":0,"gid":0},"args":["x"],"cwd":"/"},
      "linux":{"seccomp":)" +
                          seccomp + "}}");
    if (!spec.ok()) return spec.error().message();
    auto sb = ToSandboxSpec(*spec, "/b", "c");
    return sb.ok() ? std::string("compiled") : sb.error().message();
  };
  EXPECT_EQ(with(R"({"defaultAction":"SCMP_ACT_BOGUS"})"),
            "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_BOGUS\"");
  EXPECT_EQ(with(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],
                   "action":"SCMP_ACT_NOTIFY"}]})"),
            "linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY needs a seccomp listener, which "
            "LiteBox does not offer");
  EXPECT_EQ(with(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],
                   "action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_ABOUT"}]}]})"),
            "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_ABOUT\"");
  // Known to the OCI schema, not offered here (no notify listener).
  EXPECT_EQ(
      with(
          R"({"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]})"),
      "linux.seccomp.flags[0]: unsupported flag \"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"");
  EXPECT_EQ(with(R"({"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_NEW"]})"),
            "linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_NEW\"");
}

// As runc: no network namespace in the config is the host's network; one
// without a path is a new namespace; one with a path is joined (pods).
TEST(ToSandboxSpecTest, NetworkMode) {
  auto root = ToSandboxSpec(DefaultSpec(false), "/b", "c");
  ASSERT_TRUE(root.ok()) << root.error().message();
  EXPECT_EQ(root->network, "new");
  auto rootless = ToSandboxSpec(DefaultSpec(true), "/b", "c");  // runc drops netns there
  ASSERT_TRUE(rootless.ok()) << rootless.error().message();
  EXPECT_EQ(rootless->network, "host");

  Spec join = DefaultSpec(false);
  join.linux_config->namespaces[1].path = "/var/run/netns/pod1";
  ASSERT_EQ(join.linux_config->namespaces[1].type, "network");
  std::vector<std::string> ignored;
  auto joined = ToSandboxSpec(join, "/b", "c", &ignored);
  ASSERT_TRUE(joined.ok()) << joined.error().message();
  EXPECT_EQ(joined->network, "/var/run/netns/pod1");
  for (const auto& line : ignored) EXPECT_EQ(line.find("network"), std::string::npos) << line;

  Spec no_linux = DefaultSpec(false);
  no_linux.linux_config.reset();
  EXPECT_EQ(ToSandboxSpec(no_linux, "/b", "c")->network, "host");
}

TEST(ContainerIdTest, RuncRules) {
  EXPECT_TRUE(ValidateContainerId("my-container_1.2+x").ok());
  EXPECT_EQ(ValidateContainerId("..").error().message(), "id: must not be \"..\"");
  EXPECT_EQ(ValidateContainerId("").error().message(), "id: must not be empty");
  EXPECT_EQ(ValidateContainerId("a\nb").error().message(),
            "id: invalid character byte 0x0a (allowed: letters, digits, _ + . -)");
  EXPECT_FALSE(ValidateContainerId(std::string(1025, 'a')).ok());
}

// Reads "Key:\tvalue" lines of /proc/<pid>/status.
std::map<std::string, std::string> StatusFields(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    out[line.substr(0, colon)] = value;
  }
  return out;
}

// The identity we hand the sandbox is the identity runc gives the same
// config, as the kernel reports it.
TEST(ToSandboxSpecTest, ProcessIdentityMatchesRealRunc) {
  if (auto why = testing::RuncUnavailableReason(); !why.empty()) {
    GTEST_SKIP() << "SKIPPED: " << why;
  }
  testing::TempDir bundle;
  testing::MakeBusyboxRootfs(bundle.path());
  Spec spec = DefaultSpec(false);
  spec.process->terminal = false;
  spec.process->args = {"cat", "/proc/self/status"};
  spec.process->user.uid = 1000;
  spec.process->user.gid = 1001;
  spec.process->user.additional_gids = {5, 7};
  spec.process->user.umask = 027;
  // Equal sets, so exec's capability rules for a non-root uid keep them all
  // (ambient caps survive exec and become permitted and effective).
  const std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
                                         "CAP_CHOWN", "CAP_SETUID"};
  spec.process->capabilities = Capabilities{caps, caps, caps, caps, caps, {}};
  testing::WriteFile(bundle.path() + "/config.json", SerializeSpec(spec));

  testing::RuncContainer container("identity");
  auto r = testing::RunCommand({"runc", "run", "--bundle", bundle.path(), container.id()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto status = StatusFields(r.out);

  auto sb = ToSandboxSpec(spec, bundle.path(), container.id());
  ASSERT_TRUE(sb.ok()) << sb.error().message();
  const runtime::ProcessSpec& p = sb->init;
  auto hex = [](uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return std::string(buf);
  };
  EXPECT_EQ(status["CapBnd"], hex(p.cap_bounding));
  EXPECT_EQ(status["CapEff"], hex(p.cap_effective));
  EXPECT_EQ(status["CapPrm"], hex(p.cap_permitted));
  EXPECT_EQ(status["CapInh"], hex(p.cap_inheritable));
  EXPECT_EQ(status["CapAmb"], hex(p.cap_ambient));
  char umask[8];
  std::snprintf(umask, sizeof umask, "%04o", p.umask);
  EXPECT_EQ(status["Umask"], umask);
  const std::string uid = std::to_string(p.uid), gid = std::to_string(p.gid);
  EXPECT_EQ(status["Uid"], uid + "\t" + uid + "\t" + uid + "\t" + uid);
  EXPECT_EQ(status["Gid"], gid + "\t" + gid + "\t" + gid + "\t" + gid);
  EXPECT_EQ(status["Groups"],
            std::to_string(p.additional_gids[0]) + " " + std::to_string(p.additional_gids[1]));
  EXPECT_EQ(status["NoNewPrivs"], p.no_new_privileges ? "1" : "0");
}

}  // namespace
}  // namespace litebox::oci
