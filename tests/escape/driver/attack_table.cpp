// Expected outcomes, written down per attack. Errnos for deny-class calls
// follow libos/syscall_table.def; path attacks expect ENOENT because every
// lookup resolves inside a rootfs where the host names do not exist.
#include "tests/escape/driver/attack_table.hpp"

#include <fstream>
#include <regex>
#include <stdexcept>

#include "libos/abi/constants.h"

namespace escape {
namespace {

using S = StepExpect;

std::vector<S> All(std::initializer_list<const char*> labels, const char* want) {
  std::vector<S> v;
  for (const char* l : labels) v.push_back({l, want});
  return v;
}

void Add(std::vector<S>* v, std::vector<S> more) {
  v->insert(v->end(), more.begin(), more.end());
}

std::string Root() {
  return ESCAPE_REPO_ROOT;
}

Attack DenySweep() {
  Attack a{"deny_sweep", "every DENY row of the table, raw, with zero and ~0 arguments", {}};
  for (const auto& row : DenyRows(Root() + "/libos/syscall_table.def")) {
    a.args.push_back(std::to_string(row.nr));
    a.steps.push_back({"nr" + std::to_string(row.nr) + "_zero", row.errno_name});
    a.steps.push_back({"nr" + std::to_string(row.nr) + "_ones", row.errno_name});
  }
  return a;
}

std::vector<Attack> Build() {
  std::vector<Attack> t;
  // --- path escapes -------------------------------------------------------
  {
    Attack a{"path_dotdot_chain", "`..` chains from /, from a deep cwd, via openat dirfds", {}};
    a.steps = All({"host_abs_path", "root_dotdot_host_path", "root_dotdot_rel", "root_dotdot_rel2",
                   "cwd_climb_rel", "cwd_climb_dotdot", "openat_root_dotdot",
                   "openat_root_dotdot_host", "dot_slash_mix"},
                  "ENOENT");
    Add(&a.steps, {{"chdir_deep", "OK"}, {"open_root", "OK"}});
    t.push_back(a);
  }
  {
    Attack a{"path_abs_symlink", "absolute symlinks to host paths, planted and created", {}};
    a.steps = All({"planted_abs", "planted_dir_component", "created_abs", "created_dir_component"},
                  "ENOENT");
    Add(&a.steps,
        {{"symlink_create", "OK"}, {"symlink_create_dir", "OK"}, {"nofollow_open", "ELOOP"}});
    t.push_back(a);
  }
  {
    Attack a{"path_rel_symlink", "relative symlinks climbing out, planted and created", {}};
    a.steps = All({"planted_rel", "planted_up_host_path", "created_rel", "created_up_host_path",
                   "created_up_rel"},
                  "ENOENT");
    Add(&a.steps, {{"symlink_rel", "OK"}, {"symlink_up", "OK"}});
    t.push_back(a);
  }
  t.push_back({"path_symlink_loop",
               "self and pair symlink loops",
               {{"self_loop", "ELOOP"},
                {"pair_loop", "ELOOP"},
                {"dir_loop", "ELOOP"},
                {"200_loops_fast", "OK"}}});
  t.push_back({"path_symlink_chain",
               "30- and 60-hop chains ending at host paths",
               {{"chain30_host_path", "ENOENT"},
                {"chain60_host_path", "ELOOP"},
                {"chain30_rel", "ENOENT"}}});
  {
    Attack a{"path_race_swap",
             "2 s race flipping a dir and a climbing symlink during lookups",
             {{"fork_flipper", "OK"}, {"race_tries_many", "OK"}, {"race_opened", "=0"}}};
    a.timeout_s = 40;
    t.push_back(a);
  }
  {
    Attack a{"path_proc_self_root", "/proc/self/root, /proc/1/root, /proc/<host pid>/root", {}};
    a.steps = All(
        {"self_root_host_path", "self_root_dotdot", "self_root_dotdot2", "pid1_root_host_path",
         "pid1_root_dotdot", "thread_self_root_host_path", "decoy_pid_root", "decoy_pid_cmdline"},
        "ENOENT");
    Add(&a.steps, {{"readlink_self_root", "=1"}});
    t.push_back(a);
  }
  {
    Attack a{"path_proc_cwd_fd",
             "/proc/self/cwd and /proc/self/fd/N as path components, reserved fds",
             {}};
    a.steps = All({"self_cwd_dotdot", "self_cwd_host_path", "fd_dir_dotdot", "fd_dir_host_path"},
                  "ENOENT");
    static_assert(litebox::abi::kChannelFd == 1024, "LB_CHANNEL_FD in attacks/attack.h");
    for (int fd = litebox::abi::kChannelFd; fd < litebox::abi::kChannelFd + 8; ++fd)
      a.steps.push_back({"reserved_fd_" + std::to_string(fd), "ENOENT"});
    Add(&a.steps, {{"open_root", "OK"}, {"fd_stdin_dotdot", "ENOTDIR|ENOENT"}});
    t.push_back(a);
  }
  {
    Attack a{
        "path_hardlink_host", "link/linkat to the decoy by host path, `..`, planted symlinks", {}};
    a.steps = All({"link_host_path", "read_h1", "link_dotdot", "read_h2", "linkat_follow_planted",
                   "read_h3", "linkat_follow_rel", "read_h4"},
                  "ENOENT");
    Add(&a.steps, {{"linkat_empty_path", "ANY"}});
    t.push_back(a);
  }
  t.push_back({"path_handles",
               "name_to_handle_at, open_by_handle_at with a forged root handle",
               {{"name_to_handle_at", "ENOSYS"},
                {"open_by_handle_root", "EPERM"},
                {"open_by_handle_rootfd", "EPERM"}}});
  {
    Attack a{"path_chroot_break", "chroot into a subdir with a cwd/dirfd outside, then climb", {}};
    a.steps = All({"after_chroot_rel", "after_chroot_dotdot", "after_fchdir_rel",
                   "after_fchdir_host_path", "openat_outside_dotdot"},
                  "ENOENT");
    Add(&a.steps, {{"chroot_sub", "ANY"}, {"fchdir_outside", "ANY"}, {"chroot_dot", "ANY"}});
    t.push_back(a);
  }
  {
    Attack a{"path_write_escape",
             "create/truncate/chmod/chown/utimens/rename/unlink/mkdir/mknod on host paths",
             {}};
    a.steps = All({"creat_canary_abs",      "creat_canary_dotdot",
                   "trunc_decoy_abs",       "trunc_planted_abs",
                   "trunc_planted_rel",     "append_planted_dir",
                   "creat_via_planted_dir", "chmod_decoy",
                   "chmod_planted",         "chown_decoy",
                   "lchown_planted_rel",    "truncate_decoy",
                   "truncate_planted",      "utimensat_decoy",
                   "utimensat_planted",     "rename_decoy_away",
                   "unlink_decoy",          "unlink_via_planted_dir",
                   "mkdir_canary",          "mkdir_via_planted_dotdot",
                   "mknod_fifo_canary",     "symlink_at_canary",
                   "rename_into_host"},
                  "ENOENT");
    t.push_back(a);
  }
  {
    Attack a{"path_exec_host",
             "execve of the litebox binary's host path, host binaries via `..`, reserved fds",
             {}};
    a.steps = All({"execve_litebox_host_path", "execve_dotdot_host", "execve_planted_abs",
                   "execveat_dotdot", "execveat_rootfd_dotdot"},
                  "ENOENT");
    // execveat with a real dirfd is not emulated yet (ENOSYS): still no host binary.
    a.steps.back().want = "ENOENT|ENOSYS";
    Add(&a.steps, {{"execveat_reserved_fds_failed", "OK"}});
    t.push_back(a);
  }
  t.push_back({"path_shebang_host",
               "#! scripts naming the litebox binary's host path, `..` and planted interpreters",
               {{"write_host_interp", "OK"},
                {"exec_host_interp", "ENOENT"},
                {"write_dotdot_interp", "OK"},
                {"exec_dotdot_interp", "ENOENT"},
                {"write_planted_interp", "OK"},
                {"exec_planted_interp", "ENOENT"}}});
  t.push_back({"proc_reserved_write",
               "write via /proc/self/exe, /proc/self/fd/<reserved>, map_files of the libOS",
               {{"open_self_exe_rw", "ANY"},
                {"reserved_opened_rw", "=0"},
                {"reserved_pwritten", "=0"},
                {"find_libos_text", "OK"},
                {"map_files_rw", "ERR"}}});
  t.push_back({"path_long_names",
               "oversized paths and names, 1300 `../`, control bytes",
               {{"path_5000", "ENAMETOOLONG"},
                {"name_300", "ENAMETOOLONG"},
                {"dotdot_3900", "ENOENT"},
                {"control_bytes", "ENOENT"},
                {"empty_path", "ENOENT"}}});
  {
    Attack a{"path_bind_sources",
             "host files a runtime bind-mounts, host control sockets (none mounted)",
             {}};
    a.steps = All(
        {"decoy_dir_as_mountpoint", "scratch_decoy", "run_containerd_sock", "var_run_docker_sock",
         "host_shadow", "host_machine_id", "host_ssh_key", "root_bash_history", "work_dir"},
        "ENOENT");
    t.push_back(a);
  }
  {
    Attack a{"path_xattr_inotify",
             "xattrs, inotify, statx, faccessat2, utimes, statfs, uselib on host paths",
             {}};
    a.steps =
        All({"statx_host", "statx_dotdot", "faccessat2_host", "utimes_host", "statfs_host_dir"},
            "ENOENT");
    // The libOS answers xattrs without the proxy (a file system without
    // them), and has no inotify or mqueues yet: no host lookup happens.
    Add(&a.steps, {{"getxattr_host", "ENOENT|ENODATA"},
                   {"setxattr_host", "ENOENT|EOPNOTSUPP"},
                   {"setxattr_planted", "ENOENT|EOPNOTSUPP"},
                   {"listxattr_host", "ENOENT|=0"},
                   {"inotify_add_watch_host", "ENOENT|ENOSYS"},
                   {"inotify_add_watch_planted", "ENOENT|ENOSYS"},
                   {"mq_open_host", "ENOENT|ENOSYS"},
                   {"readlinkat_planted", "OK"},
                   {"uselib_host", "ENOSYS"}});
    t.push_back(a);
  }
  {
    Attack a{
        "dev_mknod_mem", "mknod /dev/mem-style char and block devices, open host device paths", {}};
    a.steps = All({"mknod_mem", "mknod_port", "mknod_sda", "mknodat_dev_mem"}, "EPERM");
    Add(&a.steps,
        All({"open_tmp_mem", "open_tmp_sda", "open_dev_mem", "open_dev_kmsg", "open_dev_sda",
             "open_dev_vda", "open_dev_port", "open_dev_kvm", "open_dev_fuse", "open_dev_tty0"},
            "ENOENT"));
    t.push_back(a);
  }
  {
    Attack a{"proc_sys_write",
             "write host knobs: core_pattern, sysrq, modprobe, release_agent; kcore",
             {}};
    a.steps = All(
        {"core_pattern", "sysrq_trigger", "modprobe", "release_agent", "uevent_helper", "kcore"},
        "ERR");
    Add(&a.steps, {{"proc_hostname", "ANY"},
                   {"kallsyms", "ANY"},
                   {"sethostname", "ANY"},
                   {"setdomainname", "ANY"}});
    t.push_back(a);
  }
  {
    Attack a{
        "info_host_paths", "readlink of /proc magic links, mountinfo, cgroup, pid 1 environ", {}};
    a.steps = All({"self_root", "self_cwd", "self_exe", "self_fd0", "mountinfo", "mounts", "cgroup",
                   "pid1_environ", "pid1_cmdline", "getcwd"},
                  "ANY");
    t.push_back(a);
  }
  // --- deny-class syscalls, raw ----------------------------------------------
  {
    Attack a{
        "deny_mount",
        "mount (bind of the decoy dir, tmpfs, remount, proc), umount2, pivot_root, new mount API",
        {}};
    a.steps = All({"bind_decoy_dir", "tmpfs", "remount_root", "proc", "umount2_root",
                   "umount2_proc", "pivot_root"},
                  "EPERM");
    Add(&a.steps, All({"open_tree", "fsopen", "move_mount", "mount_setattr"}, "ENOSYS"));
    Add(&a.steps, {{"read_bound", "ENOENT"}});
    t.push_back(a);
  }
  {
    Attack a{"deny_namespaces", "unshare, setns, clone with CLONE_NEW*, clone3", {}};
    a.steps = All({"unshare_user", "unshare_user_ns_all", "unshare_mnt", "setns_fd0",
                   "clone_newuser", "clone_newns_newpid", "clone_newnet"},
                  "EPERM");
    Add(&a.steps, {{"open_decoy_ns", "ENOENT"}, {"clone3_newuser", "ENOSYS"}});
    t.push_back(a);
  }
  {
    Attack a{
        "deny_ptrace", "ptrace/process_vm_*/pidfd_getfd/kcmp against the decoy's host pid", {}};
    a.steps = All({"attach_decoy", "seize_decoy", "traceme", "process_vm_readv",
                   "process_vm_writev", "pidfd_getfd", "process_madvise"},
                  "EPERM");
    Add(&a.steps, {{"pidfd_open_decoy", "ESRCH|ENOSYS"}, {"kcmp", "ENOSYS"}});
    t.push_back(a);
  }
  {
    Attack a{"deny_kernel_modules",
             "module loading, kexec, reboot, swap, iopl/ioperm, clock setting, acct, syslog",
             {}};
    a.steps = All({"init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
                   "reboot", "swapon", "swapoff", "iopl", "ioperm", "acct", "syslog_read",
                   "settimeofday", "clock_settime", "adjtimex_set", "quotactl", "vhangup"},
                  "EPERM");
    t.push_back(a);
  }
  {
    Attack a{"deny_kernel_surface",
             "bpf, perf_event_open, userfaultfd, io_uring, keyrings, modify_ldt, fanotify",
             {}};
    a.steps = All({"bpf_prog_load", "bpf_map_create", "userfaultfd", "fanotify_init"}, "EPERM");
    Add(&a.steps, All({"perf_event_open", "perf_event_open_decoy"}, "EACCES"));
    Add(&a.steps, All({"io_uring_setup", "io_uring_enter", "io_uring_register", "keyctl", "add_key",
                       "request_key", "modify_ldt_write", "modify_ldt_read", "memfd_secret",
                       "landlock_create", "set_thread_area", "pkey_alloc"},
                      "ENOSYS"));
    t.push_back(a);
  }
  t.push_back(DenySweep());
  {
    Attack a{"deny_unassigned", "unassigned syscall numbers get ENOSYS", {}};
    a.steps = All({"nr_337", "nr_380", "nr_423", "nr_471", "nr_472", "nr_500", "nr_600", "nr_1000",
                   "nr_1073741823"},
                  "ENOSYS");
    t.push_back(a);
  }
  {
    Attack a{"deny_x32_abi", "x32 syscall (bit 0x40000000) openat of the decoy", {}};
    a.end = End::kKilled;
    a.signal = 31;  // SIGSYS from SECCOMP_RET_KILL_PROCESS
    t.push_back(a);
  }
  {
    Attack a{"deny_int80", "int $0x80 (i386 table) open of the decoy", {}};
    a.end = End::kKilled;
    a.signal = 31;
    t.push_back(a);
  }
  t.push_back({"deny_personality",
               "personality flags beyond the default",
               {{"query", "OK"},
                {"per_linux", "OK"},
                {"read_implies_exec", "ERR"},
                {"addr_no_randomize", "ERR"},
                {"per_linux32", "ERR"},
                {"garbage", "ERR"},
                {"query_after", "=0"}}});
  // --- processes and signals ------------------------------------------------
  {
    Attack a{"sig_kill_decoy",
             "kill/tkill/tgkill/sigqueue/pidfd_send_signal to the decoy's host pid",
             {}};
    a.steps = All({"kill_9", "kill_stop", "kill_0_probe", "kill_pgrp", "tkill", "tgkill",
                   "rt_sigqueueinfo", "rt_tgsigqueueinfo"},
                  "ESRCH");
    // sigqueue to other processes is not emulated yet (ENOSYS): no signal either way.
    for (auto& s : a.steps)
      if (s.label.rfind("rt_", 0) == 0) s.want = "ESRCH|ENOSYS";
    Add(&a.steps, {{"pidfd_open", "ESRCH|ENOSYS"}});
    Add(&a.steps, {{"pidfd_send_signal", "ERR"}});
    t.push_back(a);
  }
  t.push_back({"sig_kill_all",
               "kill(-1, SIGKILL) from a child, kill(-1, SIGTERM), the driver's pid",
               {{"child_kill_minus1", "ANY"},
                {"child_waited", "OK"},
                {"kill_minus1_term", "ANY"},
                {"kill_driver", "ESRCH"},
                {"kill_host_init", "OK"}}});
  t.push_back({"sig_host_neighbours",
               "SIGSTOP/SIGKILL to host pids around our own (supervisor, litebox do)",
               {{"host_neighbour_hits", "=0"}}});
  t.push_back({"sig_sigio_owner",
               "F_SETOWN/F_SETOWN_EX to the decoy + SIGIO, timer aimed at the decoy's tid",
               {{"pipe2", "OK"},
                {"setown_decoy", "ERR"},
                {"setown_ex_decoy", "ERR"},
                {"setsig_kill", "ANY"},
                {"set_async", "ANY"},
                {"timer_create_decoy_tid", "ERR"}}});
  {
    Attack a{"proc_decoy_tuning",
             "prlimit64/setpriority/ioprio_set/sched_*/setpgid on the decoy's host pid",
             {}};
    a.steps = All({"prlimit_nofile", "prlimit_cpu", "setpriority", "ioprio_set",
                   "sched_setaffinity", "sched_setscheduler", "setpgid"},
                  "ERR");
    Add(&a.steps, {{"setpriority_user0", "ANY"}, {"migrate_pages", "ENOSYS"}});
    t.push_back(a);
  }
  {
    Attack a{"proc_fork_bomb", "bounded fork bomb (127 processes, 3 s)", {{"forked_some", "OK"}}};
    a.timeout_s = 40;
    t.push_back(a);
  }
  {
    Attack a{"lifetime_spin",
             "a guest spinning forever; the driver SIGKILLs `litebox do` after 2 s",
             {}};
    a.end = End::kAny;
    a.may_hang = true;
    a.timeout_s = 2;
    t.push_back(a);
  }
  t.push_back({"proc_daemon_outlive",
               "double fork + setsid grandchild that outlives pid 1",
               {{"forked", "OK"}}});
  t.push_back({"mem_exhaust",
               "64 TiB mmap, 256 MiB touched, huge brk, mlockall",
               {{"mmap_64TiB", "ENOMEM"},
                {"touched_mib", "=256"},
                {"brk_huge", "ANY"},
                {"mlock_big", "ANY"}}});
  {
    Attack a{"core_dump",
             "raise RLIMIT_CORE and abort (a core file would land on the host)",
             {{"setrlimit_core", "EPERM"}, {"prlimit_core", "ERR"}, {"prctl_dumpable", "ANY"}}};
    a.end = End::kKilled;
    // It runs as the sandbox's pid 1, which ignores its own SIGABRT as a PID
    // namespace's init does; abort() then faults: SIGSEGV, a core-dumping
    // signal too (natively in a PID namespace the same happens).
    a.signal = 11;
    t.push_back(a);
  }
  {
    Attack a{"suid_exec",
             "as uid 1000, exec a setuid-root binary of the rootfs (with PTRACE_TRACEME)",
             {{"start_euid", "=1000"},
              {"probe_euid", "ANY"},
              {"probe_host_decoy", "ENOENT"},
              {"probe_dotdot", "ENOENT"},
              {"probe_mount", "EPERM"},
              {"probe_kill_decoy", "ESRCH"},
              {"probe_unshare", "EPERM"},
              {"probe_exit_status", "=0"}}};
    a.user = "1000:1000";
    t.push_back(a);
  }
  t.push_back({"ipc_sysv_host",
               "the host's world-readable SysV segment by key, by id, by enumeration",
               {{"shmget_host_key", "ENOENT|ENOSYS"},
                {"shmat_host_id", "ERR"},
                {"shmctl_ipc_stat_host", "ERR"},
                {"shm_stat_enumerated", "=0"},
                {"msg_stat_enumerated", "=0"},
                {"shm_ids_guessed", "=0"}}});
  t.push_back({"ipc_msgq_host",
               "the host's world-readable message queue by id (take, inject) and by guessing",
               {{"msgrcv_host_id", "ERR"}, {"msgsnd_host_id", "ERR"}, {"msg_ids_copied", "=0"}}});
  t.push_back({"prctl_misc",
               "prctl PR_SET_MM/CAPBSET_DROP/SECUREBITS/PTRACER/IO_FLUSHER, arch_prctl extras",
               {{"pr_set_mm_exe", "ERR"},
                {"pr_set_mm_start_code", "ERR"},
                {"pr_capbset_drop", "ANY"},
                {"pr_set_securebits", "ANY"},
                {"pr_set_ptracer_any", "ANY"},
                {"pr_set_io_flusher", "ERR"},
                {"pr_cap_ambient_raise", "ANY"},
                {"pr_get_no_new_privs", "ANY"},
                {"arch_prctl_set_cpuid", "ERR"},
                {"arch_prctl_map_vdso", "ERR"}}});
  t.push_back({"memfd_exec",
               "execveat of a memfd copy of our own image: still confined",
               {{"open_self_exe", "OK"},
                {"memfd_create", "OK"},
                {"copied_bytes", "OK"},
                // execveat(AT_EMPTY_PATH) runs the fd's path in the sandbox; a
                // memfd has none there (ENOENT), so the child never runs yet.
                {"execveat_memfd", "ENOENT|ENOSYS|MISSING"},
                {"child_ran", "OK|MISSING"},
                {"child_dotdot", "ENOENT|MISSING"}}});
  // --- sockets and the terminal ----------------------------------------------
  {
    Attack a{"net_socket_families",
             "netlink, packet, raw IP, AF_ALG/VSOCK/XDP/KEY/TIPC, dgram socketpair",
             {}};
    a.steps = All({"netlink_route", "netlink_audit", "netlink_uevent", "packet_raw", "packet_dgram",
                   "alg", "vsock", "xdp", "key", "tipc"},
                  "EAFNOSUPPORT");
    Add(&a.steps, All({"inet_raw", "inet_raw_icmp", "inet6_raw", "inet_packet"}, "EACCES|EPERM"));
    Add(&a.steps,
        {{"unix_raw_type", "ERR"}, {"socketpair_dgram", "ANY"}, {"socketpair_inet", "ERR"}});
    t.push_back(a);
  }
  t.push_back({"net_unix_host",
               "AF_UNIX connect to the host's path and abstract sockets, dgram sendto, binds",
               {{"path_stream_socket", "OK"},
                {"path_stream_connect", "ENOENT"},
                {"path_seqpacket_connect", "ENOENT"},
                {"dotdot_stream_connect", "ENOENT"},
                {"planted_stream_connect", "ENOENT"},
                {"abstract_stream_connect", "ERR"},
                {"abstract_seqpacket_connect", "ERR"},
                {"dgram_socket", "ANY"},
                {"dgram_sendto_abstract", "ERR|MISSING"},
                {"socketpair", "OK"},
                {"sendto_addr_on_pair", "EISCONN"},
                {"bind_abstract", "ANY"},
                {"bind_canary_host_path", "ERR"}}});
  {
    Attack a{"net_dgram_sendto",
             "sendto/sendmsg with the host's abstract and path datagram addresses",
             {}};
    // A send "succeeds" wherever the kernel ignores the address (seqpacket,
    // and the libOS's stand-in for datagram pairs): harmless, because the
    // host's datagram sockets are the judge. Natively the pair's sendto
    // reaches the host socket (see EscapeControl).
    for (const char* src : {"socket_abstract", "socket_path", "pair_abstract", "pair_path",
                            "seqpacket_abstract", "channel_abstract"})
      for (const char* call : {"_sendto", "_sendmsg"})
        a.steps.push_back({std::string(src) + call, "ANY|MISSING"});
    Add(&a.steps,
        {{"dgram_socket", "ANY"}, {"dgram_socketpair", "ANY"}, {"seqpacket_socketpair", "OK"}});
    t.push_back(a);
  }
  t.push_back({"net_tcp_localhost",
               "TCP/UDP/ping sockets to the host's 127.0.0.1 listener (no network)",
               {{"tcp_socket", "EACCES"},
                {"tcp6_socket", "EACCES"},
                {"udp_socket", "EACCES"},
                {"ping_socket", "EACCES"}}});
  {
    // With a network namespace of its own: sockets are made, but the
    // host's loopback listener is not on its lo.
    Attack a{"net_tcp_localhost_newns",
             "TCP/UDP to the host's 127.0.0.1 listener from a sandbox with its own netns",
             {{"tcp_socket", "OK"},
              {"tcp_connect", "ECONNREFUSED"},
              {"tcp6_socket", "OK"},
              {"udp_socket", "OK"},
              {"udp_sendto", "ANY"},
              {"ping_socket", "ANY"}}};
    a.binary = "net_tcp_localhost";
    a.network = "new";
    t.push_back(a);
  }
  {
    // SIOCGIFCONF answers for the socket's network namespace, and the
    // filter passes it on any fd: every socket a guest holds, the ones the
    // supervisor made for it included, must be the sandbox's.
    Attack a{"net_ifconf_host",
             "the host's interfaces via SIOCGIFCONF on AF_UNIX (own and brokered) and AF_INET",
             {{"socketpair", "OK"},
              {"pair_ifconf_others", "=0"},
              {"unix_socket", "OK"},
              {"unix_bind", "=0"},
              {"bound_ifconf_others", "=0"},
              {"inet_socket", "OK"},
              {"inet_ifconf_others", "=0"}}};
    a.network = "new";
    t.push_back(a);
  }
  // The same without a network (`litebox do`'s default): no namespace of
  // its own, so the queries must not reach the kernel at all.
  {
    Attack a{"net_ifconf_host_nonet",
             "the host's interfaces via SIOCGIFCONF in a sandbox without a network",
             {{"socketpair", "OK"},
              {"pair_ifconf_others", "ENOTTY"},
              {"unix_socket", "OK"},
              {"unix_bind", "=0"},
              {"bound_ifconf_others", "ENOTTY"},
              {"inet_socket", "EACCES"},
              {"inet_ifconf_others", "EACCES"}}};
    a.binary = "net_ifconf_host";
    t.push_back(a);
  }
  {
    Attack a{"tty_tiocsti",
             "TIOCSTI (also with high request bits), TIOCLINUX/CONS/SETD/VHANGUP, TIOCSCTTY steal",
             {}};
    a.steps =
        All({"tiocsti", "tiocsti_high_bits", "tioclinux", "tioccons", "tiocsetd", "tiocvhangup"},
            "EPERM");
    Add(&a.steps, {{"tiocsti_count", "=0"}, {"tiocsctty_steal", "ERR"}});
    a.pty = true;
    t.push_back(a);
  }
  // --- the supervisor channel -------------------------------------------------
  {
    Attack a{"chan_malformed",
             "short/bad-magic/lying-size/overflowing/unknown-op/bad-fd-count datagrams",
             {}};
    a.steps = All(
        {"one_byte", "short_header", "bad_magic", "size_too_big", "size_too_small", "str_len_huge",
         "str_len_wrap", "nfds_lies", "dirfd_slot_out_of_range", "dirfd_slot_negative"},
        "EINVAL");
    Add(&a.steps, {{"unknown_op", "EPROTO"},
                   {"op_zero", "EPROTO"},
                   {"empty_path", "ENOENT|EINVAL"},
                   {"nul_in_path", "EINVAL|ENOENT"},
                   {"path_over_path_max", "ENAMETOOLONG|EINVAL"},
                   {"two_in_one", "EINVAL"},
                   {"no_second_reply", "ETIMEDOUT"},
                   {"in_sync_after", "OK"},
                   {"libos_open_after", "OK"}});
    t.push_back(a);
  }
  t.push_back({"dev_image_nodes",
               "device nodes shipped in the image: open ro, rw, non-blocking, relative",
               {{"open_planted_null_cold", "EACCES"},
                {"open_planted_full_rdwr_cold", "EACCES"},
                {"warm_up_opens", "OK"},
                {"open_planted_null", "EACCES"},
                {"open_planted_full", "EACCES"},
                {"open_planted_null_rdwr", "EACCES"},
                {"open_planted_full_nonblock", "EACCES"},
                {"chdir_root", "OK"},
                {"open_planted_null_relative", "EACCES"}}});
  t.push_back({"chan_shared_page",
               "lying lengths, fd slots, process ops, escapes and floods on the shared page",
               {{"libos_open_first", "OK"},
                {"page_found", "OK"},
                {"stat_via_page", "OK"},
                {"req_len_huge", "EINVAL"},
                {"req_len_short", "EINVAL"},
                {"req_len_past_request", "EINVAL"},
                {"size_lies", "EINVAL"},
                {"fd_slot_without_fd", "EINVAL"},
                {"process_op", "EPROTO"},
                {"open_escape", "ENOENT"},
                {"sock_sent_lie", "OK"},
                {"flood_answered", "OK"},
                {"in_sync_after", "OK"},
                {"libos_open_after", "OK"}}});
  t.push_back({"chan_oversized",
               "datagrams past kMaxMessage up to 1 MiB, 20000-request flood",
               {{"send_65793", "ERR"},
                {"send_200000", "ERR"},
                {"send_1048576", "ERR"},
                {"flood_answered", "OK"},
                {"in_sync_after", "OK"},
                {"libos_open_after", "OK"}}});
  {
    Attack a{"chan_hostile_paths",
             "proxy requests with `..`, host paths, planted links, char devices",
             {}};
    a.steps = All({"open_dotdot",         "open_dotdot_many",
                   "open_host_abs",       "open_planted_abs",
                   "open_planted_rel",    "open_planted_dir",
                   "open_proc_root",      "open_for_exec_host",
                   "creat_canary",        "creat_via_planted_dir",
                   "trunc_planted",       "link_dotdot",
                   "link_follow_planted", "read_l2",
                   "rename_out_of_host",  "unlink_via_planted",
                   "chmod_planted",       "chown_planted",
                   "truncate_planted",    "chdir_planted_dir",
                   "stat_host_abs"},
                  "ENOENT");
    Add(&a.steps, {{"open_relative_no_dirfd", "EINVAL|ENOENT"},
                   {"mknod_chr_mem", "EPERM|EINVAL"},
                   {"mknod_blk_sda", "EPERM|EINVAL"},
                   {"in_sync_after", "OK"}});
    t.push_back(a);
  }
  {
    Attack a{"chan_wrong_fds",
             "fd requests (fchmod 04777, fchown, futimens, getdents, openat base) with pipes, "
             "sockets, memfd, host pty, the channel, the libOS's own binary fd",
             {}};
    for (const char* kind :
         {"pipe", "socketpair", "memfd", "eventfd", "stdin", "stdout", "channel"})
      for (const char* op : {"openat_dotdot", "fchmod", "fchown", "futimens", "getdents", "fdpath"})
        a.steps.push_back(
            {std::string(kind) + "_" + op, std::string(op) == "openat_dotdot" ? "ERR" : "ANY"});
    Add(&a.steps, {{"fork_with_pipe_channel", "EINVAL"},
                   {"fork_forged_vpid_sent", "OK"},
                   {"fork_forged_vpid_reply", "ETIMEDOUT"},
                   {"fork_forged_vpid_channel_closed", "OK"},
                   {"kill_forged_vpid", "ESRCH"},
                   {"malformed_notice_sent", "OK"},
                   {"malformed_notice_reply", "ETIMEDOUT"},
                   {"fork_full_channel", "EAGAIN"},
                   {"silent_children_stall", "OK"},
                   {"in_sync_after", "OK"}});
    a.pty = true;
    t.push_back(a);
  }
  {
    Attack a{"chan_identity",
             "as uid 1000: kSetIds to root, kKill of host pids, forged hello/exec, hostname",
             {}};
    a.steps = {{"setresuid_root", "EPERM"},
               {"setresgid_root", "EPERM"},
               {"setfsuid_root", "ANY"},
               {"setgroups_root", "EPERM"},
               {"raw_setuid_0", "EPERM"},
               {"geteuid_after", "=1000"},
               {"read_root_only", "EACCES"},
               {"write_etc_passwd", "EACCES"},
               {"kill_decoy_hostpid", "ESRCH"},
               {"kill_decoy_pgrp", "ESRCH"},
               {"kill_bad_signal", "EINVAL"},
               {"host_to_vpid_decoy", "ESRCH"},
               {"forged_child_hello", "ERR"},
               {"bogus_exec_done", "ANY"},
               {"sethostname_200", "EINVAL|EPERM"},
               {"sethostname_unprivileged", "EPERM"},
               {"second_hello", "ANY"},
               {"in_sync_after", "OK"},
               {"geteuid_final", "=1000"}};
    a.user = "1000:1000";
    t.push_back(a);
  }
  {
    Attack a{"chan_empty_datagram",
             "zero-length datagram and shutdown(SHUT_WR) on the channel",
             {{"send_empty", "ANY"},
              {"reply_to_empty", "ANY"},
              {"shutdown_wr", "ANY"},
              {"reply_after_shutdown", "ANY"}}};
    a.end = End::kAny;
    t.push_back(a);
  }
  {
    Attack a{"thread_channel_race",
             "4 threads using the channel while a 5th injects junk into it",
             {{"joined", "ANY"}}};
    a.end = End::kAny;
    a.may_hang = true;
    a.timeout_s = 10;
    t.push_back(a);
  }
  {
    Attack a{"fd_reserved_abuse",
             "dup onto / close / close_range the libOS's channel fd, raise RLIMIT_NOFILE",
             {{"dup2_onto_channel", "EBADF"},
              {"dup3_onto_channel", "EBADF"},
              {"close_channel", "EBADF"},
              {"close_channel_junk_upper", "EBADF"},
              {"dup3_onto_channel_junk_upper", "EBADF"},
              {"close_range_all", "OK"},
              {"fcntl_dupfd_into_reserved", "EINVAL"},
              {"setrlimit_nofile_big", "ERR"},
              {"prlimit_nofile_big", "ERR"},
              {"dup3_after_raise", "EBADF"},
              {"still_alive_getpid", "=1"},
              {"open_after", "OK"}}};
    t.push_back(a);
  }
  // --- the gate and the libOS's memory ----------------------------------------
  {
    Attack a{
        "gate_forged_calls", "jump to the libOS gate (syscall; ret) with forged arguments", {}};
    a.steps = {{"find_gate", "OK"},
               {"gate_getpid_works", "OK"},
               {"gate_mount", "EPERM"},
               {"gate_unshare_user", "EPERM"},
               {"gate_ptrace_decoy", "EPERM"},
               {"gate_openat_host_decoy", "ENOENT"},
               {"gate_openat_dotdot", "ENOENT"},
               {"gate_clone_newuser", "EPERM"},
               {"gate_clone_newns", "EPERM"},
               {"gate_clone_ptrace", "EPERM"},
               {"gate_prlimit_decoy", "EPERM"},
               {"gate_prlimit_init", "EPERM"},
               {"gate_setpgid_decoy", "ESRCH|EPERM"},
               {"gate_timer_create_decoy", "EINVAL"},
               {"gate_seccomp_listener", "EINVAL"},
               {"gate_seccomp_get_notif_sizes", "EINVAL"},
               {"gate_tiocsti", "EPERM"},
               {"gate_waitid_decoy", "ECHILD"},
               {"gate_kill_decoy", "ESRCH"}};
    t.push_back(a);
  }
  t.push_back({"gate_clone_orphan",
               "unregistered host children cloned at the gate (plain and CLONE_PARENT)",
               {{"find_gate", "OK"}, {"gate_clone_plain", "ANY"}, {"gate_clone_parent", "ANY"}}});
  t.push_back({"gate_steal_sigsys",
               "install our own SIGSYS handler at the gate, then trapped calls",
               {{"find_gate", "OK"},
                {"gate_rt_sigaction_sigsys", "ANY"},
                {"openat_host_decoy", "=257|ENOSYS|ENOENT"},
                {"openat_dotdot", "=257|ENOSYS|ENOENT"},
                {"kill_decoy", "=62|ENOSYS|ESRCH"},
                {"traps_seen", "ANY"}}});
  // (A trapped call whose SIGSYS handler sets nothing returns its own number in RAX.)
  {
    Attack a{"libos_corrupt",
             "fill the libOS's data with 0xff, then emulated calls",
             {{"find_libos_data", "OK"}}};
    a.end = End::kAny;
    a.may_hang = true;
    a.timeout_s = 10;
    t.push_back(a);
  }
  {
    Attack a = t.back();  // same binary, zeros instead of 0xff
    a.name = "libos_corrupt_zero";
    a.binary = "libos_corrupt";
    a.summary = "fill the libOS's data with zeros, then emulated calls";
    a.args = {"zero"};
    t.push_back(a);
  }
  t.push_back({"seccomp_raw",
               "app seccomp: user-notify listener, allow-all filter, PR_SET_SECCOMP",
               {{"listener", "ERR"},
                {"allow_all", "ANY"},
                {"prctl_filter", "ANY"},
                {"mount_after", "EPERM"},
                {"open_dotdot_after", "ENOENT"},
                {"getpid_after", "=1"}}});
  t.push_back({"sigsys_raw",
               "ignore and block SIGSYS without the gate; emulation must go on",
               {{"sigaction_sigsys_ignore", "ANY"},
                {"sigprocmask_block_all", "OK"},
                {"getpid_virtual", "=1"},
                {"sigsys_blocked_bit", "ANY"},
                {"open_dotdot", "ENOENT"}}});
  return t;
}

}  // namespace

std::vector<DenyRow> DenyRows(const std::string& table_path) {
  std::ifstream in(table_path);
  if (!in) throw std::runtime_error("cannot read " + table_path);
  std::vector<DenyRow> rows;
  static const std::regex row(R"(^SYS\(\s*(\d+),\s*(\w+),\s*DENY_(\w+),)");
  std::string line;
  std::smatch m;
  while (std::getline(in, line))
    if (std::regex_search(line, m, row)) rows.push_back({std::stoi(m[1]), m[2], m[3]});
  return rows;
}

void PrintTo(const Attack& a, std::ostream* os) {
  *os << a.name;
}

const std::vector<Attack>& AllAttacks() {
  static const std::vector<Attack> all = Build();
  return all;
}

}  // namespace escape
