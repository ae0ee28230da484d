// Property: for every valid config x, serialize(parse(x)) is x (as JSON)
// and parse(serialize(parse(x))) == parse(x). Configs come from a seeded
// random generator that covers every typed field, explicit false/empty
// values, extreme numbers and unknown fields at every level.
#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <random>

#include "oci/names.hpp"
#include "oci/spec.hpp"

namespace litebox::oci {
namespace {

using J = nlohmann::ordered_json;

class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}

  bool Coin(double p = 0.5) { return std::bernoulli_distribution(p)(rng_); }
  uint64_t Below(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }
  uint64_t U64() {
    switch (Below(4)) {
      case 0:
        return 0;
      case 1:
        return std::numeric_limits<uint64_t>::max();
      default:
        return rng_() * uint64_t{rng_()};
    }
  }
  uint32_t U32() { return Coin(0.2) ? std::numeric_limits<uint32_t>::max() : rng_() % 100000; }
  int64_t I64() {
    switch (Below(4)) {
      case 0:
        return -1;
      case 1:
        return std::numeric_limits<int64_t>::min();
      case 2:
        return std::numeric_limits<int64_t>::max();
      default:
        return static_cast<int64_t>(rng_());
    }
  }
  std::string Word() {
    static const char* kWords[] = {"a", "box", "ünï", "with space", "x=y", "tab\t", "", "q\"uote"};
    return kWords[Below(std::size(kWords))];
  }
  std::string AbsPath() {
    std::string p;
    for (uint64_t i = 0, n = 1 + Below(3); i < n; ++i) p += "/d" + std::to_string(Below(50));
    return p;
  }
  template <typename T>
  std::vector<T> Pick(const std::vector<T>& from, size_t max) {
    std::vector<T> out;
    for (uint64_t i = 0, n = Below(max + 1); i < n; ++i) out.push_back(from[Below(from.size())]);
    return out;
  }
  std::vector<std::string> Words(size_t max) {
    std::vector<std::string> out;
    for (uint64_t i = 0, n = Below(max + 1); i < n; ++i) out.push_back(Word());
    return out;
  }

  // Any JSON value, for unknown fields (nulls included: kept verbatim).
  J Anything(int depth = 0) {
    switch (Below(depth > 2 ? 5 : 7)) {
      case 0:
        return nullptr;
      case 1:
        return Coin();
      case 2:
        return I64();
      case 3:
        return Word();
      case 4:
        return 0.25;
      case 5: {
        J a = J::array();
        for (uint64_t i = 0, n = Below(3); i < n; ++i) a.push_back(Anything(depth + 1));
        return a;
      }
      default: {
        J o = J::object();
        for (uint64_t i = 0, n = Below(3); i < n; ++i)
          o["k" + std::to_string(i)] = Anything(depth + 1);
        return o;
      }
    }
  }
  // Sometimes adds fields no version of the spec defines.
  void Unknown(J& obj) {
    if (Coin(0.3)) obj["x-unknown-" + std::to_string(Below(100))] = Anything();
  }
  // Optional scalar: absent, or present with any value (false/0/"" too).
  template <typename F>
  void Maybe(J& obj, const char* key, F value) {
    if (Coin()) obj[key] = value();
  }

