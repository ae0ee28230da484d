// Entry of the libOS binary: relocate ourselves, take the SIGSYS handler
// and an alternate stack, fetch the partition filter and the launch info
// from the supervisor, install the filter, load the application, jump.
#include "libos/abi/constants.h"
#include "libos/abi/proto.h"
#include "libos/app_filter.hpp"
#include "libos/channel.hpp"
#include "libos/dispatch.hpp"
#include "libos/loader.hpp"
#include "libos/lookup_cache.hpp"
#include "libos/rt/kernel.hpp"
#include "libos/rt/sys.hpp"
#include "libos/shared_page.hpp"
#include "libos/site_patch.hpp"
#include "libos/state.hpp"

extern "C" [[noreturn]] void lb_enter(uint64_t entry, uint64_t sp);
extern "C" const char __ehdr_start[];
extern "C" const uint64_t _DYNAMIC[] __attribute__((visibility("hidden")));

namespace lb {
namespace {

// Applies our own R_X86_64_RELATIVE relocations (static-pie without libc).
// Runs before anything reads a pointer stored in data.
__attribute__((no_stack_protector)) void self_relocate() {
  const uint64_t base = reinterpret_cast<uint64_t>(__ehdr_start);
  uint64_t rela = 0, relasz = 0;
  for (const uint64_t* d = _DYNAMIC; d[0] != 0; d += 2) {
    if (d[0] == 7) rela = d[1];    // DT_RELA
    if (d[0] == 8) relasz = d[1];  // DT_RELASZ
  }
  struct Rela {
    uint64_t off, info;
    int64_t addend;
  };
  auto* r = reinterpret_cast<const Rela*>(base + rela);
  for (uint64_t i = 0; i < relasz / sizeof(Rela); ++i)
    if ((r[i].info & 0xffffffff) == 8)  // R_X86_64_RELATIVE
      *reinterpret_cast<uint64_t*>(base + r[i].off) = base + static_cast<uint64_t>(r[i].addend);
}

struct SockFprog {
  uint16_t len;
  void* filter;
};

// True when the launch follows the hello's reply unasked.
bool install_filter() {
  Rpc r;
  r.op = proto::kHello;
  r.arg[0] = reinterpret_cast<int64_t>(lb_gate_ip);
  size_t cap = 64 * 1024;
  r.payload = alloc(cap);
  r.payload_cap = cap;
  long n = rpc(r);
  if (n <= 0 || static_cast<size_t>(n) * 8 != r.payload_len || n > 0xffff)
    die("supervisor refused the hello", n);
  // The shared request page, then the lookup cache of its class of
  // credentials.
  int fds[2] = {r.fd_out, r.fd_out2};
  int next = 0;
  if ((r.aux[0] & proto::kHelloPageFd) && fds[next] >= 0) page::map(fds[next++]);
  if ((r.aux[0] & proto::kHelloLookupFd) && next < 2 && fds[next] >= 0) lookup::map(fds[next++]);
  for (; next < 2; ++next)
    if (fds[next] >= 0) sys(__NR_close, fds[next]);
  SockFprog prog{static_cast<uint16_t>(n), r.payload};
  long e = sys(__NR_prctl, 38 /*PR_SET_NO_NEW_PRIVS*/, 1, 0, 0, 0);
  if (e < 0) die("no_new_privs", e);
  e = sys(__NR_seccomp, 1 /*SECCOMP_SET_MODE_FILTER*/, 0, reinterpret_cast<long>(&prog));
  if (e < 0) die("cannot install the partition filter", e);
  free(r.payload);
  return (r.aux[0] & proto::kHelloLaunchFollows) != 0;
}

// The container's own filter (OCI linux.seccomp), before any of the
// application's instructions run.
void install_container_filter() {
  Rpc r;
  r.op = proto::kGetAppFilter;
  size_t cap = 4096 * 8;
  r.payload = alloc(cap);
  r.payload_cap = cap;
  long n = rpc(r);
  if (n <= 0 || static_cast<size_t>(n) * 8 != r.payload_len)
    die("no container seccomp filter from the supervisor", n);
  struct {
    uint16_t len;
    void* filter;
  } prog{static_cast<uint16_t>(n), r.payload};
  long e = app_filter::install(static_cast<unsigned long>(r.aux[0]), &prog);
  if (e != 0) die("the kernel refused the container's seccomp filter (linux.seccomp)", e);
  free(r.payload);
}

struct Launch {
  char** argv;
  char** envp;
  const char* exe;
  const char* found = nullptr;  // exe as found in PATH by the supervisor
};

Launch fetch_launch(bool sent_unasked) {
  Rpc r;
  r.op = proto::kGetLaunch;
  size_t cap = proto::kMaxMessage;
  char* buf = static_cast<char*>(alloc(cap));
  r.payload = buf;
  r.payload_cap = cap;
  long e = sent_unasked ? receive_unasked(r) : rpc(r);
  if (e < 0 || r.payload_len < sizeof(proto::LaunchInfo)) die("no launch info", e);
  proto::LaunchInfo li;
  memcpy(&li, buf, sizeof li);
  if (sizeof li + li.strings_len > r.payload_len) die("bad launch info");
  g_proc.vpid = li.vpid;
  g_proc.vppid = li.vppid;
  g_proc.vpgid = li.vpid;
  g_proc.vsid = li.vpid;
  g_proc.ruid = li.uid, g_proc.euid = li.euid, g_proc.suid = li.suid, g_proc.fsuid = li.euid;
  g_proc.rgid = li.gid, g_proc.egid = li.egid, g_proc.sgid = li.sgid, g_proc.fsgid = li.egid;
  g_proc.umask = li.umask;
  g_proc.launch_flags = li.flags;
  uint64_t lim[2] = {0, 0};
  sys(__NR_prlimit64, 0, 7 /*RLIMIT_NOFILE*/, 0, reinterpret_cast<long>(lim));
  g_proc.nofile_hard = li.nofile_hard ? li.nofile_hard : lim[1];
  // The runtime's fds (stdio, up to 64 preserved from 3 on) may sit above
  // a small soft limit.
  g_proc.nofile_soft_max = lim[0] > 128 ? lim[0] : 128;
  // Fds the runtime preserved for the application (3 and up, at most 64):
  // an O_PATH one among them is invisible to exec's poll() scan.
  if (sys(__NR_fcntl, 3, k::F_GETFD) >= 0) {
    for (long fd = 3; fd < 3 + 64; ++fd) {
      long fl = sys(__NR_fcntl, fd, k::F_GETFL);
      if (fl >= 0 && (fl & k::O_PATH)) g_proc.opath_seen = true;
    }
  }
  g_proc.debug = (li.flags & proto::kLaunchDebug) != 0;
  g_proc.cap_eff = li.cap_effective, g_proc.cap_prm = li.cap_permitted;
  g_proc.cap_inh = li.cap_inheritable, g_proc.cap_bnd = li.cap_bounding;
  g_proc.cap_amb = li.cap_ambient;

  // Strings: exe, cwd, hostname, argv..., envp...
  char* s = buf + sizeof li;
  char* end = s + li.strings_len;
  uint32_t total = 3 + li.argc + li.envc + ((li.flags & proto::kLaunchExeFound) ? 1 : 0);
  char** list = static_cast<char**>(alloc(sizeof(char*) * (total + 2)));
  for (uint32_t i = 0; i < total; ++i) {
    if (s >= end) die("truncated launch strings");
    list[i] = s;
    s += strlen(s) + 1;
  }
  Launch l;
  l.exe = list[0];
  g_proc.cwd = strdup(list[1]);
  l.argv = static_cast<char**>(alloc(sizeof(char*) * (li.argc + 1)));
  for (uint32_t i = 0; i < li.argc; ++i) l.argv[i] = list[3 + i];
  l.argv[li.argc] = nullptr;
  l.envp = static_cast<char**>(alloc(sizeof(char*) * (li.envc + 1)));
  for (uint32_t i = 0; i < li.envc; ++i) l.envp[i] = list[3 + li.argc + i];
  l.envp[li.envc] = nullptr;
  if (li.flags & proto::kLaunchExeFound) l.found = list[3 + li.argc + li.envc];
  return l;
}

// The first image: args[0] is searched in PATH if it has no slash, as
// runc does with the container's environment.
long load_first(const Launch& l, ExecResult* out) {
  const char* exe = l.exe;
  if (!exe[0]) return -k::ENOENT;
  for (const char* p = exe; *p; ++p)
    if (*p == '/') return exec_image(exe, l.argv, l.envp, out, nullptr, nullptr);
  if (l.found && l.found[0] == '/' &&
      exec_image(l.found, l.argv, l.envp, out, nullptr, nullptr) == 0)
    return 0;
  const char* path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (char** e = l.envp; *e; ++e)
    if (starts_with(*e, "PATH=")) path = *e + 5;
  long last = -k::ENOENT;
  char cand[proto::kMaxPath];
  while (*path) {
    const char* colon = path;
    while (*colon && *colon != ':') ++colon;
    Buf b(cand, sizeof cand);
    if (colon == path)
      b.put(".");
    else
      b.put(path, static_cast<size_t>(colon - path));
    b.putc('/').put(exe);
    long r = exec_image(cand, l.argv, l.envp, out, nullptr, nullptr);
    if (r == 0) return 0;
    if (r != -k::ENOENT && r != -k::ENOTDIR) last = r;
    path = *colon ? colon + 1 : colon;
  }
  return last;
}

}  // namespace

extern "C" [[noreturn]] void libos_main(uint64_t* sp) {
  self_relocate();
  // Our own auxv: pass through what the kernel told us about the CPU.
  uint64_t argc = sp[0];
  uint64_t* p = sp + 1 + argc + 1;
  while (*p) ++p;
  for (uint64_t* a = p + 1; a[0] != k::AT_NULL; a += 2) {
    switch (a[0]) {
      case k::AT_SYSINFO_EHDR:
        g_proc.at_sysinfo_ehdr = a[1];
        break;
      case k::AT_HWCAP:
        g_proc.at_hwcap = a[1];
        break;
      case k::AT_HWCAP2:
        g_proc.at_hwcap2 = a[1];
        break;
      case k::AT_MINSIGSTKSZ:
        g_proc.at_minsigstksz = a[1];
        break;
      case k::AT_CLKTCK:
        g_proc.at_clktck = a[1];
        break;
    }
  }
  find_special_ranges(reinterpret_cast<uint64_t>(sp));  // before our first mmap (heap_init)
  heap_init();
  {
    extern const char _end[] __attribute__((visibility("hidden")));
    uint64_t lo = reinterpret_cast<uint64_t>(__ehdr_start);
    own_range_add(lo, reinterpret_cast<uint64_t>(_end) - lo);
  }
  Thread* t = thread_alloc();
  if (!t) die("cannot allocate the main thread block");
  t->host_tid = static_cast<int>(sys(__NR_gettid));
  g_proc.host_pid = t->host_tid;
  k::stack_t ss{thread_stack_base(t), 0, 0, thread_stack_size()};
  long e = sys(__NR_sigaltstack, reinterpret_cast<long>(&ss), 0);
  if (e < 0) die("sigaltstack", e);
  sites::init(t);
  dispatch_init();
  page::init_cpu_hint();
  const bool launch_follows = install_filter();
  Launch l = fetch_launch(launch_follows);
  if (g_proc.launch_flags & proto::kLaunchAppSeccomp) install_container_filter();
  if (g_proc.vpid == 1) sys(__NR_prctl, 36 /*PR_SET_CHILD_SUBREAPER*/, 1, 0, 0, 0);

  // The image's open answers its canonical path (for /proc/self/exe), so
  // the report below needs no answer.
  ExecResult res;
  res.open_reply_cap = proto::kMaxPath + 16;
  res.open_reply = static_cast<char*>(alloc(res.open_reply_cap));
  e = load_first(l, &res);
  if (e < 0) {
    char b[512];
    Buf m(b, sizeof b);
    m.put("exec ").put(l.exe).put(" failed: ");
    switch (-e) {
      case k::ENOENT:
        m.put("no such file or directory");
        break;
      case k::EACCES:
        m.put("permission denied");
        break;
      case k::ENOEXEC:
        m.put("exec format error");
        break;
      default:
        m.put("errno ").dec(-e);
    }
    log_line(m.c_str());
    m.putc('\n');
    sys(__NR_write, 2, reinterpret_cast<long>(b), static_cast<long>(m.size()));
    // As runc: a missing binary is exit status 127, an unusable one 126.
    exit_group(e == -k::ENOENT ? 127 : 126);
  }
  // /proc/<pid>/exe names the image as found (PATH search done).
  if (!report_exec_done_from_open(res, nullptr, 0, 0, false))
    report_exec_done(nullptr, 0, 0, false);
  free(res.open_reply);
  if (g_proc.launch_flags & proto::kLaunchWaitForStart) {
    Rpc r;
    r.op = proto::kAwaitStart;
    if (rpc(r) < 0) exit_group(0);
  }
  lb_enter(res.entry, res.sp);
}

}  // namespace lb
