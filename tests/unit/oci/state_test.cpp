// State documents: timestamps checked against GNU date, round trips, and
// the real `runc state` output parsed and written back unchanged.
#include "oci/state.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "test_util.hpp"

namespace litebox::oci {
namespace {

using namespace std::chrono;
using testing::RunCommand;

TEST(Rfc3339Test, MatchesGnuDate) {
  // GNU date formats the same instant independently of our code.
  const int64_t samples[] = {0, 1, 951782400 /* 2000-02-29 */, 1795818582, 4102444799};
  for (int64_t secs : samples) {
    for (int64_t ns : {int64_t{0}, int64_t{123456789}, int64_t{120000000}, int64_t{5}}) {
      Timestamp t{seconds{secs} + nanoseconds{ns}};
      auto r = RunCommand({"date", "-u", "-d", "@" + std::to_string(secs), "+%Y-%m-%dT%H:%M:%S"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      std::string expected = r.out.substr(0, r.out.size() - 1);
      if (ns == 123456789) expected += ".123456789";
      if (ns == 120000000) expected += ".12";  // Go trims trailing zeros
      if (ns == 5) expected += ".000000005";
      expected += "Z";
      EXPECT_EQ(FormatRfc3339Nano(t), expected);
      auto back = ParseRfc3339(expected);
      ASSERT_TRUE(back.ok()) << back.error().message();
      EXPECT_EQ(*back, t) << expected;
    }
  }
}

TEST(Rfc3339Test, ParsesOffsetsAndRejectsGarbage) {
  auto a = ParseRfc3339("2026-11-27T23:29:42.5+01:00");
  auto b = ParseRfc3339("2026-11-27T22:29:42.500Z");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  auto bad = ParseRfc3339("2026-02-30T00:00:00Z", "created");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(),
            "created: \"2026-02-30T00:00:00Z\" is not an RFC 3339 timestamp (no such date)");
  EXPECT_FALSE(ParseRfc3339("2026-11-27 22:29:42Z").ok());
  EXPECT_FALSE(ParseRfc3339("2026-11-27T22:29:42").ok());
  EXPECT_FALSE(ParseRfc3339("2026-11-27T22:29:42.Z").ok());
}

TEST(StateTest, RoundTripEveryStatus) {
  for (Status s :
       {Status::kCreating, Status::kCreated, Status::kRunning, Status::kStopped, Status::kPaused}) {
    State st;
    st.id = "c1";
    st.pid = s == Status::kStopped ? 0 : 4242;
    st.status = s;
    st.bundle = "/run/b";
    st.rootfs = "/run/b/rootfs";
    st.created = Timestamp{seconds{1795818582} + nanoseconds{123456789}};
    st.annotations = {{"io.k8s.pod", "p"}};
    const std::string text = SerializeState(st);
    auto back = ParseState(text);
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_TRUE(*back == st) << text;
    auto j = nlohmann::json::parse(text);
    EXPECT_EQ(j["status"], StatusName(s));
    EXPECT_EQ(j["created"], "2026-11-27T22:29:42.123456789Z");
  }
}

TEST(StateTest, Errors) {
  auto bad_status =
      ParseState(R"({"ociVersion":"1.1.0","id":"x","status":"zombie","bundle":"/b"})");
  ASSERT_FALSE(bad_status.ok());
  EXPECT_EQ(bad_status.error().message(),
            "status: unknown status \"zombie\" (expected creating, created, running, stopped or "
            "paused)");
  auto no_id = ParseState(R"({"ociVersion":"1.1.0","status":"created","bundle":"/b"})");
  ASSERT_FALSE(no_id.ok());
  EXPECT_EQ(no_id.error().message(), "id: missing");
  auto bad_pid =
      ParseState(R"({"ociVersion":"1.1.0","id":"x","pid":-3,"status":"created","bundle":"/b"})");
  ASSERT_FALSE(bad_pid.ok());
  EXPECT_EQ(bad_pid.error().message(), "pid: must be a non-negative process id");
}

TEST(StateTest, RealRuncStateRoundTrips) {
  if (auto why = testing::RuncUnavailableReason(); !why.empty()) {
    GTEST_SKIP() << "SKIPPED: " << why;
  }
  testing::TempDir bundle;
  testing::MakeBusyboxRootfs(bundle.path());
  auto spec =
      nlohmann::json::parse(RunCommand({"runc", "spec", "--bundle", bundle.path()}).exit_code == 0
                                ? testing::ReadFile(bundle.path() + "/config.json")
                                : std::string("{}"));
  ASSERT_TRUE(spec.contains("process"));
  spec["process"]["terminal"] = false;
  spec["process"]["args"] = {"sleep", "30"};
  spec["annotations"] = {{"org.litebox.test", "state"}};
  testing::WriteFile(bundle.path() + "/config.json", spec.dump());

  testing::RuncContainer container("state");
  auto created = RunCommand({"runc", "create", "--bundle", bundle.path(), container.id()});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto r = RunCommand({"runc", "state", container.id()});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  auto st = ParseState(r.out);
  ASSERT_TRUE(st.ok()) << st.error().message() << "\n" << r.out;
  EXPECT_EQ(st->id, container.id());
  EXPECT_EQ(st->status, Status::kCreated);
  EXPECT_GT(st->pid, 0);
  EXPECT_EQ(st->bundle, bundle.path());
  EXPECT_EQ(st->annotations.at("org.litebox.test"), "state");
  auto age = system_clock::now() - st->created;
  EXPECT_LT(age, minutes(5)) << "created should be about now";
  EXPECT_GT(age, seconds(-5));
  // Same document back (runc pretty-prints with 2 spaces too).
  EXPECT_EQ(nlohmann::json::parse(SerializeState(*st)), nlohmann::json::parse(r.out));
  EXPECT_EQ(SerializeState(*st), r.out + (r.out.ends_with("\n") ? "" : "\n"));
}

}  // namespace
}  // namespace litebox::oci
