// ELF64 header checks, the segment mapping plan and `#!` line parsing:
// the part of the loader that reads bytes an application controls. Pure
// functions over memory (no syscalls, no allocation), so the same code is
// built into the freestanding libOS and into the libFuzzer target
// (tests/fuzz/project/elf_headers.cpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace lb::elf {

struct Ehdr {
  unsigned char ident[16];
  uint16_t type, machine;
  uint32_t version;
  uint64_t entry, phoff, shoff;
  uint32_t flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct Phdr {
  uint32_t type, flags;
  uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
constexpr uint32_t PT_LOAD = 1, PT_INTERP = 3, PT_PHDR = 6;
constexpr uint16_t ET_EXEC = 2, ET_DYN = 3, EM_X86_64 = 62;
constexpr int kMaxPhdrs = 64;
constexpr uint64_t kPage = 4096;
// Largest span of PT_LOAD segments accepted (1 TiB).
constexpr uint64_t kMaxSpan = 1ull << 40;
// User address space ceiling on x86-64 (47-bit): an ET_EXEC image must fit below.
constexpr uint64_t kUserTop = 1ull << 47;

inline uint64_t page_down(uint64_t v) {
  return v & ~(kPage - 1);
}
inline uint64_t page_up(uint64_t v) {
  return (v + kPage - 1) & ~(kPage - 1);
}

// The ELF header of a 64-bit little-endian x86-64 executable or shared
// object, with program headers we can hold (phnum read next).
bool header_ok(const Ehdr& e);

// The PT_LOAD segments (phdrs[0..e.phnum)) are consistent and span
// [*lo, *hi) (page-aligned, relative to the load bias): at least one, file
// size within memory size, no address overflow, offset congruent with the
// address modulo the page size, span at most kMaxSpan (and below kUserTop
// for ET_EXEC, which is mapped at its own addresses).
bool segments_ok(const Ehdr& e, const Phdr* phdrs, uint64_t* lo, uint64_t* hi);

// How one checked PT_LOAD segment is mapped at load bias `base`:
// [start, start+file_len) from the file at file_off (file_len 0: none),
// [zero_from, zero_to) cleared (the .bss part of the last file page),
// [anon_start, anon_end) anonymous (the rest of .bss).
struct SegmentPlan {
  uint64_t start, file_len, file_off;
  uint64_t zero_from, zero_to;
  uint64_t anon_start, anon_end;
  int prot;  // PROT_READ=1 | PROT_WRITE=2 | PROT_EXEC=4
};
SegmentPlan plan_segment(const Phdr& p, uint64_t base);

// Address of the program headers in the mapped image (AT_PHDR), 0 if no
// segment maps them.
uint64_t phdr_address(const Ehdr& e, const Phdr* phdrs, uint64_t base);

// A `#!` line in buf[0..n) (n excludes nothing; buf need not be
// NUL-terminated). Returns 1 and the interpreter/argument as spans of buf
// (arg_len 0: none), 0 if buf is not a script, -1 if it is one without an
// interpreter.
struct Shebang {
  size_t interp_off, interp_len, arg_off, arg_len;
};
int parse_shebang(const char* buf, size_t n, Shebang* out);

}  // namespace lb::elf
