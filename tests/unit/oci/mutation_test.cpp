// Robustness: configs broken at random places (a node replaced by a value
// of a random type, or removed). ParseSpec must return — never throw or
// crash — and every error must name a location that exists in the document
// (or, for "missing", whose parent exists), so users can find what to fix.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "oci/spec.hpp"

namespace litebox::oci {
namespace {

using nlohmann::json;

constexpr const char* kBase = R"({
  "ociVersion": "1.1.0",
  "process": {"terminal": true, "consoleSize": {"height": 24, "width": 80},
    "user": {"uid": 1, "gid": 2, "umask": 18, "additionalGids": [3]},
    "args": ["sh"], "env": ["A=b"], "cwd": "/",
    "capabilities": {"bounding": ["CAP_KILL"], "ambient": ["CAP_CHOWN"]},
    "rlimits": [{"type": "RLIMIT_CORE", "hard": 10, "soft": 5}],
    "noNewPrivileges": true, "oomScoreAdj": 5, "apparmorProfile": "p", "selinuxLabel": "l"},
  "root": {"path": "rootfs", "readonly": false},
  "hostname": "h", "domainname": "d",
  "mounts": [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["ro"]}],
  "hooks": {"poststart": [{"path": "/bin/x", "args": ["x"], "env": ["B=c"], "timeout": 3}]},
  "annotations": {"k": "v"},
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "network", "path": "/run/netns/a"}],
    "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
    "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
    "resources": {"memory": {"limit": 10, "reservation": 5, "swap": 20},
                  "cpu": {"shares": 2, "quota": 3, "period": 4, "cpus": "0", "mems": "0"},
                  "pids": {"limit": 7}},
    "cgroupsPath": "/x", "sysctl": {"a.b": "1"},
    "seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
      "architectures": ["SCMP_ARCH_X86_64"], "flags": ["SECCOMP_FILTER_FLAG_LOG"],
      "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "errnoRet": 2,
        "args": [{"index": 1, "value": 2, "valueTwo": 3, "op": "SCMP_CMP_EQ"}]}]},
    "maskedPaths": ["/proc/kcore"], "readonlyPaths": ["/proc/sys"],
    "devices": [{"type": "c", "path": "/dev/x", "major": 1, "minor": 3, "fileMode": 438,
                 "uid": 0, "gid": 0}],
    "mountLabel": "m", "rootfsPropagation": "slave"}
})";

// Every JSON pointer to a node of v (excluding the root).
void AllPointers(const json& v, const json::json_pointer& at,
                 std::vector<json::json_pointer>* out) {
  if (v.is_object()) {
    for (const auto& [k, child] : v.items()) {
      out->push_back(at / k);
      AllPointers(child, at / k, out);
    }
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) {
      out->push_back(at / i);
      AllPointers(v[i], at / i, out);
    }
  }
}

// "linux.seccomp.syscalls[0].args[1].op" / `annotations["k.x"]` -> pointer.
json::json_pointer PointerOf(const std::string& path) {
  json::json_pointer p;
  size_t i = 0;
  while (i < path.size()) {
    if (path.compare(i, 2, "[\"") == 0) {
      size_t end = path.find("\"]", i + 2);
      if (end == std::string::npos) break;
      p /= path.substr(i + 2, end - i - 2);
      i = end + 2;
    } else if (path[i] == '[') {
      size_t end = path.find(']', i);
      if (end == std::string::npos) break;
      p /= std::stoul(path.substr(i + 1, end - i - 1));
      i = end + 1;
    } else {
      if (path[i] == '.') ++i;
      size_t end = path.find_first_of(".[", i);
      if (end == std::string::npos) end = path.size();
      if (end == i) break;
      p /= path.substr(i, end - i);
      i = end;
    }
  }
  EXPECT_EQ(i, path.size()) << "unparsable error path " << path;
  return p;
}

json RandomValue(std::mt19937& rng) {
  switch (rng() % 9) {
    case 0:
      return nullptr;
    case 1:
      return true;
    case 2:
      return -1;
    case 3:
      return 4294967296ULL;
    case 4:
      return 1.5;
    case 5:
      return "text";
    case 6:
      return "/abs";
    case 7:
      return json::array({1, "x"});
    default:
      return json::object({{"k", 1}});
  }
}

TEST(MutationTest, ErrorsNameRealLocationsAndValidResultsRoundTrip) {
  const json base = json::parse(kBase);
  ASSERT_TRUE(ParseSpec(base.dump()).ok()) << ParseSpec(base.dump()).error().message();
  std::vector<json::json_pointer> pointers;
  AllPointers(base, json::json_pointer(), &pointers);

  std::mt19937 rng(12345);
  int rejected = 0, accepted = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    json doc = base;
    // One to three mutations per document.
    for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n; ++k) {
      const auto& ptr = pointers[rng() % pointers.size()];
      if (!doc.contains(ptr)) continue;
      if (rng() % 4 == 0) {
        json& parent = doc[ptr.parent_pointer()];
        if (parent.is_object()) parent.erase(ptr.back());
      } else {
        doc[ptr] = RandomValue(rng);
      }
    }
    const std::string text = doc.dump();
    Result<Spec> spec = ParseSpec(text);  // must not throw
    if (spec.ok()) {
      ++accepted;
      auto again = ParseSpec(SerializeSpec(*spec));
      ASSERT_TRUE(again.ok()) << again.error().message() << "\n" << text;
      ASSERT_TRUE(*again == *spec) << text;
      continue;
    }
    ++rejected;
    const Error& e = spec.error();
    ASSERT_FALSE(e.path.empty()) << e.reason;
    ASSERT_FALSE(e.reason.empty()) << e.path;
    const json::json_pointer where = PointerOf(e.path);
    if (!doc.contains(where)) {
      // Only an absence error may point at an absent location, and its
      // parent must exist. (args and names say "must be a non-empty array
      // of strings" whether they are absent or empty.)
      const bool absence =
          e.reason.rfind("missing", 0) == 0 || e.reason == "must be a non-empty array of strings";
      EXPECT_TRUE(absence) << e.message() << " — no such location in\n" << text;
      EXPECT_TRUE(doc.contains(where.parent_pointer())) << e.message() << " — parent absent in\n"
                                                        << text;
    }
  }
  // The mutations must exercise both outcomes, or the test proves little.
  EXPECT_GT(rejected, 1000);
  EXPECT_GT(accepted, 100);
}

TEST(MutationTest, GarbageTextNeverThrows) {
  std::mt19937 rng(7);
  const std::string base = kBase;
  for (int iter = 0; iter < 3000; ++iter) {
    std::string text = base;
    for (int k = 0; k < 3; ++k) {
      size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text.erase(at, 1 + rng() % 8);
          break;
        case 1:
          text.insert(at, 1, static_cast<char>(rng() % 256));
          break;
        default:
          text[at] = "{}[]\",:0-e."[rng() % 11];
      }
    }
    Result<Spec> spec = ParseSpec(text);
    if (!spec.ok()) {
      EXPECT_FALSE(spec.error().message().empty());
    }
  }
}

}  // namespace
}  // namespace litebox::oci
