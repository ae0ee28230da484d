#include "libos/loader.hpp"

#include "libos/abi/proto.h"
#include "libos/channel.hpp"
#include "libos/elf.hpp"
#include "libos/path.hpp"
#include "libos/rt/kernel.hpp"
#include "libos/rt/sys.hpp"
#include "libos/site_patch.hpp"
#include "libos/state.hpp"

namespace lb {

namespace {

using elf::Ehdr;
using elf::ET_DYN;
using elf::kMaxPhdrs;
using elf::kPage;
using elf::page_up;
using elf::Phdr;
using elf::PT_INTERP;
constexpr uint64_t kStackSize = 8ull << 20;

struct Image {
  int fd = -1;
  Ehdr eh;
  Phdr ph[kMaxPhdrs];
  uint64_t base = 0;  // load bias
  uint64_t lo = 0, hi = 0;
};

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
  if (!elf::header_ok(img->eh)) return -k::ENOEXEC;
  if (pread_all(img->fd, img->ph, sizeof(Phdr) * img->eh.phnum, img->eh.phoff) < 0)
    return -k::ENOEXEC;
  if (!elf::segments_ok(img->eh, img->ph, &img->lo, &img->hi)) return -k::ENOEXEC;
  return 0;
}

// Maps every PT_LOAD segment of an already validated image.
long map_image(Image* img) {
  uint64_t span = img->hi - img->lo;
  if (img->eh.type == ET_DYN) {
    long r = sys(__NR_mmap, 0, span, k::PROT_NONE, k::MAP_PRIVATE | k::MAP_ANONYMOUS, -1, 0);
    if (is_err(r)) return r;
    img->base = static_cast<uint64_t>(r) - img->lo;
  } else {
    // At its own addresses, but never over a live mapping (the libOS, its
    // heap, a thread's stack): as Linux, MAP_FIXED_NOREPLACE.
    long r = sys(__NR_mmap, img->lo, span, k::PROT_NONE,
                 k::MAP_PRIVATE | k::MAP_ANONYMOUS | k::MAP_FIXED_NOREPLACE, -1, 0);
    if (is_err(r)) return r;
    if (static_cast<uint64_t>(r) != img->lo) return -k::EEXIST;  // pre-4.17 kernels
    img->base = 0;
  }
  for (int i = 0; i < img->eh.phnum; ++i) {
    if (img->ph[i].type != elf::PT_LOAD) continue;
    elf::SegmentPlan s = elf::plan_segment(img->ph[i], img->base);
    long prot = s.prot;  // the kernel's PROT_* bits
    if (s.file_len > 0) {
      // Writable only while its .bss tail is zeroed: a read-only segment
      // (text, rodata) is mapped as it stays, which spares an mprotect
      // and the kernel a second pass over the mapping.
      const bool zero = s.zero_to > s.zero_from;
      const long map_prot = zero ? prot | k::PROT_WRITE : prot;
      long r = sys(__NR_mmap, s.start, s.file_len, map_prot, k::MAP_PRIVATE | k::MAP_FIXED, img->fd,
                   s.file_off);
      if (is_err(r)) return r;
      if (zero) memset(reinterpret_cast<void*>(s.zero_from), 0, s.zero_to - s.zero_from);
      if (map_prot != prot) sys(__NR_mprotect, s.start, s.file_len, prot);
      if (prot == (k::PROT_READ | k::PROT_EXEC)) sites::add_text(s.start, s.start + s.file_len);
    }
    if (s.anon_end > s.anon_start) {
      long r = sys(__NR_mmap, s.anon_start, s.anon_end - s.anon_start, prot,
                   k::MAP_PRIVATE | k::MAP_ANONYMOUS | k::MAP_FIXED, -1, 0);
      if (is_err(r)) return r;
    }
  }
  return 0;
}

uint64_t phdr_addr(const Image& img) {
  return elf::phdr_address(img.eh, img.ph, img.base);
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
  // Without FSGSBASE as far as the application knows: its GS base belongs
  // to the libOS (site_patch.hpp), and ARCH_SET_GS is refused likewise.
  put(k::AT_HWCAP2, g_proc.at_hwcap2 & ~uint64_t{2});
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
  if (n < 2) return 0;
  elf::Shebang sb;
  int r = elf::parse_shebang(line, static_cast<size_t>(n), &sb);
  if (r <= 0) return r == 0 ? 0 : -k::ENOEXEC;
  *interp = strndup(line + sb.interp_off, sb.interp_len);
  *arg = sb.arg_len ? strndup(line + sb.arg_off, sb.arg_len) : nullptr;
  return 1;
}

// As execve does: the task's name becomes the last component of the path
// the caller named (a script's own name, not its interpreter's). It is the
// host task's name, kept there (PR_SET_NAME is a pass-class prctl) so that
// /proc/<pid>/comm, stat and status, PR_GET_NAME and every thread's name
// agree without the libOS tracking any of them.
void set_task_name(const char* execfn) {
  const char* base = execfn;
  for (const char* p = execfn; *p; ++p)
    if (*p == '/' && p[1]) base = p + 1;
  char name[16] = {};
  size_t n = 0;
  while (base[n] && base[n] != '/' && n < sizeof name - 1) {
    name[n] = base[n];
    ++n;
  }
  sys(__NR_prctl, 15 /*PR_SET_NAME*/, reinterpret_cast<long>(name), 0, 0, 0);
}

}  // namespace

long exec_image(const char* path, char** argv, char** envp, ExecResult* out,
                void (*before_commit)(void*), void* arg, const char* execfn) {
  if (!execfn) execfn = path;
  Image main, interp;
  char** cur_argv = argv;
  char** owned_argv = nullptr;
  const char* cur_path = path;
  long err = 0;
  // Follow up to 4 levels of #! like Linux (BINPRM_MAX_RECURSION).
  for (int depth = 0;; ++depth) {
    long fd =
        out->open_reply
            ? proxy_open_exec(cur_path,
                              out->list_fds ? proto::kOpenForExecListFds : proto::kOpenForExecMain,
                              out->open_reply, out->open_reply_cap, &out->open_reply_len)
            : proxy_open(k::AT_FDCWD, cur_path, k::O_RDONLY | k::O_CLOEXEC, 0, proto::kOpenForExec);
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
  if (build_stack(cur_argv, envp, execfn, main, interp.fd >= 0 ? &interp : nullptr, out) < 0)
    exit_group(128 + k::SIGSEGV);
  out->entry = interp.fd >= 0 ? interp.base + interp.eh.entry : main.base + main.eh.entry;
  set_task_name(execfn);
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
