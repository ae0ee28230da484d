#include "tests/conformance/scratch.hpp"

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace conformance {
namespace {

// Creates every missing component of an absolute path (like mkdir -p).
void MakeDirs(const std::string& path) {
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos == path.size() || path[pos] == '/') {
      std::string prefix = path.substr(0, pos);
      if (mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "conformance: mkdir %s: %s\n", prefix.c_str(), strerror(errno));
        abort();
      }
    }
  }
}

int RemoveEntry(const char* path, const struct stat*, int, struct FTW*) {
  if (remove(path) != 0) fprintf(stderr, "conformance: remove %s: %s\n", path, strerror(errno));
  return 0;  // keep going: leftovers are reported, not fatal
}

void RemoveTree(const std::string& path) {
  nftw(path.c_str(), RemoveEntry, 16, FTW_DEPTH | FTW_PHYS);
}

// Set when the root was made by mkdtemp, so it is removed at exit.
bool g_root_is_ours = false;

class RootCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    if (g_root_is_ours) RemoveTree(ScratchRoot());
  }
};
const auto* const g_cleanup = ::testing::AddGlobalTestEnvironment(new RootCleanup);

}  // namespace

const std::string& ScratchRoot() {
  static const std::string root = [] {
    std::string dir;
    const char* env = getenv("CONFORMANCE_TMP");
    if (env != nullptr && env[0] != '\0') {
      if (env[0] != '/') {
        fprintf(stderr, "conformance: CONFORMANCE_TMP must be absolute, got '%s'\n", env);
        abort();
      }
      dir = env;
      MakeDirs(dir);
    } else {
      char tmpl[] = "/tmp/conformance-XXXXXX";
      if (mkdtemp(tmpl) == nullptr) {
        fprintf(stderr, "conformance: mkdtemp %s: %s\n", tmpl, strerror(errno));
        abort();
      }
      dir = tmpl;
      g_root_is_ours = true;
    }
    char real[PATH_MAX];
    if (realpath(dir.c_str(), real) == nullptr) {
      fprintf(stderr, "conformance: realpath %s: %s\n", dir.c_str(), strerror(errno));
      abort();
    }
    return std::string(real);
  }();
  return root;
}

void WriteFile(const std::string& path, const std::string& data) {
  Fd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  ASSERT_GE(fd.get(), 0) << "open " << path << ": " << strerror(errno);
  ASSERT_EQ(write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()))
      << "write " << path << ": " << strerror(errno);
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      EXPECT_EQ(n, 0) << "read fd " << fd << ": " << strerror(errno);
      break;
    }
    out.append(buf, n);
  }
  return out;
}

std::string ReadFile(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  EXPECT_GE(fd.get(), 0) << "open " << path << ": " << strerror(errno);
  if (fd.get() < 0) return {};
  return ReadAll(fd);
}

bool ExpectRoot() {
  const char* env = getenv("CONFORMANCE_AS_ROOT");
  return env != nullptr && strcmp(env, "1") == 0;
}

void ScratchTest::SetUp() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  dir_ = ScratchRoot() + "/" + info->test_suite_name() + "." + info->name();
  RemoveTree(dir_);  // a leftover from an earlier, killed run
  ASSERT_EQ(mkdir(dir_.c_str(), 0755), 0) << "mkdir " << dir_ << ": " << strerror(errno);
  dir_fd_.reset(open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_GE(dir_fd_.get(), 0) << "open " << dir_ << ": " << strerror(errno);
  char cwd[PATH_MAX];
  saved_cwd_ = getcwd(cwd, sizeof cwd) != nullptr ? cwd : "/";
  saved_umask_ = umask(022);
}

void ScratchTest::TearDown() {
  umask(saved_umask_);
  EXPECT_EQ(chdir(saved_cwd_.c_str()), 0) << saved_cwd_ << ": " << strerror(errno);
  dir_fd_.reset();
  if (!dir_.empty()) RemoveTree(dir_);
}

std::string StatusValue(const std::string& status_text, const std::string& key) {
  std::istringstream in(status_text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      size_t v = line.find_first_not_of(" \t", key.size() + 1);
      return v == std::string::npos ? "" : line.substr(v);
    }
  }
  return "";
}

}  // namespace conformance
