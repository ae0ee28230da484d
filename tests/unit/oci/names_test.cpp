// The name tables checked against independent sources: libcap's own names
// and numbers, and the resource list of util-linux `prlimit`.
#include "oci/names.hpp"

#include <gtest/gtest.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "test_util.hpp"

namespace litebox::oci {
namespace {

TEST(CapabilityNamesTest, NumbersAgreeWithLibcap) {
  int checked = 0;
  for (const std::string& name : CapabilityNames()) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    cap_value_t v;
    if (cap_from_name(lower.c_str(), &v) != 0) continue;  // older libcap
    EXPECT_EQ(CapabilityNumber(name), static_cast<int>(v)) << name;
    ++checked;
  }
  EXPECT_GE(checked, 38) << "libcap knew too few of our capability names";
  // And the other way: every capability libcap knows, we know.
  for (int v = 0; v <= CAP_LAST_CAP; ++v) {
    char* n = cap_to_name(v);
    ASSERT_NE(n, nullptr);
    std::string upper = n;
    cap_free(n);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    EXPECT_EQ(CapabilityNumber(upper), v) << upper;
  }
}

TEST(CapabilityNamesTest, MaskSetsBitsAndRejectsUnknown) {
  auto m = CapabilityMask({"CAP_CHOWN", "CAP_KILL", "CAP_SYS_ADMIN"});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(
      *m, (uint64_t{1} << CAP_CHOWN) | (uint64_t{1} << CAP_KILL) | (uint64_t{1} << CAP_SYS_ADMIN));
  auto bad = CapabilityMask({"CAP_KILL", "CAP_FOO"}, "process.capabilities.bounding");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(),
            "process.capabilities.bounding[1]: unknown capability \"CAP_FOO\"");
  EXPECT_FALSE(CapabilityNumber("cap_chown").has_value()) << "names are case-sensitive";
}

TEST(RlimitNamesTest, SameSetAsPrlimitAndDistinctNumbers) {
  if (testing::FindProgram("prlimit").empty()) {
    GTEST_SKIP() << "SKIPPED: `prlimit` (util-linux) not installed";
  }
  auto r = testing::RunCommand({"prlimit", "--noheadings", "--output", "RESOURCE"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> from_prlimit;
  std::istringstream ss(r.out);
  std::string word;
  while (ss >> word) from_prlimit.insert("RLIMIT_" + word);
  std::set<std::string> ours(RlimitNames().begin(), RlimitNames().end());
  EXPECT_EQ(ours, from_prlimit);
  std::set<int> numbers;
  for (const auto& n : RlimitNames()) numbers.insert(*RlimitNumber(n));
  EXPECT_EQ(numbers.size(), RlimitNames().size());
  EXPECT_EQ(RlimitNumber("RLIMIT_NOFILE"), RLIMIT_NOFILE);
  EXPECT_FALSE(RlimitNumber("RLIMIT_FOO").has_value());
}

TEST(VocabularyTest, KnownAndUnknownWords) {
  EXPECT_TRUE(IsNamespaceType("time"));
  EXPECT_FALSE(IsNamespaceType("net"));  // runtime-spec says "network"
  EXPECT_TRUE(IsSeccompAction("SCMP_ACT_KILL_PROCESS"));
  EXPECT_FALSE(IsSeccompAction("SCMP_ACT_DENY"));
  EXPECT_TRUE(IsSeccompOperator("SCMP_CMP_MASKED_EQ"));
  EXPECT_FALSE(IsSeccompOperator("SCMP_CMP_NEQ"));
  EXPECT_TRUE(IsSeccompArch("SCMP_ARCH_X86_64"));
  EXPECT_TRUE(IsSeccompFlag("SECCOMP_FILTER_FLAG_SPEC_ALLOW"));
}

}  // namespace
}  // namespace litebox::oci
