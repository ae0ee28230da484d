// Escape suite driver: for each attack, a fresh scratch directory with the
// host decoys, a fresh copy of the busybox rootfs (plus planted symlinks and
// the attack binary) and a private copy of the litebox binaries; run the
// attack under `litebox do`; then assert its expected outcome and every
// host oracle. A successful attack fails loudly with what it got.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "tests/escape/driver/attack_table.hpp"
#include "tests/escape/driver/host_decoys.hpp"
#include "tests/escape/driver/sandbox_run.hpp"

namespace escape {
namespace {

int RunCmd(const std::vector<std::string>& argv) {
  pid_t p = fork();
  if (p == 0) {
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    execv(a[0], a.data());
    _exit(127);
  }
  int st = 0;
  waitpid(p, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

// Where litebox and litebox-guest are: $ESCAPE_LITEBOX_DIR or <build>/bin.
std::string LiteboxDir() {
  const char* env = getenv("ESCAPE_LITEBOX_DIR");
  return env && *env ? env : std::string(ESCAPE_BUILD_DIR) + "/bin";
}

std::string ImageDir() {
  return std::string(ESCAPE_BUILD_DIR) + "/images";
}

bool Exists(const std::string& p) {
  return access(p.c_str(), F_OK) == 0;
}

// One STEP line's verdict, e.g. "EPERM -1" or "OK 3"; empty when missing.
std::string StepResult(const std::string& out, const std::string& label) {
  std::string key = "STEP " + label + " ";
  size_t p = 0;
  while ((p = out.find(key, p)) != std::string::npos) {
    if (p == 0 || out[p - 1] == '\n') {
      size_t eol = out.find('\n', p);
      return out.substr(p + key.size(),
                        eol == std::string::npos ? std::string::npos : eol - p - key.size());
    }
    p += key.size();
  }
  return "";
}

bool Matches(const std::string& got, const std::string& want) {
  std::istringstream g(got);
  std::string verdict;
  long value = 0;
  g >> verdict >> value;
  std::istringstream alts(want);
  std::string alt;
  while (std::getline(alts, alt, '|')) {
    if (alt == "ANY") return true;
    if (alt == "ERR" && verdict != "OK") return true;
    if (alt == "OK" && verdict == "OK") return true;
    if (alt[0] == '=' && verdict == "OK" && value == strtol(alt.c_str() + 1, nullptr, 10))
      return true;
    if (alt == verdict) return true;
  }
  return false;
}

// Builds (or finds up to date) the busybox image once per test process.
class ImageEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    const std::string script = std::string(ESCAPE_REPO_ROOT) + "/tests/images/build-busybox.sh";
    int rc = RunCmd({script, ImageDir()});
    if (rc != 0)
      rc = RunCmd({script, ImageDir()});  // once more: a concurrent builder held the lock
    ASSERT_EQ(rc, 0) << "building the busybox image in " << ImageDir() << " failed";
  }
};
const auto* const g_image_env = ::testing::AddGlobalTestEnvironment(new ImageEnvironment);

class Escape : public ::testing::TestWithParam<Attack> {
 protected:
  void SetUp() override {
    lbdir_ = LiteboxDir();
    if (!Exists(lbdir_ + "/litebox") || !Exists(lbdir_ + "/litebox-guest"))
      GTEST_SKIP() << "no litebox binaries in " << lbdir_
                   << " (build litebox, or set ESCAPE_LITEBOX_DIR)";
  }
  std::string lbdir_;
};

// Everything an attack runs against: scratch dir with decoys, rootfs copy
// with planted symlinks and the attack binary, private litebox binaries.
struct Prepared {
  HostDecoys decoys;
  RunOptions opt;
  std::string error;  // non-empty: setup failed (named)
};

void Prepare(const Attack& a, const std::string& lbdir, Prepared* p) {
  HostDecoys& d = p->decoys;
  const std::string exe = a.binary.empty() ? a.name : a.binary;
  std::string bin = std::string(ESCAPE_ATTACK_DIR) + "/" + exe;
  const std::string root = d.rootfs();
  auto fail = [&](const std::string& what) { p->error = what; };
  if (!Exists(bin)) return fail("attack binary " + bin + " missing (build target escape_attacks)");
  if (RunCmd({"/bin/cp", "-a", ImageDir() + "/busybox-rootfs", root}) != 0)
    return fail("copy rootfs to " + root);
  // A private copy of the runtime: an attack that chmods or rewrites "its"
  // litebox binaries must not poison the build, and is caught by Watch.
  if (mkdir((d.dir() + "/bin").c_str(), 0755) != 0) return fail("mkdir " + d.dir() + "/bin");
  for (const char* b : {"litebox", "litebox-guest"})
    if (RunCmd({"/bin/cp", lbdir + "/" + b, d.dir() + "/bin/" + b}) != 0)
      return fail(std::string("copy ") + b);
  // What a malicious image could ship: symlinks pointing at host paths.
  if (symlink(d.decoy_path().c_str(), (root + "/planted_abs").c_str()) != 0 ||
      symlink("../decoy/secret", (root + "/planted_rel").c_str()) != 0 ||
      symlink((d.dir() + "/decoy").c_str(), (root + "/planted_dir").c_str()) != 0 ||
      symlink("../../../../../../../../../..", (root + "/planted_up").c_str()) != 0)
    return fail("planting symlinks in " + root);
  // ...and device nodes (the host's null and full).
  if (mknod((root + "/planted_null").c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0 ||
      mknod((root + "/planted_full").c_str(), S_IFCHR | 0666, makedev(1, 7)) != 0)
    return fail("planting device nodes in " + root);
  if (mkdir((root + "/attack").c_str(), 0755) != 0) return fail("mkdir " + root + "/attack");
  if (RunCmd({"/bin/cp", bin, root + "/attack/" + exe}) != 0) return fail("copy " + bin);
  std::string probe = std::string(ESCAPE_ATTACK_DIR) + "/suid_probe";
  if (Exists(probe)) {
    if (RunCmd({"/bin/cp", probe, root + "/attack/suid_probe"}) != 0 ||
        chown((root + "/attack/suid_probe").c_str(), 0, 0) != 0 ||
        chmod((root + "/attack/suid_probe").c_str(), 04755) != 0)
      return fail("installing the setuid probe");
  }
  d.Watch(d.dir() + "/bin/litebox");
  d.Watch(d.dir() + "/bin/litebox-guest");
  d.Watch("/proc/sys/kernel/core_pattern");
  d.Watch("/proc/sys/kernel/modprobe");

  RunOptions& opt = p->opt;
  opt.litebox = d.dir() + "/bin/litebox";
  opt.rootfs = root;
  opt.argv = {"/attack/" + exe};
  opt.argv.insert(opt.argv.end(), a.args.begin(), a.args.end());
  opt.env = d.Env();
  opt.env["ESC_LITEBOX"] = opt.litebox;
  opt.user = a.user;
  opt.network = a.network;
  opt.timeout_s = a.timeout_s;
  opt.pty_stdin = a.pty;
}

TEST_P(Escape, HostSurvives) {
  const Attack& a = GetParam();
  Prepared p;
  Prepare(a, lbdir_, &p);
  ASSERT_EQ(p.error, "");
  HostDecoys& d = p.decoys;
  d.Snapshot();
  RunResult r = RunInSandbox(p.opt);
  std::vector<std::string> host_damage = d.Check();

  SCOPED_TRACE("attack " + a.name + ": " + a.summary + "\n--- output ---\n" + r.output +
               "--- end (exit " + std::to_string(r.code()) + ") ---");
  // The host oracles: any hit is an escape.
  EXPECT_EQ(r.output.find(d.token()), std::string::npos)
      << "ESCAPE: the attack printed the host decoy's secret";
  for (const auto& h : host_damage) ADD_FAILURE() << "ESCAPE: " << h;
  for (const auto& l : r.leftovers)
    ADD_FAILURE() << "ESCAPE (lifetime): host process " << l << " of sandbox uid " << r.sandbox_uid
                  << " outlived its sandbox";
  EXPECT_EQ(r.pty_change, "") << "ESCAPE: the supervisor changed the host terminal";
  EXPECT_EQ(r.pty_input, "") << "ESCAPE: bytes were injected into the host terminal's input";
  EXPECT_EQ(r.output.find(d.dir()), std::string::npos)
      << "LEAK: the host path of the sandbox (" << d.dir() << ") showed inside";
  EXPECT_NE(r.sandbox_uid, 0) << "the guest ran as host root";
  if (!a.may_hang)
    EXPECT_FALSE(r.timed_out) << "litebox do did not end within " << a.timeout_s << " s";
  EXPECT_EQ(r.output.find("MISSING-ENV"), std::string::npos) << "driver did not pass a host fact";

  // The attack's own expected outcome.
  for (const auto& s : a.steps) {
    std::string got = StepResult(r.output, s.label);
    if (got.empty() && a.end != End::kDone) continue;  // it may have died before this step
    if (got.empty() && s.want.find("MISSING") != std::string::npos) continue;
    EXPECT_FALSE(got.empty()) << "step " << s.label << " never reported";
    if (!got.empty())
      EXPECT_TRUE(Matches(got, s.want))
          << "step " << s.label << ": expected " << s.want << ", got " << got;
  }
  switch (a.end) {
    case End::kDone:
      EXPECT_NE(r.output.find("\nDONE\n"), std::string::npos)
          << "the attack did not run to its end";
      EXPECT_EQ(r.code(), 0) << "litebox do exit status";
      break;
    case End::kKilled:
      EXPECT_EQ(r.output.find("\nDONE\n"), std::string::npos) << "expected the attack to be killed";
      EXPECT_EQ(r.code(), 128 + a.signal) << "expected death by signal " << a.signal;
      break;
    case End::kAny:
      break;
  }
}

std::string NameOf(const ::testing::TestParamInfo<Attack>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Attacks, Escape, ::testing::ValuesIn(AllAttacks()), NameOf);

// Controls: the same attack binaries run natively (no sandbox) against the
// same decoys must trip the oracles, or the oracles prove nothing. Only
// attacks whose native run touches nothing but the decoys are used.
class EscapeControl : public ::testing::TestWithParam<std::string> {};

TEST_P(EscapeControl, OracleFiresNatively) {
  const Attack* found = nullptr;
  for (const auto& a : AllAttacks())
    if (a.name == GetParam()) found = &a;
  ASSERT_NE(found, nullptr) << "no attack named " << GetParam();
  Prepared p;
  Prepare(*found, LiteboxDir(), &p);
  if (p.error.find("litebox") != std::string::npos) GTEST_SKIP() << p.error;
  ASSERT_EQ(p.error, "");
  p.opt.native = true;
  p.opt.argv[0] = p.opt.rootfs + p.opt.argv[0];
  p.decoys.Snapshot();
  RunResult r = RunInSandbox(p.opt);
  std::vector<std::string> damage = p.decoys.Check();
  bool read_token = r.output.find(p.decoys.token()) != std::string::npos;
  EXPECT_TRUE(read_token || !damage.empty())
      << "natively, " << GetParam() << " reached nothing the oracles see:\n"
      << r.output;
}

INSTANTIATE_TEST_SUITE_P(Native, EscapeControl,
                         ::testing::Values("sig_kill_decoy", "net_unix_host", "net_dgram_sendto",
                                           "ipc_sysv_host", "ipc_msgq_host", "path_proc_self_root"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

// The table the sweep expects from must be the real one, not empty.
TEST(EscapeTable, DenyRowsParsed) {
  auto rows = DenyRows(std::string(ESCAPE_REPO_ROOT) + "/libos/syscall_table.def");
  EXPECT_GT(rows.size(), 60u);
  bool mount = false;
  for (const auto& r : rows)
    if (r.name == "mount") mount = r.errno_name == "EPERM";
  EXPECT_TRUE(mount) << "mount must be a DENY_EPERM row";
}

}  // namespace
}  // namespace escape
