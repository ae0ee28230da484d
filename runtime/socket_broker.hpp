// connect(2) and bind(2) on behalf of a guest (proto::kSockConnect,
// kSockBind): the partition traps both because BPF cannot read the
// address, so the supervisor decides where a socket may go.
#pragma once

#include "rootfs/message.hpp"
#include "rootfs/process.hpp"
#include "rootfs/rootfs.hpp"

namespace litebox::runtime {

// Answers one kSockConnect/kSockBind request on `channel`.
void HandleSocketOp(const rootfs::ReceivedRequest& req, const rootfs::RootFs& root,
                    const rootfs::ProcessContext& ctx, bool network, int channel);

}  // namespace litebox::runtime
