/* Shared by the static benchmark programs that run inside each runtime:
 * a monotonic clock and one output line format the harness parses:
 *   RESULT <name> <value> <unit> <check> <ops>
 * <check> is what the harness compares across runtimes to know the work
 * was really done (a checksum, a size, an entry count); <ops> is how many
 * operations the value is the mean of. A program that finds its own work
 * wrong prints "FAIL <name> <why>" and exits 1, so no time of it counts. */
#ifndef LITEBOX_BENCH_MICRO_REPORT_H
#define LITEBOX_BENCH_MICRO_REPORT_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline uint64_t NowNs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void Result(const char* name, double value, const char* unit,
                          unsigned long long check, unsigned long long ops) {
  printf("RESULT %s %.3f %s %llu %llu\n", name, value, unit, check, ops);
  fflush(stdout);
}

/* Stops the program: the named step did not do its work. */
static inline void Fail(const char* name, const char* what) {
  printf("FAIL %s %s (errno %d: %s)\n", name, what, errno, strerror(errno));
  fflush(stdout);
  exit(1);
}

static inline int CompareDouble(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

/* Median of v[0..n) (sorts v). Per-call figures are medians over batches:
 * on a shared machine a preemption spoils a few batches, not the figure. */
static inline double Median(double* v, size_t n) {
  if (n == 0) return 0;
  qsort(v, n, sizeof v[0], CompareDouble);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static inline long ArgLong(int argc, char** argv, int i, long fallback) {
  return argc > i ? strtol(argv[i], NULL, 10) : fallback;
}

#endif
