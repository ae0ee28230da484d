// Memory-mapping conformance: anonymous and file-backed mappings,
// MAP_PRIVATE/MAP_SHARED visibility, mprotect, mremap, munmap, msync, madvise.
// Faults are observed with a SIGSEGV handler + siglongjmp, not death tests,
// so nothing here needs fork or re-exec.
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "tests/conformance/scratch.hpp"

namespace conformance {
namespace {

const size_t kPage = static_cast<size_t>(sysconf(_SC_PAGESIZE));

class MmapTest : public ScratchTest {
 protected:
  // A file of `pages` pages whose byte i is 'a' + i % 26.
  Fd PatternFile(const std::string& name, size_t pages) {
    std::string data(pages * kPage, '\0');
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 26);
    WriteFile(Path(name), data);
    return Fd(open(Path(name).c_str(), O_RDWR));
  }
};

sigjmp_buf g_fault_jmp;
volatile sig_atomic_t g_fault_code = 0;
void* volatile g_fault_addr = nullptr;

void OnSegv(int, siginfo_t* si, void*) {
  g_fault_code = si->si_code;
  g_fault_addr = si->si_addr;
  siglongjmp(g_fault_jmp, 1);
}

// Performs a one-byte read or write at `p`; returns true if it faulted, with
// the fault's si_code in g_fault_code.
bool Faults(volatile char* p, bool write) {
  struct sigaction sa {
  }, old{};
  sa.sa_sigaction = OnSegv;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &old);
  g_fault_code = 0;
  g_fault_addr = nullptr;
  bool faulted = false;
  if (sigsetjmp(g_fault_jmp, 1) == 0) {
    if (write) {
      *p = 'w';
    } else {
      (void)*p;
    }
  } else {
    faulted = true;
  }
  sigaction(SIGSEGV, &old, nullptr);
  return faulted;
}

TEST_F(MmapTest, AnonymousMappingIsZeroFilledAndWritable) {
  size_t len = 4 * kPage;
  auto* p = static_cast<unsigned char*>(
      mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(p, MAP_FAILED) << strerror(errno);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % kPage, 0u);
  for (size_t i = 0; i < len; ++i) ASSERT_EQ(p[i], 0) << i;
  memset(p, 0x5a, len);
  EXPECT_EQ(p[len - 1], 0x5a);
  EXPECT_EQ(munmap(p, len), 0);
}

TEST_F(MmapTest, FilePrivateMappingReadsFileContent) {
  Fd fd = PatternFile("f", 2);
  auto* p = static_cast<char*>(mmap(nullptr, 2 * kPage, PROT_READ, MAP_PRIVATE, fd, 0));
  ASSERT_NE(p, MAP_FAILED) << strerror(errno);
  EXPECT_EQ(p[0], 'a');
  EXPECT_EQ(p[kPage + 3], static_cast<char>('a' + (kPage + 3) % 26));
  munmap(p, 2 * kPage);
}

TEST_F(MmapTest, FileMappingAtOffsetStartsThere) {
  Fd fd = PatternFile("f", 3);
  auto* p = static_cast<char*>(mmap(nullptr, kPage, PROT_READ, MAP_SHARED, fd, 2 * kPage));
  ASSERT_NE(p, MAP_FAILED) << strerror(errno);
  EXPECT_EQ(p[0], static_cast<char>('a' + (2 * kPage) % 26));
  munmap(p, kPage);
}

TEST_F(MmapTest, PrivateWritesDoNotReachFile) {
  Fd fd = PatternFile("f", 1);
  auto* p = static_cast<char*>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
  ASSERT_NE(p, MAP_FAILED);
  p[0] = 'X';
  char c = 0;
  ASSERT_EQ(pread(fd, &c, 1, 0), 1);
  EXPECT_EQ(c, 'a');
  EXPECT_EQ(p[0], 'X');
  munmap(p, kPage);
}

TEST_F(MmapTest, SharedWritesAreVisibleToRead) {
  Fd fd = PatternFile("f", 1);
  auto* p = static_cast<char*>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  ASSERT_NE(p, MAP_FAILED);
  memcpy(p + 10, "SHARED", 6);
  char buf[6];
  ASSERT_EQ(pread(fd, buf, 6, 10), 6);
  EXPECT_EQ(std::string(buf, 6), "SHARED");
  munmap(p, kPage);
}

TEST_F(MmapTest, WriteSyscallIsVisibleInSharedMapping) {
  Fd fd = PatternFile("f", 1);
  auto* p = static_cast<char*>(mmap(nullptr, kPage, PROT_READ, MAP_SHARED, fd, 0));
  ASSERT_NE(p, MAP_FAILED);
  ASSERT_EQ(pwrite(fd, "pw", 2, 100), 2);
  EXPECT_EQ(std::string(p + 100, 2), "pw");
  munmap(p, kPage);
}

