#include "libos/loader.hpp"

#include "libos/abi/proto.h"
#include "libos/channel.hpp"
#include "libos/path.hpp"
#include "libos/rt/kernel.hpp"
#include "libos/rt/sys.hpp"
#include "libos/state.hpp"

namespace lb {

namespace {

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
constexpr uint64_t kStackSize = 8ull << 20;

struct Image {
  int fd = -1;
  Ehdr eh;
  Phdr ph[kMaxPhdrs];
  uint64_t base = 0;  // load bias
  uint64_t lo = 0, hi = 0;
};

uint64_t page_down(uint64_t v) {
  return v & ~(kPage - 1);
}
uint64_t page_up(uint64_t v) {
  return (v + kPage - 1) & ~(kPage - 1);
}

long pread_all(int fd, void* buf, uint64_t n, uint64_t off) {
  uint64_t done = 0;
  while (done < n) {
    long r = sys(__NR_pread64, fd, (long)((char*)buf + done), (long)(n - done), (long)(off + done));
    if (r == -k::EINTR) continue;
    if (r < 0) return r;
    if (r == 0) return -k::EIO;
    done += static_cast<uint64_t>(r);
  }
  return 0;
}

// Validates an ELF image already opened as img->fd.
long read_headers(Image* img) {
  if (pread_all(img->fd, &img->eh, sizeof img->eh, 0) < 0) return -k::ENOEXEC;
  const Ehdr& e = img->eh;
  if (e.ident[0] != 0x7f || e.ident[1] != 'E' || e.ident[2] != 'L' || e.ident[3] != 'F')
    return -k::ENOEXEC;
  if (e.ident[4] != 2 /*64-bit*/ || e.ident[5] != 1 /*LE*/ || e.machine != EM_X86_64)
    return -k::ENOEXEC;
  if (e.type != ET_EXEC && e.type != ET_DYN) return -k::ENOEXEC;
  if (e.phentsize != sizeof(Phdr) || e.phnum == 0 || e.phnum > kMaxPhdrs) return -k::ENOEXEC;
  if (pread_all(img->fd, img->ph, sizeof(Phdr) * e.phnum, e.phoff) < 0) return -k::ENOEXEC;
  bool any = false;
  img->lo = ~0ull;
  img->hi = 0;
  for (int i = 0; i < e.phnum; ++i) {
    const Phdr& p = img->ph[i];
    if (p.type != PT_LOAD) continue;
    if (p.filesz > p.memsz) return -k::ENOEXEC;
    if (p.vaddr + p.memsz < p.vaddr) return -k::ENOEXEC;
    if ((p.vaddr - p.offset) % kPage) return -k::ENOEXEC;
    any = true;
    if (page_down(p.vaddr) < img->lo) img->lo = page_down(p.vaddr);
    if (page_up(p.vaddr + p.memsz) > img->hi) img->hi = page_up(p.vaddr + p.memsz);
  }
  if (!any || img->hi - img->lo > (1ull << 40)) return -k::ENOEXEC;
  return 0;
}

long prot_of(uint32_t flags) {
  long p = 0;
  if (flags & 4) p |= k::PROT_READ;
  if (flags & 2) p |= k::PROT_WRITE;
  if (flags & 1) p |= k::PROT_EXEC;
  return p;
}

// Maps every PT_LOAD segment of an already validated image.
long map_image(Image* img) {
  uint64_t span = img->hi - img->lo;
  if (img->eh.type == ET_DYN) {
    long r = sys(__NR_mmap, 0, span, k::PROT_NONE, k::MAP_PRIVATE | k::MAP_ANONYMOUS, -1, 0);
    if (is_err(r)) return r;
    img->base = static_cast<uint64_t>(r) - img->lo;
  } else {
    img->base = 0;
  }
  for (int i = 0; i < img->eh.phnum; ++i) {
    const Phdr& p = img->ph[i];
    if (p.type != PT_LOAD) continue;
    uint64_t start = img->base + page_down(p.vaddr);
    uint64_t file_end = img->base + p.vaddr + p.filesz;
    uint64_t mem_end = img->base + page_up(p.vaddr + p.memsz);
    uint64_t off = page_down(p.offset);
    long prot = prot_of(p.flags);
    if (p.filesz > 0) {
      uint64_t len = page_up(file_end) - start;
      long r = sys(__NR_mmap, start, len, prot | k::PROT_WRITE, k::MAP_PRIVATE | k::MAP_FIXED,
                   img->fd, off);
      if (is_err(r)) return r;
      // Zero the tail of the last file page that belongs to .bss.
      uint64_t tail_end = page_up(file_end);
      if (p.memsz > p.filesz && tail_end > file_end)
        memset(reinterpret_cast<void*>(file_end), 0, tail_end - file_end);
      if (!(prot & k::PROT_WRITE)) sys(__NR_mprotect, start, len, prot);
    }
    uint64_t anon_start = p.filesz > 0 ? page_up(file_end) : start;
    if (mem_end > anon_start) {
      long r = sys(__NR_mmap, anon_start, mem_end - anon_start, prot,
                   k::MAP_PRIVATE | k::MAP_ANONYMOUS | k::MAP_FIXED, -1, 0);
      if (is_err(r)) return r;
    }
  }
  return 0;
}

uint64_t phdr_addr(const Image& img) {
  for (int i = 0; i < img.eh.phnum; ++i)
    if (img.ph[i].type == PT_PHDR) return img.base + img.ph[i].vaddr;
  for (int i = 0; i < img.eh.phnum; ++i) {
    const Phdr& p = img.ph[i];
    if (p.type == PT_LOAD && p.offset <= img.eh.phoff && img.eh.phoff < p.offset + p.filesz)
      return img.base + p.vaddr + (img.eh.phoff - p.offset);
  }
  return 0;
}

void close_fd(int& fd) {
  if (fd >= 0) sys(__NR_close, fd);
  fd = -1;
}

// Copies `s` onto the stack below *sp; returns its address.
uint64_t push_bytes(uint64_t* sp, const void* s, uint64_t n) {
  *sp -= n;
  memcpy(reinterpret_cast<void*>(*sp), s, n);
  return *sp;
}

long build_stack(char** argv, char** envp, const char* execfn, const Image& main,
                 const Image* interp, ExecResult* out) {
  long r = sys(__NR_mmap, 0, kStackSize + kPage, k::PROT_READ | k::PROT_WRITE,
               k::MAP_PRIVATE | k::MAP_ANONYMOUS | k::MAP_NORESERVE, -1, 0);
  if (is_err(r)) return r;
  sys(__NR_mprotect, r, kPage, k::PROT_NONE);  // guard
  uint64_t sp = static_cast<uint64_t>(r) + kStackSize + kPage;

  int argc = 0, envc = 0;
  while (argv[argc]) ++argc;
  while (envp[envc]) ++envc;
  uint64_t* argp = static_cast<uint64_t*>(alloc(sizeof(uint64_t) * (argc + envc + 2)));
  if (!argp) return -k::ENOMEM;
  uint64_t* envpp = argp + argc + 1;

  uint64_t fn = push_bytes(&sp, execfn, strlen(execfn) + 1);
  for (int i = envc - 1; i >= 0; --i) envpp[i] = push_bytes(&sp, envp[i], strlen(envp[i]) + 1);
  for (int i = argc - 1; i >= 0; --i) argp[i] = push_bytes(&sp, argv[i], strlen(argv[i]) + 1);
  uint64_t platform = push_bytes(&sp, "x86_64", 7);
  uint8_t rnd[16];
  sys(__NR_getrandom, (long)rnd, 16, 0);
  sp &= ~15ull;
  uint64_t random = push_bytes(&sp, rnd, 16);

  uint64_t aux[64];
  int na = 0;
  auto put = [&](uint64_t key, uint64_t val) {
    aux[na++] = key;
    aux[na++] = val;
  };
  put(k::AT_PHDR, phdr_addr(main));
  put(k::AT_PHENT, sizeof(Phdr));
  put(k::AT_PHNUM, main.eh.phnum);
  put(k::AT_PAGESZ, kPage);
  put(k::AT_BASE, interp ? interp->base : 0);
  put(k::AT_FLAGS, 0);
  put(k::AT_ENTRY, main.base + main.eh.entry);
  put(k::AT_UID, g_proc.ruid);
  put(k::AT_EUID, g_proc.euid);
  put(k::AT_GID, g_proc.rgid);
  put(k::AT_EGID, g_proc.egid);
  put(k::AT_SECURE, 0);
  put(k::AT_RANDOM, random);
  put(k::AT_HWCAP, g_proc.at_hwcap);
  put(k::AT_HWCAP2, g_proc.at_hwcap2);
  put(k::AT_CLKTCK, g_proc.at_clktck);
  put(k::AT_PLATFORM, platform);
  put(k::AT_EXECFN, fn);
  if (g_proc.at_sysinfo_ehdr) put(k::AT_SYSINFO_EHDR, g_proc.at_sysinfo_ehdr);
  if (g_proc.at_minsigstksz) put(k::AT_MINSIGSTKSZ, g_proc.at_minsigstksz);
  put(k::AT_NULL, 0);

  uint64_t words = 1 + (argc + 1) + (envc + 1) + na;
  if (words & 1) sp -= 8;  // keep the final sp 16-byte aligned
  sp -= words * 8;
  uint64_t* w = reinterpret_cast<uint64_t*>(sp);
  *w++ = argc;
  for (int i = 0; i < argc; ++i) *w++ = argp[i];
  *w++ = 0;
  for (int i = 0; i < envc; ++i) *w++ = envpp[i];
  *w++ = 0;
  for (int i = 0; i < na; ++i) *w++ = aux[i];
  free(argp);
  out->sp = sp;
  return 0;
}

// Reads a `#!` line; fills interp/arg (libOS-owned) and returns 1 if the
// file is a script, 0 if not, -errno on error.
long read_shebang(int fd, char** interp, char** arg) {
  char line[256];
  long n = sys(__NR_pread64, fd, (long)line, sizeof line - 1, 0);
  if (n < 2 || line[0] != '#' || line[1] != '!') return 0;
  line[n] = 0;
  char* p = line + 2;
  char* end = line + n;
  for (char* q = p; q < end; ++q)
    if (*q == '\n') {
      *q = 0;
      end = q;
      break;
    }
  while (*p == ' ' || *p == '\t') ++p;
  char* s = p;
  while (*p && *p != ' ' && *p != '\t') ++p;
  if (p == s) return -k::ENOEXEC;
  *interp = strndup(s, static_cast<size_t>(p - s));
  while (*p == ' ' || *p == '\t') ++p;
  char* a = p;
  char* ae = end;
  while (ae > a && (ae[-1] == ' ' || ae[-1] == '\t')) --ae;
  *arg = ae > a ? strndup(a, static_cast<size_t>(ae - a)) : nullptr;
  return 1;
}

}  // namespace

long exec_image(const char* path, char** argv, char** envp, ExecResult* out,
                void (*before_commit)(void*), void* arg) {
  Image main, interp;
  char** cur_argv = argv;
  char** owned_argv = nullptr;
  const char* cur_path = path;
  long err = 0;
  // Follow up to 4 levels of #! like Linux (BINPRM_MAX_RECURSION).
  for (int depth = 0;; ++depth) {
    long fd = proxy_open(k::AT_FDCWD, cur_path, k::O_RDONLY | k::O_CLOEXEC, 0, proto::kOpenForExec);
    if (fd < 0) {
      err = fd;
      goto fail;
    }
    main.fd = static_cast<int>(fd);
    char *sh_interp = nullptr, *sh_arg = nullptr;
    long s = read_shebang(main.fd, &sh_interp, &sh_arg);
    if (s < 0) {
      err = s;
      goto fail;
    }
    if (s == 0) break;
    if (depth >= 4) {
      err = -k::ELOOP;
      goto fail;
    }
    close_fd(main.fd);
    int argc = 0;
    while (cur_argv[argc]) ++argc;
    char** nv = static_cast<char**>(alloc(sizeof(char*) * (argc + 4)));
    int j = 0;
    nv[j++] = sh_interp;
    if (sh_arg) nv[j++] = sh_arg;
    nv[j++] = strdup(cur_path);
    for (int i = 1; i < argc; ++i) nv[j++] = cur_argv[i];
    nv[j] = nullptr;
    owned_argv = nv;  // leaked on purpose if we fail; exec is rare
    cur_argv = nv;
    cur_path = sh_interp;
  }
  err = read_headers(&main);
  if (err < 0) goto fail;
  for (int i = 0; i < main.eh.phnum; ++i) {
    if (main.ph[i].type != PT_INTERP) continue;
    uint64_t n = main.ph[i].filesz;
    if (n < 2 || n > proto::kMaxPath) {
      err = -k::ENOEXEC;
      goto fail;
    }
    char* ipath = static_cast<char*>(alloc(n + 1));
    if (pread_all(main.fd, ipath, n, main.ph[i].offset) < 0) {
      err = -k::ENOEXEC;
      goto fail;
    }
    ipath[n] = 0;
    long fd = proxy_open(k::AT_FDCWD, ipath, k::O_RDONLY | k::O_CLOEXEC, 0, proto::kOpenForExec);
    free(ipath);
    if (fd < 0) {
      err = fd == -k::EACCES ? fd : -k::ENOENT;
      goto fail;
    }
    interp.fd = static_cast<int>(fd);
    err = read_headers(&interp);
    if (err < 0) goto fail;
    if (interp.eh.type != ET_DYN) {
      err = -k::ELOOP;
      goto fail;
    }
    break;
  }

  // Point of no return.
  if (before_commit) before_commit(arg);
  err = map_image(&main);
  if (err < 0) exit_group(128 + k::SIGSEGV);
  if (interp.fd >= 0 && map_image(&interp) < 0) exit_group(128 + k::SIGSEGV);
  g_proc.brk_start = g_proc.brk_cur = g_proc.brk_mapped = page_up(main.base + main.hi);
  if (build_stack(cur_argv, envp, cur_path, main, interp.fd >= 0 ? &interp : nullptr, out) < 0)
    exit_group(128 + k::SIGSEGV);
  out->entry = interp.fd >= 0 ? interp.base + interp.eh.entry : main.base + main.eh.entry;
  if (g_proc.exe) free(g_proc.exe);
  g_proc.exe = strdup(cur_path);
  close_fd(main.fd);
  close_fd(interp.fd);
  (void)owned_argv;
  return 0;

fail:
  close_fd(main.fd);
  close_fd(interp.fd);
  return err;
}

}  // namespace lb
