#include "libos/elf.hpp"

namespace lb::elf {

bool header_ok(const Ehdr& e) {
  if (e.ident[0] != 0x7f || e.ident[1] != 'E' || e.ident[2] != 'L' || e.ident[3] != 'F')
    return false;
  if (e.ident[4] != 2 /*64-bit*/ || e.ident[5] != 1 /*LE*/ || e.machine != EM_X86_64) return false;
  if (e.type != ET_EXEC && e.type != ET_DYN) return false;
  return e.phentsize == sizeof(Phdr) && e.phnum > 0 && e.phnum <= kMaxPhdrs;
}

bool segments_ok(const Ehdr& e, const Phdr* phdrs, uint64_t* lo, uint64_t* hi) {
  bool any = false;
  *lo = ~0ull;
  *hi = 0;
  for (int i = 0; i < e.phnum; ++i) {
    const Phdr& p = phdrs[i];
    if (p.type != PT_LOAD) continue;
    if (p.filesz > p.memsz) return false;
    // vaddr + memsz, rounded up to a page, must not wrap; nor may the
    // file range.
    if (p.memsz > ~0ull - kPage || p.vaddr > ~0ull - kPage - p.memsz) return false;
    if (p.offset > ~0ull - p.filesz) return false;
    if ((p.vaddr - p.offset) % kPage) return false;
    any = true;
    if (page_down(p.vaddr) < *lo) *lo = page_down(p.vaddr);
    if (page_up(p.vaddr + p.memsz) > *hi) *hi = page_up(p.vaddr + p.memsz);
  }
  if (!any || *hi <= *lo || *hi - *lo > kMaxSpan) return false;
  if (e.type == ET_EXEC && (*lo < kPage || *hi > kUserTop)) return false;
  return true;
}

SegmentPlan plan_segment(const Phdr& p, uint64_t base) {
  SegmentPlan s{};
  s.start = base + page_down(p.vaddr);
  uint64_t file_end = base + p.vaddr + p.filesz;
  uint64_t mem_end = base + page_up(p.vaddr + p.memsz);
  s.file_off = page_down(p.offset);
  s.prot = ((p.flags & 4) ? 1 : 0) | ((p.flags & 2) ? 2 : 0) | ((p.flags & 1) ? 4 : 0);
  if (p.filesz > 0) {
    s.file_len = page_up(file_end) - s.start;
    // The tail of the last file page that belongs to .bss.
    if (p.memsz > p.filesz && page_up(file_end) > file_end) {
      s.zero_from = file_end;
      s.zero_to = page_up(file_end);
    }
  }
  s.anon_start = p.filesz > 0 ? page_up(file_end) : s.start;
  s.anon_end = mem_end > s.anon_start ? mem_end : s.anon_start;
  return s;
}

uint64_t phdr_address(const Ehdr& e, const Phdr* phdrs, uint64_t base) {
  for (int i = 0; i < e.phnum; ++i)
    if (phdrs[i].type == PT_PHDR) return base + phdrs[i].vaddr;
  for (int i = 0; i < e.phnum; ++i) {
    const Phdr& p = phdrs[i];
    if (p.type == PT_LOAD && p.offset <= e.phoff && e.phoff - p.offset < p.filesz)
      return base + p.vaddr + (e.phoff - p.offset);
  }
  return 0;
}

int parse_shebang(const char* buf, size_t n, Shebang* out) {
  if (n < 2 || buf[0] != '#' || buf[1] != '!') return 0;
  // The line ends at a newline, a NUL or the end of what was read.
  size_t end = 2;
  while (end < n && buf[end] != '\n' && buf[end] != '\0') ++end;
  auto blank = [&](size_t i) { return buf[i] == ' ' || buf[i] == '\t'; };
  size_t i = 2;
  while (i < end && blank(i)) ++i;
  size_t s = i;
  while (i < end && !blank(i)) ++i;
  if (i == s) return -1;
  out->interp_off = s;
  out->interp_len = i - s;
  while (i < end && blank(i)) ++i;
  size_t ae = end;
  while (ae > i && blank(ae - 1)) --ae;
  // The rest of the line is one argument, inner blanks included (as Linux).
  out->arg_off = i;
  out->arg_len = ae - i;
  return 1;
}

}  // namespace lb::elf