TEST_F(MmapTest, TwoSharedMappingsSeeEachOthersWrites) {
  Fd fd = PatternFile("f", 1);
  auto* a = static_cast<char*>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  auto* b = static_cast<char*>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  ASSERT_NE(a, MAP_FAILED);
  ASSERT_NE(b, MAP_FAILED);
  ASSERT_NE(a, b);
  a[5] = '!';
  EXPECT_EQ(b[5], '!');
  b[6] = '?';
  EXPECT_EQ(a[6], '?');
  munmap(a, kPage);
  munmap(b, kPage);
}

TEST_F(MmapTest, PrivateMappingDoesNotSeeOtherPrivateWrites) {
  Fd fd = PatternFile("f", 1);
  auto* a = static_cast<char*>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
  auto* b = static_cast<char*>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
  ASSERT_NE(a, MAP_FAILED);
  ASSERT_NE(b, MAP_FAILED);
  a[0] = '1';
  EXPECT_EQ(b[0], 'a');
  munmap(a, kPage);
  munmap(b, kPage);
}

TEST_F(MmapTest, SharedMappingSurvivesCloseAndMsync) {
  auto* p = static_cast<char*>(MAP_FAILED);
  {
    Fd fd = PatternFile("f", 1);
    p = static_cast<char*>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    ASSERT_NE(p, MAP_FAILED);
  }  // fd closed; the mapping keeps the file
  memcpy(p, "after-close", 11);
  ASSERT_EQ(msync(p, kPage, MS_SYNC), 0) << strerror(errno);
  ASSERT_EQ(munmap(p, kPage), 0);
  EXPECT_EQ(ReadFile(Path("f")).substr(0, 11), "after-close");
}