  J Process() {
    J p = J::object();
    Maybe(p, "terminal", [&] { return Coin(); });
    if (Coin(0.3)) {
      J c = {{"height", U32()}, {"width", U32()}};
      Unknown(c);
      p["consoleSize"] = c;
    }
    J u = {{"uid", U32()}, {"gid", U32()}};
    Maybe(u, "umask", [&] { return U32(); });
    if (Coin()) {
      J g = J::array();
      for (uint64_t i = 0, n = Below(3); i < n; ++i) g.push_back(U32());
      u["additionalGids"] = g;
    }
    Unknown(u);
    p["user"] = u;
    std::vector<std::string> args = Words(3);
    args.insert(args.begin(), "prog");
    p["args"] = args;
    if (Coin()) {
      J env = J::array();
      for (uint64_t i = 0, n = Below(4); i < n; ++i)
        env.push_back("K" + std::to_string(i) + "=" + Word());
      p["env"] = env;
    }
    p["cwd"] = Coin() ? std::string("/") : AbsPath();
    if (Coin()) {
      J caps = J::object();
      for (const char* set : {"bounding", "effective", "inheritable", "permitted", "ambient"}) {
        if (Coin()) caps[set] = Pick(CapabilityNames(), 4);
      }
      Unknown(caps);
      p["capabilities"] = caps;
    }
    if (Coin()) {
      J rl = J::array();
      std::vector<std::string> names = RlimitNames();
      std::shuffle(names.begin(), names.end(), rng_);
      for (uint64_t i = 0, n = Below(4); i < n; ++i) {
        uint64_t hard = U64(), soft = hard == 0 ? 0 : Below(hard);
        J r = {{"type", names[i]}, {"hard", hard}, {"soft", soft}};
        Unknown(r);
        rl.push_back(r);
      }
      p["rlimits"] = rl;
    }
    Maybe(p, "noNewPrivileges", [&] { return Coin(); });
    Maybe(p, "oomScoreAdj", [&] { return static_cast<int>(Below(2001)) - 1000; });
    Maybe(p, "apparmorProfile", [&] { return Word(); });
    Maybe(p, "selinuxLabel", [&] { return Word(); });
    Unknown(p);
    return p;
  }

  J Mount() {
    J m = {{"destination", AbsPath()}};
    Maybe(m, "type", [&] { return Word(); });
    Maybe(m, "source", [&] { return Word(); });
    if (Coin()) m["options"] = Words(3);
    Unknown(m);
    return m;
  }

  J Hooks() {
    J h = J::object();
    for (const char* phase : {"prestart", "createRuntime", "createContainer", "startContainer",
                              "poststart", "poststop"}) {
      if (!Coin(0.3)) continue;
      J list = J::array();
      for (uint64_t i = 0, n = Below(3); i < n; ++i) {
        J hook = {{"path", AbsPath()}};
        if (Coin()) hook["args"] = Words(2);
        if (Coin()) hook["env"] = J::array({"A=b"});
        Maybe(hook, "timeout", [&] { return 1 + static_cast<int>(Below(100)); });
        Unknown(hook);
        list.push_back(hook);
      }
      h[phase] = list;
    }
    Unknown(h);
    return h;
  }

  J Resources() {
    J r = J::object();
    if (Coin()) {
      J m = J::object();
      for (const char* k : {"limit", "reservation", "swap"}) Maybe(m, k, [&] { return I64(); });
      Maybe(m, "swappiness", [&] { return Below(100); });  // untyped but known to the spec
      r["memory"] = m;
    }
    if (Coin()) {
      J c = J::object();
      Maybe(c, "shares", [&] { return U64(); });
      Maybe(c, "quota", [&] { return I64(); });
      Maybe(c, "period", [&] { return U64(); });
      Maybe(c, "cpus", [&] { return std::string("0-1"); });
      Maybe(c, "mems", [&] { return Word(); });
      Unknown(c);
      r["cpu"] = c;
    }
    if (Coin()) r["pids"] = {{"limit", I64()}};
    if (Coin()) r["devices"] = J::array({{{"allow", false}, {"access", "rwm"}}});
    if (Coin()) r["unified"] = {{"memory.high", "max"}};
    Unknown(r);
    return r;
  }

