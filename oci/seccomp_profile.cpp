#include "oci/seccomp_profile.hpp"

#include <fcntl.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace litebox::oci {
namespace {

// The action an OCI name stands for; errno_ret as runc (EPERM by default).
Result<uint32_t> Action(const std::string& name, std::optional<uint32_t> errno_ret,
                        const std::string& field) {
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(errno_ret.value_or(EPERM));
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(errno_ret.value_or(EPERM));
  if (name == "SCMP_ACT_NOTIFY")
    return Error{field, "SCMP_ACT_NOTIFY needs a seccomp listener, which LiteBox does not offer"};
  return Error{field, "unknown action \"" + name + "\""};
}

Result<scmp_compare> Compare(const std::string& op, const std::string& field) {
  if (op == "SCMP_CMP_NE") return SCMP_CMP_NE;
  if (op == "SCMP_CMP_LT") return SCMP_CMP_LT;
  if (op == "SCMP_CMP_LE") return SCMP_CMP_LE;
  if (op == "SCMP_CMP_EQ") return SCMP_CMP_EQ;
  if (op == "SCMP_CMP_GE") return SCMP_CMP_GE;
  if (op == "SCMP_CMP_GT") return SCMP_CMP_GT;
  if (op == "SCMP_CMP_MASKED_EQ") return SCMP_CMP_MASKED_EQ;
  return Error{field, "unknown operator \"" + op + "\""};
}

struct CtxDeleter {
  void operator()(void* c) const { seccomp_release(c); }
};

}  // namespace

Result<CompiledSeccomp> CompileSeccomp(const Seccomp& profile) {
  const std::string base = "linux.seccomp";
  CompiledSeccomp out;
  for (size_t i = 0; i < profile.flags.size(); ++i) {
    const std::string& f = profile.flags[i];
    if (f == "SECCOMP_FILTER_FLAG_TSYNC") {
      out.flags |= 1;
    } else if (f == "SECCOMP_FILTER_FLAG_LOG") {
      out.flags |= 2;
    } else if (f == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") {
      out.flags |= 4;
    } else {
      return Error{base + ".flags[" + std::to_string(i) + "]", "unsupported flag \"" + f + "\""};
    }
  }
  if (profile.default_action.empty()) return Error{base + ".defaultAction", "missing"};
  auto def = Action(profile.default_action, profile.default_errno_ret, base + ".defaultAction");
  if (!def) return def.error();
  std::unique_ptr<void, CtxDeleter> ctx(seccomp_init(*def));
  if (!ctx) return Error{base + ".defaultAction", "libseccomp refused the default action"};

  for (size_t i = 0; i < profile.syscalls.size(); ++i) {
    const SeccompSyscall& s = profile.syscalls[i];
    const std::string where = base + ".syscalls[" + std::to_string(i) + "]";
    auto action = Action(s.action, s.errno_ret, where + ".action");
    if (!action) return action.error();
    if (*action == *def) continue;  // libseccomp refuses rules equal to the default
    std::vector<scmp_arg_cmp> args;
    for (size_t j = 0; j < s.args.size(); ++j) {
      const SeccompArg& a = s.args[j];
      const std::string af = where + ".args[" + std::to_string(j) + "]";
      if (a.index > 5) return Error{af + ".index", "must be 0..5"};
      auto op = Compare(a.op, af + ".op");
      if (!op) return op.error();
      args.push_back(scmp_arg_cmp{a.index, *op, a.value, a.value_two});
    }
    for (size_t n = 0; n < s.names.size(); ++n) {
      int nr = seccomp_syscall_resolve_name(s.names[n].c_str());
      if (nr == __NR_SCMP_ERROR || nr < 0) continue;  // unknown here: skipped, as runc
      int rc = seccomp_rule_add_array(ctx.get(), *action, nr, static_cast<unsigned>(args.size()),
                                      args.empty() ? nullptr : args.data());
      if (rc < 0) {
        return Error{where + ".names[" + std::to_string(n) + "]",
                     "libseccomp refused the rule for \"" + s.names[n] + "\": " + strerror(-rc)};
      }
    }
  }

  int fd = memfd_create("litebox-app-seccomp", MFD_CLOEXEC);
  if (fd < 0) return Error{base, std::string("memfd_create: ") + strerror(errno)};
  int rc = seccomp_export_bpf(ctx.get(), fd);
  off_t size = rc == 0 ? lseek(fd, 0, SEEK_END) : -1;
  if (size <= 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0 ||
      size > static_cast<off_t>(BPF_MAXINSNS * sizeof(sock_filter))) {
    close(fd);
    return Error{base, rc < 0 ? std::string("seccomp_export_bpf: ") + strerror(-rc)
                              : "the compiled filter has " + std::to_string(size) +
                                    " bytes (at most 4096 instructions fit)"};
  }
  out.bpf.resize(static_cast<size_t>(size));
  ssize_t got = pread(fd, out.bpf.data(), out.bpf.size(), 0);
  close(fd);
  if (got != size) return Error{base, "reading back the compiled filter failed"};
  return out;
}

}  // namespace litebox::oci