TEST_F(MmapTest, AnonymousSharedMappingIsZeroFilled) {
  auto* p = static_cast<char*>(
      mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(p, MAP_FAILED) << strerror(errno);
  EXPECT_EQ(p[kPage - 1], 0);
  p[0] = 1;
  EXPECT_EQ(p[0], 1);
  munmap(p, kPage);
}

TEST_F(MmapTest, MprotectReadOnlyMakesWritesFault) {
  auto* p = static_cast<char*>(
      mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(p, MAP_FAILED);
  p[0] = 'x';
  ASSERT_EQ(mprotect(p, kPage, PROT_READ), 0) << strerror(errno);
  EXPECT_FALSE(Faults(p, false));
  ASSERT_TRUE(Faults(p + 8, true));
  EXPECT_EQ(g_fault_code, SEGV_ACCERR);
  EXPECT_EQ(g_fault_addr, p + 8);
  EXPECT_EQ(p[0], 'x');
  munmap(p, kPage);
}

TEST_F(MmapTest, MprotectNoneMakesReadsFault) {
  auto* p = static_cast<char*>(
      mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(p, MAP_FAILED);
  ASSERT_EQ(mprotect(p, kPage, PROT_NONE), 0);
  EXPECT_TRUE(Faults(p, false));
  EXPECT_EQ(g_fault_code, SEGV_ACCERR);
  ASSERT_EQ(mprotect(p, kPage, PROT_READ | PROT_WRITE), 0);
  EXPECT_FALSE(Faults(p, true));
  EXPECT_EQ(p[0], 'w');
  munmap(p, kPage);
}

TEST_F(MmapTest, MprotectOnePageOfThreeSplitsProtection) {
  auto* p = static_cast<char*>(
      mmap(nullptr, 3 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(p, MAP_FAILED);
  ASSERT_EQ(mprotect(p + kPage, kPage, PROT_READ), 0);
  EXPECT_FALSE(Faults(p, true));
  EXPECT_TRUE(Faults(p + kPage, true));
  EXPECT_FALSE(Faults(p + 2 * kPage, true));
  munmap(p, 3 * kPage);
}

TEST_F(MmapTest, MprotectUnalignedIsEINVAL) {
  auto* p = static_cast<char*>(
      mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(p, MAP_FAILED);
  EXPECT_EQ(mprotect(p + 1, kPage - 1, PROT_READ), -1);
  EXPECT_EQ(errno, EINVAL);
  munmap(p, kPage);
}

TEST_F(MmapTest, WriteToReadOnlyFileMappingFaults) {
  Fd fd = PatternFile("f", 1);
  auto* p = static_cast<char*>(mmap(nullptr, kPage, PROT_READ, MAP_SHARED, fd, 0));
  ASSERT_NE(p, MAP_FAILED);
  EXPECT_TRUE(Faults(p, true));
  EXPECT_EQ(g_fault_code, SEGV_ACCERR);
  munmap(p, kPage);
}

TEST_F(MmapTest, MunmapMakesAccessFaultWithMaperr) {
  auto* p = static_cast<char*>(
      mmap(nullptr, 2 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(p, MAP_FAILED);
  ASSERT_EQ(munmap(p + kPage, kPage), 0);
  EXPECT_FALSE(Faults(p, true));
  EXPECT_TRUE(Faults(p + kPage, false));
  EXPECT_EQ(g_fault_code, SEGV_MAPERR);
  munmap(p, kPage);
}

TEST_F(MmapTest, MremapGrowKeepsContent) {
  auto* p = static_cast<char*>(
      mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(p, MAP_FAILED);
  memcpy(p, "grow me", 7);
  auto* q = static_cast<char*>(mremap(p, kPage, 8 * kPage, MREMAP_MAYMOVE));
  ASSERT_NE(q, MAP_FAILED) << strerror(errno);
  EXPECT_EQ(std::string(q, 7), "grow me");
  q[8 * kPage - 1] = 'e';  // the new tail is usable and zero-filled before
  EXPECT_EQ(q[7 * kPage], 0);
  munmap(q, 8 * kPage);
}

TEST_F(MmapTest, MremapShrinkUnmapsTail) {
  auto* p = static_cast<char*>(
      mmap(nullptr, 4 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(p, MAP_FAILED);
  p[0] = 's';
  auto* q = static_cast<char*>(mremap(p, 4 * kPage, kPage, 0));
  ASSERT_EQ(q, p) << strerror(errno);
  EXPECT_EQ(q[0], 's');
  EXPECT_TRUE(Faults(p + 2 * kPage, false));
  EXPECT_EQ(g_fault_code, SEGV_MAPERR);
  munmap(q, kPage);
}

TEST_F(MmapTest, MremapFixedMovesToChosenAddress) {
  auto* dst =
      static_cast<char*>(mmap(nullptr, 2 * kPage, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(dst, MAP_FAILED);
  auto* src = static_cast<char*>(
      mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(src, MAP_FAILED);
  memcpy(src, "moved", 5);
  auto* q = static_cast<char*>(mremap(src, kPage, kPage, MREMAP_MAYMOVE | MREMAP_FIXED, dst));
  ASSERT_EQ(q, dst) << strerror(errno);
  EXPECT_EQ(std::string(q, 5), "moved");
  EXPECT_TRUE(Faults(src, false));  // the old range is gone
  munmap(dst, 2 * kPage);
}

TEST_F(MmapTest, MremapSharedFileMappingStaysShared) {
  Fd fd = PatternFile("f", 2);
  auto* p = static_cast<char*>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  ASSERT_NE(p, MAP_FAILED);
  auto* q = static_cast<char*>(mremap(p, kPage, 2 * kPage, MREMAP_MAYMOVE));
  ASSERT_NE(q, MAP_FAILED) << strerror(errno);
  q[kPage] = '#';
  char c = 0;
  ASSERT_EQ(pread(fd, &c, 1, kPage), 1);
  EXPECT_EQ(c, '#');
  munmap(q, 2 * kPage);
}

TEST_F(MmapTest, MapFixedReplacesExistingMapping) {
  auto* p = static_cast<char*>(
      mmap(nullptr, 2 * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(p, MAP_FAILED);
  memset(p, 'o', 2 * kPage);
  auto* q = static_cast<char*>(mmap(p + kPage, kPage, PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
  ASSERT_EQ(q, p + kPage);
  EXPECT_EQ(p[0], 'o');
  EXPECT_EQ(q[0], 0);
  munmap(p, 2 * kPage);
}

TEST_F(MmapTest, MapFixedNoreplaceOnTakenRangeIsEEXIST) {
  auto* p = static_cast<char*>(
      mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(p, MAP_FAILED);
  EXPECT_EQ(mmap(p, kPage, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0),
            MAP_FAILED);
  EXPECT_EQ(errno, EEXIST);
  munmap(p, kPage);
}

TEST_F(MmapTest, MapBadFdIsEBADF) {
  EXPECT_EQ(mmap(nullptr, kPage, PROT_READ, MAP_PRIVATE, -1, 0), MAP_FAILED);
  EXPECT_EQ(errno, EBADF);
}

TEST_F(MmapTest, MapZeroLengthIsEINVAL) {
  EXPECT_EQ(mmap(nullptr, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), MAP_FAILED);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(MmapTest, MapUnalignedOffsetIsEINVAL) {
  Fd fd = PatternFile("f", 2);
  EXPECT_EQ(mmap(nullptr, kPage, PROT_READ, MAP_PRIVATE, fd, 1), MAP_FAILED);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(MmapTest, MapSharedWritableOnReadOnlyFdIsEACCES) {
  Fd fd = PatternFile("f", 1);
  Fd ro(open(Path("f").c_str(), O_RDONLY));
  EXPECT_EQ(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), MAP_FAILED);
  EXPECT_EQ(errno, EACCES);
}

TEST_F(MmapTest, MadviseDontneedZeroesPrivateAnonymousPages) {
  auto* p = static_cast<char*>(
      mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(p, MAP_FAILED);
  p[0] = 9;
  ASSERT_EQ(madvise(p, kPage, MADV_DONTNEED), 0) << strerror(errno);
  EXPECT_EQ(p[0], 0);
  munmap(p, kPage);
}

TEST_F(MmapTest, MadviseDontneedRereadsPrivateFilePages) {
  Fd fd = PatternFile("f", 1);
  auto* p = static_cast<char*>(mmap(nullptr, kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
  ASSERT_NE(p, MAP_FAILED);
  p[0] = 'Z';
  ASSERT_EQ(madvise(p, kPage, MADV_DONTNEED), 0);
  EXPECT_EQ(p[0], 'a');  // private copy dropped, file content back
  munmap(p, kPage);
}

}  // namespace
}  // namespace conformance
