/* File benchmarks, run natively and inside every runtime over the same
 * rootfs files:
 *   files gen PATH MIB            write the data file (host side, untimed)
 *   files seqread PATH            read it start to end in 1 MiB reads
 *   files randread PATH COUNT     COUNT 4 KiB preads at pseudo-random offsets
 *   files smallfiles DIR COUNT    create COUNT 16-byte files, list, delete
 * Every mode prints a checksum or count the harness compares with the
 * native run, so a runtime that returns wrong data is caught. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

/* Word i of the data file: distinct per offset, so data read from the
 * wrong place changes the checksum. */
static inline uint64_t Word(uint64_t i) {
  return (i + 1) * 0x9E3779B97F4A7C15ull;
}

static uint64_t Sum(const uint64_t* w, size_t n) {
  uint64_t s = 0;
  for (size_t i = 0; i < n; i++) s += w[i];
  return s;
}

static int Gen(const char* path, long mib) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) Fail("gen", path);
  enum { kWords = 1 << 17 };
  static uint64_t buf[kWords];
  for (uint64_t base = 0; base < (uint64_t)mib << 17; base += kWords) {
    for (uint64_t i = 0; i < kWords; i++) buf[i] = Word(base + i);
    if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) Fail("gen", "short write");
  }
  if (fsync(fd) != 0 || close(fd) != 0) Fail("gen", "fsync/close");
  return 0;
}

static int SeqRead(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) Fail("seqread", path);
  enum { kBuf = 1 << 20 };
  static uint64_t buf[kBuf / 8];
  uint64_t sum = 0, bytes = 0, t0 = NowNs();
  for (;;) {
    ssize_t got = read(fd, buf, kBuf);
    if (got < 0) Fail("seqread", "read");
    if (got == 0) break;
    if (got % 8) Fail("seqread", "read returned a partial word");
    sum += Sum(buf, (size_t)got / 8);
    bytes += (uint64_t)got;
  }
  uint64_t ns = NowNs() - t0;
  close(fd);
  Result("seqread", (double)bytes / (1 << 20) / ((double)ns / 1e9), "MiB/s", sum ^ bytes,
         bytes / kBuf);
  return 0;
}

static int RandRead(const char* path, long count) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) Fail("randread", path);
  struct stat st;
  if (fstat(fd, &st) != 0) Fail("randread", "fstat");
  uint64_t blocks = (uint64_t)st.st_size / 4096, x = 88172645463325252ull, sum = 0;
  static uint64_t buf[512];
  /* Median over batches of 256 reads (see Median). */
  enum { kBatch = 256 };
  static double batch_ns[1 << 16];
  size_t batches = 0;
  for (long i = 0; i < count;) {
    uint64_t t0 = NowNs();
    long n = 0;
    for (; n < kBatch && i < count; n++, i++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64: same offsets everywhere */
      off_t off = (off_t)(x % blocks) * 4096;
      if (pread(fd, buf, 4096, off) != 4096) Fail("randread", "short pread");
      sum += buf[0] ^ buf[511];
    }
    if (batches < sizeof batch_ns / sizeof batch_ns[0])
      batch_ns[batches++] = (double)(NowNs() - t0) / (double)n;
  }
  close(fd);
  Result("randread_4k", Median(batch_ns, batches), "ns/op", sum, (uint64_t)count);
  return 0;
}

static long CountEntries(const char* dir) {
  DIR* d = opendir(dir);
  if (!d) return -1;
  long n = 0;
  for (struct dirent* e; (e = readdir(d));)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
  closedir(d);
  return n;
}

static int SmallFiles(const char* dir, long count) {
  char path[4096];
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) Fail("smallfiles", dir);
  if (CountEntries(dir) != 0) Fail("smallfiles", "directory is not empty");
  uint64_t t0 = NowNs();
  for (long i = 0; i < count; i++) {
    snprintf(path, sizeof path, "%s/f%ld", dir, i);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) Fail("smallfiles", path);
    if (write(fd, "0123456789abcdef", 16) != 16) Fail("smallfiles", "short write");
    if (close(fd) != 0) Fail("smallfiles", "close");
  }
  uint64_t t1 = NowNs();
  long made = CountEntries(dir);
  uint64_t t2 = NowNs();
  for (long i = 0; i < count; i++) {
    snprintf(path, sizeof path, "%s/f%ld", dir, i);
    if (unlink(path) != 0) Fail("smallfiles", path);
  }
  uint64_t t3 = NowNs();
  if (made != count) Fail("smallfiles", "directory does not hold every created file");
  if (CountEntries(dir) != 0) Fail("smallfiles", "files left after delete");
  rmdir(dir);
  /* The listing between create and delete is a check, not part of the time. */
  Result("smallfiles_create_delete", (double)((t1 - t0) + (t3 - t2)) / (double)count, "ns/file",
         (uint64_t)made, (uint64_t)count);
  return 0;
}

int main(int argc, char** argv) {
  const char* usage =
      "usage: files gen PATH MIB | seqread PATH | randread PATH COUNT | "
      "smallfiles DIR COUNT\n";
  if (argc < 3) {
    fputs(usage, stderr);
    return 2;
  }
  const char* mode = argv[1];
  if (strcmp(mode, "gen") == 0 && argc == 4) return Gen(argv[2], ArgLong(argc, argv, 3, 0));
  if (strcmp(mode, "seqread") == 0 && argc == 3) return SeqRead(argv[2]);
  if (strcmp(mode, "randread") == 0 && argc == 4)
    return RandRead(argv[2], ArgLong(argc, argv, 3, 0));
  if (strcmp(mode, "smallfiles") == 0 && argc == 4)
    return SmallFiles(argv[2], ArgLong(argc, argv, 3, 0));
  fputs(usage, stderr);
  return 2;
}