  J Seccomp() {
    static const std::vector<std::string> kActions = {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",
                                                      "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_LOG"};
    static const std::vector<std::string> kOps = {"SCMP_CMP_EQ", "SCMP_CMP_MASKED_EQ",
                                                  "SCMP_CMP_GT"};
    J s = {{"defaultAction", kActions[Below(kActions.size())]}};
    Maybe(s, "defaultErrnoRet", [&] { return U32(); });
    if (Coin()) s["architectures"] = Pick<std::string>({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"}, 2);
    if (Coin()) s["flags"] = Pick<std::string>({"SECCOMP_FILTER_FLAG_LOG"}, 1);
    if (Coin()) {
      J list = J::array();
      for (uint64_t i = 0, n = Below(3); i < n; ++i) {
        J sc = {{"names", J::array({"read", Word()})},
                {"action", kActions[Below(kActions.size())]}};
        Maybe(sc, "errnoRet", [&] { return U32(); });
        if (Coin()) {
          J args = J::array();
          for (uint64_t k = 0, m = Below(3); k < m; ++k) {
            J a = {{"index", Below(6)}, {"value", U64()}, {"op", kOps[Below(kOps.size())]}};
            Maybe(a, "valueTwo", [&] { return U64(); });
            Unknown(a);
            args.push_back(a);
          }
          sc["args"] = args;
        }
        Unknown(sc);
        list.push_back(sc);
      }
      s["syscalls"] = list;
    }
    Unknown(s);
    return s;
  }

  J Linux() {
    J l = J::object();
    if (Coin()) {
      std::vector<std::string> types = {"pid", "network", "mount",  "ipc",
                                        "uts", "user",    "cgroup", "time"};
      std::shuffle(types.begin(), types.end(), rng_);
      J ns = J::array();
      for (uint64_t i = 0, n = Below(types.size() + 1); i < n; ++i) {
        J x = {{"type", types[i]}};
        Maybe(x, "path", [&] { return AbsPath(); });
        Unknown(x);
        ns.push_back(x);
      }
      l["namespaces"] = ns;
    }
    for (const char* k : {"uidMappings", "gidMappings"}) {
      if (!Coin(0.3)) continue;
      J maps = J::array();
      for (uint64_t i = 0, n = Below(3); i < n; ++i) {
        maps.push_back({{"containerID", U32()}, {"hostID", U32()}, {"size", U32()}});
      }
      l[k] = maps;
    }
    if (Coin()) l["resources"] = Resources();
    Maybe(l, "cgroupsPath", [&] { return Word(); });
    if (Coin()) l["sysctl"] = {{"net.core.somaxconn", "1024"}, {"kernel.msgmax", Word()}};
    if (Coin()) l["seccomp"] = Seccomp();
    if (Coin()) l["maskedPaths"] = J::array({AbsPath()});
    if (Coin()) l["readonlyPaths"] = J::array();
    if (Coin()) {
      J devs = J::array();
      for (uint64_t i = 0, n = Below(3); i < n; ++i) {
        J d = {{"type", Coin() ? "c" : "p"}, {"path", "/dev/x" + std::to_string(i)}};
        if (d["type"] == "c" || Coin()) {
          d["major"] = I64();
          d["minor"] = I64();
        }
        Maybe(d, "fileMode", [&] { return U32(); });
        Maybe(d, "uid", [&] { return U32(); });
        Maybe(d, "gid", [&] { return U32(); });
        Unknown(d);
        devs.push_back(d);
      }
      l["devices"] = devs;
    }
    Maybe(l, "mountLabel", [&] { return Word(); });
    Maybe(l, "rootfsPropagation", [&] { return std::string(Coin() ? "rslave" : "private"); });
    if (Coin(0.2)) l["intelRdt"] = {{"closID", "x"}};  // known to the spec, untyped here
    Unknown(l);
    return l;
  }

  J Config() {
    J c = {{"ociVersion", Coin() ? "1.1.0" : "1.0.2-dev"}};
    if (Coin(0.8)) c["process"] = Process();
    J root = {{"path", Coin() ? "rootfs" : AbsPath()}};
    Maybe(root, "readonly", [&] { return Coin(); });
    Unknown(root);
    c["root"] = root;
    Maybe(c, "hostname", [&] { return Word(); });
    Maybe(c, "domainname", [&] { return Word(); });
    if (Coin()) {
      J mounts = J::array();
      for (uint64_t i = 0, n = Below(4); i < n; ++i) mounts.push_back(Mount());
      c["mounts"] = mounts;
    }
    if (Coin(0.3)) c["hooks"] = Hooks();
    if (Coin()) c["annotations"] = {{"org.example/a", Word()}, {"b", ""}};
    if (Coin(0.8)) c["linux"] = Linux();
    if (Coin(0.2)) c["windows"] = {{"layerFolders", J::array({"C:\\x"})}};
    Unknown(c);
    return c;
  }

 private:
  std::mt19937 rng_;
};

TEST(RoundTripPropertyTest, RandomValidConfigsRoundTripExactly) {
  for (uint32_t seed = 1; seed <= 1500; ++seed) {
    Gen gen(seed);
    const std::string text = gen.Config().dump();
    auto spec = ParseSpec(text);
    ASSERT_TRUE(spec.ok()) << "seed " << seed << ": " << spec.error().message() << "\n" << text;
    const std::string out = SerializeSpec(*spec);
    ASSERT_EQ(nlohmann::json::parse(out), nlohmann::json::parse(text))
        << "seed " << seed << "\nin:  " << text << "\nout: " << out;
    auto again = ParseSpec(out);
    ASSERT_TRUE(again.ok()) << "seed " << seed << ": " << again.error().message();
    ASSERT_TRUE(*again == *spec) << "seed " << seed;
  }
}

TEST(RoundTripPropertyTest, UnknownFieldsKeepTheirValueAndOrder) {
  const std::string text =
      R"({"ociVersion":"1.1.0","zeta":1,"root":{"path":"r","vendor":{"b":[1,null]}},
    "alpha":{"nested":true},"linux":{"personality":{"domain":"LINUX"},"resources":{"blockIO":{"weight":10}}}})";
  auto spec = ParseSpec(text);
  ASSERT_TRUE(spec.ok()) << spec.error().message();
  const Json out = SpecToJson(*spec);
  EXPECT_EQ(out["root"]["vendor"], Json::parse(R"({"b":[1,null]})"));
  EXPECT_EQ(out["linux"]["personality"]["domain"], "LINUX");
  EXPECT_EQ(out["linux"]["resources"]["blockIO"]["weight"], 10);
  // Unknown top-level keys follow the known ones, in source order.
  std::vector<std::string> keys;
  for (const auto& [k, v] : out.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"ociVersion", "root", "linux", "zeta", "alpha"}));
}

