// Path requests straight to the proxy, skipping the libOS's own path
// handling: `..` out, host absolute paths, planted symlinks, magic /proc
// links, relative paths without a dirfd, creation of the canary, links and
// renames pointing out, a char device node.
#include "channel.hpp"

using namespace litebox::proto;

static chan::Reply Open(const std::string& p, long flags = 0, long mode = 0) {
  Request q = chan::Make(kOpen, p);
  q.arg[0] = flags;
  q.arg[1] = mode;
  return chan::Call(q, p);
}

int main() {
  announce();
  std::string decoy = host("ESC_DECOY"), canary = host("ESC_CANARY");
  chan::Report("open_dotdot", Open("/../decoy/secret"));
  chan::Report("open_dotdot_many", Open("/../../../../../../.." + decoy));
  chan::Report("open_host_abs", Open(decoy));
  chan::Report("open_planted_abs", Open("/planted_abs"));
  chan::Report("open_planted_rel", Open("/planted_rel"));
  chan::Report("open_planted_dir", Open("/planted_dir/secret"));
  chan::Report("open_proc_root", Open("/proc/self/root/../decoy/secret"));
  chan::Report("open_relative_no_dirfd", Open("../decoy/secret"));
  chan::Report("open_for_exec_host", Open(decoy, 0, 0));
  chan::Report("creat_canary", Open(canary, O_CREAT | O_WRONLY, 0644));
  chan::Report("creat_via_planted_dir", Open("/planted_dir/canary", O_CREAT | O_WRONLY, 0644));
  chan::Report("trunc_planted", Open("/planted_abs", O_TRUNC | O_WRONLY, 0));
  Request q = chan::Make(kLink, "/../decoy/secret", "/tmp/l1");
  chan::Report("link_dotdot", chan::Call(q, "/../decoy/secret", "/tmp/l1"));
  q = chan::Make(kLink, "/planted_abs", "/tmp/l2");
  q.arg[0] = 0x400;  // AT_SYMLINK_FOLLOW
  chan::Report("link_follow_planted", chan::Call(q, "/planted_abs", "/tmp/l2"));
  chan::Report("read_l2", Open("/tmp/l2"));
  q = chan::Make(kRename, "/planted_dir/secret", "/tmp/stolen");
  chan::Report("rename_out_of_host", chan::Call(q, "/planted_dir/secret", "/tmp/stolen"));
  q = chan::Make(kUnlink, "/planted_dir/secret");
  chan::Report("unlink_via_planted", chan::Call(q, "/planted_dir/secret"));
  q = chan::Make(kMknod, "/tmp/mem");
  q.arg[0] = 020600;
  q.arg[1] = (1 << 8) | 1;
  chan::Report("mknod_chr_mem", chan::Call(q, "/tmp/mem"));
  q = chan::Make(kMknod, "/tmp/sda");
  q.arg[0] = 060600;
  q.arg[1] = 8 << 8;
  chan::Report("mknod_blk_sda", chan::Call(q, "/tmp/sda"));
  q = chan::Make(kChmod, "/planted_abs");
  q.arg[0] = 04777;
  chan::Report("chmod_planted", chan::Call(q, "/planted_abs"));
  q = chan::Make(kChown, "/planted_rel");
  q.arg[0] = 0;
  q.arg[1] = 0;
  chan::Report("chown_planted", chan::Call(q, "/planted_rel"));
  q = chan::Make(kTruncate, "/planted_rel");
  chan::Report("truncate_planted", chan::Call(q, "/planted_rel"));
  q = chan::Make(kChdir, "/planted_dir");
  chan::Report("chdir_planted_dir", chan::Call(q, "/planted_dir"));
  q = chan::Make(kStat, decoy);
  chan::Report("stat_host_abs", chan::Call(q, decoy));
  chan::StillInSync("in_sync_after");
  return done();
}
