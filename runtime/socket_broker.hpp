// connect(2) and bind(2) on behalf of a guest (proto::kSockConnect,
// kSockBind): the partition traps both because BPF cannot read the
// address, so the supervisor decides where a socket may go.
#pragma once

#include "rootfs/message.hpp"
#include "rootfs/process.hpp"
#include "rootfs/rootfs.hpp"

namespace litebox::runtime {

// Answers one kSockConnect/kSockBind request on `channel`.
// The virtual path an AF_UNIX address (the sockaddr bytes of a kSockBind
// or kSockConnect) names, made absolute against ctx's cwd; "" for an
// abstract or unnamed one, or another family's.
std::string UnixSocketPath(const std::string& addr, const rootfs::ProcessContext& ctx);

void HandleSocketOp(const rootfs::ReceivedRequest& req, const rootfs::RootFs& root,
                    const rootfs::ProcessContext& ctx, bool network, int channel);

}  // namespace litebox::runtime