TEST(RoundTripPropertyTest, EditsAreSerialized) {
  auto spec = ParseSpec(R"({"ociVersion":"1.1.0","root":{"path":"r","readonly":true},
      "process":{"terminal":true,"user":{"uid":0,"gid":0},"args":["sh"],"cwd":"/"},
      "linux":{"resources":{"memory":{"limit":100,"swappiness":5},"devices":[]}}})");
  ASSERT_TRUE(spec.ok()) << spec.error().message();
  spec->process->terminal = false;  // was present: written as false
  spec->root->readonly = false;
  spec->linux_config->resources->memory->limit = 200;
  spec->linux_config->resources->pids = PidsResources{42, {}};
  spec->hostname = "edited";
  const Json out = SpecToJson(*spec);
  EXPECT_EQ(out["process"]["terminal"], false);
  EXPECT_EQ(out["root"]["readonly"], false);
  EXPECT_EQ(out["hostname"], "edited");
  EXPECT_EQ(out["linux"]["resources"]["memory"]["limit"], 200);
  EXPECT_EQ(out["linux"]["resources"]["memory"]["swappiness"], 5);
  EXPECT_EQ(out["linux"]["resources"]["pids"]["limit"], 42);
  EXPECT_TRUE(out["linux"]["resources"]["devices"].is_array());
  // A field never present and left at its default is not written.
  EXPECT_FALSE(out.contains("domainname"));
  EXPECT_FALSE(out["process"].contains("noNewPrivileges"));
}

TEST(RoundTripPropertyTest, NullKnownFieldMeansAbsent) {
  // Go's decoder treats null as the zero value; so do we (and omit it).
  auto spec =
      ParseSpec(R"({"ociVersion":"1.1.0","root":{"path":"r"},"hostname":null,"mounts":null})");
  ASSERT_TRUE(spec.ok()) << spec.error().message();
  EXPECT_TRUE(spec->mounts.empty());
  const Json out = SpecToJson(*spec);
  EXPECT_FALSE(out.contains("hostname"));
  EXPECT_FALSE(out.contains("mounts"));
}

}  // namespace
}  // namespace litebox::oci
