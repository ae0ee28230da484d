// The libOS loader's parsing of bytes an application controls (what any
// file in a container image can contain): the ELF header, the program
// headers, the mapping plan derived from them, and a `#!` line. The input is
// the file. No crash or sanitizer report, and every accepted image keeps
// the loader's invariants (each mapping inside the checked span, page
// aligned, nothing wrapping); a `#!` parse stays inside the line.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "libos/elf.hpp"

using namespace lb::elf;

namespace {

void Check(bool ok) {
  if (!ok) abort();
}

void CheckImage(const uint8_t* data, size_t size) {
  Ehdr e;
  if (size < sizeof e) return;
  memcpy(&e, data, sizeof e);
  if (!header_ok(e)) return;
  Check(e.phnum >= 1 && e.phnum <= kMaxPhdrs);
  // The loader reads the program headers with pread: all or nothing.
  size_t need = sizeof(Phdr) * e.phnum;
  if (e.phoff > size || size - e.phoff < need) return;
  Phdr ph[kMaxPhdrs];
  memcpy(ph, data + e.phoff, need);
  uint64_t lo = 0, hi = 0;
  if (!segments_ok(e, ph, &lo, &hi)) return;
  Check(lo < hi && hi - lo <= kMaxSpan);
  Check(lo % kPage == 0 && hi % kPage == 0);
  if (e.type == ET_EXEC) Check(hi <= kUserTop);
  // ET_DYN lands wherever mmap puts the span; ET_EXEC at its own addresses.
  uint64_t region = e.type == ET_DYN ? 0x7f0000000000ull : lo;
  uint64_t base = region - lo;
  for (int i = 0; i < e.phnum; ++i) {
    if (ph[i].type != PT_LOAD) continue;
    SegmentPlan s = plan_segment(ph[i], base);
    Check(s.start % kPage == 0 && s.file_off % kPage == 0);
    Check(s.start >= region && s.anon_end <= region + (hi - lo));
    Check(s.anon_start <= s.anon_end && s.anon_start >= s.start);
    if (s.file_len > 0) {
      Check(s.file_len % kPage == 0 && s.start + s.file_len <= region + (hi - lo));
      Check(s.file_off <= ph[i].offset);
    } else {
      Check(ph[i].filesz == 0);
    }
    if (s.zero_to > s.zero_from) {
      // Cleared bytes lie in the file mapping, on its last page.
      Check(s.zero_from >= s.start && s.zero_to == s.start + s.file_len);
      Check(s.zero_to - s.zero_from < kPage);
    }
    Check((s.prot & ~7) == 0);
  }
  uint64_t at_phdr = phdr_address(e, ph, base);
  if (at_phdr != 0) (void)at_phdr;
}

void CheckShebang(const uint8_t* data, size_t size) {
  // The loader reads at most 255 bytes of the first line.
  size_t n = size < 255 ? size : 255;
  const char* buf = reinterpret_cast<const char*>(data);
  Shebang sb;
  int r = parse_shebang(buf, n, &sb);
  if (r != 1) {
    Check(r == 0 || r == -1);
    return;
  }
  Check(sb.interp_len > 0 && sb.interp_off >= 2 && sb.interp_off + sb.interp_len <= n);
  Check(sb.arg_off + sb.arg_len <= n);
  for (size_t i = 0; i < sb.interp_len; ++i) {
    char c = buf[sb.interp_off + i];
    Check(c != ' ' && c != '\t' && c != '\n' && c != '\0');
  }
  for (size_t i = 0; i < sb.arg_len; ++i) Check(buf[sb.arg_off + i] != '\n' && buf[sb.arg_off + i]);
  if (sb.arg_len) {
    Check(buf[sb.arg_off] != ' ' && buf[sb.arg_off] != '\t');
    char last = buf[sb.arg_off + sb.arg_len - 1];
    Check(last != ' ' && last != '\t');
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckImage(data, size);
  CheckShebang(data, size);
  return 0;
}
